"""How often can the defaults issue's target be met, by anything?

The target: on every table, the default run's mean test score over seeds 0-4 is at least
the better baseline's mean (the higher of scikit-learn's MLP and a linear model). Each
seed's test rows are few (36 to 114 on the seven built-in tables), so a five-seed mean
moves by a test row with the split. This script takes the per-seed scores that
``defaults.py --json FILE`` writes over many seeds (30 here) and asks, over random sets
of five seeds drawn from them, how often a model meets the target on every table:

- the default run (the "chainrule" scores);
- each baseline as if it were the candidate;
- for each table, the baseline whose mean over all the seeds is higher: a model exactly
  as good as the better baseline, chosen with hindsight;
- for each seed, the better baseline on that seed's test rows: an oracle no model can be.

    python benchmarks/defaults.py --seeds 0,1,...,29 --jobs 2 --json seven30.json
    python benchmarks/target_odds.py seven30.json
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np


def candidates(scores: dict[str, dict[str, np.ndarray]]) -> dict[str, dict[str, np.ndarray]]:
    """Each candidate's per-seed scores, table by table."""

    def hindsight(table):
        s = scores[table]
        return s["linear"] if s["linear"].mean() >= s["mlp"].mean() else s["mlp"]

    return {
        "chainrule default": {t: s["chainrule"] for t, s in scores.items()},
        "the linear baseline itself": {t: s["linear"] for t, s in scores.items()},
        "scikit-learn's MLP itself": {t: s["mlp"] for t, s in scores.items()},
        "per table, the better baseline over all seeds (hindsight)": {t: hindsight(t) for t in scores},
        "per seed, the better baseline on its test rows (an oracle)": {
            t: np.maximum(s["linear"], s["mlp"]) for t, s in scores.items()
        },
    }


def met(candidate: dict[str, np.ndarray], scores, seeds: list[int]) -> np.ndarray:
    """(tables,) bool: the candidate's mean over ``seeds`` at least the better baseline's."""
    return np.array(
        [
            candidate[t][seeds].mean() >= max(s["mlp"][seeds].mean(), s["linear"][seeds].mean()) - 1e-12
            for t, s in scores.items()
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("json", help="the file defaults.py --json wrote (with baselines)")
    parser.add_argument("--draws", type=int, default=20000, help="random five-seed sets")
    args = parser.parse_args()
    data = json.loads(Path(args.json).read_text())
    scores = {row["table"]: {k: np.array(v) for k, v in row["scores"].items()} for row in data["tables"]}
    n_seeds = len(data["seeds"])
    rng = random.Random(0)
    draws = [rng.sample(range(n_seeds), 5) for _ in range(args.draws)]
    names = list(scores)
    first = (
        [data["seeds"].index(s) for s in range(5)] if set(range(5)) <= set(data["seeds"]) else list(range(5))
    )
    print(
        f"{len(names)} tables, {n_seeds} seeds ({data['seeds'][0]}-{data['seeds'][-1]}), {args.draws} draws of 5\n"
    )
    print("| candidate | seeds 0-4: tables met | random 5 seeds: P(every table) | mean tables met | "
          + " | ".join(names) + " |")  # fmt: skip
    print("|---|---|---|---|" + "---|" * len(names))
    for label, candidate in candidates(scores).items():
        on_first = met(candidate, scores, first)
        table = np.array([met(candidate, scores, seeds) for seeds in draws])
        per_table = " | ".join(f"{p:.2f}" for p in table.mean(axis=0))
        print(f"| {label} | {on_first.sum()}/{len(names)} | {table.all(axis=1).mean():.3f} | "
              f"{table.sum(axis=1).mean():.2f} | {per_table} |")  # fmt: skip


if __name__ == "__main__":
    main()
