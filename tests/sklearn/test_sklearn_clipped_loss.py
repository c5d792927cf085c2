"""scikit-learn's log loss of clipped probabilities (``chainrule.nn.clipped_losses``).

scikit-learn clips the probabilities to [ε, 1 - ε] before taking logs; once the network is
confidently wrong (unscaled inputs do that in one epoch), the exact log loss is larger. The
stopping rule and L-BFGS read the value, so only the clipped one gives scikit-learn's run.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.neural_network as reference
from sklearn.datasets import make_classification, make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network._base import binary_log_loss, log_loss

import chainrule
from chainrule.nn.clipped_losses import SklearnBinaryLogLoss, SklearnLogLoss
from chainrule.nn.losses import BinaryCrossEntropySum, CrossEntropy


def _unscaled(kind: str):
    """Features in raw units (× 1000): the first epoch already makes confident mistakes."""
    if kind == "binary":
        X, y = make_classification(300, 4, random_state=0)
    elif kind == "3 classes":
        X, y = make_classification(300, 5, n_informative=3, n_classes=3, random_state=0)
    else:
        X, y = make_multilabel_classification(300, 5, n_classes=3, random_state=0)
    return X * 1e3, y


def _logits(rng, n: int, k: int) -> np.ndarray:
    """Logits up to ±60: probabilities far below float64's ε = 2.2e-16."""
    return rng.uniform(-60, 60, size=(n, k))


def test_softmax_loss_is_scikit_learns_log_loss_where_probabilities_fall_below_eps(rng):
    z = _logits(rng, 40, 3)
    a = np.exp(z - z.max(axis=1, keepdims=True))
    a /= a.sum(axis=1, keepdims=True)
    y = np.eye(3)[rng.integers(0, 3, size=40)]
    weights = rng.uniform(0.5, 2.0, size=40)
    ours = SklearnLogLoss()
    assert ours.value(z, a, y) == pytest.approx(log_loss(y, a), rel=1e-12)
    mean_one = weights / weights.mean()  # the row weights fit hands the loss (mean 1)
    assert ours.weighted_value(z, a, y, mean_one) == pytest.approx(log_loss(y, a, weights), rel=1e-12)
    assert CrossEntropy().value(z, a, y) > ours.value(z, a, y) + 1  # the exact loss is not clipped


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_loss_is_scikit_learns_binary_log_loss_where_probabilities_fall_below_eps(rng, dtype):
    z = _logits(rng, 40, 2).astype(dtype)
    with np.errstate(over="ignore"):  # exp(60) overflows float32; the sigmoid is 0 there
        a = (1 / (1 + np.exp(-z))).astype(dtype)
    y = rng.integers(0, 2, size=(40, 2)).astype(dtype)
    ours = SklearnBinaryLogLoss()
    assert ours.value(z, a, y) == pytest.approx(binary_log_loss(y, a), rel=1e-6)
    assert BinaryCrossEntropySum().value(z, a, y) > ours.value(z, a, y) + 1


def test_the_slope_is_scikit_learns_a_minus_y_over_n_not_clipped(rng):
    z = _logits(rng, 10, 3)
    a = np.exp(z - z.max(axis=1, keepdims=True))
    a /= a.sum(axis=1, keepdims=True)
    y = np.eye(3)[rng.integers(0, 3, size=10)]
    np.testing.assert_allclose(SklearnLogLoss().output_delta(None, z, a, y), (a - y) / 10, rtol=1e-15)


@pytest.mark.parametrize("kind", ["binary", "3 classes", "multi-label"])
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_unscaled_inputs_give_scikit_learns_run(kind, solver):
    X, y = _unscaled(kind)
    settings = dict(random_state=0, solver=solver, max_iter=60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = reference.MLPClassifier(**settings).fit(X, y)
        ours = chainrule.MLPClassifier(**settings).fit(X, y)
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-9)
    if solver != "lbfgs":
        np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
        assert ours.best_loss_ == pytest.approx(theirs.best_loss_, rel=1e-9)
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-6)


def test_the_first_epochs_loss_is_scikit_learns_though_the_weights_were_already_equal():
    X, y = _unscaled("binary")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = reference.MLPClassifier(max_iter=1, random_state=0).fit(X, y)
        ours = chainrule.MLPClassifier(max_iter=1, random_state=0).fit(X, y)
    assert ours.loss_ == pytest.approx(theirs.loss_, rel=1e-12)  # 13.74, where the exact loss is 31.0
