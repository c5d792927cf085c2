"""Losses: values against direct formulas and scikit-learn, their scaling, slopes and stability."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_absolute_error, mean_squared_error

from chainrule import LOSSES, Loss, Network
from chainrule.nn.activations import get_activation
from chainrule.nn.losses import (
    BinaryCrossEntropy,
    CrossEntropy,
    MeanAbsoluteError,
    MeanSquaredError,
    SumSquaredError,
    get_loss,
)

N, K = 6, 3
PAIRINGS = [
    ("identity", "mse"),
    ("tanh", "sse"),
    ("sigmoid", "mae"),
    ("relu", "mse"),
    ("softmax", "mse"),
    ("softmax", "sse"),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "cross_entropy"),
    ("identity", "half_mse"),
    ("identity", "huber"),
    ("exp", "poisson"),
    ("sigmoid", "binary_cross_entropy_sum"),
]


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _case(rng, output, loss, n=N, k=K):
    """Node inputs z, outputs a = f(z) and targets y that suit the pairing."""
    z = rng.normal(0.0, 1.5, size=(n, k))
    z = np.where(np.abs(z) < 0.05, 0.1, z)  # clear of the ReLU kink
    a = get_activation(output).forward(z)
    if loss.startswith("binary_cross_entropy"):
        y = rng.uniform(0.0, 1.0, size=(n, k))
    elif loss == "poisson":
        y = rng.poisson(1.5, size=(n, k)).astype(np.float64)
    elif loss == "cross_entropy":
        y = np.eye(k)[rng.integers(0, k, size=n)]
    else:
        y = rng.normal(0.0, 1.0, size=(n, k))
        if loss == "mae":
            y = np.where(np.abs(a - y) < 0.05, y + 0.2, y)  # clear of the kink at a = y
        if loss == "huber":
            y = a - np.where(rng.random((n, k)) < 0.5, 0.5, 2.0) * np.sign(y)  # clear of |a - y| = 1
    return z, a, y


# ----------------------------------------------------------------------------- values
def test_values_match_direct_formulas(rng):
    z = rng.normal(0.0, 2.0, size=(N, K))
    a = rng.normal(size=(N, K))
    y = rng.normal(size=(N, K))
    assert MeanSquaredError().value(z, a, y) == pytest.approx(np.mean((a - y) ** 2), rel=1e-14)
    assert SumSquaredError().value(z, a, y) == pytest.approx(np.sum((a - y) ** 2), rel=1e-14)
    assert MeanAbsoluteError().value(z, a, y) == pytest.approx(np.mean(np.abs(a - y)), rel=1e-14)

    p = _sigmoid(z)
    t = rng.uniform(0.0, 1.0, size=(N, K))
    bce = -np.mean(t * np.log(p) + (1 - t) * np.log(1 - p))
    assert BinaryCrossEntropy().value(z, p, t) == pytest.approx(bce, rel=1e-12)

    q = _softmax(z)
    onehot = np.eye(K)[rng.integers(0, K, size=N)]
    ce = -np.sum(onehot * np.log(q)) / N
    assert CrossEntropy().value(z, q, onehot) == pytest.approx(ce, rel=1e-12)
    soft = rng.dirichlet(np.ones(K), size=N)
    assert CrossEntropy().value(z, q, soft) == pytest.approx(-np.sum(soft * np.log(q)) / N, rel=1e-12)


def test_documented_scaling(rng):
    """mse, mae and bce average over samples and outputs, ce over samples only, sse sums."""
    z, a, y = _case(rng, "identity", "mse")
    twice = (np.vstack([z, z]), np.vstack([a, a]), np.vstack([y, y]))
    for loss, factor in [(MeanSquaredError(), 1), (MeanAbsoluteError(), 1), (SumSquaredError(), 2)]:
        assert loss.value(*twice) == pytest.approx(factor * loss.value(z, a, y), rel=1e-14)
    # one more output with the same errors: means unchanged, the sum grows by a third
    wider = (np.hstack([z, z[:, :1]]), np.hstack([a, a[:, :1]]), np.hstack([y, y[:, :1]]))
    base = (a - y)[:, 0] ** 2
    assert SumSquaredError().value(*wider) == pytest.approx(SumSquaredError().value(z, a, y) + base.sum())

    p, t = _sigmoid(z), rng.uniform(size=z.shape)
    assert BinaryCrossEntropy().value(
        np.vstack([z, z]), np.vstack([p, p]), np.vstack([t, t])
    ) == pytest.approx(BinaryCrossEntropy().value(z, p, t), rel=1e-14)
    # cross-entropy sums over the outputs: per sample, it is -log of the true class's probability
    q, labels = _softmax(z), rng.integers(0, K, size=N)
    onehot = np.eye(K)[labels]
    assert CrossEntropy().value(z, q, onehot) == pytest.approx(-np.log(q[np.arange(N), labels]).mean())
    assert CrossEntropy().value(
        np.vstack([z, z]), np.vstack([q, q]), np.vstack([onehot, onehot])
    ) == pytest.approx(CrossEntropy().value(z, q, onehot), rel=1e-14)


def test_reduction_attribute_follows_the_scaling():
    assert SumSquaredError.reduction == "sum"
    for cls in (MeanSquaredError, MeanAbsoluteError, BinaryCrossEntropy, CrossEntropy):
        assert cls.reduction == "mean"


def test_mse_and_mae_equal_sklearn(rng):
    net = Network([4, 5, 3], "tanh", seed=1)
    X = rng.normal(size=(20, 4))
    y = rng.normal(size=(20, 3))
    predictions = net.predict(X)
    assert net.loss(X, y, "mse") == pytest.approx(mean_squared_error(y, predictions), rel=1e-14)
    assert net.loss(X, y, "mae") == pytest.approx(mean_absolute_error(y, predictions), rel=1e-14)
    single = Network([4, 1], seed=2)
    assert single.loss(X, y[:, 0], "mse") == pytest.approx(
        mean_squared_error(y[:, 0], single.predict(X)[:, 0]), rel=1e-14
    )


def test_cross_entropies_equal_sklearn_log_loss(rng):
    X = rng.normal(size=(30, 4))
    binary = Network([4, 5, 1], "tanh", "sigmoid", seed=3)
    labels = rng.integers(0, 2, size=30)
    probabilities = binary.predict(X)[:, 0]
    assert binary.loss(X, labels, "binary_cross_entropy") == pytest.approx(
        log_loss(labels, probabilities, labels=[0, 1]), rel=1e-12
    )
    multi = Network([4, 5, 3], "tanh", "softmax", seed=4)
    classes = rng.integers(0, 3, size=30)
    assert multi.loss(X, classes, "cross_entropy") == pytest.approx(
        log_loss(classes, multi.predict(X), labels=[0, 1, 2]), rel=1e-12
    )


def test_class_indices_and_one_hot_rows_give_the_same_cross_entropy(rng):
    net = Network([4, 3], output_activation="softmax", seed=5)
    X = rng.normal(size=(7, 4))
    labels = rng.integers(0, 3, size=7)
    assert net.loss(X, labels, "cross_entropy") == net.loss(X, np.eye(3)[labels], "cross_entropy")
    assert net.loss(X, list(labels), "cross_entropy") == net.loss(X, labels, "cross_entropy")
    with pytest.raises(ValueError, match="class indices"):
        net.loss(X, labels + 3, "cross_entropy")


# ----------------------------------------------------------------------------- slopes
@pytest.mark.parametrize("name", ["mse", "sse", "mae", "half_mse", "huber"])
def test_slope_wrt_predictions_matches_central_differences(name, rng):
    loss = get_loss(name)
    z, a, y = _case(rng, "identity", name)
    h = 1e-6
    numerical = np.empty_like(a)
    for i in np.ndindex(a.shape):
        step = np.zeros_like(a)
        step[i] = h
        numerical[i] = (loss.value(z, a + step, y) - loss.value(z, a - step, y)) / (2 * h)
    np.testing.assert_allclose(loss.slope(a, y), numerical, rtol=1e-7, atol=1e-10)


def test_slope_formulas_as_documented(rng):
    z, a, y = _case(rng, "identity", "mae")
    np.testing.assert_allclose(MeanSquaredError().slope(a, y), 2 * (a - y) / (N * K), rtol=1e-15)
    np.testing.assert_allclose(SumSquaredError().slope(a, y), 2 * (a - y), rtol=1e-15)
    np.testing.assert_allclose(MeanAbsoluteError().slope(a, y), np.sign(a - y) / (N * K), rtol=1e-15)
    np.testing.assert_array_equal(MeanAbsoluteError().slope(y, y), 0.0)  # 0 where a = y

    p, t = _sigmoid(z), rng.uniform(size=z.shape)
    bce_slope = -(t / p - (1 - t) / (1 - p)) / (N * K)
    np.testing.assert_allclose(BinaryCrossEntropy().slope(p, t), bce_slope, rtol=1e-12)
    q, onehot = _softmax(z), np.eye(K)[rng.integers(0, K, size=N)]
    np.testing.assert_allclose(CrossEntropy().slope(q, onehot), -onehot / q / N, rtol=1e-12)


@pytest.mark.parametrize(("output", "name"), PAIRINGS)
def test_output_delta_is_the_slope_wrt_node_inputs(output, name, rng):
    """dL/dz from output_delta against central differences of the loss through the activation."""
    act, loss = get_activation(output), get_loss(name)
    z, a, y = _case(rng, output, name)

    def loss_at(z):
        return loss.value(z, act.forward(z), y)

    h = 1e-6
    numerical = np.empty_like(z)
    for i in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[i] = h
        numerical[i] = (loss_at(z + step) - loss_at(z - step)) / (2 * h)
    np.testing.assert_allclose(loss.output_delta(act, z, a, y), numerical, rtol=1e-6, atol=1e-10)


def test_cross_entropy_slope_wrt_node_inputs_is_p_minus_y_over_n(rng):
    z, p, y = _case(rng, "softmax", "cross_entropy")
    delta = CrossEntropy().output_delta(get_activation("softmax"), z, p, y)
    np.testing.assert_allclose(delta, (p - y) / N, rtol=1e-15)
    # through a network: backpropagation starts from the same p - y over n
    net = Network([4, 3], output_activation="softmax", seed=6)
    X = rng.normal(size=(N, 4))
    trace, slopes = net.backprop(X, y, "cross_entropy")
    np.testing.assert_allclose(slopes.node_inputs[-1], (trace.output - y) / N, rtol=1e-15)


# ----------------------------------------------------------------------------- stability
def test_bce_is_stable_and_exact_at_huge_node_inputs():
    z = np.array([[800.0], [800.0], [-800.0], [-800.0]])
    y = np.array([[1.0], [0.0], [1.0], [0.0]])
    a = get_activation("sigmoid").forward(z)  # exactly 1, 1, 0, 0
    loss = BinaryCrossEntropy()
    # right and sure: 0; wrong and sure: |z| = 800 each; mean over 4
    assert loss.value(z[[0]], a[[0]], y[[0]]) == 0.0
    assert loss.value(z[[1]], a[[1]], y[[1]]) == 800.0
    assert loss.value(z[[2]], a[[2]], y[[2]]) == 800.0
    assert loss.value(z[[3]], a[[3]], y[[3]]) == 0.0
    assert loss.value(z, a, y) == 400.0
    delta = loss.output_delta(get_activation("sigmoid"), z, a, y)
    np.testing.assert_array_equal(delta, [[0.0], [0.25], [-0.25], [0.0]])


def test_bce_through_a_network_at_huge_node_inputs():
    net = Network.from_weights([[[800.0]]], [[0.0]], output_activation="sigmoid")
    X = np.array([[1.0], [-1.0]])
    assert net.loss(X, [1.0, 0.0], "binary_cross_entropy") == 0.0
    assert net.loss(X, [0.0, 1.0], "binary_cross_entropy") == 800.0
    ((dW, db),) = net.gradients(X, [0.0, 1.0], "binary_cross_entropy")
    np.testing.assert_array_equal(dW, [[1.0]])  # (1/2 · 1 + (-1/2) · (-1))
    np.testing.assert_array_equal(db, [0.0])


def test_cross_entropy_is_stable_at_huge_logits():
    z = np.array([[1000.0, -1000.0, 0.0], [5000.0, 5000.0, -5000.0]])
    a = get_activation("softmax").forward(z)
    assert np.isfinite(a).all()
    loss = CrossEntropy()
    right = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    wrong = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    assert loss.value(z, a, right) == pytest.approx(np.log(2) / 2, rel=1e-14)  # second row: a 50/50 tie
    assert loss.value(z, a, wrong) == pytest.approx((2000.0 + 10000.0 + np.log(2)) / 2, rel=1e-14)
    delta = loss.output_delta(get_activation("softmax"), z, a, wrong)
    np.testing.assert_allclose(delta, (a - wrong) / 2)
    assert np.isfinite(delta).all()


# ----------------------------------------------------------------------------- pairing and names
def test_pairing_errors_are_raised_at_net_loss(rng):
    X = rng.normal(size=(3, 2))
    sigmoid_net = Network([2, 3, 1], "tanh", "sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"cross_entropy.*output_activation='softmax'.*'sigmoid'"):
        sigmoid_net.loss(X, [0, 1, 1], "cross_entropy")
    identity_net = Network([2, 3, 1], "tanh", "identity", seed=0)
    with pytest.raises(ValueError, match=r"binary_cross_entropy.*output_activation='sigmoid'.*'identity'"):
        identity_net.loss(X, [0, 1, 1], "bce")
    softmax_net = Network([2, 3, 2], "tanh", "softmax", seed=0)
    with pytest.raises(ValueError, match="output_activation='sigmoid'"):
        softmax_net.loss(X, [[0, 1], [1, 0], [1, 0]], "binary_cross_entropy")
    with pytest.raises(ValueError, match="output_activation='softmax'"):
        identity_net.gradients(X, [0, 1, 1], "cross_entropy")


def test_unknown_loss_names_raise_value_error_naming_the_argument(rng):
    with pytest.raises(ValueError, match=r"^loss must be one of .*'hinge'"):
        get_loss("hinge")
    with pytest.raises(ValueError, match=r"^loss must be one of"):
        Network([2, 1], seed=0).loss(rng.normal(size=(2, 2)), [0.0, 1.0], "hinge")


def test_loss_names_aliases_and_instances():
    assert isinstance(get_loss("MSE"), MeanSquaredError)
    assert isinstance(get_loss("mean_squared_error"), MeanSquaredError)
    assert isinstance(get_loss("bce"), BinaryCrossEntropy)
    assert isinstance(get_loss("categorical_cross_entropy"), CrossEntropy)
    assert isinstance(get_loss("mean_absolute_error"), MeanAbsoluteError)
    custom = SumSquaredError()
    assert get_loss(custom) is custom
    assert all(issubclass(cls, Loss) for cls in LOSSES.values())


@pytest.mark.parametrize(("output", "name"), PAIRINGS)
def test_float32_slopes_stay_float32(output, name, rng):
    act, loss = get_activation(output), get_loss(name)
    z, a, y = (array.astype(np.float32) for array in _case(rng, output, name))
    assert isinstance(loss.value(z, a, y), float)
    assert loss.output_delta(act, z, a, y).dtype == np.float32
    if not loss.fused:
        assert loss.slope(a, y).dtype == np.float32


# ----------------------------------------------------------------------------- per sample
@pytest.mark.parametrize(("output", "name"), PAIRINGS)
def test_per_sample_shares_add_up_to_the_value_and_weigh_it(output, name, rng):
    loss = get_loss(name)
    z, a, y = _case(rng, output, name)
    shares = loss.per_sample(z, a, y)
    assert shares.shape == (N,)
    assert shares.sum() == pytest.approx(loss.value(z, a, y), rel=1e-13)
    assert loss.weighted_value(z, a, y, None) == loss.value(z, a, y)
    weights = rng.uniform(0.0, 2.0, size=N)
    assert loss.weighted_value(z, a, y, weights) == pytest.approx(float(weights @ shares), rel=1e-15)


def test_new_losses_equal_scikit_learns_values(rng):
    from sklearn.metrics import mean_poisson_deviance

    z, a, y = _case(rng, "identity", "mse")
    assert get_loss("half_mse").value(z, a, y) == pytest.approx(mean_squared_error(y, a) / 2, rel=1e-13)
    z, a, y = _case(rng, "exp", "poisson", k=1)
    # scikit-learn's MLPRegressor(loss="poisson") reports half the mean Poisson deviance
    assert get_loss("poisson").value(z, a, y) == pytest.approx(mean_poisson_deviance(y, a) / 2, rel=1e-12)
    z, a, y = _case(rng, "sigmoid", "binary_cross_entropy")
    total = -(y * np.log(a) + (1 - y) * np.log(1 - a)).sum() / N
    assert get_loss("binary_cross_entropy_sum").value(z, a, y) == pytest.approx(total, rel=1e-12)


def test_huber_is_quadratic_near_the_target_and_linear_beyond():
    a, y = np.array([[0.5, 3.0]]), np.zeros((1, 2))
    assert get_loss("huber").value(None, a, y) == pytest.approx((0.125 + 2.5) / 2, rel=1e-15)
    np.testing.assert_array_equal(get_loss("huber").slope(a, y), [[0.25, 0.5]])


def test_poisson_needs_the_exp_output():
    with pytest.raises(ValueError, match="output_activation='exp'"):
        Network([2, 1], output_activation="identity").loss_function("poisson")
