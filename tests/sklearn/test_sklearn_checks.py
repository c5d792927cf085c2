"""scikit-learn's own estimator checks for chainrule's estimators (sklearn.utils.estimator_checks).

Expected failures are listed, each with its reason, in the estimators' ``__sklearn_tags__``
(``_xfail_checks``); a failure not listed there fails this test.
"""

from __future__ import annotations

import warnings

import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from chainrule import MLPClassifier, MLPRegressor
from chainrule.sklearn import EXPECTED_FAILURES

ESTIMATORS = [
    MLPClassifier(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=100, random_state=0),
    MLPRegressor(hidden_layer_sizes=(16,), learning_rate_init=0.01, max_iter=100, random_state=0),
]


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=lambda est: EXPECTED_FAILURES[type(est).__name__])
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # 100 epochs need not converge, by design
        check(estimator)
