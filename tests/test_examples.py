"""The example scripts run and print the course's numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run_example(name: str) -> str:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / name)], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{name} failed:\n{result.stderr}"
    assert result.stderr == ""
    return result.stdout


def test_course_example_prints_the_course_numbers():
    output = run_example("course.py")
    for title in (
        "1. Forward propagation",
        "2. Activation functions",
        "3. Loss",
        "4. Slopes and gradient descent",
        "5. Backpropagation",
        "6. Gradient check",
        "7. Training on the admissions data",
    ):
        assert title in output
    for line, number in (
        ("tanh: output", "1.23822425257"),
        ("predictions for 4 rows", "[20  6  0 44]"),
        ("mean squared error with weights_1", "49.890625"),
        ("slopes", "[14 28 42]"),
        ("error after one update", "5.04"),
        ("new weight", "2.24"),
        ("output", "0.689974481128"),
        ("change in weights", "[-0.02031869 -0.04063738 -0.06095608 -0.08127477]"),
        ("change, hidden to output", "[0.00804047 0.00555918]"),
    ):
        assert re.search(rf"{re.escape(line)}.*chainrule {re.escape(number)}", output), (line, number)
    assert "slope = node value 3 × activation slope 1 × loss slope -8 = -24" in output
    assert "output 0.517492857666, change in weights [-0.0039638  -0.01189141]" in output
    assert "Prediction accuracy: 0.725" in output  # seed 003's two-layer run
    assert "node value × activation slope × loss slope" in output  # the printed explanation
    match = re.search(r"gradient check relative error: (\S+)", output)
    assert match is not None and float(match.group(1)) < 1e-7
