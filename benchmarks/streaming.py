"""Streaming training from files: peak memory stays flat as the file grows, and quality holds.

    PYTHONPATH=src python benchmarks/streaming.py [--rows 100000,500000,1000000,2000000]
        [--chunk-rows 50000] [--epochs 1] [--keep DIR] [--quick]

For each size it writes one Parquet file (row groups of 50,000 rows) and, for the smallest
and the largest size, one CSV file of the same table: 10 number columns (about 2% of the
cells empty), a text column of 8 categories and a two-class target. Each command runs in a
fresh process whose peak resident memory (``VmHWM`` from ``/proc/self/status``, imports
included) is printed when it ends:

- ``chainrule train FILE --target y --chunk-rows N --impute mean --epochs E
  --no-linear-fallback`` (streamed; the network is the model saved and scored at every size);
- for contrast, ``chainrule train FILE.csv ...`` without ``--chunk-rows`` (the table in
  memory) at the smallest and the largest CSV.

Then the quality check on a table that fits (the smallest CSV): test accuracy of the
streamed network against the in-memory one, both with early stopping and ``--epochs 10``.
The target is that the streamed peaks stay within 20 MB of each other from the smallest
to the largest file, and that the accuracies are within 0.01.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

SRC = Path(__file__).resolve().parents[1] / "src"
N_NUMBERS, GAP, GROUP = 10, 0.02, 50_000
CATEGORIES = ["a", "b", "c", "d", "e", "f", "g", "h"]

# Runs chainrule's command line, then prints the process's peak resident memory in MB.
CHILD = """
import json, sys
from chainrule.cli.main import main
code = main(sys.argv[1:])
peak = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
print("PEAK " + json.dumps({"code": code, "peak_mb": peak}))
"""


def generate(rows: int, directory: Path, csv: bool, seed: int = 0) -> dict[str, Path]:
    """The table of ``rows`` rows as Parquet (and CSV), written GROUP rows at a time."""
    import pyarrow as pa
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    rng = np.random.default_rng(seed)
    weights = rng.normal(size=N_NUMBERS)
    paths = {"parquet": directory / f"t{rows}.parquet"}
    if csv:
        paths["csv"] = directory / f"t{rows}.csv"
    writers = {}
    for start in range(0, rows, GROUP):
        n = min(GROUP, rows - start)
        X = rng.normal(size=(n, N_NUMBERS))
        kind = rng.integers(0, len(CATEGORIES), n)
        signal = X @ weights + np.sin(3 * X[:, 0]) + (kind % 3 == 0)
        y = (signal + rng.normal(0, 0.5, n) > 0).astype(np.int64)
        X[rng.random(X.shape) < GAP] = np.nan
        columns = {f"x{j}": X[:, j] for j in range(N_NUMBERS)}
        columns["kind"] = np.array(CATEGORIES)[kind]
        columns["y"] = y
        table = pa.table(columns)
        if not writers:
            writers["parquet"] = pq.ParquetWriter(paths["parquet"], table.schema)
            if csv:
                writers["csv"] = pv.CSVWriter(paths["csv"], table.schema)
        for writer in writers.values():
            writer.write_table(table)
    for writer in writers.values():
        writer.close()
    return paths


def run(*args) -> dict:
    """One command in a fresh process: its peak memory, wall time and metrics."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "OPENBLAS_NUM_THREADS": "1"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, args)], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - started
    line = next((text for text in done.stdout.splitlines() if text.startswith("PEAK ")), None)
    if line is None or json.loads(line[5:])["code"] != 0:
        raise SystemExit(f"failed: chainrule {' '.join(map(str, args))}\n{done.stderr.strip()}")
    return {**json.loads(line[5:]), "seconds": seconds}


def test_accuracy(out: Path) -> float:
    return json.loads((out / "metrics.json").read_text())["test"]["accuracy"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", default="100000,500000,1000000,2000000")
    parser.add_argument("--chunk-rows", type=int, default=50_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--keep", help="write the files here and keep them")
    parser.add_argument("--quick", action="store_true", help="20,000 and 60,000 rows, chunks of 10,000")
    options = parser.parse_args()
    sizes = [int(r) for r in options.rows.split(",")]
    chunk = options.chunk_rows
    if options.quick:
        sizes, chunk = [20_000, 60_000], 10_000
    if options.keep:
        Path(options.keep).mkdir(parents=True, exist_ok=True)
        return measure(Path(options.keep), sizes, chunk, options.epochs)
    # The files are up to 740 MB: without --keep they go when the run ends, however it ends.
    with tempfile.TemporaryDirectory(prefix="chainrule-stream-") as directory:
        return measure(Path(directory), sizes, chunk, options.epochs)


def measure(directory: Path, sizes: list[int], chunk: int, epochs: int) -> int:
    """Write the tables into ``directory``, run every command, print the table (see the module)."""
    # --no-linear-fallback: every size saves and scores the network, so the peaks compare like
    # for like (after 1 epoch the fallback keeps logistic regression on the smaller tables)
    common = ["--target", "y", "--impute", "mean", "--epochs", epochs, "--batch-size", 256]
    common.append("--no-linear-fallback")
    print(f"{'rows':>10} {'file':>8} {'mode':>9} {'peak MB':>9} {'seconds':>9} {'test acc':>9}")
    peaks, files = {}, {}
    for rows in sizes:
        files[rows] = generate(rows, directory, csv=rows in (sizes[0], sizes[-1]))
        for kind, path in files[rows].items():
            modes = [("streamed", ["--chunk-rows", chunk])]
            if kind == "csv":
                modes.append(("memory", []))
            for mode, extra in modes:
                out = directory / f"out-{rows}-{kind}-{mode}"
                result = run("train", path, *common, *extra, "--out", out, "--quiet")
                peaks[(rows, kind, mode)] = result["peak_mb"]
                print(
                    f"{rows:>10} {kind:>8} {mode:>9} {result['peak_mb']:>9.1f} "
                    f"{result['seconds']:>9.1f} {test_accuracy(out):>9.4f}",
                    flush=True,
                )
    for kind in ("parquet", "csv"):
        streamed = [peaks[(r, kind, "streamed")] for r in sizes if (r, kind, "streamed") in peaks]
        print(
            f"{kind}: streamed peak grows {max(streamed) - min(streamed):.1f} MB from {sizes[0]} to {sizes[-1]} rows"
        )
    small = files[sizes[0]]["csv"]
    quality = {}
    for mode, extra in (("memory", []), ("streamed", ["--chunk-rows", chunk])):
        out = directory / f"quality-{mode}"
        run(
            "train",
            small,
            "--target",
            "y",
            "--impute",
            "mean",
            "--epochs",
            10,
            "--no-linear-fallback",
            *extra,
            "--out",
            out,
            "--quiet",
        )
        quality[mode] = test_accuracy(out)
    gap = quality["streamed"] - quality["memory"]
    print(
        f"quality on {sizes[0]} rows, 10 epochs: test accuracy in memory {quality['memory']:.4f}, "
        f"streamed {quality['streamed']:.4f} ({gap:+.4f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
