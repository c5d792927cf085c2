"""The Network's public contract: shapes, building, initialisation, dtypes, input checks, traces."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import Network, Trace
from chainrule.nn.layers import Dense


def _random_X(rng, n, width):
    return rng.normal(size=(n, width))


# ----------------------------------------------------------------------------- construction and shapes
@pytest.mark.parametrize("bias", [True, False])
def test_layer_shapes_follow_sizes(bias):
    net = Network([4, 6, 5, 2], "tanh", "identity", bias=bias, init="normal", seed=0, dtype="float64")
    assert net.sizes == [4, 6, 5, 2]
    assert (net.n_inputs, net.n_outputs) == (4, 2)
    assert len(net.layers) == 3
    for layer, (n_in, n_out) in zip(net.layers, [(4, 6), (6, 5), (5, 2)]):
        assert layer.weight.shape == (n_in, n_out)
        assert layer.weight.dtype == np.float64
        if bias:
            assert layer.bias.shape == (n_out,)
            np.testing.assert_array_equal(layer.bias, 0.0)  # biases start at 0
        else:
            assert layer.bias is None
    assert net.has_bias is bias
    assert len(net.parameters()) == (6 if bias else 3)


def test_parameters_are_the_arrays_themselves_in_layer_order():
    net = Network([3, 4, 2], seed=1)
    params = net.parameters()
    assert params[0] is net.layers[0].weight
    assert params[1] is net.layers[0].bias
    assert params[2] is net.layers[1].weight
    assert params[3] is net.layers[1].bias


def test_writing_into_weights_in_place_changes_predictions(rng):
    net = Network([3, 4, 2], "tanh", seed=2)
    X = _random_X(rng, 5, 3)
    before = net.predict(X)
    net.layers[1].weight[0, 1] += 1.0
    after = net.predict(X)
    np.testing.assert_array_equal(after[:, 0], before[:, 0])  # output 0 does not use that weight
    assert not np.allclose(after[:, 1], before[:, 1])
    net.layers[1].bias[...] = 10.0
    np.testing.assert_allclose(net.predict(X), after + 10.0, rtol=1e-14)


def test_one_activation_per_hidden_layer(rng):
    net = Network([2, 3, 3, 1], ["relu", "tanh"], "sigmoid", seed=3)
    assert [layer.activation.name for layer in net.layers] == ["relu", "tanh", "sigmoid"]
    X = _random_X(rng, 4, 2)
    trace = net.forward(X)
    np.testing.assert_array_equal(trace.node_outputs[0], np.maximum(trace.node_inputs[0], 0))
    np.testing.assert_allclose(trace.node_outputs[1], np.tanh(trace.node_inputs[1]), rtol=1e-15)
    for wrong in (["relu"], ["relu", "tanh", "tanh"], []):
        with pytest.raises(ValueError, match=rf"activation has {len(wrong)} entries.*2 hidden layers"):
            Network([2, 3, 3, 1], wrong)
    assert Network([2, 1], [], seed=0).sizes == [2, 1]  # no hidden layer: an empty list


def test_softmax_only_as_output_activation():
    with pytest.raises(ValueError, match=r"softmax.*output_activation"):
        Network([2, 3, 2], "softmax")
    with pytest.raises(ValueError, match=r"softmax.*output_activation"):
        Network([2, 3, 3, 2], ["tanh", "softmax"])
    assert Network([2, 3, 2], "tanh", "softmax", seed=0).output_activation.name == "softmax"


def test_softmax_output_needs_two_nodes():
    with pytest.raises(ValueError, match="softmax"):
        Network([2, 3, 1], "tanh", "softmax")


@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"sizes": [3]}, "sizes"),
        ({"sizes": [3, 0, 1]}, "sizes"),
        ({"sizes": "abc"}, "sizes"),
        ({"sizes": [3, 1], "init": "zeros"}, "init"),
        ({"sizes": [3, 1], "dtype": "float16"}, "dtype"),
        ({"sizes": [3, 1], "dtype": "int32"}, "dtype"),
    ],
)
def test_bad_arguments_raise_value_error_naming_them(kwargs, argument):
    with pytest.raises(ValueError, match=rf"^{argument} "):
        Network(**kwargs)


# ----------------------------------------------------------------------------- from_node_weights
def test_from_node_weights_one_hidden_layer():
    net = Network.from_node_weights(
        {"node_0": [2, 4], "node_1": [4, -5], "output": [2, 7]}, activation="identity"
    )
    assert net.sizes == [2, 2, 1]
    assert not net.has_bias
    # input [3, 5]: node_0 = 3·2 + 5·4 = 26, node_1 = 3·4 + 5·(-5) = -13; output = 26·2 - 13·7 = -39
    np.testing.assert_array_equal(net.predict([3, 5]), [-39.0])
    relu = Network.from_node_weights({"node_0": [2, 4], "node_1": [4, -5], "output": [2, 7]})
    np.testing.assert_array_equal(relu.predict([3, 5]), [52.0])  # node_1 is cut to 0 by the ReLU
    np.testing.assert_array_equal(relu.layers[0].weight, [[2, 4], [4, -5]])  # column j: into node j


def test_from_node_weights_two_hidden_layers():
    weights = {
        "node_0_0": [2, 4, -5],
        "node_0_1": [-1, 3, 2],
        "node_1_0": [2, 1],
        "node_1_1": [-3, 1],
        "node_1_2": [1, 1],
        "output": [1, -1, 2],
    }
    net = Network.from_node_weights(weights, activation="relu")
    assert net.sizes == [3, 2, 3, 1]
    x = np.array([1.0, 2.0, 1.0])
    h0 = np.maximum([x @ [2, 4, -5], x @ [-1, 3, 2]], 0)  # [5, 7]
    h1 = np.maximum([h0 @ [2, 1], h0 @ [-3, 1], h0 @ [1, 1]], 0)  # [17, 0, 12]
    np.testing.assert_array_equal(net.predict(x), [h1 @ [1, -1, 2]])
    np.testing.assert_array_equal(net.predict(x), [41.0])


def test_from_node_weights_output_only_is_a_single_layer():
    net = Network.from_node_weights({"output": [1.0, -2.0]}, output_activation="identity")
    assert net.sizes == [2, 1]
    np.testing.assert_array_equal(net.predict([3.0, 1.0]), [1.0])


@pytest.mark.parametrize(
    ("weights", "named"),
    [
        ({"node_0": [1, 2], "node_1": [3, 4]}, "'output'"),
        ({"node_0": [1, 2], "node_1": [3], "output": [1, 1]}, "'node_1'"),
        ({"node_0_0": [1, 2], "node_1_0": [3, 4, 5], "output": [1]}, "'node_1_0'"),
        ({"node_0": [1, 2], "node_1": [3, 4], "output": [1, 1, 1]}, "'output'"),
        ({"node_0": [1, 2], "nodeX": [3, 4], "output": [1, 1]}, "'nodeX'"),
        ({"node_0": [1, 2], "node_0_1": [3, 4], "output": [1, 1]}, "node_<i>"),
        ({"node_0": [1, 2], "node_2": [3, 4], "output": [1, 1]}, "node 1"),
        ({"node_0": [], "output": [1]}, "'node_0'"),
        ({"node_0": ["a", "b"], "output": [1]}, "'node_0'"),
    ],
    ids=[
        "no-output",
        "ragged",
        "ragged-layer-1",
        "output-length",
        "unknown-key",
        "mixed",
        "gap",
        "empty",
        "text",
    ],
)
def test_from_node_weights_errors_name_the_key(weights, named):
    with pytest.raises(ValueError, match=named):
        Network.from_node_weights(weights)


def test_from_node_weights_rejects_two_keys_for_the_same_node():
    with pytest.raises(ValueError, match="node_01"):
        Network.from_node_weights({"node_0": [1, 1], "node_1": [2, 2], "node_01": [5, 5], "output": [1, 1]})


def test_from_weights_reads_matrices_and_one_node_vectors(rng):
    W0, W1 = rng.normal(size=(3, 4)), rng.normal(size=4)
    net = Network.from_weights([W0, W1], [np.zeros(4), [0.5]], activation="tanh")
    assert net.sizes == [3, 4, 1]
    x = rng.normal(size=3)
    np.testing.assert_allclose(net.predict(x), [np.tanh(x @ W0) @ W1 + 0.5], rtol=1e-14)
    with pytest.raises(ValueError, match=r"weights\[1\]"):
        Network.from_weights([W0, rng.normal(size=(3, 1))])
    with pytest.raises(ValueError, match=r"biases\[0\]"):
        Network.from_weights([W0, W1], [np.zeros(3), [0.0]])


# ----------------------------------------------------------------------------- initialisation and seeds
def test_init_normal_has_std_one_over_sqrt_n_in():
    weight = Network([1000, 200], init="normal", seed=0).layers[0].weight
    assert abs(weight.mean()) < 0.01 / np.sqrt(1000)
    assert weight.std() == pytest.approx(1 / np.sqrt(1000), rel=0.01)


def test_init_glorot_uniform_stays_within_its_limit():
    weight = Network([600, 400], init="glorot_uniform", seed=0).layers[0].weight
    limit = np.sqrt(6 / (600 + 400))
    assert np.abs(weight).max() <= limit
    assert np.abs(weight).max() > 0.999 * limit
    assert weight.std() == pytest.approx(limit / np.sqrt(3), rel=0.01)


def test_init_he_normal_has_std_sqrt_two_over_n_in():
    weight = Network([1000, 200], init="he_normal", seed=0).layers[0].weight
    assert weight.std() == pytest.approx(np.sqrt(2 / 1000), rel=0.01)


def test_init_aliases_resolve():
    for alias, name in [("xavier", "glorot_uniform"), ("he", "he_normal")]:
        a = Network([5, 4], init=alias, seed=3).layers[0].weight
        b = Network([5, 4], init=name, seed=3).layers[0].weight
        np.testing.assert_array_equal(a, b)


def test_same_seed_same_weights_other_seed_other_weights():
    first = Network([4, 8, 3], seed=42).parameters()
    again = Network([4, 8, 3], seed=42).parameters()
    other = Network([4, 8, 3], seed=43).parameters()
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], other[0])
    assert not np.array_equal(first[2], other[2])


def test_no_global_random_state_is_touched(rng):
    np.random.seed(2026)
    state = np.random.get_state()
    net = Network([4, 8, 3], seed=7)
    Network([4, 8, 3], seed=None)
    Network([4, 3], init="glorot_uniform", seed=1)
    net.gradients(_random_X(rng, 5, 4), rng.normal(size=(5, 3)))
    after = np.random.get_state()
    assert after[0] == state[0]
    np.testing.assert_array_equal(after[1], state[1])
    assert after[2:] == state[2:]


# ----------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize("dtype", ["float32", "float64", np.float32, np.float64])
def test_dtype_is_followed_end_to_end(dtype, rng):
    expected = np.dtype(dtype)
    net = Network([3, 5, 2], "tanh", "sigmoid", seed=0, dtype=dtype)
    assert net.dtype == expected
    assert all(p.dtype == expected for p in net.parameters())
    X = _random_X(rng, 4, 3)  # float64 in: converted to the network's dtype
    y = rng.integers(0, 2, size=(4, 2))
    assert net.predict(X).dtype == expected
    assert net.predict(X.tolist()).dtype == expected
    trace = net.forward(X)
    assert all(a.dtype == expected for a in trace.inputs + trace.node_inputs + trace.node_outputs)
    for loss in ("mse", "binary_cross_entropy"):
        assert isinstance(net.loss(X, y, loss), float)
        for dW, db in net.gradients(X, y, loss):
            assert dW.dtype == expected and db.dtype == expected


def test_float32_network_agrees_with_float64(rng):
    net64 = Network([3, 6, 2], "tanh", seed=5)
    net32 = net64.astype("float32")
    X = _random_X(rng, 8, 3)
    np.testing.assert_allclose(net32.predict(X), net64.predict(X), rtol=1e-5, atol=1e-6)
    assert net64.dtype == np.float64  # astype made a copy
    assert net32.layers[0].weight is not net64.layers[0].weight


def test_copy_is_independent(rng):
    net = Network([3, 4, 1], seed=5)
    clone = net.copy()
    clone.layers[0].weight += 1.0
    assert not np.array_equal(clone.layers[0].weight, net.layers[0].weight)
    X = _random_X(rng, 2, 3)
    assert not np.array_equal(clone.predict(X), net.predict(X))


# ----------------------------------------------------------------------------- inputs
def test_one_dimensional_X_is_one_sample_and_gives_a_one_dimensional_result(rng):
    net = Network([3, 4, 2], "tanh", seed=6)
    x = rng.normal(size=3)
    single = net.predict(x)
    assert single.shape == (2,)
    np.testing.assert_array_equal(single, net.predict(x[None, :])[0])
    assert net.predict(x[None, :]).shape == (1, 2)


def test_lists_are_accepted(rng):
    net = Network([2, 3, 1], "tanh", seed=7)
    X = [[0.5, -1.0], [2.0, 0.25], [1.0, 1.0]]
    y = [1.0, 0.0, 2.0]
    np.testing.assert_array_equal(net.predict(X), net.predict(np.array(X)))
    assert net.loss(X, y) == net.loss(np.array(X), np.array(y)[:, None])
    for (dW_list, db_list), (dW, db) in zip(net.gradients(X, y), net.gradients(np.array(X), np.array(y))):
        np.testing.assert_array_equal(dW_list, dW)
        np.testing.assert_array_equal(db_list, db)
    np.testing.assert_array_equal(net.predict([0.5, -1.0]), net.predict(X)[0])


def test_wrong_width_names_expected_and_got(rng):
    net = Network([3, 4, 1], seed=8)
    with pytest.raises(ValueError, match=r"X has 2 columns.*expects 3 inputs"):
        net.predict(_random_X(rng, 5, 2))
    with pytest.raises(ValueError, match=r"X has 4 columns.*expects 3 inputs"):
        net.predict(rng.normal(size=4))
    with pytest.raises(ValueError, match=r"X has 2 columns.*expects 3 inputs"):
        net.gradients(_random_X(rng, 5, 2), np.zeros(5))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_X_and_y_raise_value_error(bad, rng):
    net = Network([3, 4, 1], seed=9)
    X = _random_X(rng, 4, 3)
    X[2, 1] = bad
    with pytest.raises(ValueError, match=r"X contains NaN or infinity at row 2, column 1"):
        net.predict(X)
    with pytest.raises(ValueError, match="X contains NaN"):
        net.loss(X, np.zeros(4))
    y = np.zeros(4)
    y[3] = bad
    with pytest.raises(ValueError, match="y contains NaN"):
        net.gradients(_random_X(rng, 4, 3), y)


def test_other_bad_inputs_raise_value_error(rng):
    net = Network([3, 2], seed=10)
    with pytest.raises(ValueError, match="X has no rows"):
        net.predict(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"X must be 1-D .* or 2-D"):
        net.predict(np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="X must be numeric"):
        net.predict([["a", "b", "c"]])
    with pytest.raises(ValueError, match=r"y has shape \(4,\).*\(4, 2\)"):
        net.loss(_random_X(rng, 4, 3), np.zeros(4))
    with pytest.raises(ValueError, match=r"y has shape \(3, 2\)"):
        net.loss(_random_X(rng, 4, 3), np.zeros((3, 2)))


# ----------------------------------------------------------------------------- forward trace
def test_forward_trace_keeps_every_layer(rng):
    net = Network([3, 5, 4, 2], ["relu", "tanh"], "sigmoid", seed=11)
    X = _random_X(rng, 6, 3)
    trace = net.forward(X)
    assert isinstance(trace, Trace)
    assert len(trace.inputs) == len(trace.node_inputs) == len(trace.node_outputs) == 3
    np.testing.assert_array_equal(trace.inputs[0], X)
    for index, layer in enumerate(net.layers):
        assert trace.inputs[index].shape == (6, layer.n_inputs)
        assert trace.node_inputs[index].shape == (6, layer.n_outputs)
        assert trace.node_outputs[index].shape == (6, layer.n_outputs)
        z = trace.inputs[index] @ layer.weight + layer.bias
        np.testing.assert_allclose(trace.node_inputs[index], z, rtol=1e-14)
        if index + 1 < len(net.layers):
            assert trace.inputs[index + 1] is trace.node_outputs[index]
    assert trace.output is trace.node_outputs[-1]
    np.testing.assert_array_equal(trace.output, net.predict(X))


# ----------------------------------------------------------------------------- gradients
@pytest.mark.parametrize("bias", [True, False])
def test_gradients_are_shaped_like_the_parameters(bias, rng):
    net = Network([3, 5, 4, 2], "tanh", bias=bias, seed=12)
    grads = net.gradients(_random_X(rng, 7, 3), rng.normal(size=(7, 2)))
    assert len(grads) == len(net.layers)
    for (dW, db), layer in zip(grads, net.layers):
        assert dW.shape == layer.weight.shape
        if bias:
            assert db.shape == layer.bias.shape
        else:
            assert db is None


def test_a_batch_gradient_of_sse_is_the_sum_of_per_sample_gradients(rng):
    net = Network([3, 5, 4, 2], ["tanh", "sigmoid"], seed=13)
    X, y = _random_X(rng, 9, 3), rng.normal(size=(9, 2))
    batch = net.gradients(X, y, "sse")
    per_sample = [net.gradients(X[i], y[i], "sse") for i in range(9)]
    for index, (dW, db) in enumerate(batch):
        np.testing.assert_allclose(dW, sum(g[index][0] for g in per_sample), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(db, sum(g[index][1] for g in per_sample), rtol=1e-12, atol=1e-14)
    # the mean squared error averages them instead: over the 9 samples and the 2 outputs
    for (dW_mse, _), (dW, _) in zip(net.gradients(X, y, "mse"), batch):
        np.testing.assert_allclose(dW_mse, dW / 18, rtol=1e-12, atol=1e-15)


def test_gradients_take_one_pass_per_layer_whatever_the_batch_size(rng, monkeypatch):
    """Whole batches go through in matrix form: no Python loop over samples."""
    calls = {"forward": 0, "weight_slopes": 0}
    forward, weight_slopes = Dense.forward, Dense.weight_slopes

    def counted_forward(self, *args, **kwargs):
        calls["forward"] += 1
        return forward(self, *args, **kwargs)

    def counted_weight_slopes(self, *args, **kwargs):
        calls["weight_slopes"] += 1
        return weight_slopes(self, *args, **kwargs)

    monkeypatch.setattr(Dense, "forward", counted_forward)
    monkeypatch.setattr(Dense, "weight_slopes", counted_weight_slopes)
    net = Network([3, 5, 4, 2], "tanh", seed=14)
    for n in (1, 500):
        calls.update(forward=0, weight_slopes=0)
        net.gradients(_random_X(rng, n, 3), rng.normal(size=(n, 2)))
        assert calls == {"forward": 3, "weight_slopes": 3}


def test_backprop_returns_the_trace_and_node_slopes(rng):
    net = Network([3, 4, 2], "tanh", seed=15)
    X, y = _random_X(rng, 5, 3), rng.normal(size=(5, 2))
    trace, slopes = net.backprop(X, y, "mse")
    np.testing.assert_array_equal(trace.output, net.predict(X))
    np.testing.assert_allclose(slopes.node_values[-1], 2 * (trace.output - y) / 10, rtol=1e-14)
    # hidden node slopes: dL/da = dL/dz(next) @ W(next).T; then dL/dz = dL/da × (1 - a²)
    dL_da = slopes.node_inputs[1] @ net.layers[1].weight.T
    np.testing.assert_allclose(slopes.node_values[0], dL_da, rtol=1e-14)
    np.testing.assert_allclose(slopes.node_inputs[0], dL_da * (1 - trace.node_outputs[0] ** 2), rtol=1e-14)
    for (dW, db), grads in zip(slopes.weights, net.gradients(X, y, "mse")):
        np.testing.assert_array_equal(dW, grads[0])
        np.testing.assert_array_equal(db, grads[1])


def test_repr_names_the_architecture():
    text = repr(Network([2, 3, 1], "tanh", "sigmoid", bias=False, dtype="float32"))
    assert "sizes=[2, 3, 1]" in text and "tanh" in text and "'sigmoid'" in text
    assert "bias=False" in text and "float32" in text


def test_predict_and_loss_keep_one_layer_at_a_time_and_give_forwards_numbers(rng):
    from chainrule.nn import propagation

    net = Network([5, 7, 6, 3], output_activation="softmax", init="he_normal", seed=4)
    X = rng.normal(size=(30, 5))
    trace = propagation.forward(net.layers, X)
    z, a = propagation.last_layer(net.layers, X)
    np.testing.assert_array_equal(z, trace.node_inputs[-1])
    np.testing.assert_array_equal(a, trace.output)
    np.testing.assert_array_equal(net.predict(X), trace.output)


def test_many_rows_are_scored_in_blocks_with_the_same_numbers(rng, monkeypatch):
    from chainrule.nn import propagation

    net = Network([4, 9, 1], init="he_normal", seed=1, dtype="float64")
    X, y = rng.normal(size=(5000, 4)), rng.normal(size=(5000, 1))
    whole_z, whole_a = propagation.last_layer(net.layers, X)
    monkeypatch.setattr(propagation, "BLOCK_VALUES", 9 * 1024)  # blocks of 1,024 rows (the fewest)
    z, a = propagation.last_layer(net.layers, X)
    np.testing.assert_allclose(z, whole_z, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(a, whole_a, rtol=1e-13, atol=1e-13)
    assert net.loss(X, y) == pytest.approx(float(np.mean((whole_a - y) ** 2)), rel=1e-12)


def test_a_replaced_weight_of_the_same_shape_trains_as_the_course_writes_it():
    X, y = np.ones((4, 3)), np.ones((4, 2))
    net = Network([3, 4, 2], activation="tanh", seed=0)
    reference = net.copy()
    (dW0, db0), _ = net.gradients(X, y)
    net.layers[0].weight = net.layers[0].weight - 0.1 * dW0  # replaced, not written into
    net.layers[0].bias = (net.layers[0].bias - 0.1 * db0).tolist()  # a list is taken as numbers
    reference.layers[0].weight[...] -= 0.1 * dW0
    reference.layers[0].bias[...] -= 0.1 * db0
    np.testing.assert_array_equal(net.predict(X), reference.predict(X))
    net.layers[1].weight = np.ones((4, 2), dtype=int)  # stored as the layer's dtype
    assert net.layers[1].weight.dtype == np.float64
    net.step(X, y)


@pytest.mark.parametrize(
    "layer, name, value, message",
    [
        (
            1,
            "weight",
            np.zeros((2, 4)),
            r"new weight of Dense\(4 → 2, identity, bias\) has shape \(2, 4\) \(transposed\?\), but it must keep the shape \(4, 2\)",
        ),
        (
            0,
            "weight",
            np.zeros((3, 5)),
            r"new weight of Dense\(3 → 4, tanh, bias\) has shape \(3, 5\), but it must keep the shape \(3, 4\)",
        ),
        (
            0,
            "bias",
            np.zeros(3),
            r"new bias of Dense\(3 → 4, tanh, bias\) has shape \(3,\), but it must keep the shape \(4,\)",
        ),
        (0, "weight", [["a"] * 4] * 3, r"new weight of Dense\(3 → 4, tanh, bias\) must be real numbers"),
        (0, "weight", [[1, 2], [3]], r"new weight of Dense\(3 → 4, tanh, bias\) must be a rectangular array"),
        (0, "bias", None, "bias cannot be added or removed"),
    ],
)
def test_a_replaced_weight_that_cannot_work_is_refused_when_it_is_set(layer, name, value, message):
    net = Network([3, 4, 2], activation="tanh", seed=0)
    with pytest.raises(ValueError, match=message):
        setattr(net.layers[layer], name, value)
    np.testing.assert_array_equal(
        net.predict(np.ones((1, 3))),
        Network([3, 4, 2], activation="tanh", seed=0).predict(np.ones((1, 3))),
    )


def test_a_read_only_replacement_is_copied_so_training_can_write_into_it():
    X, y = np.ones((4, 3)), np.ones((4, 1))
    net = Network([3, 4, 1], seed=0)
    net.layers[0].weight = np.broadcast_to(0.1, (3, 4))  # read-only
    assert net.layers[0].weight.flags.writeable
    net.step(X, y, lr=0.1)
    assert not np.all(net.layers[0].weight == 0.1)
