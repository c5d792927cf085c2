"""The course's two admissions training runs, reproduced by Network.fit.

The references are the course's own per-record loops, copied from the course
(seed 003 "Implementing Backpropagation" and seed 002 "Implementing with NumPy"),
with ``features.values`` read as the NumPy array ``chainrule.course.admissions``
returns and the global ``np.random.seed(s); np.random.normal(...)`` written as the
legacy ``np.random.RandomState(s).normal(...)``, which draws the same numbers
without touching NumPy's global state.

Scaling: the course's weight step is learnrate × error_term × x averaged over the
records, with error = y - output, i.e. learnrate / 2 × the slope of the MSE
(dL/da = 2 (a - y) / n). So the course's learnrate 0.005 is chainrule's lr 0.0025,
and 0.5 is 0.25.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from course_baseline import course_loop

from chainrule import Network
from chainrule.course import FEATURES, admissions, course_initial_weights


def sigmoid(x):
    """Calculate sigmoid"""
    return 1 / (1 + np.exp(-x))


@functools.cache
def course_two_layer(path):
    """Seed 003's loop: 6 inputs, 2 sigmoid hidden units, 1 sigmoid output, no biases."""
    data = admissions(path)
    features, targets = data.features, data.targets
    features_test, targets_test = data.features_test, data.targets_test
    rng = np.random.RandomState(21)  # np.random.seed(21)

    # Hyperparameters
    n_hidden = 2  # number of hidden units
    epochs = 900
    learnrate = 0.005

    n_records, n_features = features.shape
    # Initialize weights
    weights_input_hidden = rng.normal(scale=1 / n_features**0.5, size=(n_features, n_hidden))
    weights_hidden_output = rng.normal(scale=1 / n_features**0.5, size=n_hidden)
    losses = []

    for e in range(epochs):
        del_w_input_hidden = np.zeros(weights_input_hidden.shape)
        del_w_hidden_output = np.zeros(weights_hidden_output.shape)
        for x, y in zip(features, targets):
            ## Forward pass ##
            hidden_input = np.dot(x, weights_input_hidden)
            hidden_output = sigmoid(hidden_input)
            output = sigmoid(np.dot(hidden_output, weights_hidden_output))

            ## Backward pass ##
            error = y - output
            output_error_term = error * output * (1 - output)
            hidden_error = np.dot(output_error_term, weights_hidden_output)
            hidden_error_term = hidden_error * hidden_output * (1 - hidden_output)
            del_w_hidden_output += output_error_term * hidden_output
            del_w_input_hidden += hidden_error_term * x[:, None]

        weights_input_hidden += learnrate * del_w_input_hidden / n_records
        weights_hidden_output += learnrate * del_w_hidden_output / n_records

        # The course's "training loss": note it feeds only the last record x forward.
        if e % (epochs / 10) == 0:
            hidden_output = sigmoid(np.dot(x, weights_input_hidden))
            out = sigmoid(np.dot(hidden_output, weights_hidden_output))
            loss = np.mean((out - targets) ** 2)
            losses.append(loss)

    # Calculate accuracy on test data
    hidden = sigmoid(np.dot(features_test, weights_input_hidden))
    out = sigmoid(np.dot(hidden, weights_hidden_output))
    predictions = out > 0.5
    accuracy = np.mean(predictions == targets_test)
    return weights_input_hidden, weights_hidden_output, losses, accuracy


@functools.cache
def course_single_layer(path):
    """Seed 002's loop: 6 inputs straight into 1 sigmoid output, no hidden layer, no bias."""
    data = admissions(path)
    features, targets = data.features, data.targets
    features_test, targets_test = data.features_test, data.targets_test
    rng = np.random.RandomState(42)  # np.random.seed(42), after data_prep

    n_records, n_features = features.shape
    last_loss = None
    # Initialize weights
    weights = rng.normal(scale=1 / n_features**0.5, size=n_features)

    # Neural Network hyperparameters
    epochs = 1000
    learnrate = 0.5
    losses, warnings = [], []

    for e in range(epochs):
        del_w = np.zeros(weights.shape)
        for x, y in zip(features, targets):
            output = sigmoid(np.dot(x, weights))
            error = y - output
            error_term = error * output * (1 - output)
            del_w += error_term * x
        weights += (del_w * learnrate) / n_records

        # Printing out the mean square error on the training set
        if e % (epochs / 10) == 0:
            out = sigmoid(np.dot(features, weights))
            loss = np.mean((out - targets) ** 2)
            losses.append(loss)
            warnings.append(bool(last_loss and last_loss < loss))
            last_loss = loss

    # Calculate accuracy on test data
    tes_out = sigmoid(np.dot(features_test, weights))
    predictions = tes_out > 0.5
    accuracy = np.mean(predictions == targets_test)
    return weights, losses, warnings, accuracy


def _accuracy(net, data) -> float:
    return float(np.mean((net.predict(data.features_test)[:, 0] > 0.5) == data.targets_test))


# ----------------------------------------------------------------------------- the course's data
def test_admissions_data_prep(binary_csv):
    data = admissions(binary_csv)
    assert data.features.shape == (360, 6) and data.features_test.shape == (40, 6)
    assert data.targets.shape == (360,) and data.targets_test.shape == (40,)
    assert FEATURES == ["gre", "gpa", "rank_1", "rank_2", "rank_3", "rank_4"]
    everything = np.vstack([data.features, data.features_test])
    np.testing.assert_allclose(everything[:, :2].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(everything[:, :2].std(axis=0, ddof=1), 1.0, rtol=1e-12)
    np.testing.assert_array_equal(everything[:, 2:].sum(axis=1), 1.0)  # one-hot rank
    assert len(set(data.train_index)) == 360
    # the training rows are np.random.seed(21); np.random.choice(index, size=360, replace=False)
    np.testing.assert_array_equal(
        data.train_index, np.random.RandomState(21).choice(np.arange(400), size=360, replace=False)
    )


def test_course_initial_weights_are_the_courses_draws():
    weights = course_initial_weights()
    rng = np.random.RandomState(21)
    np.testing.assert_array_equal(weights[0], rng.normal(scale=1 / 6**0.5, size=(6, 2)))
    np.testing.assert_array_equal(weights[1][:, 0], rng.normal(scale=1 / 6**0.5, size=2))
    assert weights[1].shape == (2, 1)


# ----------------------------------------------------------------------------- the two-layer network (seed 003)
def test_two_layer_network_reproduces_the_course(binary_csv):
    data = admissions(binary_csv)
    net = Network.from_weights(course_initial_weights(), activation="sigmoid", output_activation="sigmoid")
    assert net.sizes == [6, 2, 1] and not net.has_bias
    history = net.fit(data.features, data.targets, loss="mse", lr=0.0025, epochs=900, verbose=0)
    assert len(history.history["loss"]) == 900

    weights_input_hidden, weights_hidden_output, _, course_accuracy = course_two_layer(binary_csv)
    np.testing.assert_allclose(net.layers[0].weight, weights_input_hidden, rtol=0, atol=1e-10)
    np.testing.assert_allclose(net.layers[1].weight[:, 0], weights_hidden_output, rtol=0, atol=1e-10)
    assert course_accuracy == 0.725
    assert _accuracy(net, data) == 0.725


def test_two_layer_network_prints_the_courses_losses(binary_csv):
    """The course printed 0.251357252426 ... 0.240400679325 (its 'loss' of the last record)."""
    _, _, losses, _ = course_two_layer(binary_csv)
    printed = [
        "0.251357252426",
        "0.249965407188",
        "0.248620052189",
        "0.247319932172",
        "0.246063804656",
        "0.244850441793",
        "0.243678632019",
        "0.242547181518",
        "0.241454915502",
        "0.240400679325",
    ]
    assert [f"{loss:.12g}" for loss in losses] == printed

    data = admissions(binary_csv)
    net = Network.from_weights(course_initial_weights(), activation="sigmoid", output_activation="sigmoid")
    mine = []

    def course_loss(epoch, logs):
        if (epoch - 1) % 90 == 0:  # the course's e % 90 == 0 counts epochs from 0
            out = net.predict(data.features[-1])[0]
            mine.append(float(np.mean((out - data.targets) ** 2)))

    net.fit(data.features, data.targets, lr=0.0025, epochs=900, callbacks=[course_loss], verbose=0)
    np.testing.assert_allclose(mine, losses, rtol=1e-12)


# ----------------------------------------------------------------------------- the single-layer network (seed 002)
def test_single_layer_network_reproduces_the_course(binary_csv):
    data = admissions(binary_csv)
    initial = np.random.RandomState(42).normal(scale=1 / 6**0.5, size=6)
    net = Network.from_weights([initial], activation=[], output_activation="sigmoid")
    assert net.sizes == [6, 1] and not net.has_bias
    history = net.fit(data.features, data.targets, loss="mse", lr=0.25, epochs=1000, verbose=0)

    weights, losses, warnings, course_accuracy = course_single_layer(binary_csv)
    np.testing.assert_allclose(net.layers[0].weight[:, 0], weights, rtol=0, atol=1e-10)
    accuracy = _accuracy(net, data)
    assert accuracy == course_accuracy
    assert accuracy == 0.75  # what the course's loop gives on this data

    # The course prints the training MSE after the update of epochs 0, 100, ..., 900 (from 0);
    # chainrule records each epoch's loss before its update, so those are epochs 2, 102, ..., 902.
    recorded = [history.history["loss"][e + 1] for e in range(0, 1000, 100)]
    np.testing.assert_allclose(recorded, losses, rtol=1e-10)
    assert not any(warnings)  # the loss falls throughout: no "WARNING - Loss Increasing"


def test_course_runs_are_deterministic(binary_csv):
    data = admissions(binary_csv)
    runs = []
    for _ in range(2):
        net = Network.from_weights(
            course_initial_weights(), activation="sigmoid", output_activation="sigmoid"
        )
        net.fit(data.features, data.targets, lr=0.0025, epochs=50, verbose=0)
        runs.append([p.copy() for p in net.parameters()])
    for a, b in zip(*runs):
        assert np.array_equal(a, b)


@pytest.mark.parametrize("batch_size", [None, 360])
def test_full_batch_is_the_whole_training_set(binary_csv, batch_size):
    data = admissions(binary_csv)
    net = Network.from_weights(course_initial_weights(), activation="sigmoid", output_activation="sigmoid")
    history = net.fit(data.features, data.targets, lr=0.0025, epochs=3, batch_size=batch_size, verbose=0)
    assert history.params["batch_size"] == 360


def test_the_library_copy_of_the_course_loop_trains_like_fit(binary_csv):
    """benchmarks/course_baseline.course_loop (the benchmarks' baseline) is the course's loop: it ends
    where Network.fit does, with the course's learnrate twice fit's mse lr."""
    data = admissions(binary_csv)
    initial = course_initial_weights()
    w_ih, w_ho = course_loop(data.features, data.targets, initial[0], initial[1][:, 0], epochs=30)
    net = Network.from_weights(initial, activation="sigmoid", output_activation="sigmoid")
    net.fit(data.features, data.targets, loss="mse", lr=0.0025, epochs=30, verbose=0)
    np.testing.assert_allclose(net.layers[0].weight, w_ih, rtol=0, atol=1e-13)
    np.testing.assert_allclose(net.layers[1].weight[:, 0], w_ho, rtol=0, atol=1e-13)
    assert not np.allclose(w_ih, initial[0])  # it did train
