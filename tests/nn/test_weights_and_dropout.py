"""Sample weights, scikit-learn's L2 penalty and dropout in the plain chain rule
(``nn.propagation``), each against an independent oracle: central differences in float64,
repeated rows, the formulas written out, and scikit-learn's own initial weights."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import Network
from chainrule.nn import propagation
from chainrule.nn.init import scikit_learn

H = 1e-6


def _central(f, theta):
    slopes = np.empty_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = H
        slopes[i] = (f(theta + step)[0] - f(theta - step)[0]) / (2 * H)
    return slopes


def _objective(net, X, y, loss, **options):
    flat = net.flat_parameters()

    def f(theta):
        np.copyto(flat, theta)
        value, gradient = net.loss_and_gradient(X, y, loss, **options)
        return value, gradient.copy()

    return f


@pytest.mark.parametrize(
    ("output", "loss"),
    [
        ("softmax", "cross_entropy"),
        ("identity", "half_mse"),
        ("identity", "mse"),
        ("tanh", "sse"),
        ("exp", "poisson"),
        ("sigmoid", "binary_cross_entropy_sum"),
        ("sigmoid", "binary_cross_entropy"),
    ],
)
def test_weighted_loss_with_l2_matches_central_differences(output, loss, rng):
    net = Network([3, 5, 3], activation="tanh", output_activation=output, seed=2)
    X = rng.normal(size=(7, 3))
    if loss == "cross_entropy":
        y = rng.integers(0, 3, size=7)
    elif output == "sigmoid":
        y = rng.integers(0, 2, size=(7, 3)).astype(float)
    else:
        y = np.abs(rng.normal(size=(7, 3)))
    weights = rng.uniform(0.0, 3.0, size=7)
    f = _objective(net, X, y, loss, sample_weight=weights, l2=0.7)
    theta = net.flat_parameters().copy()
    np.testing.assert_allclose(f(theta)[1], _central(f, theta), rtol=1e-6, atol=1e-9)


def test_the_weighted_value_is_the_weighted_mean_plus_the_penalty_on_weights_only(rng):
    net = Network([2, 4, 1], activation="tanh", seed=0)
    X, y = rng.normal(size=(6, 2)), rng.normal(size=(6, 1))
    weights = rng.uniform(0.5, 2.0, size=6)
    value, _ = net.loss_and_gradient(X, y, "half_mse", sample_weight=weights, l2=0.3)
    errors = 0.5 * np.average((net.predict(X) - y)[:, 0] ** 2, weights=weights)
    penalty = 0.5 * 0.3 * sum(float((layer.weight**2).sum()) for layer in net.layers) / weights.sum()
    assert value == pytest.approx(errors + penalty, rel=1e-13)


def test_integer_sample_weights_equal_repeated_rows(rng):
    net = Network([2, 3, 1], activation="tanh", seed=0)
    X, y = rng.normal(size=(5, 2)), rng.normal(size=(5, 1))
    counts = np.array([1, 2, 0, 3, 1])
    value, gradient = net.loss_and_gradient(X, y, "half_mse", sample_weight=counts, l2=0.5)
    repeated = net.loss_and_gradient(
        np.repeat(X, counts, axis=0), np.repeat(y, counts, axis=0), "half_mse", l2=0.5
    )
    assert value == pytest.approx(repeated[0], rel=1e-12)
    np.testing.assert_allclose(gradient, repeated[1], rtol=1e-12)


def test_unit_weights_change_nothing(rng):
    net = Network([3, 4, 2], activation="relu", seed=1)
    X, y = rng.normal(size=(5, 3)), rng.normal(size=(5, 2))
    value, gradient = net.loss_and_gradient(X, y, "mse", sample_weight=np.ones(5))
    assert value == pytest.approx(net.loss(X, y, "mse"), rel=1e-15)  # summed per sample first
    expected = np.concatenate([g.ravel() for pair in net.gradients(X, y, "mse") for g in pair])
    np.testing.assert_array_equal(gradient, expected)


@pytest.mark.parametrize(
    ("weights", "message"),
    [([1.0, 2.0], "one weight per sample"), ([1.0, -1.0, 1.0], ">= 0"), ([1.0, np.nan, 1.0], "finite")],
)
def test_bad_sample_weights_are_refused_naming_the_argument(weights, message, rng):
    net = Network([2, 1], seed=0)
    with pytest.raises(ValueError, match=f"sample_weight.*{message}"):
        net.loss_and_gradient(rng.normal(size=(3, 2)), np.zeros(3), sample_weight=weights)


def test_dropout_slopes_match_central_differences_with_fixed_masks(rng):
    net = Network([3, 6, 5, 2], activation="tanh", seed=4)  # smooth: no kink for the stencil to cross
    X, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    net.flat_parameters()[:] = rng.normal(size=net.flat_parameters().size)
    masks = propagation.dropout_masks(np.random.default_rng(0), net.layers, 4, [0.5, 0.3])
    loss = net.loss_function("mse")

    def f(theta):
        np.copyto(net.flat_parameters(), theta)
        trace = propagation.forward(net.layers, X, masks)
        slopes = propagation.backward(net.layers, trace, loss, y)
        gradient = np.concatenate([g.ravel() for pair in slopes.weights for g in pair])
        return loss.value(trace.node_inputs[-1], trace.output, y), gradient

    theta = net.flat_parameters().copy()
    np.testing.assert_allclose(f(theta)[1], _central(f, theta), rtol=1e-6, atol=1e-9)


def test_dropout_masks_are_inverted_and_kept_in_the_trace(rng):
    net = Network([3, 200, 100, 2], activation="relu", seed=4)
    masks = propagation.dropout_masks(np.random.default_rng(0), net.layers, 50, [0.5, 0.0])
    assert masks[1] is None and masks[2] is None  # no rate, and never the output layer
    assert set(np.unique(masks[0])) == {0.0, 2.0}  # 1 / (1 - 0.5) where kept
    assert abs((masks[0] > 0).mean() - 0.5) < 0.02
    X = rng.normal(size=(50, 3))
    trace = propagation.forward(net.layers, X, masks)
    assert trace.masks is masks
    np.testing.assert_array_equal(trace.inputs[1], trace.node_outputs[0] * masks[0])
    np.testing.assert_array_equal(propagation.forward(net.layers, X).output, net.predict(X))


def test_scikit_learn_init_draws_what_scikit_learn_draws():
    from sklearn.neural_network import MLPRegressor

    X, y = np.random.default_rng(0).normal(size=(20, 3)), np.zeros(20)
    mlp = MLPRegressor(hidden_layer_sizes=(4, 5), activation="logistic", max_iter=1, random_state=7)
    mlp._random_state = np.random.RandomState(7)
    mlp._initialize(y.reshape(-1, 1), [3, 4, 5, 1], X.dtype)
    net = Network([3, 4, 5, 1], "sigmoid", init="scikit_learn", seed=np.random.RandomState(7))
    for layer, coef, intercept in zip(net.layers, mlp.coefs_, mlp.intercepts_):
        np.testing.assert_array_equal(layer.weight, coef)
        np.testing.assert_array_equal(layer.bias, intercept)
    weight, bias = scikit_learn(np.random.RandomState(0), 3, 4)
    assert np.abs(weight).max() <= np.sqrt(6 / 7) and bias.shape == (4,)
    assert net.seed is None  # a generator of the caller's is not kept as a seed
