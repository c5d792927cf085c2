"""Round 3 of the defaults' gaps: ensembles of networks and other variants, on defaults.py's splits.

For each table and seed the rows are split, preprocessed and divided into fitting and
validation rows exactly as ``train_table`` does. Member 0 is the default network (same seed,
same weights); members 1.. differ only in their seed (initial weights and batch order). Every
member is early-stopped on the same validation rows. Columns are test scores (accuracy, R²):

- ``default``: the default model (network, or the linear model when its validation loss is lower);
- ``net``: the default network alone; ``linear``: the linear model on all training rows;
- ``ensK``: the mean of the first K members' logits (outputs for regression): one network of
  K × the widths with block-diagonal weights computes exactly this;
- ``ensK/lin``: ensK, or the linear model when its validation loss is lower (the fallback);
- ``ens5 p``: the mean of 5 members' probabilities instead of logits (not one network).

- ``1se``, ``ensK/1se``: the fallback by the one-standard-error rule: the network (or ensK)
  is kept only when its validation loss is lower than the linear model's by more than the
  standard error of the row-by-row difference (the simpler model unless the data say otherwise);
- ``ensK+lin``: the linear model as one more member (its logits averaged with the K networks');
- ``blend1``, ``ensK blend``: the network's (ensK's) and the linear model's logits mixed with
  the weight in 0, 0.25, 0.5, 0.75, 1 that gives the lowest validation loss.

Every column but ``ens5 p`` is what one Network could hold: the linear model's logits pass
through ReLU layers exactly as relu(x) - relu(-x). Other member settings are given as
``--set name=value`` (TrainConfig fields); ``--early-stopping false`` trains every member
on all training rows, with no choice of the linear model.

``--mlp-inits`` instead scores scikit-learn's MLP on the same splits with five random_states
per split (seed + 0, 1000, ..., 4000): how much of the baseline is its initial weights.

    python benchmarks/defaults_round3.py --tables wine,penguins_mass --seeds 0,1,2,3,4 --json r.json
    python benchmarks/defaults_round3.py --mlp-inits --tables wine --seeds 0,1,2,3,4
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from defaults import TABLES, baseline_scores, has_gaps, load

from chainrule.tables import metrics
from chainrule.train.callbacks import EarlyStopping
from chainrule.workflow.apply import targets_for
from chainrule.workflow.baselines import linear_network
from chainrule.workflow.config import TrainConfig
from chainrule.workflow.select import MIN_CHOICE_ROWS, validation_rows
from chainrule.workflow.train import network_for, split_rows, train_table

K = 5
COLUMNS = [
    "default", "net", "linear", "ens3", "ens3/lin", "ens5", "ens5/lin", "ens5 p", "1se", "ens3/1se",
    "ens5/1se", "ens3+lin", "ens5+lin", "blend1", "ens3 blend", "ens5 blend",
]  # fmt: skip


def member_seed(seed: int, index: int) -> int:
    """Member 0 keeps the run's seed; the others draw theirs from it."""
    return seed if index == 0 else int(np.random.SeedSequence([seed, 2, index]).generate_state(1)[0])


def scores(table, target: str, seed: int, settings: dict) -> tuple[dict[str, float], float]:
    config = TrainConfig(target=target, seed=seed, verbose=0, linear_fallback=False, **settings)
    if has_gaps(table) and "impute" not in settings:
        config.impute = "median"
    first = train_table(table, config)  # the default network, and its preprocessing
    config = config.checked()
    pre = first.network.preprocessor
    task, loss = pre.task, first.network.info["loss"]
    train_rows, test_rows = split_rows(table, target, task, config.test_size, seed)
    train, test = table.select_rows(train_rows), table.select_rows(test_rows)
    X, encoded = pre.transform(train, first.network.dtype), pre.encode_target(train, first.network.dtype)
    X_test, test_encoded = pre.transform(test, np.float64), pre.encode_target(test, np.float64)
    y = targets_for(first.network, pre, encoded)
    val = validation_rows(encoded, task, config.validation_split, seed)
    fit = np.setdiff1d(np.arange(len(encoded)), val)
    watched = {"validation_data": (X[val], y[val]), "early_stopping": EarlyStopping(patience=config.patience)}
    if not config.early_stopping:  # every member on every training row; no choice of the linear model
        fit, watched = np.arange(len(encoded)), {}
    n_classes = len(pre.labels) if pre.labels else 0
    X_val, y_val = X[val].astype(np.float64), y[val].astype(np.float64).reshape(len(val), -1)

    def logit(p: np.ndarray) -> np.ndarray:
        if task == "regression":
            return p
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return np.log(p / (1 - p)) if p.shape[1] == 1 else np.log(p)

    def prob(z: np.ndarray) -> np.ndarray:
        if task == "regression":
            return z
        if z.shape[1] == 1:
            return 1 / (1 + np.exp(-z))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def score_probs(p: np.ndarray) -> float:
        if task == "regression":
            return metrics.r2_score(pre.decode_regression(test_encoded), pre.decode_regression(p))
        predicted = (p[:, 0] > 0.5).astype(np.intp) if p.shape[1] == 1 else p.argmax(axis=1)
        return metrics.accuracy(test_encoded, predicted)

    def score(z: np.ndarray) -> float:
        return score_probs(prob(z))

    test_logits, val_logits = [], []
    start = time.perf_counter()
    for index in range(K):
        if index == 0:
            member = first.network
        else:
            member, _ = network_for(
                TrainConfig(**{**config.settings(), "seed": member_seed(seed, index)}).checked(),
                pre,
                n_classes,
            )
            member.fit(
                X[fit], y[fit], loss=loss, seed=member_seed(seed, index), verbose=0, **watched,
                **config.fit_options(),
            )  # fmt: skip
        net64 = member.astype(np.float64)
        test_logits.append(logit(net64.predict(X_test)))
        val_logits.append(logit(net64.predict(X_val)))
    seconds = time.perf_counter() - start
    on_fit = linear_network(X[fit], encoded[fit], task, first.network.n_outputs, np.float64)
    linear = logit(linear_network(X, encoded, task, first.network.n_outputs, np.float64).predict(X_test))
    lin_val = logit(on_fit.predict(X_val))
    can_choose = config.early_stopping and len(val) >= MIN_CHOICE_ROWS

    def row_losses(z: np.ndarray) -> np.ndarray:
        """Each validation row's loss."""
        p = prob(z)
        if task == "regression":
            return ((p - y_val) ** 2).mean(axis=1)
        p = np.clip(p, 1e-12, 1 - 1e-12)
        if p.shape[1] == 1:
            return -(y_val * np.log(p) + (1 - y_val) * np.log(1 - p))[:, 0]
        return -np.sum(y_val * np.log(p), axis=1)

    def chosen(k: int, rule: str = "mean") -> np.ndarray:
        """ens k's test logits, or the linear model's when the validation rows prefer it."""
        z_test = np.mean(test_logits[:k], axis=0)
        if not can_choose:
            return z_test
        d = row_losses(np.mean(val_logits[:k], axis=0)) - row_losses(lin_val)  # > 0: linear better
        if rule == "mean":
            linear_wins = d.mean() > 0
        else:  # one standard error: the network must be better by more than its noise
            linear_wins = d.mean() + d.std(ddof=1) / np.sqrt(len(d)) > 0
        return linear if linear_wins else z_test

    def blended(k: int) -> np.ndarray:
        """ens k's and the linear model's logits mixed by the weight the validation rows like best."""
        z_val, z_test = np.mean(val_logits[:k], axis=0), np.mean(test_logits[:k], axis=0)
        if not can_choose:
            return z_test
        weights = [0.0, 0.25, 0.5, 0.75, 1.0]
        losses = [row_losses((1 - a) * z_val + a * lin_val).mean() for a in weights]
        a = weights[int(np.argmin(losses))]
        return (1 - a) * z_test + a * linear

    result = {
        "default": score(chosen(1)),
        "net": score(test_logits[0]),
        "linear": score(linear),
        "ens3": score(np.mean(test_logits[:3], axis=0)),
        "ens3/lin": score(chosen(3)),
        "ens5": score(np.mean(test_logits, axis=0)),
        "ens5/lin": score(chosen(5)),
        "ens5 p": score_probs(np.mean([prob(z) for z in test_logits], axis=0)),
        "1se": score(chosen(1, "1se")),
        "ens3/1se": score(chosen(3, "1se")),
        "ens5/1se": score(chosen(5, "1se")),
        "ens3+lin": score((np.sum(test_logits[:3], axis=0) + linear) / 4),
        "ens5+lin": score((np.sum(test_logits, axis=0) + linear) / 6),
        "blend1": score(blended(1)),
        "ens3 blend": score(blended(3)),
        "ens5 blend": score(blended(5)),
    }
    return result, seconds


def mlp_inits(tables: list[str], seeds: list[int], offsets=(0, 1000, 2000, 3000, 4000)) -> None:
    """scikit-learn's MLP, mean over ``seeds`` of the split, for each random_state offset."""
    print(f"| table | {' | '.join(f'random_state seed+{o}' for o in offsets)} | mean | sd |")
    print(f"|---|{'---|' * (len(offsets) + 2)}")
    for name in tables:
        table, target, task = load(name)
        means = [
            statistics.mean(baseline_scores(table, target, task, seed, seed + o)["mlp"] for seed in seeds)
            for o in offsets
        ]
        cells = " | ".join(f"{m:.4f}" for m in means)
        print(
            f"| {name} | {cells} | {statistics.mean(means):.4f} | {statistics.stdev(means):.4f} |", flush=True
        )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=",".join(TABLES))
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument("--json", help="also write every seed's scores here")
    parser.add_argument("--mlp-inits", action="store_true", help="scikit-learn's MLP over 5 random_states")
    args = parser.parse_args(argv)
    if args.mlp_inits:
        mlp_inits(args.tables.split(","), [int(s) for s in args.seeds.split(",")])
        return 0
    settings = {}
    for item in args.set:
        name, _, value = item.partition("=")
        settings[name] = {"true": True, "false": False}.get(value.lower(), value)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"| table | {' | '.join(COLUMNS)} | s (5 nets) |\n|---|{'---|' * (len(COLUMNS) + 1)}")
    every = {}
    for name in args.tables.split(","):
        table, target, _ = load(name)
        runs = [scores(table, target, seed, settings) for seed in seeds]
        every[name] = {seed: run for seed, (run, _) in zip(seeds, runs)}
        if args.json:
            Path(args.json).write_text(json.dumps(every, indent=1))
        means = [f"{statistics.mean(run[c] for run, _ in runs):.4f}" for c in COLUMNS]
        took = statistics.mean(s for _, s in runs)
        print(f"| {name} | {' | '.join(means)} | {took:.2f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
