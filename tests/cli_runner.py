"""Running the real ``chainrule`` command in a subprocess, for the command-line tests."""

from __future__ import annotations

import os
import subprocess
import sys

# One BLAS thread: the commands start faster, and their behaviour does not change.
ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def chainrule_cli(
    *args, cwd=None, stdin: str | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """Run ``python -m chainrule ARGS`` (text mode) and return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "chainrule", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=ENV,
    )


def one_line_error(result: subprocess.CompletedProcess, *needles: str) -> str:
    """The one line a refused command prints (exit code 2), checked to hold each of ``needles``."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]
