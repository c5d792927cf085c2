"""Shared test set-up: floating-point errors raise, a seeded generator, the course's data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent
BINARY_CSV = ROOT.parent / "shared" / "data" / "binary.csv"


@pytest.fixture(autouse=True)
def _raise_on_floating_point_errors():
    """Overflow, division by zero and invalid operations are errors in every test."""
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        yield


@pytest.fixture
def dev_stdout_guard():
    """For tests that write to the literal ``/dev/stdout``: fail first unless ``writes``
    writes it through, and should it have been replaced all the same (a regression, run as
    root), put the system's link back and fail."""
    import os

    from chainrule.writes import write_target

    if not os.path.islink("/dev/stdout"):
        pytest.skip("/dev/stdout is not a symlink here")
    link = os.readlink("/dev/stdout")
    assert write_target("/dev/stdout")[0] == "descriptor", "/dev/stdout would be replaced"
    yield
    if not os.path.islink("/dev/stdout") or os.readlink("/dev/stdout") != link:
        os.unlink("/dev/stdout")
        os.symlink(link, "/dev/stdout")
        pytest.fail(f"/dev/stdout was replaced; restored the link to {link}")


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


@pytest.fixture(scope="session")
def binary_csv() -> Path:
    if not BINARY_CSV.exists():
        pytest.skip(f"the course's admissions data is not at {BINARY_CSV}")
    return BINARY_CSV
