"""Every number the course prints, recomputed by chainrule's public API.

The course material lives in ``shared/seeds/*.txt``. Each test builds the
course's network with ``Network.from_node_weights`` (or ``from_weights``), lets
the library compute predictions, losses and slopes, and compares with the text
the course printed, to every digit shown (see ``assert_printed``). Weight
updates are ``w - lr * slope`` with the library's slopes; no formula of the
course is re-typed, except where a test runs the course's own loop as an
independent reference.

Conventions that connect the course to the library:

* the course's slope ``2 * x * error`` is the gradient of the squared error of
  one sample: ``loss="mse"`` on one sample (or ``"sse"``);
* seed 002's step ``del_w = lr * (y - out) * f'(h) * x`` is ``-(lr / 2)`` times
  the gradient of ``"mse"`` on one sample.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pytest
from sklearn.metrics import mean_squared_error

import chainrule.nn.propagation
from chainrule import Network

# --------------------------------------------------------------------------- helpers
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
_INTEGER = re.compile(r"[-+]?\d+")


def assert_printed(actual, printed: str) -> None:
    """``actual`` agrees with the course's printed text to every digit it shows.

    ``printed`` is copied verbatim from the seeds (a number or a NumPy array as
    NumPy prints it). A number printed with a decimal point or exponent stands
    for an interval of half a unit of its last digit (``5.04`` is 5.04 ± 0.005,
    ``1.77005547e-04`` is ± 5e-13); a number printed as an integer must match
    exactly.
    """
    tokens = _NUMBER.findall(printed)
    values = np.ravel(np.asarray(actual, dtype=np.float64))
    assert values.size == len(tokens), f"{values.size} values computed, {len(tokens)} printed in {printed!r}"
    for value, token in zip(values, tokens):
        if _INTEGER.fullmatch(token):
            assert value == int(token), f"{value!r} != printed {token}"
        else:
            half_unit = 0.5 * 10.0 ** Decimal(token).as_tuple().exponent
            assert value == pytest.approx(float(token), rel=0, abs=half_unit), f"{value!r} vs printed {token}"


def step(net: Network, x, y, loss: str, lr: float) -> None:
    """One gradient-descent update of every weight: w ← w - lr × slope (slopes from the library)."""
    for layer, (dW, db) in zip(net.layers, net.gradients(x, y, loss)):
        layer.weight -= lr * dW
        if db is not None:
            layer.bias -= lr * db


def test_assert_printed_reads_the_printed_digits():
    assert_printed(5.0449, "5.04")
    assert_printed([5.0, 1.0], "[5 1]")
    assert_printed(1.770055474e-04, "1.77005547e-04")
    with pytest.raises(AssertionError):
        assert_printed(5.046, "5.04")
    with pytest.raises(AssertionError):
        assert_printed(5.000001, "5")
    with pytest.raises(AssertionError):
        assert_printed([1.0, 2.0], "[1 2 3]")


# ------------------------------------------------------------- forward propagation
# seed 003 "01 Basics"
BASIC_WEIGHTS = {"node_0": [1, 1], "node_1": [-1, 1], "output": [2, -1]}
RELU_WEIGHTS = {"node_0": [3, 3], "node_1": [1, 5], "output": [2, -1]}
DEEP_WEIGHTS = {
    "node_0_0": [2, 4],
    "node_0_1": [4, -5],
    "node_1_0": [-1, 1],
    "node_1_1": [2, 2],
    "output": [-3, 7],
}


def test_forward_propagation_identity():
    net = Network.from_node_weights(BASIC_WEIGHTS, activation="identity")
    trace = net.forward([2, 3])
    assert_printed(trace.node_outputs[0], "[5 1]")
    assert_printed(trace.output, "9")
    assert_printed(net.predict([2, 3]), "9")


def test_forward_propagation_tanh():
    net = Network.from_node_weights(BASIC_WEIGHTS, activation="tanh")
    trace = net.forward([2, 3])
    assert_printed(trace.node_outputs[0], "[ 0.9999092   0.76159416]")
    assert_printed(trace.output, "1.23822425257")


def test_forward_propagation_relu_hidden_only():
    # The course applies relu to the hidden nodes here, not to the output (which is -3).
    net = Network.from_node_weights(RELU_WEIGHTS, activation="relu", output_activation="identity")
    trace = net.forward([-1, 2])
    assert_printed(trace.node_outputs[0], "[3 9]")
    assert_printed(trace.output, "-3")


def test_predictions_for_many_rows():
    # predict_with_network applies relu to the output as well.
    net = Network.from_node_weights(RELU_WEIGHTS, activation="relu", output_activation="relu")
    input_data = np.array([[3, 5], [2, -1], [0, 0], [8, 4]])
    assert_printed(net.predict(input_data), "[20, 6, 0, 44]")


def test_two_hidden_layers():
    net = Network.from_node_weights(DEEP_WEIGHTS, activation="relu", output_activation="identity")
    assert net.sizes == [2, 2, 2, 1]
    trace = net.forward([3, 5])
    assert_printed(trace.node_outputs[0], "[26 0]")
    assert_printed(trace.node_outputs[1], "[ 0 52]")
    assert_printed(trace.output, "364")


# ------------------------------------------------------------------------ errors
# seeds 000, 001 and 004: "Coding how weight changes affect accuracy"
WEIGHTS_0 = {"node_0": [2, 1], "node_1": [1, 2], "output": [1, 1]}


@pytest.mark.parametrize(
    "weights_1",
    [
        pytest.param({"node_0": [2, 1], "node_1": [1, 2], "output": [1, 0]}, id="seed000-output"),
        pytest.param({"node_0": [2, 1], "node_1": [1, 0], "output": [1, 1]}, id="seed001-004-node_1"),
    ],
)
def test_errors_before_and_after_changing_one_weight(weights_1):
    input_data, target_actual = np.array([0, 3]), 3
    errors = []
    for weights in (WEIGHTS_0, weights_1):
        net = Network.from_node_weights(weights, activation="relu", output_activation="relu")
        errors.append(net.predict(input_data)[0] - target_actual)
    assert_printed(errors[0], "6")
    assert_printed(errors[1], "0")


def test_mean_squared_error_over_many_points():
    weights_1 = {"node_0": [2, 1], "node_1": [1.0, 1.5], "output": [1.0, 1.5]}
    input_data = np.array([[0, 3], [1, 2], [-1, -2], [4, 0]])
    target_actuals = [1, 3, 5, 7]
    printed = {"weights_0": "37.500000", "weights_1": "49.890625"}
    for name, weights in (("weights_0", WEIGHTS_0), ("weights_1", weights_1)):
        net = Network.from_node_weights(weights, activation="relu", output_activation="relu")
        mse = net.loss(input_data, target_actuals, "mse")
        assert_printed(mse, printed[name])
        reference = mean_squared_error(target_actuals, net.predict(input_data)[:, 0])
        assert mse == pytest.approx(reference, rel=1e-15)


# ---------------------------------------------------------- slopes and updates
# seeds 000, 001, 004: a network without hidden layers, 3 inputs straight into the output.
SLOPE_INPUT = np.array([1, 2, 3])
SLOPE_TARGET = 0


def no_hidden_layer(weights) -> Network:
    net = Network.from_node_weights({"output": weights}, output_activation="identity")
    assert net.sizes == [len(weights), 1] and not net.has_bias
    return net


@pytest.mark.parametrize("loss", ["mse", "sse"])
def test_calculating_slopes(loss):
    # One sample: the course's 2 * input_data * error is the slope of "mse" (and of "sse").
    net = no_hidden_layer([0, 2, 1])
    [(dW, db)] = net.gradients(SLOPE_INPUT, SLOPE_TARGET, loss)
    assert db is None
    assert_printed(dW[:, 0], "[14 28 42]")


def test_improving_model_weights():
    net = no_hidden_layer([0, 2, 1])
    error = net.predict(SLOPE_INPUT)[0] - SLOPE_TARGET
    step(net, SLOPE_INPUT, SLOPE_TARGET, "mse", lr=0.01)
    error_updated = net.predict(SLOPE_INPUT)[0] - SLOPE_TARGET
    assert_printed(error, "7")
    assert_printed(error_updated, "5.04")


def test_slope_calculation_worked_example():
    # One weight 2 from a node of value 3: prediction 6, target 10, no activation.
    net = no_hidden_layer([2])
    explanation = net.explain([3], 10, "mse")
    (record,) = explanation.weights
    assert_printed(explanation.prediction, "6")
    assert_printed(record.node_value, "3")
    assert_printed(record.loss_slope, "-8")  # 2 * (6 - 10) = 2 * (-4)
    assert_printed(record.activation_slope, "1")
    assert_printed(record.slope, "-24")  # 2 * (-4) * 3
    new_weight = record.weight - 0.01 * record.slope
    assert_printed(new_weight, "2.24")


def test_network_with_two_inputs():
    net = no_hidden_layer([1, 2])
    input_data, target = np.array([3, 4]), 6
    error = net.predict(input_data)[0] - target
    [(gradient, _)] = net.gradients(input_data, target, "mse")
    step(net, input_data, target, "mse", lr=0.01)
    error_updated = net.predict(input_data)[0] - target
    assert_printed(error, "5")
    assert_printed(gradient[:, 0], "[30 40]")
    assert_printed(error_updated, "2.5")


def course_mse_history(weights, input_data, target, n_updates, learning_rate):
    """The course's own loop (seeds 000, 001, 004), as an independent reference."""

    def get_error(input_data, target, weights):
        preds = (weights * input_data).sum()
        return preds - target

    def get_slope(input_data, target, weights):
        return 2 * input_data * get_error(input_data, target, weights)

    def get_mse(input_data, target, weights):
        return np.mean(get_error(input_data, target, weights) ** 2)

    mse_hist = []
    for _ in range(n_updates):
        slope = get_slope(input_data, target, weights)
        weights = weights - learning_rate * slope
        mse_hist.append(get_mse(input_data, target, weights))
    return mse_hist


def test_making_multiple_updates_to_weights():
    net = no_hidden_layer([0, 2, 1])
    mse_hist = []
    for _ in range(20):
        step(net, SLOPE_INPUT, SLOPE_TARGET, "mse", lr=0.01)
        mse_hist.append(net.loss(SLOPE_INPUT, SLOPE_TARGET, "mse"))
    reference = course_mse_history(np.array([0, 2, 1]), SLOPE_INPUT, SLOPE_TARGET, 20, 0.01)
    np.testing.assert_allclose(mse_hist, reference, rtol=1e-12, atol=1e-12)
    assert mse_hist[0] == pytest.approx(5.04**2)
    assert np.all(np.diff(mse_hist) < 0), "the loss must fall with every update"


# -------------------------------------------------------- seed 002: sigmoid unit
def sigmoid_unit(weights) -> Network:
    """One sigmoid output node fed directly by the inputs, no bias (seed 002)."""
    return Network.from_weights([np.asarray(weights, dtype=float)[:, None]], output_activation="sigmoid")


def course_weight_step(x, y, weights, learnrate):
    """Seed 002's gradient-descent step, as the course wrote it (independent reference)."""

    def sigmoid(h):
        return 1 / (1 + np.exp(-h))

    h = np.dot(x, weights)
    nn_output = sigmoid(h)
    error_term = (y - nn_output) * sigmoid(h) * (1 - sigmoid(h))
    return learnrate * error_term * x


def test_sigmoid_gradient_descent_step():
    x, y, weights, learnrate = np.array([0.1, 0.3]), 0.2, np.array([-0.8, 0.5]), 0.5
    net = sigmoid_unit(weights)
    [(dW, _)] = net.gradients(x, y, "mse")
    del_w = -(learnrate / 2) * dW[:, 0]
    np.testing.assert_allclose(del_w, course_weight_step(x, y, weights, learnrate), rtol=1e-12)
    assert np.all(del_w < 0), "the output 0.517 is above the target 0.2, so both weights fall"


def test_sigmoid_exercise():
    """Seed 002 gives this exercise's code and prints nothing: the digits below are what its
    code prints when run (its `2. 3` read as 2, 3), and chainrule must print the same."""
    x, y, w, learnrate = np.array([1, 2, 3, 4]), 0.5, np.array([0.5, -0.5, 0.3, 0.1]), 0.5
    course_output = 1 / (1 + np.exp(-np.dot(x, w)))  # the course's code
    assert_printed(course_output, "0.689974481128")
    assert_printed(learnrate * (y - course_output) * course_output * (1 - course_output) * x,
                   "[-0.02031869 -0.04063738 -0.06095608 -0.08127477]")  # fmt: skip
    net = sigmoid_unit(w)
    nn_output = net.predict(x)[0]
    [(dW, _)] = net.gradients(x, y, "mse")
    del_w = -(learnrate / 2) * dW[:, 0]
    assert_printed(nn_output, "0.689974481128")
    assert_printed(y - nn_output, "-0.189974481128")
    assert_printed(del_w, "[-0.02031869 -0.04063738 -0.06095608 -0.08127477]")


def test_two_layer_backpropagation_example():
    x, target, learnrate = np.array([0.5, 0.1, -0.2]), 0.6, 0.5
    weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    weights_hidden_output = np.array([0.1, -0.3])
    net = Network.from_weights(
        [weights_input_hidden, weights_hidden_output[:, None]],
        activation="sigmoid",
        output_activation="sigmoid",
    )
    (dW_ih, _), (dW_ho, _) = net.gradients(x, target, "mse")
    delta_w_h_o = -(learnrate / 2) * dW_ho[:, 0]
    delta_w_i_h = -(learnrate / 2) * dW_ih
    assert_printed(delta_w_h_o, "[ 0.00804047  0.00555918]")
    assert_printed(
        delta_w_i_h,
        """[[  1.77005547e-04  -5.11178506e-04]
            [  3.54011093e-05  -1.02235701e-04]
            [ -7.08022187e-05   2.04471402e-04]]""",
    )


# ------------------------------------------------------------------- quizzes
def test_zero_error_means_zero_slopes():
    # Seed 001, 3.4: when every prediction is exactly right, every update is 0.
    weights_1 = {"node_0": [2, 1], "node_1": [1, 0], "output": [1, 1]}
    net = Network.from_node_weights(weights_1, activation="relu", output_activation="relu")
    for dW, _ in net.gradients([0, 3], 3, "mse"):
        assert np.all(dW == 0)


@pytest.mark.parametrize(
    ("activation", "output_activation", "loss"),
    [("relu", "identity", "mse"), ("tanh", "identity", "sse"), ("sigmoid", "sigmoid", "mse")],
)
def test_zero_error_means_zero_slopes_in_any_network(rng, activation, output_activation, loss):
    net = Network([3, 4, 2, 1], activation, output_activation, seed=1)
    for layer in net.layers:
        layer.bias[...] = rng.normal(size=layer.bias.shape)
    X = rng.normal(size=(5, 3))
    for dW, db in net.gradients(X, net.predict(X), loss):
        assert np.all(dW == 0) and np.all(db == 0)


def test_four_updates_take_four_forward_passes(monkeypatch):
    # Seed 001, 3.3: four rounds of (backpropagation, update) need four forward passes.
    calls = []
    original = chainrule.nn.propagation.forward

    def counting_forward(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(chainrule.nn.propagation, "forward", counting_forward)
    net = Network.from_node_weights(WEIGHTS_0, activation="relu")
    for _ in range(4):
        step(net, [0, 3], 3, "mse", lr=0.01)
    assert len(calls) == 4


def test_a_round_of_backpropagation():
    # Seed 001, 4.4: slope = value of the node feeding in (3) × slope of the loss at the
    # node fed (2) × slope of its relu (1, it receives a positive input) = 6.
    net = Network.from_node_weights({"node_0": [1], "output": [1]}, activation="relu")
    explanation = net.explain([3], 2, "sse")  # prediction 3, loss slope 2 × (3 - 2) = 2
    hidden = next(record for record in explanation.weights if record.target == "node_0_0")
    assert (hidden.node_value, hidden.activation_slope) == (3, 1)
    node_slope = next(node.slope for node in explanation.nodes if node.name == "node_0_0")
    assert hidden.loss_slope == node_slope == 2
    assert hidden.slope == hidden.node_value * hidden.loss_slope * hidden.activation_slope == 6


# -------------------------------------------------------- explain's contract
EXPLAIN_CASES = [
    pytest.param([2, 2, 1], "relu", "identity", "mse", False, id="course-relu"),
    pytest.param([3, 4, 1], "tanh", "identity", "sse", True, id="tanh-sse-bias"),
    pytest.param([2, 3, 3, 2], "relu", "identity", "mse", True, id="relu-deep-2-outputs"),
    pytest.param([4, 3, 1], "sigmoid", "sigmoid", "mse", False, id="sigmoid-mse"),
    pytest.param([3, 5, 1], "leaky_relu", "sigmoid", "binary_cross_entropy", True, id="bce"),
    pytest.param([3, 4, 3], "tanh", "softmax", "cross_entropy", True, id="softmax"),
]


@pytest.mark.parametrize(("sizes", "activation", "output_activation", "loss", "bias"), EXPLAIN_CASES)
def test_explain_lays_out_the_chain_rule(rng, sizes, activation, output_activation, loss, bias):
    net = Network(sizes, activation, output_activation, bias=bias, seed=7)
    if bias:
        for layer in net.layers:
            layer.bias[...] = rng.normal(scale=0.5, size=layer.bias.shape)
    x = rng.normal(size=sizes[0])
    y = np.eye(sizes[-1])[1] if loss == "cross_entropy" else rng.uniform(0.1, 0.9, size=sizes[-1])
    explanation = net.explain(x, y, loss)

    # Every slope is node value × activation slope × loss slope ...
    for record in explanation.weights:
        product = record.node_value * record.activation_slope * record.loss_slope
        assert product == pytest.approx(record.slope, rel=1e-12)

    # ... and equals what backpropagation over the batch gives.
    gradients = net.gradients(x[None, :], y[None, :], loss)
    for index, (dW, db) in enumerate(gradients):
        records = [r for r in explanation.weights if r.layer == index]
        from_weights = np.array([r.slope for r in records if r.source != "bias"]).reshape(dW.shape)
        np.testing.assert_array_equal(from_weights, dW)
        if db is not None:
            np.testing.assert_array_equal([r.slope for r in records if r.source == "bias"], db)

    # Each node's slope is the sum over its outgoing weights of weight × activation slope
    # × loss slope at the node fed.
    n_layers = len(net.layers)
    for node in explanation.nodes:
        if node.layer == n_layers - 1:
            continue
        terms = [
            r.weight * r.activation_slope * r.loss_slope for r in explanation.weights if r.source == node.name
        ]
        assert len(terms) == net.sizes[node.layer + 2]
        tolerance = 1e-12 * sum(abs(term) for term in terms)
        assert node.slope == pytest.approx(sum(terms), rel=0, abs=tolerance)
