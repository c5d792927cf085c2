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
