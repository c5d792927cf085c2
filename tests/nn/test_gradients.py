"""Backpropagation against central finite differences, over random networks.

The oracle is ``chainrule.gradcheck`` (fourth-order central differences in float64).
Networks are drawn by hypothesis: depth, widths, batch size, every hidden activation,
every valid output activation × loss pairing, with and without bias. The numbers
themselves (X, weights, biases, targets) come from a NumPy Generator seeded by an
integer hypothesis draws.

Finite differences are only valid where the loss is smooth over the whole stencil
w ± 2h. ReLU, leaky ReLU and the absolute error have kinks; ``_stencil_crosses_kink``
reports data where a stencil step would cross one, and such data is drawn anew.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import chainrule
from chainrule import Network
from chainrule.nn.activations import Sigmoid, Softmax
from chainrule.nn.layers import Dense
from chainrule.nn.losses import BinaryCrossEntropy, CrossEntropy

HIDDEN = ["identity", "relu", "leaky_relu", "tanh", "sigmoid"]
REGRESSION_OUTPUTS = ["identity", "relu", "leaky_relu", "tanh", "sigmoid"]
PAIRINGS = [
    *((output, loss) for output in REGRESSION_OUTPUTS for loss in ("mse", "sse", "mae")),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "cross_entropy"),
    # softmax with a loss on its outputs: the general (Jacobian) path through Softmax.backward
    ("softmax", "mse"),
    ("softmax", "sse"),
    ("softmax", "mae"),
    # the losses of the scikit-learn estimators
    ("identity", "half_mse"),
    ("tanh", "half_mse"),
    ("identity", "huber"),
    ("exp", "poisson"),
    ("sigmoid", "binary_cross_entropy_sum"),
]
KINKED = {"relu", "leaky_relu"}
TOLERANCE = 1e-7
STEP = 1e-3  # gradcheck's default step


# ----------------------------------------------------------------------------- building cases
def _targets(rng, output, loss, n, k, form):
    """Targets that suit the output activation and loss; ``form`` picks the encoding."""
    if loss.startswith("binary_cross_entropy"):
        if form == "hard":
            return rng.integers(0, 2, size=(n, k)).astype(np.float64)
        return rng.uniform(0.02, 0.98, size=(n, k))
    if loss == "cross_entropy":
        labels = rng.integers(0, k, size=n)
        if form == "indices":
            return labels
        if form == "soft":
            return rng.dirichlet(np.ones(k), size=n)
        return np.eye(k)[labels]
    if loss == "poisson":  # counts, 0 included
        return rng.poisson(1.5, size=(n, k)).astype(np.float64)
    if loss == "huber":  # some errors beyond 1, on the linear part
        return rng.normal(0.0, 2.0, size=(n, k))
    if output in ("sigmoid", "softmax"):
        return rng.uniform(0.0, 1.0, size=(n, k))
    if output == "tanh":
        return rng.uniform(-1.0, 1.0, size=(n, k))
    return rng.normal(0.0, 1.0, size=(n, k))


def _random_network(rng, sizes, hidden, output, bias, seed):
    net = Network(sizes, hidden, output, bias=bias, seed=seed)
    gain = rng.uniform(0.5, 2.0)
    for layer in net.layers:
        layer.weight[...] = rng.normal(0.0, gain / np.sqrt(layer.n_inputs), size=layer.weight.shape)
        if layer.bias is not None:
            layer.bias[...] = rng.normal(0.0, 0.5, size=layer.bias.shape)
    return net


def _kink_signs(net, X, y, loss):
    """Which side of each kink every sample sits on: ReLU-type node inputs and, for mae, a - y
    (for huber, |a - y| against 1)."""
    trace = net.forward(X)
    signs = [z > 0 for layer, z in zip(net.layers, trace.node_inputs) if layer.activation.name in KINKED]
    if loss in ("mae", "huber"):
        error = trace.output - net.targets(y, X.shape[0], net.loss_function(loss))
        signs.append(error > 0 if loss == "mae" else np.abs(error) > 1)
    return np.concatenate([s.ravel() for s in signs]) if signs else np.zeros(0, dtype=bool)


def _stencil_crosses_kink(net, X, y, loss):
    """True when some finite-difference step of gradcheck moves a sample across a kink."""
    base = _kink_signs(net, X, y, loss)
    if base.size == 0:
        return False
    for param in net.parameters():
        flat = param.reshape(-1)
        for index in range(flat.size):
            original = flat[index]
            h = STEP * max(1.0, abs(original))
            try:
                for shift in (2 * h, h, -h, -2 * h):
                    flat[index] = original + shift
                    if not np.array_equal(_kink_signs(net, X, y, loss), base):
                        return True
            finally:
                flat[index] = original
    return False


def _draw_case(seed, sizes, hidden, output, loss, bias, batch, form):
    """A network, inputs and targets whose finite differences stay clear of every kink."""
    rng = np.random.default_rng(seed)
    for _ in range(20):
        net = _random_network(rng, sizes, hidden, output, bias, seed)
        X = rng.normal(0.0, 1.0, size=(batch, sizes[0]))
        y = _targets(rng, output, loss, batch, sizes[-1], form)
        if not _stencil_crosses_kink(net, X, y, loss):
            return net, X, y
    return None


@st.composite
def cases(draw, pairings=tuple(PAIRINGS)):
    output, loss = draw(st.sampled_from(pairings))
    depth = draw(st.integers(1, 3))
    min_out = 2 if output == "softmax" else 1
    sizes = [draw(st.integers(1, 8)) for _ in range(depth)] + [draw(st.integers(min_out, 8))]
    hidden = [draw(st.sampled_from(HIDDEN)) for _ in range(depth - 1)]
    bias = draw(st.booleans())
    batch = draw(st.integers(1, 8))
    form = draw(st.sampled_from(["onehot", "indices", "soft", "hard"]))
    seed = draw(st.integers(0, 2**32 - 1))
    return dict(
        sizes=sizes, hidden=hidden, output=output, loss=loss, bias=bias, batch=batch, form=form, seed=seed
    )


def _assert_backprop_matches(net, X, y, loss):
    """Backpropagation agrees with finite differences: gradcheck(...) <= 1e-7."""
    worst = chainrule.gradcheck(net, X, y, loss)
    assert worst <= TOLERANCE, f"gradcheck {worst:.3g}"


# ----------------------------------------------------------------------------- the property
@settings(max_examples=400)
@given(case=cases())
def test_backprop_matches_finite_differences_on_random_networks(case):
    drawn = _draw_case(
        case["seed"], case["sizes"], case["hidden"], case["output"], case["loss"], case["bias"],
        case["batch"], case["form"],
    )  # fmt: skip
    assume(drawn is not None)
    net, X, y = drawn
    _assert_backprop_matches(net, X, y, case["loss"])


# Every hidden activation with every pairing, on one fixed shape (the property above draws
# them at random; this grid makes sure none is left out).
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize(("output", "loss"), PAIRINGS, ids=[f"{o}-{lo}" for o, lo in PAIRINGS])
@pytest.mark.parametrize("hidden", HIDDEN)
def test_every_hidden_activation_with_every_pairing(hidden, output, loss, bias):
    seed = 1000 * HIDDEN.index(hidden) + 10 * PAIRINGS.index((output, loss)) + bias
    drawn = _draw_case(seed, [3, 4, 3, 3], [hidden, hidden], output, loss, bias, 5, "onehot")
    assert drawn is not None, "no kink-free data in 20 draws"
    net, X, y = drawn
    _assert_backprop_matches(net, X, y, loss)


@pytest.mark.parametrize("form", ["onehot", "indices", "soft"])
def test_cross_entropy_target_encodings_give_the_same_check(form):
    drawn = _draw_case(7, [4, 5, 3], ["tanh"], "softmax", "cross_entropy", True, 6, form)
    net, X, y = drawn
    _assert_backprop_matches(net, X, y, "cross_entropy")


def test_one_hot_rows_and_class_indices_give_the_same_gradients(rng):
    net = Network([4, 5, 3], "tanh", "softmax", seed=3)
    X = rng.normal(size=(6, 4))
    labels = rng.integers(0, 3, size=6)
    from_indices = net.gradients(X, labels, "cross_entropy")
    from_rows = net.gradients(X, np.eye(3)[labels], "cross_entropy")
    for (dW_i, db_i), (dW_r, db_r) in zip(from_indices, from_rows):
        np.testing.assert_array_equal(dW_i, dW_r)
        np.testing.assert_array_equal(db_i, db_r)


# ----------------------------------------------------------------------------- fused fast paths
def test_sigmoid_bce_fused_delta_equals_general_path(rng):
    n, k = 7, 3
    z = rng.normal(0.0, 3.0, size=(n, k))
    a = Sigmoid().forward(z)
    y = rng.uniform(0.0, 1.0, size=(n, k))
    y[0] = [0.0, 1.0, 0.0]
    loss = BinaryCrossEntropy()
    fused = loss.output_delta(Sigmoid(), z, a, y)
    general = Sigmoid().backward(z, a, loss.slope(a, y))
    np.testing.assert_allclose(fused, (a - y) / (n * k), rtol=1e-15, atol=0)
    np.testing.assert_allclose(fused, general, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("target", ["onehot", "soft"])
def test_softmax_ce_fused_delta_equals_general_path(rng, target):
    n, k = 6, 4
    z = rng.normal(0.0, 3.0, size=(n, k))
    a = Softmax().forward(z)
    y = np.eye(k)[rng.integers(0, k, size=n)] if target == "onehot" else rng.dirichlet(np.ones(k), size=n)
    loss = CrossEntropy()
    fused = loss.output_delta(Softmax(), z, a, y)
    general = Softmax().backward(z, a, loss.slope(a, y))
    np.testing.assert_allclose(fused, (a - y) / n, rtol=1e-15, atol=0)
    np.testing.assert_allclose(fused, general, rtol=1e-12, atol=1e-15)


def test_network_starts_backprop_at_the_fused_delta(rng):
    X = rng.normal(size=(5, 3))
    binary = Network([3, 4, 2], "tanh", "sigmoid", seed=1)
    y = rng.integers(0, 2, size=(5, 2))
    trace, slopes = binary.backprop(X, y, "binary_cross_entropy")
    np.testing.assert_allclose(slopes.node_inputs[-1], (trace.output - y) / 10, rtol=1e-15)

    multi = Network([3, 4, 3], "tanh", "softmax", seed=1)
    labels = rng.integers(0, 3, size=5)
    trace, slopes = multi.backprop(X, labels, "cross_entropy")
    np.testing.assert_allclose(slopes.node_inputs[-1], (trace.output - np.eye(3)[labels]) / 5, rtol=1e-15)


def test_fused_delta_stays_finite_where_the_general_path_divides_by_zero():
    z = np.array([[800.0, -800.0]])
    a = Sigmoid().forward(z)  # exactly [1, 0]
    y = np.array([[0.0, 1.0]])
    loss = BinaryCrossEntropy()
    np.testing.assert_array_equal(loss.output_delta(Sigmoid(), z, a, y), [[0.5, -0.5]])
    with pytest.raises(FloatingPointError):
        loss.slope(a, y)


def test_saturated_sigmoid_bce_network_has_exact_finite_gradients():
    net = Network.from_weights([[[400.0], [-400.0]]], [[0.0]], output_activation="sigmoid")
    X = np.array([[2.0, 0.0], [0.0, 2.0]])  # z = +800 and -800
    y = np.array([0.0, 1.0])  # both maximally wrong
    ((dW, db),) = net.gradients(X, y, "binary_cross_entropy")
    # dL/dz = (a - y) / n = [+1/2, -1/2]
    np.testing.assert_array_equal(dW, [[1.0], [-1.0]])
    np.testing.assert_array_equal(db, [0.0])
    assert net.loss(X, y, "binary_cross_entropy") == pytest.approx(800.0, rel=1e-15)


# ----------------------------------------------------------------------------- float32
@pytest.mark.parametrize(
    ("output", "loss"),
    [("identity", "mse"), ("tanh", "sse"), ("sigmoid", "binary_cross_entropy"), ("softmax", "cross_entropy")],
)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_float32_gradients_match_float64_within_float32_precision(hidden, output, loss):
    drawn = _draw_case(11, [5, 6, 4, 3], [hidden, hidden], output, loss, True, 8, "hard")
    net64, X, y = drawn
    net32 = net64.astype("float32")
    grads64 = net64.gradients(X, y, loss)
    grads32 = net32.gradients(X.astype(np.float32), y, loss)
    scale = max(float(np.abs(dW).max()) for dW, _ in grads64)
    for (dW64, db64), (dW32, db32) in zip(grads64, grads32):
        assert dW32.dtype == np.float32 and db32.dtype == np.float32
        np.testing.assert_allclose(dW32, dW64, rtol=1e-4, atol=1e-5 * scale)
        np.testing.assert_allclose(db32, db64, rtol=1e-4, atol=1e-5 * scale)


def test_gradcheck_of_a_float32_network_runs_in_float64(rng):
    net = Network([3, 4, 2], "tanh", "identity", seed=2, dtype="float32")
    X = rng.normal(size=(4, 3)).astype(np.float32)
    y = rng.normal(size=(4, 2))
    assert net.dtype == np.float32
    assert chainrule.gradcheck(net, X, y, "mse") <= TOLERANCE
    assert net.dtype == np.float32  # gradcheck worked on a copy


# ----------------------------------------------------------------------------- the check can fail
def _case_for_broken_checks():
    return _draw_case(5, [3, 4, 2], ["tanh"], "identity", "mse", True, 6, "onehot")


def test_gradcheck_passes_before_anything_is_broken():
    net, X, y = _case_for_broken_checks()
    assert chainrule.gradcheck(net, X, y, "mse") <= TOLERANCE


def test_gradcheck_fails_when_weight_slopes_are_doubled(monkeypatch):
    net, X, y = _case_for_broken_checks()
    honest = Dense.weight_slopes

    def doubled(self, x, dL_dz):
        dW, db = honest(self, x, dL_dz)
        return 2 * dW, None if db is None else 2 * db

    monkeypatch.setattr(Dense, "weight_slopes", doubled)
    assert chainrule.gradcheck(net, X, y, "mse") > 1e-2


def test_gradcheck_fails_when_the_hidden_activation_slope_is_wrong(monkeypatch):
    net, X, y = _case_for_broken_checks()
    tanh = net.layers[0].activation
    monkeypatch.setattr(type(tanh), "slope", lambda self, z, a: 1.0 - a)
    assert chainrule.gradcheck(net, X, y, "mse") > 1e-2


def test_gradcheck_fails_when_a_single_bias_slope_is_off(monkeypatch):
    net, X, y = _case_for_broken_checks()
    honest = Dense.weight_slopes

    def off_by_a_bit(self, x, dL_dz):
        dW, db = honest(self, x, dL_dz)
        db = db.copy()
        db[0] *= 1.05
        return dW, db

    monkeypatch.setattr(Dense, "weight_slopes", off_by_a_bit)
    assert chainrule.gradcheck(net, X, y, "mse") > 1e-2


def test_gradcheck_is_tiny_for_a_slope_that_is_exactly_zero():
    # One identity layer with mean absolute error: every output is above its target in the
    # first sample and below it in the second, so each bias slope is exactly +1/8 - 1/8 = 0,
    # but the finite differences of L ≈ 20 carry rounding noise near eps × 20 / 1e-3.
    weight = np.array([[0.31, -0.52, 0.17, 0.44], [0.83, 0.12, -0.66, 0.25], [-0.38, 0.71, 0.09, -0.93]])
    net = Network.from_weights([weight], [[0.1, -0.2, 0.3, 0.05]], output_activation="identity")
    X = np.array([[0.3, -0.7, 1.1], [-0.4, 0.9, 0.2]])
    y = np.array([[-20.0] * 4, [20.0] * 4])
    ((_, db),) = net.gradients(X, y, "mae")
    np.testing.assert_array_equal(db, 0.0)
    assert chainrule.gradcheck(net, X, y, "mae") <= TOLERANCE


def test_gradcheck_is_tiny_for_a_small_slope_near_a_minimum():
    # One tanh node, one weight w = 0.05, one sample x = 5 whose prediction is 1e-4 off.
    # dL/dw = 2 (a - y)(1 - a²) x ≈ 9.4e-4, while the truncation error is ≈ 5e-9.
    net = Network.from_weights([[[0.05]]], None, output_activation="tanh")
    X = np.array([[5.0]])
    y = np.tanh(0.25) - 1e-4
    ((dW, _),) = net.gradients(X, y, "mse")
    assert dW.item() == pytest.approx(2e-4 * (1 - np.tanh(0.25) ** 2) * 5, rel=1e-6)
    assert chainrule.gradcheck(net, X, y, "mse", step=1e-4) <= TOLERANCE  # a smaller step agrees
    assert chainrule.gradcheck(net, X, y, "mse") <= TOLERANCE  # the default step gives 5e-6


def _relu_node_near_its_kink(z: float):
    """One ReLU hidden node whose input on the one sample is ``z``, then an identity output."""
    net = Network.from_weights([[[1.0], [1.0]], [[0.7]]], [[z - 0.5], [0.2]], activation="relu")
    return net, np.array([[0.2, 0.3]]), np.array([[1.0]])


def test_gradcheck_halves_its_steps_to_stay_off_a_relu_kink():
    # z = 1e-4 is well inside the step (h ≈ 1e-3): a fixed step straddles the kink and reads
    # a slope near half the true one; halving the step until it does not agrees exactly.
    net, X, y = _relu_node_near_its_kink(1e-4)
    assert chainrule.gradcheck(net, X, y, "mse") <= TOLERANCE
    assert chainrule.gradcheck(net, X, y, "mae") <= TOLERANCE


def test_gradcheck_still_fails_on_a_wrong_slope_next_to_a_relu_kink(monkeypatch):
    net, X, y = _relu_node_near_its_kink(1e-4)
    honest = Dense.weight_slopes
    monkeypatch.setattr(
        Dense,
        "weight_slopes",
        lambda self, x, d: tuple(None if g is None else 1.5 * g for g in honest(self, x, d)),
    )
    assert chainrule.gradcheck(net, X, y, "mse") > 1e-2


def test_a_parameter_on_a_kink_is_left_out_with_a_warning_not_read_as_wrong():
    net, X, y = _relu_node_near_its_kink(0.0)  # the hidden node's input is exactly 0
    with pytest.warns(
        RuntimeWarning, match=r"left out 3 of 5 parameters: a node input sits exactly on a kink"
    ):
        assert chainrule.gradcheck(net, X, y, "mse") <= TOLERANCE
