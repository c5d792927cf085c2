"""Are ``chainrule train``'s defaults worth using? Test scores over 5 seeds beside two baselines.

For every built-in dataset (``chainrule datasets``) and two tables from a real study with gaps
and text columns (tests/data/penguins.csv, the Palmer penguins as the ``palmerpenguins``
package ships them), each seed splits the rows as ``chainrule train`` does (``split_rows``)
and scores on the held-out rows:

- chainrule: ``train_table`` with the default ``TrainConfig`` (what ``chainrule train DATA
  --target COL`` runs), plus ``--impute median`` on the tables with gaps, which the
  defaults refuse by design (the error names that option);
- scikit-learn's ``MLPClassifier``/``MLPRegressor`` with its defaults, and a linear model
  (``LogisticRegression`` / ``Ridge``, defaults), both in the standard pipeline: median
  imputation and scaling of numbers, most-frequent imputation and one-hot of text.

Scores are accuracy (classification) and R² (regression) on the test rows.

    python benchmarks/defaults.py                       # every table, 5 seeds
    python benchmarks/defaults.py --tables wine,digits --seeds 0,1
    python benchmarks/defaults.py --timing              # the default run on 10,000 × 20, 3 runs
    python benchmarks/defaults.py --set hidden=32,32 --set lr=0.003   # try other settings
    python benchmarks/defaults.py --islp DIR          # and 10 held-out tables (ISLP_TABLES)
    python benchmarks/defaults.py --seeds $(seq -s, 0 29)   # 30 seeds: which gaps are more than noise

After the table, each table's paired gap to each baseline (the same splits), with its standard error.

scikit-learn and pandas are needed here (the benchmark's peers), never by chainrule itself.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from chainrule.tables.datasets import DATASETS, load_dataset  # noqa: E402
from chainrule.tables.read import Table, read_table  # noqa: E402
from chainrule.workflow.config import TrainConfig  # noqa: E402
from chainrule.workflow.train import split_rows, train_table  # noqa: E402

PENGUINS = ROOT / "tests" / "data" / "penguins.csv"
#: (name, target, task) of the tables from a file; rows whose target is missing are left out.
FILE_TABLES = {
    "penguins_sex": (PENGUINS, "sex", "classification"),
    "penguins_mass": (PENGUINS, "body_mass_g", "regression"),
}
TABLES = [*DATASETS, *FILE_TABLES]
MISSING = {"", "na", "nan", "null", "none", "?"}
#: Held-out tables (``--islp DIR``): CSVs the ISLP package ships (the data of "An Introduction
#: to Statistical Learning"; ``pip download ISLP --no-deps`` and unzip ``ISLP/data/*.csv`` into
#: DIR). (name: file, target, task, columns left out): an ID, a text name, a target's log.
ISLP_TABLES = {
    "auto_mpg": ("Auto.csv", "mpg", "regression", ("name",)),
    "carseats": ("Carseats.csv", "Sales", "regression", ()),
    "credit": ("Credit.csv", "Balance", "regression", ("ID",)),
    "hitters": ("Hitters.csv", "Salary", "regression", ()),
    "oj": ("OJ.csv", "Purchase", "classification", ()),
    "college": ("College.csv", "Private", "classification", ()),
    "default": ("Default.csv", "default", "classification", ()),
    "boston": ("Boston.csv", "medv", "regression", ()),
    "wage": ("Wage.csv", "wage", "regression", ("logwage",)),
    "caravan": ("Caravan.csv", "Purchase", "classification", ()),
}
ISLP_DIR: Path | None = None
#: More held-out tables (``--more DIR``, written by ``more_tables.py``): name: (file, target, task).
MORE_TABLES: dict[str, tuple[Path, str, str]] = {}


def load(name: str) -> tuple[Table, str, str]:
    """(table, target, task); file tables lose the rows whose target is missing."""
    if name in DATASETS:
        table, info = load_dataset(name)
        return table, info.target, info.task
    if name in ISLP_TABLES:
        file, target, task, left_out = ISLP_TABLES[name]
        if ISLP_DIR is None:
            raise SystemExit(f"{name} is an ISLP table: pass --islp DIR (see ISLP_TABLES)")
        table = read_table(str(ISLP_DIR / file))
        kept = {c: table.column(c) for c in table.columns if c not in left_out}
        table = Table.from_columns(file, kept)
    else:
        path, target, task = FILE_TABLES[name] if name in FILE_TABLES else MORE_TABLES[name]
        table = read_table(str(path))
    index = table.columns.index(target)
    keep = [i for i, row in enumerate(table.rows) if row[index].strip().lower() not in MISSING]
    return table.select_rows(keep), target, task


def has_gaps(table: Table) -> bool:
    return any(text.strip().lower() in MISSING for row in table.rows for text in row)


def chainrule_score(table: Table, target: str, seed: int, settings: dict) -> tuple[float, float, dict]:
    """(test score, seconds, metrics) of the default run, with ``settings`` changed."""
    config = TrainConfig(target=target, seed=seed, verbose=0, **settings)
    if has_gaps(table) and "impute" not in settings:
        config.impute = "median"
    start = time.perf_counter()
    result = train_table(table, config)
    seconds = time.perf_counter() - start
    test = result.metrics["test"]
    return test.get("accuracy", test.get("r2")), seconds, result.metrics


def frame(table: Table, target: str):
    """The table as a pandas DataFrame: numbers where a column holds only numbers (or gaps)."""
    import pandas as pd

    columns = {}
    for name in table.columns:
        texts = [None if t.strip().lower() in MISSING else t.strip() for t in table.column(name)]
        numbers = pd.to_numeric(pd.Series(texts, dtype=object), errors="coerce")
        present = sum(t is not None for t in texts)
        numeric = name != target and numbers.notna().sum() == present
        columns[name] = numbers.astype(float) if numeric else pd.Series(texts, dtype=object)
    return pd.DataFrame(columns)


def baseline_scores(
    table: Table, target: str, task: str, seed: int, mlp_seed: int | None = None
) -> dict[str, float]:
    """Test scores of scikit-learn's MLP and a linear model in the standard pipeline.

    The rows are split by ``seed``; the MLP's ``random_state`` is ``seed`` too unless
    ``mlp_seed`` is given (the same split, other initial weights and batches)."""
    from sklearn.compose import ColumnTransformer, TransformedTargetRegressor
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    data = frame(table, target)
    train_rows, test_rows = split_rows(table, target, task, 0.2, seed)
    X, y = data.drop(columns=[target]), data[target]
    if task == "regression":
        y = y.astype(float)
    numeric = [c for c in X.columns if X[c].dtype == float]
    text = [c for c in X.columns if c not in numeric]
    scores = {}
    mlp_seed = seed if mlp_seed is None else mlp_seed
    models = {
        "mlp": MLPClassifier(random_state=mlp_seed)
        if task == "classification"
        # The target scaled as chainrule scales it: unscaled, the MLP's R² is far below zero.
        else TransformedTargetRegressor(MLPRegressor(random_state=mlp_seed), transformer=StandardScaler()),
        "linear": LogisticRegression(max_iter=5000) if task == "classification" else Ridge(),
    }
    for name, model in models.items():
        prepare = ColumnTransformer(
            [
                ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
                (
                    "text",
                    make_pipeline(
                        SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")
                    ),
                    text,
                ),
            ]
        )
        pipeline = make_pipeline(prepare, model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipeline.fit(X.iloc[train_rows], y.iloc[train_rows])
        scores[name] = float(pipeline.score(X.iloc[test_rows], y.iloc[test_rows]))
    return scores


def mean_sd(values: list[float]) -> str:
    return f"{statistics.mean(values):.4f} ± {statistics.stdev(values) if len(values) > 1 else 0.0:.4f}"


def one_seed(job: tuple) -> tuple:
    """(score, seconds, metrics, baseline scores) of one table and seed: a job for ``compare``."""
    name, seed, settings, baselines = job
    table, target, task = load(name)
    score, took, metrics = chainrule_score(table, target, seed, settings)
    return score, took, metrics, baseline_scores(table, target, task, seed) if baselines else {}


def compare(
    tables: list[str], seeds: list[int], settings: dict, baselines: bool = True, jobs: int = 1
) -> list[dict]:
    """Each table's scores over ``seeds``, the seeds run ``jobs`` at a time (each in its own process)."""
    import multiprocessing

    pool = multiprocessing.get_context("fork").Pool(jobs) if jobs > 1 else None
    rows = []
    try:
        for name in tables:
            table, _, task = load(name)
            work = [(name, seed, settings, baselines) for seed in seeds]
            done = pool.map(one_seed, work) if pool else [one_seed(job) for job in work]
            scores: dict[str, list[float]] = {"chainrule": [], "mlp": [], "linear": []}
            for score, _, _, others in done:
                scores["chainrule"].append(score)
                for key, value in others.items():
                    scores[key].append(value)
            row = {"table": name, "task": task, "rows": len(table), "scores": scores}
            row["seconds"] = [took for _, took, _, _ in done]
            row["epochs"] = [metrics["epochs_run"] for _, _, metrics, _ in done]
            row["linear"] = sum(metrics.get("model") == "linear" for _, _, metrics, _ in done)
            rows.append(row)
            report([row], header=len(rows) == 1)
    finally:
        if pool:
            pool.close()
    return rows


def report(rows: list[dict], header: bool = True) -> None:
    if header:
        print(
            "| table | rows | score | chainrule default | sklearn MLP | linear | best baseline "
            "| s/run | epochs | kept linear |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        scores = row["scores"]
        ours = statistics.mean(scores["chainrule"])
        others = {k: statistics.mean(v) for k, v in scores.items() if k != "chainrule" and v}
        best = max(others.values()) if others else None
        # Equal to the 4 digits shown counts as met: when the linear fallback keeps the linear
        # model, its float32 model file scores the float64 baseline's R² to about 1e-6.
        verdict = "" if not others else ("met" if ours >= best - 5e-5 else "NOT MET")
        cells = [mean_sd(scores[k]) if scores[k] else "-" for k in ("chainrule", "mlp", "linear")]
        metric = "accuracy" if row["task"] == "classification" else "R²"
        print(
            f"| {row['table']} | {row['rows']} | {metric} | {' | '.join(cells)} | "
            f"{'–' if best is None else f'{best:.4f} {verdict}'} "
            f"| {statistics.mean(row['seconds']):.2f} | {statistics.mean(row['epochs']):.0f} "
            f"| {row['linear']}/{len(row['seconds'])} |",
            flush=True,
        )


def paired(rows: list[dict]) -> None:
    """chainrule's score less each baseline's, seed by seed (the same split), as mean ± its
    standard error over the seeds: a gap more than 2 standard errors below 0 is one the
    seeds' noise does not explain."""
    print("\n| table | seeds | chainrule − sklearn MLP | chainrule − linear | behind by more than 2 SE |")
    print("|---|---|---|---|---|")
    for row in rows:
        scores, cells, behind = row["scores"], [], []
        for key, name in (("mlp", "sklearn MLP"), ("linear", "linear")):
            gaps = [ours - theirs for ours, theirs in zip(scores["chainrule"], scores[key])]
            mean = statistics.mean(gaps)
            if len(gaps) < 2:  # one seed: no standard error to judge the gap by
                cells.append(f"{mean:+.4f}")
                continue
            se = statistics.stdev(gaps) / len(gaps) ** 0.5
            cells.append(f"{mean:+.4f} ± {se:.4f}")
            behind += [name] if mean + 2 * se < 0 else []
        print(
            f"| {row['table']} | {len(gaps)} | {' | '.join(cells)} | {', '.join(behind) or '–'} |", flush=True
        )


def timing(runs: int = 3, task: str = "classification") -> list[float]:
    """Seconds of whole ``python -m chainrule train`` runs on 10,000 rows × 20 columns: a binary
    target, or (regression, where the default averages 5 networks) the number behind it."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(10_000, 20))
    w = rng.normal(size=20)
    y = np.tanh(X @ w / 3) + 0.3 * X[:, 0] * X[:, 1] + 0.5 * rng.normal(size=10_000)
    y = (y > 0).astype(int) if task == "classification" else np.round(y, 5)
    seconds = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "wide.csv"
        header = ",".join([f"x{j}" for j in range(20)] + ["y"])
        lines = [header] + [",".join(f"{v:.5f}" for v in X[i]) + f",{y[i]}" for i in range(len(y))]
        path.write_text("\n".join(lines) + "\n")
        command = [sys.executable, "-m", "chainrule", "train", str(path), "--target", "y"]
        command += ["--out", str(Path(folder) / "run"), "--quiet"]
        env = {"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"}
        for _ in range(runs):
            start = time.perf_counter()
            done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
            seconds.append(time.perf_counter() - start)
            if done.returncode != 0:
                raise SystemExit(f"chainrule train failed: {done.stderr.strip()}")
    return seconds


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=",".join(TABLES), help=f"comma-separated, of {', '.join(TABLES)}")
    parser.add_argument("--seeds", default="0,1,2,3,4")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="change a default")
    parser.add_argument("--no-baselines", action="store_true", help="chainrule alone (faster)")
    parser.add_argument("--jobs", type=int, default=1, help="seeds run at a time (s/run is then shared time)")
    parser.add_argument("--json", metavar="FILE", help="also write every seed's scores to FILE")
    parser.add_argument("--timing", action="store_true", help="time the default run on 10,000 × 20")
    parser.add_argument(
        "--islp", metavar="DIR", help=f"the ISLP CSVs: adds the held-out tables {', '.join(ISLP_TABLES)}"
    )
    parser.add_argument("--more", metavar="DIR", help="the tables more_tables.py wrote into DIR (only those)")
    args = parser.parse_args(argv)
    global ISLP_DIR
    if args.islp:
        ISLP_DIR = Path(args.islp)
        if args.tables == ",".join(TABLES):
            args.tables += "," + ",".join(ISLP_TABLES)
    if args.more:
        listed = json.loads((Path(args.more) / "tables.json").read_text())
        MORE_TABLES.update(
            {name: (Path(args.more) / f, target, task) for name, (f, target, task) in listed.items()}
        )
        if args.tables == ",".join(TABLES):
            args.tables = ",".join(MORE_TABLES)
    if args.timing:
        for task in ("classification", "regression"):
            seconds = timing(task=task)
            print(
                f"chainrule train on 10,000 rows × 20 columns ({task}): median "
                f"{statistics.median(seconds):.2f} s of {', '.join(f'{s:.2f}' for s in seconds)}"
            )
        return 0
    tables = [t for t in args.tables.split(",") if t]
    known = [*TABLES, *ISLP_TABLES, *MORE_TABLES]
    unknown = [t for t in tables if t not in known]
    if unknown:
        parser.error(f"unknown table {unknown[0]!r}; choose from {', '.join(known)}")
    settings = {}
    for item in args.set:
        name, _, value = item.partition("=")
        settings[name] = {"true": True, "false": False}.get(value.lower(), value)
    seeds = [int(s) for s in args.seeds.split(",")]
    rows = compare(tables, seeds, settings, baselines=not args.no_baselines, jobs=args.jobs)
    if args.json:
        Path(args.json).write_text(
            json.dumps({"seeds": seeds, "settings": settings, "tables": rows}, indent=1)
        )
    if not args.no_baselines:
        paired(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
