"""The course, section by section, with every number computed by chainrule.

Run it with ``python examples/course.py [path/to/binary.csv]``: the admissions data of the
last section is the course's, not the repository's, and is read from ``../shared/data/binary.csv``
beside the repository unless a path is given (without it that section says so, and the
script exits with 2 after the other sections). Each line shows chainrule's
value and, beside it, the value the course printed (or what the course says it should be).
The last section runs the course's training on the admissions data (examples/admissions.py).

The course builds networks from dictionaries of node weights: ``'node_0': [1, 1]``
lists the weights coming into hidden node 0, ``'output'`` those coming into the
output node. ``Network.from_node_weights`` reads exactly that format.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from chainrule import Network, gradcheck


def fmt(value) -> str:
    """A number or array as the course prints it: whole numbers without a decimal point."""
    array = np.asarray(value, dtype=np.float64)
    if np.all(array == np.round(array)):
        array = array.astype(np.int64)
    if array.ndim == 0:
        return str(array) if array.dtype.kind == "i" else f"{float(array):.12g}"
    return np.array2string(array, precision=8)


def show(label: str, value, course: str, source: str = "course") -> None:
    """One result: chainrule's value beside the course's (``source``: where that comes from)."""
    text = fmt(value)
    if "\n" in text or "\n" in course:
        print(f"  {label}\n    chainrule:\n{_indent(text)}\n    {source}:\n{_indent(course)}")
    else:
        print(f"  {label:<34} chainrule {text:<26} {source} {course}")


def _indent(text: str) -> str:
    return "\n".join(("      " + line).rstrip() for line in text.splitlines())


def heading(title: str) -> None:
    print(f"\n{title}\n{'=' * len(title)}")


def step(net: Network, x, y, loss: str, lr: float) -> None:
    """One step of gradient descent: every weight moves by -learning rate × its slope."""
    for layer, (dW, db) in zip(net.layers, net.gradients(x, y, loss)):
        layer.weight -= lr * dW
        if db is not None:
            layer.bias -= lr * db


# -----------------------------------------------------------------------------
heading("1. Forward propagation")
# Each hidden node adds up the inputs times its weights; the output node does
# the same with the hidden nodes' values. No activation yet ("identity").
weights = {"node_0": [1, 1], "node_1": [-1, 1], "output": [2, -1]}
net = Network.from_node_weights(weights, activation="identity")
trace = net.forward([2, 3])  # keeps every layer's values, not just the output
show("hidden layer values", trace.node_outputs[0][0], "[5 1]")
show("output", trace.output[0, 0], "9")

# More hidden layers: node_<layer>_<index> names each hidden node.
deep = Network.from_node_weights(
    {"node_0_0": [2, 4], "node_0_1": [4, -5], "node_1_0": [-1, 1], "node_1_1": [2, 2], "output": [-3, 7]},
    activation="relu",
)
trace = deep.forward([3, 5])
show("first hidden layer (relu)", trace.node_outputs[0][0], "[26  0]")
show("second hidden layer (relu)", trace.node_outputs[1][0], "[ 0 52]")
show("output", trace.output[0, 0], "364")

# -----------------------------------------------------------------------------
heading("2. Activation functions")
# An activation function turns a node's input into its output.
net = Network.from_node_weights(weights, activation="tanh")
trace = net.forward([2, 3])
show("tanh: hidden layer values", trace.node_outputs[0][0], "[ 0.9999092   0.76159416]")
show("tanh: output", trace.output[0, 0], "1.23822425257")

# ReLU: max(0, input). Here the course applies it to the hidden nodes only.
relu_weights = {"node_0": [3, 3], "node_1": [1, 5], "output": [2, -1]}
net = Network.from_node_weights(relu_weights, activation="relu", output_activation="identity")
trace = net.forward([-1, 2])
show("relu: hidden layer values", trace.node_outputs[0][0], "[3 9]")
show("relu: output", trace.output[0, 0], "-3")

# predict_with_network applies relu to the output too; predict takes many rows at once.
net = Network.from_node_weights(relu_weights, activation="relu", output_activation="relu")
rows = np.array([[3, 5], [2, -1], [0, 0], [8, 4]])
show("predictions for 4 rows", net.predict(rows)[:, 0], "[20, 6, 0, 44]")

# -----------------------------------------------------------------------------
heading("3. Loss")
# The error is prediction - target; changing one weight can make it 0.
weights_0 = {"node_0": [2, 1], "node_1": [1, 2], "output": [1, 1]}
weights_1 = {"node_0": [2, 1], "node_1": [1, 0], "output": [1, 1]}
for name, w, course in (("weights_0", weights_0, "6"), ("weights_1", weights_1, "0")):
    net = Network.from_node_weights(w, activation="relu", output_activation="relu")
    show(f"error with {name}", net.predict([0, 3])[0] - 3, course)

# The mean squared error turns the errors on many points into one number.
weights_1 = {"node_0": [2, 1], "node_1": [1.0, 1.5], "output": [1.0, 1.5]}
points = np.array([[0, 3], [1, 2], [-1, -2], [4, 0]])
targets = [1, 3, 5, 7]
for name, w, course in (("weights_0", weights_0, "37.500000"), ("weights_1", weights_1, "49.890625")):
    net = Network.from_node_weights(w, activation="relu", output_activation="relu")
    show(f"mean squared error with {name}", net.loss(points, targets, "mse"), course)

# -----------------------------------------------------------------------------
heading("4. Slopes and gradient descent")
# No hidden layer: three inputs go straight into the output node.
x, target = np.array([1, 2, 3]), 0
net = Network.from_node_weights({"output": [0, 2, 1]})
# For one sample the course's slope 2 * input * error is the gradient of the mse.
[(slopes, _)] = net.gradients(x, target, "mse")
show("slopes", slopes[:, 0], "[14 28 42]")
show("error", net.predict(x)[0] - target, "7")
step(net, x, target, "mse", lr=0.01)  # weights - 0.01 * slopes
show("error after one update", net.predict(x)[0] - target, "5.04")

# The worked example: one weight 2 from a node of value 3, prediction 6, target 10.
# slope = node value × slope of the activation (here 1) × slope of the loss; the course
# writes the same product as node value × slope of the loss × slope of the activation.
net = Network.from_node_weights({"output": [2]})
[record] = net.explain([3], 10, "mse").weights
print(
    f"  slope = node value {fmt(record.node_value)} × activation slope {fmt(record.activation_slope)}"
    f" × loss slope {fmt(record.loss_slope)} = {fmt(record.slope)}   (course: 3 × 2·(-4) × 1 = -24)"
)
show("new weight, 2 - 0.01 × slope", record.weight - 0.01 * record.slope, "2.24")

# Two inputs: weights [1, 2], input [3, 4], target 6.
net = Network.from_node_weights({"output": [1, 2]})
x2 = np.array([3, 4])
show("error", net.predict(x2)[0] - 6, "5")
[(gradient, _)] = net.gradients(x2, 6, "mse")
show("gradient", gradient[:, 0], "[30 40]")
step(net, x2, 6, "mse", lr=0.01)
show("error after one update", net.predict(x2)[0] - 6, "2.5")

# Twenty updates in a row: the mean squared error falls every time.
net = Network.from_node_weights({"output": [0, 2, 1]})
mse_hist = []
for _ in range(20):
    step(net, x, target, "mse", lr=0.01)
    mse_hist.append(net.loss(x, target, "mse"))
print("  mse after each of 20 updates (the course plots this curve, falling towards 0):")
print("   ", " ".join(f"{mse:.4g}" for mse in mse_hist))

# -----------------------------------------------------------------------------
heading("5. Backpropagation")
# explain lays out every slope as the product of its three chain-rule factors,
# and every node's slope as the sum over the weights leaving it.
net = Network.from_node_weights(weights_0, activation="relu")
print("  The course's network, input [0, 3], target 3:\n")
print(_indent(str(net.explain([0, 3], 3, "mse"))))

# Quiz "a round of backpropagation": node value 3, slope 2 at the node fed, relu slope 1.
net = Network.from_node_weights({"node_0": [1], "output": [1]}, activation="relu")
quiz = next(r for r in net.explain([3], 2, "sse").weights if r.target == "node_0_0")
show("slope of the weight in the quiz", quiz.slope, "6")

# Seed 002 writes the step as del_w = lr × (y - output) × f'(h) × x, which is
# -(lr / 2) × the slope of the mse on one sample.
print("\n  Seed 002's first step: one sigmoid unit, x = [0.1, 0.3], y = 0.2, weights [-0.8, 0.5],")
print("  learning rate 0.5 (the course gives the code, not its numbers):")
first = Network.from_weights([np.array([[-0.8], [0.5]])], output_activation="sigmoid")
[(first_slopes, _)] = first.gradients([0.1, 0.3], 0.2, "mse")
print(
    f"    output {fmt(first.predict([0.1, 0.3])[0])}, change in weights {fmt(-(0.5 / 2) * first_slopes[:, 0])}"
)

print("\n  One sigmoid unit, x = [1, 2, 3, 4], y = 0.5, learning rate 0.5. The course gives the code,")
print("  not its numbers: beside chainrule, that code run as written (its '2. 3' read as 2, 3):")
learnrate = 0.5
x4 = np.array([1, 2, 3, 4])
unit = Network.from_weights([np.array([[0.5], [-0.5], [0.3], [0.1]])], output_activation="sigmoid")
output = unit.predict(x4)[0]
[(unit_slopes, _)] = unit.gradients(x4, 0.5, "mse")
course_h = np.dot(x4, np.array([0.5, -0.5, 0.3, 0.1]))  # the course's code, step by step
course_output = 1 / (1 + np.exp(-course_h))
course_error = 0.5 - course_output
course_del_w = learnrate * course_error * course_output * (1 - course_output) * x4
show("output", output, fmt(course_output), "its code")
show("error, y - output", 0.5 - output, fmt(course_error), "its code")
show("change in weights", -(learnrate / 2) * unit_slopes[:, 0], fmt(course_del_w), "its code")

print("\n  Two layers of sigmoids, x = [0.5, 0.1, -0.2], target 0.6, learning rate 0.5:")
two_layer = Network.from_weights(
    [np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]), np.array([[0.1], [-0.3]])],
    activation="sigmoid",
    output_activation="sigmoid",
)
(slopes_input_hidden, _), (slopes_hidden_output, _) = two_layer.gradients([0.5, 0.1, -0.2], 0.6, "mse")
show("change, hidden to output", -(learnrate / 2) * slopes_hidden_output[:, 0], "[ 0.00804047  0.00555918]")
show(
    "change, input to hidden",
    -(learnrate / 2) * slopes_input_hidden,
    "[[  1.77005547e-04  -5.11178506e-04]\n [  3.54011093e-05  -1.02235701e-04]\n"
    " [ -7.08022187e-05   2.04471402e-04]]",
)

# -----------------------------------------------------------------------------
heading("6. Gradient check")
# Compare backpropagation with slopes measured by nudging each weight a little
# (finite differences) on a random 2-3-1 network with biases.
rng = np.random.default_rng(0)
net = Network([2, 3, 1], activation="tanh", seed=0)
for layer in net.layers:
    layer.bias[...] = rng.normal(size=layer.bias.shape)
X, y = rng.normal(size=(5, 2)), rng.normal(size=5)
error = gradcheck(net, X, y, "mse")
print(
    f"  gradient check relative error: {error:.2e}  (1e-10 or less: they agree, to float64 rounding; a wrong slope gives ~1)"
)

# -----------------------------------------------------------------------------
heading("7. Training on the admissions data")
# Seed 003's two training runs on binary.csv (examples/admissions.py, by Network.fit):
# the course prints ten train losses and "Prediction accuracy: 0.725" for the first.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import admissions  # noqa: E402  (examples/admissions.py, beside this file)

sys.exit(admissions.main(sys.argv[1:]))
