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
def rng() -> np.random.Generator:
    return np.random.default_rng(20261122)


@pytest.fixture
def binary_csv() -> Path:
    if not BINARY_CSV.exists():
        pytest.skip(f"the course's admissions data is not at {BINARY_CSV}")
    return BINARY_CSV
