"""Shared fixtures of the scikit-learn tests."""

from __future__ import annotations

import warnings

import pytest


@pytest.fixture
def quiet_convergence():
    """ConvergenceWarning silenced: these tests train for a few epochs on purpose."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield
