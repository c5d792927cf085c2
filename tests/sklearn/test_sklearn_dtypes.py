"""The dtype of predictions follows scikit-learn's MLP: the input's and the weights' wider
float (float64 X through a model fitted on float32 gives float64). The oracle is
scikit-learn's own MLP on the same data."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn import neural_network
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

from chainrule import MLPClassifier, MLPRegressor


@pytest.mark.parametrize("fit_dtype", [np.float32, np.float64])
@pytest.mark.parametrize("predict_dtype", [np.float32, np.float64, np.int64])
def test_prediction_dtypes_are_scikit_learns(fit_dtype, predict_dtype):
    X, y = load_iris(return_X_y=True)
    X_fit, X_new = X.astype(fit_dtype), np.round(X).astype(predict_dtype)
    options = {"hidden_layer_sizes": (5,), "max_iter": 5, "random_state": 0}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pairs = [
            (MLPClassifier(**options).fit(X_fit, y), neural_network.MLPClassifier(**options).fit(X_fit, y)),
            (MLPRegressor(**options).fit(X_fit, y), neural_network.MLPRegressor(**options).fit(X_fit, y)),
        ]
    for mine, theirs in pairs:
        assert mine.predict(X_new).dtype == theirs.predict(X_new).dtype
        if hasattr(theirs, "predict_proba"):
            assert mine.predict_proba(X_new).dtype == theirs.predict_proba(X_new).dtype
    if fit_dtype == np.float32 and predict_dtype == np.float64:  # computed in float64, as scikit-learn does
        classifier = pairs[0][0]
        wide = classifier.network_.astype("float64").predict(X_new)
        np.testing.assert_array_equal(classifier.predict_proba(X_new), wide)
