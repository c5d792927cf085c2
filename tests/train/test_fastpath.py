"""The training fast path equals the plain chain rule of ``nn/``, bit for bit in float64.

The fast path (``chainrule.train._fastpath``) writes into reused buffers and folds the
learning rate into the output slope; ``nn.propagation`` is the readable reference.
Folding the learning rate is exact when lr is a power of two (scaling by 2^k only moves
the exponent), so with such an lr a whole training run must match plain steps exactly.
"""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import Network
from chainrule.nn import propagation
from chainrule.nn.activations import get_activation
from chainrule.nn.losses import get_loss
from chainrule.train import _fastpath

ACTIVATIONS = ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "softmax", "exp"]
PAIRINGS = [
    *((output, loss) for output in ("identity", "relu", "tanh", "sigmoid") for loss in ("mse", "sse", "mae")),
    ("softmax", "mse"),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "cross_entropy"),
    ("identity", "half_mse"),
    ("tanh", "half_mse"),
    ("identity", "huber"),
    ("exp", "poisson"),
    ("sigmoid", "binary_cross_entropy_sum"),
]
LR = 2.0**-5  # a power of two: folding it in is exact


def _targets(rng, output: str, loss: str, n: int, k: int) -> np.ndarray:
    if loss == "cross_entropy":
        return np.eye(k)[rng.integers(0, k, size=n)]
    if loss.startswith("binary_cross_entropy") or output in ("sigmoid", "softmax"):
        return rng.integers(0, 2, size=(n, k)).astype(float)
    if loss == "poisson":
        return rng.poisson(1.0, size=(n, k)).astype(float)
    return rng.normal(size=(n, k)) * (3.0 if loss == "huber" else 1.0)


def _network(rng, output: str, bias: bool, hidden: str = "tanh") -> Network:
    k = 3 if output == "softmax" else 2
    net = Network([4, 5, 3, k], activation=[hidden, "relu"], output_activation=output, bias=bias, seed=1)
    gain = 0.3 if output == "exp" else 1.0  # exp outputs stay moderate
    for layer in net.layers:
        layer.weight[...] = gain * rng.normal(size=layer.weight.shape)
        if layer.bias is not None:
            layer.bias[...] = gain * rng.normal(size=layer.bias.shape)
    return net


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_kernels_write_into_their_buffers_and_equal_the_plain_formulas(name, rng):
    act = get_activation(name)
    z = rng.normal(size=(6, 4))
    dL_da = rng.normal(size=z.shape)
    z_saved, dL_da_saved = z.copy(), dL_da.copy()
    buffer = np.full_like(z, np.pi)
    a = _fastpath._activate(act, z, buffer)
    assert a is (z if name == "identity" else buffer)  # the identity's a is z itself
    np.testing.assert_array_equal(a, act.forward(z))
    out = np.full_like(z, np.pi)
    dL_dz = _fastpath._activation_backward(act, z, a, dL_da, out)
    assert dL_dz is (dL_da if name == "identity" else out)
    np.testing.assert_array_equal(dL_dz, act.backward(z, a, dL_da))
    np.testing.assert_array_equal(z, z_saved)
    np.testing.assert_array_equal(dL_da, dL_da_saved)  # the upstream slope survives


@pytest.mark.parametrize(("output", "loss"), PAIRINGS)
@pytest.mark.parametrize("bias", [True, False])
def test_one_fast_step_gives_the_plain_values_and_slopes_bit_for_bit(output, loss, bias, rng):
    net = _network(rng, output, bias)
    X = rng.normal(size=(7, 4))
    y = _targets(rng, output, loss, 7, net.n_outputs)
    loss_fn = get_loss(loss)
    trace = propagation.forward(net.layers, X)
    plain = propagation.backward(net.layers, trace, loss_fn, y)
    plain_value = loss_fn.value(trace.node_inputs[-1], trace.output, y)

    ws = _fastpath.Workspace(net.layers, 7)
    fast_trace = _fastpath.forward(net.layers, X, ws)
    for fast_a, plain_a in zip(fast_trace.node_outputs, trace.node_outputs):
        np.testing.assert_array_equal(fast_a, plain_a)
    for scale in (None, LR):
        value, dL_dz = _fastpath.output_slopes(loss_fn, net.layers, fast_trace, y, ws, scale)
        assert value == plain_value
        fast = _fastpath.backward_from(net.layers, fast_trace, dL_dz, ws)
        factor = 1.0 if scale is None else scale
        for (dW, db), (plain_dW, plain_db) in zip(fast.weights, plain.weights):
            np.testing.assert_array_equal(dW, factor * plain_dW)
            if plain_db is not None:
                np.testing.assert_array_equal(db, factor * plain_db)
        for fast_dz, plain_dz in zip(fast.dL_dz, plain.dL_dz):
            np.testing.assert_array_equal(fast_dz, factor * plain_dz)


def test_fast_path_equals_plain_on_the_course_network():
    """The course's network (seed 002): two inputs, two hidden nodes, no bias."""
    weights = {"node_0": [1, 1], "node_1": [-1, 1], "output": [2, -1]}
    fast = Network.from_node_weights(weights, activation="relu")
    plain = Network.from_node_weights(weights, activation="relu")
    X, y = np.array([[2.0, 3.0], [1.0, -1.0], [0.5, 4.0]]), np.array([10.0, 1.0, 3.0])
    history = fast.fit(X, y, loss="mse", optimizer="sgd", lr=LR, epochs=6, verbose=0)
    losses = [plain.step(X, y, "mse", lr=LR) for _ in range(6)]
    assert history.history["loss"] == losses
    for fast_layer, plain_layer in zip(fast.layers, plain.layers):
        np.testing.assert_array_equal(fast_layer.weight, plain_layer.weight)


@pytest.mark.parametrize(("output", "loss"), PAIRINGS)
@pytest.mark.parametrize("hidden", ["identity", "relu", "leaky_relu", "tanh", "sigmoid"])
def test_full_batch_training_equals_plain_steps_bit_for_bit(output, loss, hidden, rng):
    fast = _network(rng, output, bias=True, hidden=hidden)
    plain = fast.copy()
    X = rng.normal(size=(9, 4))
    y = _targets(rng, output, loss, 9, fast.n_outputs)
    # SSE sums over the rows: a smaller power of two keeps every layout from diverging.
    lr = LR / 16 if loss == "sse" else LR
    history = fast.fit(X, y, loss=loss, optimizer="sgd", lr=lr, epochs=4, verbose=0)
    losses = [plain.step(X, y, loss, lr=lr) for _ in range(4)]
    assert history.history["loss"] == losses
    for fast_param, plain_param in zip(fast.parameters(), plain.parameters()):
        np.testing.assert_array_equal(fast_param, plain_param)


# ------------------------------------------------- sample weights, dropout and L2 (the estimators')
@pytest.mark.parametrize(("output", "loss"), PAIRINGS)
@pytest.mark.parametrize("extras", ["weights", "dropout", "all"])
def test_weighted_dropped_penalised_step_gives_the_plain_values_and_slopes_bit_for_bit(
    output, loss, extras, rng
):
    net = _network(rng, output, bias=True)
    X = rng.normal(size=(7, 4))
    y = _targets(rng, output, loss, 7, net.n_outputs)
    loss_fn = get_loss(loss)
    sample_weight = rng.uniform(0.0, 3.0, size=7) if extras != "dropout" else None
    weights, total = propagation.row_weights(sample_weight, 7)
    masks = None
    if extras != "weights":
        masks = propagation.dropout_masks(np.random.default_rng(3), net.layers, 7, [0.5, 0.25])
    l2 = 0.375 if extras == "all" else 0.0

    trace = propagation.forward(net.layers, X, masks)
    plain = propagation.backward(net.layers, trace, loss_fn, y, weights)
    plain_value = loss_fn.weighted_value(trace.node_inputs[-1], trace.output, y, weights)
    if l2:
        plain_value += propagation.add_l2(net.layers, plain, l2, total)

    ws = _fastpath.Workspace(net.layers, 7)
    for scale in (None, LR):
        fast_trace = _fastpath.forward(net.layers, X, ws, masks)
        for fast_x, plain_x in zip(fast_trace.inputs, trace.inputs):
            np.testing.assert_array_equal(fast_x, plain_x)
        value, dL_dz = _fastpath.output_slopes(loss_fn, net.layers, fast_trace, y, ws, scale, weights)
        fast = _fastpath.backward_from(net.layers, fast_trace, dL_dz, ws)
        if l2 and scale is None:  # training folds no lr in with L2
            value += _fastpath.add_l2(net.layers, ws, l2, total)
        if scale is None:
            assert value == plain_value
        factor = 1.0 if scale is None else scale
        for index, ((dW, db), (plain_dW, plain_db)) in enumerate(zip(fast.weights, plain.weights)):
            if l2 and scale is not None:
                continue
            np.testing.assert_array_equal(dW, factor * plain_dW, err_msg=f"dW[{index}]")
            np.testing.assert_array_equal(db, factor * plain_db, err_msg=f"db[{index}]")


@pytest.mark.parametrize("optimizer", ["plain", "momentum"])
def test_training_with_weights_dropout_and_l2_equals_plain_steps_bit_for_bit(optimizer, rng):
    """fit's run (full batch, so the run's generator draws only the masks) against the plain
    chain rule stepped by hand with masks from a generator seeded alike."""
    fast = _network(rng, "softmax", bias=True)
    plain = fast.copy()
    X, labels = rng.normal(size=(9, 4)), rng.integers(0, 3, size=9)
    sample_weight = rng.uniform(0.0, 2.0, size=9)
    options = {"momentum": 0.5} if optimizer == "momentum" else {}
    history = fast.fit(
        X, labels, loss="cross_entropy", lr=LR, epochs=4, seed=11, verbose=0,
        sample_weight=sample_weight, l2=0.25, dropout=[0.5, 0.0], **options,
    )  # fmt: skip

    loss = plain.loss_function("cross_entropy")
    y = plain.targets(labels, 9, loss)
    weights, total = propagation.row_weights(sample_weight, 9)
    generator = np.random.default_rng(11)
    velocity = np.zeros_like(plain.flat_parameters())
    losses = []
    for _ in range(4):
        masks = propagation.dropout_masks(generator, plain.layers, 9, [0.5, 0.0])
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            trace = propagation.forward(plain.layers, X, masks)
            slopes = propagation.backward(plain.layers, trace, loss, y, weights)
            value = loss.weighted_value(trace.node_inputs[-1], trace.output, y, weights)
            value += propagation.add_l2(plain.layers, slopes, 0.25, total)
        gradient = np.concatenate([g.ravel() for pair in slopes.weights for g in pair])
        flat = plain.flat_parameters()
        if optimizer == "momentum":
            velocity *= 0.5
            velocity += gradient
            flat -= velocity * LR
        else:
            flat -= gradient * LR
        losses.append(value)
    assert history.history["loss"] == losses
    np.testing.assert_array_equal(fast.flat_parameters(), plain.flat_parameters())


def test_without_the_new_options_training_draws_and_computes_as_before(rng):
    """sample_weight=None, l2=0 and dropout=None (or 0) take the old path: same weights."""
    net = _network(rng, "identity", bias=True)
    X, y = rng.normal(size=(20, 4)), rng.normal(size=(20, 2))
    runs = [net.copy() for _ in range(3)]
    runs[0].fit(X, y, optimizer="adam", batch_size=6, epochs=3, seed=5, verbose=0)
    runs[1].fit(X, y, optimizer="adam", batch_size=6, epochs=3, seed=5, verbose=0, l2=0.0, dropout=0.0)
    runs[2].fit(X, y, optimizer="adam", batch_size=6, epochs=3, seed=5, verbose=0, sample_weight=np.ones(20))
    np.testing.assert_array_equal(runs[0].flat_parameters(), runs[1].flat_parameters())
    np.testing.assert_allclose(runs[0].flat_parameters(), runs[2].flat_parameters(), rtol=1e-12)
