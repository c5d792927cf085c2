"""The table metrics against scikit-learn's, and where R² is not defined."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.tables import metrics

sklearn_metrics = pytest.importorskip("sklearn.metrics")


@pytest.mark.parametrize(
    ("true", "predicted"),
    [([1.0, 2.0, 4.0], [1.5, 2.0, 3.0]), ([3.0, 3.0], [3.0, 3.0]), ([3.0, 3.0], [2.0, 3.0])],
)
def test_r2_is_scikit_learns(true, predicted):
    assert metrics.r2_score(true, predicted) == pytest.approx(sklearn_metrics.r2_score(true, predicted))


def test_r2_of_one_row_is_not_defined_rather_than_zero():
    assert metrics.r2_score([5.0], [3.0]) is None
    assert metrics.r2_score(np.zeros(0), np.zeros(0)) is None
