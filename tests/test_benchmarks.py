"""The benchmark in CI: a quick run that must not crash. It never judges time."""

from __future__ import annotations

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
