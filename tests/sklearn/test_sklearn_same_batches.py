"""Minibatches in scikit-learn's order: the same random_state gives scikit-learn's training run.

chainrule's estimators draw their initial weights and each epoch's row order from the
estimator's own RandomState exactly as scikit-learn's MLP does, and their Adam adds ε where
scikit-learn's does (``Adam(eps_corrected=False)``), so with minibatches too the loss curves
agree to rounding and so do the predictions.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.neural_network as reference
from sklearn.datasets import load_diabetes, load_wine
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import StandardScaler

import chainrule


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize(("load", "name"), [(load_wine, "MLPClassifier"), (load_diabetes, "MLPRegressor")])
def test_minibatch_training_follows_scikit_learns_run(load, name, solver):
    X, y = load(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    settings = dict(random_state=3, solver=solver, max_iter=25, batch_size=32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = getattr(reference, name)(**settings).fit(X, y)
        ours = getattr(chainrule, name)(**settings).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    if name == "MLPClassifier":
        np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    else:
        np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9)


def test_without_shuffle_no_order_is_drawn():
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    a = chainrule.MLPClassifier(random_state=1, shuffle=False, max_iter=3, batch_size=16)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        b = reference.MLPClassifier(random_state=1, shuffle=False, max_iter=3, batch_size=16).fit(X, y)
        a.fit(X, y)
    np.testing.assert_allclose(a.loss_curve_, b.loss_curve_, rtol=1e-9)


@pytest.mark.parametrize("learning_rate", ["adaptive", "invscaling"])
@pytest.mark.parametrize("nesterovs_momentum", [True, False])
def test_momentum_with_a_changing_learning_rate_follows_scikit_learns_run(learning_rate, nesterovs_momentum):
    # scikit-learn's velocity carries the learning rate (v ← μ v - lr g): once the rate
    # changes, a velocity without it (v ← μ v + g, w ← w - lr v) takes other steps.
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    settings = dict(
        random_state=0,
        solver="sgd",
        momentum=0.9,
        nesterovs_momentum=nesterovs_momentum,
        learning_rate=learning_rate,
        learning_rate_init=0.01,
        max_iter=15,
        batch_size=32,
        tol=0.5,  # the adaptive rate drops when the loss stops improving by tol
        n_iter_no_change=2,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = reference.MLPClassifier(**settings).fit(X, y)
        ours = chainrule.MLPClassifier(**settings).fit(X, y)
    if learning_rate == "adaptive":
        assert theirs._optimizer.learning_rate < 0.01  # the rate did change
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-9)
    for mine, reference_coefs in zip(ours.coefs_, theirs.coefs_):
        np.testing.assert_allclose(mine, reference_coefs, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("warm_start", [False, True])
def test_an_activation_set_after_fitting_is_used_as_scikit_learn_uses_it(warm_start):
    # scikit-learn reads ``activation`` at every predict: a fitted model given
    # set_params(activation="tanh") predicts (and, warm-started, trains on) with tanh.
    X, y = load_wine(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    settings = dict(random_state=0, hidden_layer_sizes=(8,), max_iter=5, warm_start=warm_start)
    models = []
    for estimator in (reference.MLPClassifier, chainrule.MLPClassifier):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model = estimator(**settings).fit(X, y)
            model.set_params(activation="tanh")
            if warm_start:
                model.fit(X, y)
        models.append(model)
    theirs, ours = models
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X), rtol=1e-9, atol=1e-12)
    assert [layer.activation.name for layer in ours.network_.layers] == ["tanh", "softmax"]
