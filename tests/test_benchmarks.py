"""The benchmark in CI: a quick run that must not crash. It never judges time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_quick_benchmark_runs_and_reports_every_scenario():
    command = [
        sys.executable,
        str(BENCHMARKS / "compare.py"),
        "--quick",
        "--repeats",
        "1",
        "--systems",
        "chainrule,floor",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for scenario in ("R1:", "R2:", "R3:"):
        assert scenario in done.stdout
    assert "GFLOP/s" in done.stdout
    assert "grows as rows^" in done.stdout
    assert "failed" not in done.stdout


def test_benchmark_refuses_unknown_scenarios_in_one_line():
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "compare.py"), "--scenarios", "R9"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "R9" in done.stderr


def test_target_odds_counts_what_each_candidate_meets(tmp_path):
    # Table a: the linear model is ahead on every seed, so it and the hindsight choice meet
    # the target on every draw and the MLP on none; table b: the MLP, level with the linear
    # model on the first five seeds only.
    seeds = list(range(8))
    rows = [
        {"table": "a", "scores": {"chainrule": [0.5] * 8, "mlp": [0.6] * 8, "linear": [0.7] * 8}},
        {"table": "b", "scores": {"chainrule": [0.9] * 8, "mlp": [0.8] * 8, "linear": [0.8] * 5 + [0.7] * 3}},
    ]
    path = tmp_path / "scores.json"
    path.write_text(json.dumps({"seeds": seeds, "settings": {}, "tables": rows}))
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / "target_odds.py"), str(path), "--draws", "200"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = {
        line.split(" | ")[0].strip("| "): line for line in done.stdout.splitlines() if line.startswith("| ")
    }
    assert "| 1/2 | 0.000 | 1.00 | 0.00 | 1.00 |" in lines["chainrule default"]
    assert (
        "| 2/2 | 1.000 | 2.00 | 1.00 | 1.00 |"
        in lines["per table, the better baseline over all seeds (hindsight)"]
    )
    assert "| 1/2 | 0.000 | 1.00 | 0.00 | 1.00 |" in lines["scikit-learn's MLP itself"]
