"""Tables at columnar speed: chainrule's data phase against pandas + scikit-learn.

    PYTHONPATH=src python benchmarks/tables.py [--rows 10000,100000,500000] [--big] [--keep DIR]

For each size it writes one CSV (20 float columns, 2 text columns, a text target ``y``,
about 3% of the feature cells empty) and measures, each in a fresh process:

- ``chainrule train FILE --target y --epochs 1 --impute median`` and ``chainrule predict``,
  whole commands;
- chainrule's data phase alone, through the library: for train, reading, the checks, the
  split, fitting the preprocessing and transforming and encoding every row, as
  ``train_table`` does before and around ``fit``; for predict, reading, checking and
  transforming;
- pandas ``read_csv``, then scikit-learn's ``ColumnTransformer`` (median imputer and
  scaler for numbers, most-frequent imputer and one-hot encoder for text) ``fit_transform``
  and a ``LabelEncoder`` on the target.

Before timing, the data phases are checked to agree: chainrule's and scikit-learn's
matrices for the same rows are equal to 1e-9. Seconds are wall time; peak memory is the
process's maximum resident set (``ru_maxrss``), imports included. ``--big`` adds 2,000,000
rows (about 450 MB of CSV).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SRC = Path(__file__).resolve().parents[1] / "src"
N_NUMBERS, GAP = 20, 0.03
CITIES = ["Paris", "Lyon", "Nantes", "Lille", "Rennes", "Nice", "Brest", "Metz", "Caen", "Pau", "Dax", "Albi"]
SEGMENTS = ["a", "b", "c", "d", "e"]


# ------------------------------------------------------------------ the data
def generate(rows: int, path: Path, seed: int = 0) -> dict[str, np.ndarray]:
    """Write the table and return the arrays it was made from (NaN / -1 where a cell is empty)."""
    import pyarrow as pa
    import pyarrow.csv as pv

    rng = np.random.default_rng(seed)
    numbers = np.round(rng.normal(size=(rows, N_NUMBERS)) * rng.uniform(0.5, 20, N_NUMBERS), 4)
    numbers[rng.random(numbers.shape) < GAP] = np.nan
    city = rng.integers(0, len(CITIES), rows)
    segment = rng.integers(0, len(SEGMENTS), rows)
    city[rng.random(rows) < GAP] = -1
    score = np.nan_to_num(numbers[:, 0]) / 10 + np.nan_to_num(numbers[:, 1]) / 5 + (city == 2)
    target = np.digitize(score + rng.normal(size=rows) * 0.5, [-0.5, 0.5])
    columns = {f"x{j}": pa.array(numbers[:, j], from_pandas=True) for j in range(N_NUMBERS)}
    columns["city"] = pa.DictionaryArray.from_arrays(pa.array(city, mask=city < 0), pa.array(CITIES)).cast(
        pa.string()
    )
    columns["segment"] = pa.DictionaryArray.from_arrays(pa.array(segment), pa.array(SEGMENTS)).cast(
        pa.string()
    )
    columns["y"] = pa.DictionaryArray.from_arrays(pa.array(target), pa.array(["low", "mid", "high"])).cast(
        pa.string()
    )
    pv.write_csv(pa.table(columns), path, pv.WriteOptions(quoting_style="none", quoting_header="none"))
    return {"numbers": numbers, "city": city, "segment": segment, "target": target}


# ------------------------------------------------------- measured in a child
def chainrule_train_data(path: str) -> dict:
    """What train_table does with the data, without the network: the same calls in order."""
    sys.path.insert(0, str(SRC))
    from chainrule.tables.preprocess import Preprocessor, category_names
    from chainrule.tables.read import read_table
    from chainrule.workflow.train import split_rows

    table = read_table(path)
    probe, _ = Preprocessor.fit(table, "y", None, (), "median")
    probe.reject_missing(table, with_target=True)
    train_rows, test_rows = split_rows(table, "y", probe.task, 0.2, 0)
    train, test = table.select_rows(train_rows), table.select_rows(test_rows)
    pre, _ = Preprocessor.fit(
        train, "y", probe.task, (), "median", categories=category_names(table, probe.categorical)
    )
    X_train, y_train = pre.transform(train, np.float32), pre.encode_target(train)
    pre.transform(test, np.float32)
    y_test = pre.encode_target(test)
    return {"shape": [len(table), X_train.shape[1]], "train": len(y_train), "test": len(y_test)}


def chainrule_predict_data(path: str, model: str) -> dict:
    sys.path.insert(0, str(SRC))
    from chainrule import load
    from chainrule.tables.read import read_table

    pre = load(model).preprocessor
    table = read_table(path)
    pre.check_columns(table)
    pre.reject_missing(table, with_target=False)
    X = pre.transform(table, np.float32)
    return {"shape": list(X.shape)}


def pandas_sklearn(path: str) -> dict:
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import LabelEncoder, OneHotEncoder, StandardScaler

    frame = pd.read_csv(path)
    numeric = [c for c in frame.columns if c.startswith("x")]
    transformer = ColumnTransformer(
        [
            ("numbers", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "text",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(sparse_output=False)),
                ["city", "segment"],
            ),
        ]
    )
    X = transformer.fit_transform(frame.drop(columns="y"))
    y = LabelEncoder().fit_transform(frame["y"])
    return {"shape": list(X.shape), "y": len(y)}


def cli(*args: str) -> dict:
    sys.path.insert(0, str(SRC))
    from chainrule.cli import main

    with open(os.devnull, "w") as quiet:
        saved, sys.stdout = sys.stdout, quiet
        try:
            code = main(list(args))
        finally:
            sys.stdout = saved
    if code:
        raise SystemExit(f"chainrule {' '.join(args)} exited with {code}")
    return {}


JOBS = {"train-data": chainrule_train_data, "predict-data": chainrule_predict_data, "peers": pandas_sklearn}


def peak_megabytes() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(job: str, args: list[str]) -> None:
    """Run one job and print its seconds and peak memory; imports are done before the clock starts."""
    sys.path.insert(0, str(SRC))
    if job == "peers":
        import pandas  # noqa: F401
        import sklearn.compose
        import sklearn.preprocessing  # noqa: F401
    else:
        import chainrule.cli.main
        import chainrule.tables.preprocess
        import chainrule.tables.read
        import chainrule.workflow.train  # noqa: F401
        from chainrule.tables.cells import arrow

        arrow()
    start = time.perf_counter()
    result = cli(*args) if job == "cli" else JOBS[job](*args)
    result["seconds"] = time.perf_counter() - start
    result["peak_mb"] = peak_megabytes()
    print(json.dumps(result))


def measure(job: str, *args: str) -> dict:
    """Run one job in a fresh interpreter; its seconds (from the job's start) and peak memory."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, __file__, "--child", job, *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    if done.returncode:
        raise SystemExit(f"{job} failed:\n{done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall"] = time.perf_counter() - start
    return result


# --------------------------------------------------------------- the report
def check_agreement(path: Path) -> None:
    """chainrule's matrix equals scikit-learn's on the same rows (same order of inputs)."""
    import pandas as pd
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    sys.path.insert(0, str(SRC))
    from chainrule.tables.preprocess import Preprocessor
    from chainrule.tables.read import read_table

    table = read_table(path)
    pre, _ = Preprocessor.fit(table, "y", "classification", (), "median")
    ours = pre.transform(table)
    frame = pd.read_csv(path)
    numeric = [c for c in frame.columns if c.startswith("x")]
    # chainrule standardises with the statistics of the cells present, then fills the gaps
    values = frame[numeric].to_numpy()
    scaler = StandardScaler().fit(values)  # NaN left out of the fit, as chainrule does
    theirs = [scaler.transform(SimpleImputer(strategy="median").fit_transform(values))]
    for name in ("city", "segment"):
        column = SimpleImputer(strategy="most_frequent").fit_transform(frame[[name]].astype(object))
        theirs.append(OneHotEncoder(sparse_output=False).fit(column).transform(column))
    np.testing.assert_allclose(ours, np.hstack(theirs), rtol=0, atol=1e-9)


def run(sizes: list[int], keep: Path | None) -> list[dict]:
    rows_out = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for n in sizes:
            path = folder / f"table-{n}.csv"
            generate(n, path)
            if n <= 100_000:
                check_agreement(path)
            out = folder / f"model-{n}"
            train = measure("cli", "train", str(path), "--target", "y", "--epochs", "1", "--impute", "median",
                            "--out", str(out), "--quiet")  # fmt: skip
            model = str(out / "model.safetensors")
            predict = measure(
                "cli", "predict", model, str(path), "-o", str(folder / f"pred-{n}.csv"), "--quiet"
            )
            found = {
                "rows": n,
                "megabytes": path.stat().st_size / 1e6,
                "train": train,
                "predict": predict,
                "train_data": measure("train-data", str(path)),
                "predict_data": measure("predict-data", str(path), model),
                "peers": measure("peers", str(path)),
            }
            rows_out.append(found)
            report([found], header=n == sizes[0])
    return rows_out


def report(found: list[dict], header: bool = True) -> None:
    if header:
        print("| rows | MB | what | seconds | rows/s | peak MB |")
        print("|---|---|---|---|---|---|")
    names = {
        "train": "`chainrule train --epochs 1` (command)",
        "train_data": "chainrule train, data phase",
        "predict": "`chainrule predict` (command)",
        "predict_data": "chainrule predict, data phase",
        "peers": "pandas read_csv + scikit-learn ColumnTransformer",
    }
    for f in found:
        for key, label in names.items():
            seconds = f[key]["wall"] if key in ("train", "predict") else f[key]["seconds"]
            print(
                f"| {f['rows']:,} | {f['megabytes']:.0f} | {label} | {seconds:.2f} | "
                f"{f['rows'] / seconds:,.0f} | {f[key]['peak_mb']:.0f} |",
                flush=True,
            )
    for f in found:
        ratio = f["train_data"]["seconds"] / f["peers"]["seconds"]
        memory = f["train_data"]["peak_mb"] / f["peers"]["peak_mb"]
        print(f"  {f['rows']:,} rows: data phase / peers = {ratio:.2f}× time, {memory:.2f}× peak memory")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="10000,100000,500000")
    parser.add_argument("--big", action="store_true", help="also 2,000,000 rows")
    parser.add_argument("--keep", type=Path, help="keep the generated files in this folder")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--child", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child[0], args.child[1:])
        return 0
    sizes = [int(n) for n in args.rows.split(",")] + ([2_000_000] if args.big else [])
    found = run(sizes, args.keep)
    rows = [f["rows"] for f in found]
    if len(rows) > 1:
        per_row = [f["train_data"]["seconds"] / f["rows"] for f in found]
        slope = np.polyfit(np.log(rows), np.log([f["train_data"]["seconds"] for f in found]), 1)[0]
        print(f"  data phase grows as rows^{slope:.2f}; microseconds per row: "
              + ", ".join(f"{p * 1e6:.2f}" for p in per_row))  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(found, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
