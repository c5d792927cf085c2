"""examples/admissions.py runs and prints the course's admissions results."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# What the course printed for its two-layer network ("Implementing Backpropagation").
COURSE_LOSSES = [
    "0.251357252426",
    "0.249965407188",
    "0.248620052189",
    "0.247319932172",
    "0.246063804656",
    "0.244850441793",
    "0.243678632019",
    "0.242547181518",
    "0.241454915502",
    "0.240400679325",
]


def run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "examples/admissions.py", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_admissions_example_prints_the_courses_results(binary_csv):
    result = run(str(binary_csv))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    accuracies = [line for line in lines if line.startswith("Prediction accuracy:")]
    assert accuracies == ["Prediction accuracy: 0.725", "Prediction accuracy: 0.750"]

    two_layer = lines[: lines.index("Prediction accuracy: 0.725")]
    losses = [float(m.group(1)) for line in two_layer if (m := re.match(r"Train loss:  (\S+)", line))]
    assert [f"{loss:.12g}" for loss in losses] == COURSE_LOSSES
    single = lines[lines.index("Prediction accuracy: 0.725") + 1 :]
    assert sum(line.startswith("Train loss: ") for line in single) == 10
    assert "WARNING - Loss Increasing" not in result.stdout  # both losses fall throughout


def test_admissions_example_finds_the_course_data_by_default(binary_csv):
    if binary_csv.resolve() != (ROOT.parent / "shared" / "data" / "binary.csv").resolve():
        return
    result = run()
    assert result.returncode == 0, result.stderr
    assert "Prediction accuracy: 0.725" in result.stdout.splitlines()


def test_admissions_example_without_data_says_so(tmp_path):
    result = run(str(tmp_path / "missing.csv"))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "missing.csv" in result.stderr and len(result.stderr.splitlines()) == 1
