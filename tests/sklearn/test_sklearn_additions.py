"""What chainrule's estimators add to scikit-learn's, each checked against an independent
oracle (central differences in float64, scikit-learn's own numbers). The engine pieces they
stand on (sample weights, L2, dropout, the new losses) are checked in tests/nn."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

import itertools

from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.neural_network import MLPRegressor as SklearnRegressor
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

import chainrule
from chainrule import MLPClassifier, MLPRegressor, Network
from chainrule.sklearn._lbfgs import objective

pytestmark = pytest.mark.usefixtures("quiet_convergence")  # short runs, on purpose (conftest.py)


def _central(f, theta, h=1e-6):
    slopes = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = h
        slopes[i] = (f(theta + step)[0] - f(theta - step)[0]) / (2 * h)
    return slopes


def _iris_scaled():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


# ------------------------------------------------------------ the estimator's own loss and slope
@pytest.mark.parametrize("loss", ["squared_error", "absolute_error", "huber", "poisson"])
def test_multi_output_slope_matches_the_reported_loss(rng, loss):
    X = rng.normal(size=(12, 4))
    Y = np.abs(rng.normal(size=(12, 3))) + 0.1  # three outputs, >= 0 for poisson
    weights = rng.uniform(0.5, 2.0, size=12)
    model = MLPRegressor(loss=loss, hidden_layer_sizes=(5,), activation="tanh", alpha=0.3, max_iter=2)
    model.fit(X, Y, sample_weight=weights)
    f = objective(model, model.network_, X, Y, weights)
    theta = model.network_.flat_parameters().copy()
    value, slope = f(theta)
    if loss == "squared_error":  # the value scikit-learn reports, penalty included
        penalty = 0.5 * 0.3 * sum(float((w**2).sum()) for w in model.coefs_) / weights.sum()
        errors = 0.5 * np.average((model.predict(X) - Y) ** 2, weights=weights, axis=0).mean()
        assert value == pytest.approx(errors + penalty, rel=1e-12)
    np.testing.assert_allclose(slope, _central(f, theta), rtol=1e-6, atol=1e-8)


def test_scikit_learns_multi_output_slope_is_n_outputs_times_its_loss_slope(rng):
    """The bug chainrule does not copy: scikit-learn's slope is k × the slope of its loss."""
    X, Y = rng.normal(size=(10, 3)), rng.normal(size=(10, 4))
    sk = SklearnRegressor(hidden_layer_sizes=(3,), solver="lbfgs", max_iter=1, alpha=0.0).fit(X, Y)
    theta = np.hstack([a.ravel() for a in sk.coefs_ + sk.intercepts_])
    units = [3, 3, 4]
    buffers = (
        [X] + [None] * 2,
        [None] * 2,
        [np.empty((a, b)) for a, b in itertools.pairwise(units)],
        [np.empty(b) for b in units[1:]],
    )

    def f(t):
        value, grad = sk._loss_grad_lbfgs(t, X, Y, None, *buffers)
        return value, grad.copy()

    last = slice(-4, None)  # the output biases: slope ∝ mean error, no hidden-layer terms
    ratio = f(theta)[1][last] / _central(f, theta)[last]
    np.testing.assert_allclose(ratio, 4.0, rtol=1e-5)


def test_same_random_state_gives_scikit_learns_model():
    X, y = load_diabetes(return_X_y=True)
    X, y = StandardScaler().fit_transform(X), y / 100
    settings = {
        "solver": "sgd",
        "batch_size": X.shape[0],
        "max_iter": 30,
        "random_state": 3,
        "learning_rate_init": 0.01,
    }
    ours, theirs = MLPRegressor(**settings).fit(X, y), SklearnRegressor(**settings).fit(X, y)
    np.testing.assert_allclose(ours.loss_curve_, theirs.loss_curve_, rtol=1e-10)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), rtol=1e-9)


# ------------------------------------------------------------ the additions, as users see them
def test_class_weight_balanced_is_sample_weight():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    settings = {"hidden_layer_sizes": (8,), "max_iter": 20, "random_state": 0}
    by_class = MLPClassifier(class_weight="balanced", **settings).fit(X, y)
    by_sample = MLPClassifier(**settings).fit(X, y, sample_weight=compute_sample_weight("balanced", y))
    np.testing.assert_array_equal(by_class.predict_proba(X), by_sample.predict_proba(X))


def test_class_weight_pulls_predictions_to_the_heavy_class():
    X, y = _iris_scaled()
    settings = {"hidden_layer_sizes": (4,), "max_iter": 30, "random_state": 0, "learning_rate_init": 0.01}
    plain = MLPClassifier(**settings).fit(X, y)
    heavy = MLPClassifier(class_weight={0: 1, 1: 1, 2: 20}, **settings).fit(X, y)
    assert (heavy.predict(X) == 2).sum() > (plain.predict(X) == 2).sum()


@pytest.mark.parametrize("loss", ["absolute_error", "huber", "poisson"])
def test_regression_losses_learn_diabetes(loss):
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = MLPRegressor(
        loss=loss, hidden_layer_sizes=(16,), solver="lbfgs", max_iter=200, alpha=1.0, random_state=0
    )
    assert model.fit(X, y / 100).score(X, y / 100) > 0.4
    assert model.out_activation_ == ("exp" if loss == "poisson" else "identity")


def test_activation_list_and_dropout_build_the_network():
    X, y = _iris_scaled()
    model = MLPClassifier(
        (8, 6),
        activation=["relu", "tanh"],
        dropout=[0.2, 0.0],
        max_iter=200,
        random_state=0,
        learning_rate_init=0.01,
    )
    model.fit(X, y)
    assert [layer.activation.name for layer in model.network_.layers] == ["relu", "tanh", "softmax"]
    np.testing.assert_array_equal(model.predict_proba(X), model.predict_proba(X))  # no dropout at predict
    assert model.score(X, y) > 0.8


def test_dropout_zero_is_no_dropout():
    X, y = _iris_scaled()
    settings = {"hidden_layer_sizes": (6,), "max_iter": 10, "random_state": 1}
    np.testing.assert_array_equal(
        MLPClassifier(dropout=0.0, **settings).fit(X, y).coefs_[0],
        MLPClassifier(**settings).fit(X, y).coefs_[0],
    )


def test_early_stopping_on_loss_restores_the_best_weights():
    X, y = _iris_scaled()
    model = MLPClassifier(
        (16,), early_stopping="loss", n_iter_no_change=3, learning_rate_init=0.05, max_iter=300
    )
    model.set_params(random_state=0).fit(X, y)
    curve = model.validation_loss_curve_
    assert len(curve) == model.n_iter_ < 300
    # stopped once 4 epochs in a row (more than n_iter_no_change=3) did not improve on the best
    assert curve.index(min(curve)) == len(curve) - 5
    assert model.validation_scores_ is None and model.best_loss_ == min(model.loss_curve_)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_partial_fit_refuses_early_stopping_naming_the_value_given(Estimator):
    X, y = _iris_scaled()
    fit_args = {"classes": [0, 1, 2]} if Estimator is MLPClassifier else {}
    with pytest.raises(ValueError, match=r"partial_fit does not support early_stopping='loss': .* use fit"):
        Estimator(early_stopping="loss").partial_fit(X, y, **fit_args)


def test_adam_learning_rate_schedule():
    X, y = _iris_scaled()
    model = MLPClassifier(
        (8,), lr_schedule=chainrule.schedules.ExponentialDecay(0.5), max_iter=5, random_state=0
    )
    model.fit(X, y)
    assert model._optimizer.lr == pytest.approx(0.001 * 0.5**5)
    with pytest.raises(ValueError, match="lr_schedule"):
        MLPClassifier(lr_schedule="step", learning_rate="adaptive", solver="sgd").fit(X, y)


def test_progress_bar(capsys):
    X, y = _iris_scaled()
    MLPClassifier((4,), progress=True, max_iter=3).fit(X, y)
    assert "training" in capsys.readouterr().err


def test_network_explain_and_gradcheck():
    X, y = _iris_scaled()
    model = MLPClassifier((3,), max_iter=20, random_state=0).fit(X, y)
    assert isinstance(model.network_, Network)
    explanation = model.explain(X[0], y[0])
    assert explanation.prediction == pytest.approx(model.predict_proba(X[:1])[0])
    assert model.gradcheck(X[:5], y[:5]) < 1e-7


@pytest.mark.parametrize("labels", [np.array(["no", "yes"]), np.array([10, 20, 30])])
def test_explain_and_gradcheck_refuse_a_label_the_model_never_saw(labels):
    # A binary model would otherwise explain "maybe" as if it were the first class.
    X, y = _iris_scaled()
    y = labels[y % len(labels)]
    model = MLPClassifier((3,), max_iter=5, random_state=0).fit(X, y)
    unseen = "maybe" if labels.dtype.kind == "U" else 7
    with pytest.raises(ValueError, match=f"{unseen!r}, which is not one of the classes"):
        model.explain(X[0], unseen)
    with pytest.raises(ValueError, match="not one of the classes"):
        model.gradcheck(X[:2], np.array([labels[0], unseen], dtype=object))
    model.explain(X[0], labels[1])  # a class it knows is explained


@pytest.mark.parametrize(
    ("params", "argument"),
    [
        ({"dropout": [0.1, 0.2]}, "dropout"),
        ({"activation": ["relu", "tanh"]}, "activation"),
        ({"dropout": 1.0}, "dropout"),
    ],
)
def test_bad_additions_are_refused_naming_the_argument(params, argument):
    X, y = _iris_scaled()
    with pytest.raises(ValueError, match=argument):
        MLPClassifier((4,), max_iter=2, **params).fit(X, y)


@pytest.mark.parametrize(
    "schedule",
    [
        chainrule.schedules.StepDecay(step_size=3, gamma=0.5),
        chainrule.schedules.ReduceOnPlateau(factor=0.5, patience=0, min_delta=1e9),  # cuts every epoch
        chainrule.schedules.ExponentialDecay(0.8),
    ],
)
def test_a_schedule_moves_over_partial_fit_calls_as_over_the_epochs_of_fit(schedule):
    """Each partial_fit call used to start the schedule afresh: "step" and "plateau" never
    moved (under dask-ml's Incremental, too). n calls of one epoch on the same rows now end
    at the learning rate, and the weights, of one fit of n epochs."""
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)[:200]
    y = (y[:200] - y[:200].mean()) / y[:200].std()
    options = dict(hidden_layer_sizes=(8,), solver="sgd", random_state=0, lr_schedule=schedule, shuffle=False)
    calls = MLPRegressor(**options)
    for _ in range(7):
        calls.partial_fit(X, y)
    whole = MLPRegressor(**options, max_iter=7, batch_size=200, tol=0, n_iter_no_change=10**6).fit(X, y)
    assert calls._optimizer.lr == whole._optimizer.lr < 0.001
    for a, b in zip(calls.coefs_, whole.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-12)
