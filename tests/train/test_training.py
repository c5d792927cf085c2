"""Network.fit and Network.step: batches and updates, history, learning, reproducibility,
validation, early stopping, callbacks, divergence, argument checks, plots and dtypes."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import chainrule
from chainrule import Callback, EarlyStopping, History, Network, TrainingDiverged
from chainrule.optim import SGD, Adam
from chainrule.schedules import ExponentialDecay


def _weights(net: Network) -> list[np.ndarray]:
    return [p.copy() for p in net.parameters()]


def _equal(a: list[np.ndarray], b: list[np.ndarray]) -> bool:
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def _regression(rng, n=40, noise=0.0):
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.3 + noise * rng.normal(size=n)
    return X, y


def _moons(n, seed):
    from sklearn.datasets import make_moons

    return make_moons(n_samples=n, noise=0.15, random_state=seed)


class Snapshots(Callback):
    """Copies of the weights before training (key 0) and at the end of every epoch."""

    def on_train_begin(self, network, history):
        self.network = network
        self.weights = {0: _weights(network)}
        self.began = True

    def on_epoch_end(self, epoch, logs):
        self.weights[epoch] = _weights(self.network)

    def on_train_end(self, network, history):
        self.ended = _weights(network)


# ----------------------------------------------------------------------------- batches and updates
@pytest.mark.parametrize(
    ("batch_size", "per_epoch"),
    [(None, 1), (1, 10), (3, 4), (5, 2), (10, 1), (100, 1)],
)
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_updates_per_epoch(rng, batch_size, per_epoch, momentum):
    """None: full-batch gradient descent; 1: online; k: minibatches of k (the last one smaller)."""
    X, y = _regression(rng, n=10)
    optimizer = SGD(lr=0.01, momentum=momentum)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, y, optimizer=optimizer, epochs=3, batch_size=batch_size, verbose=0)
    assert optimizer.steps == 3 * per_epoch
    assert history.params["batch_size"] == min(batch_size or 10, 10)
    assert history.params["samples"] == 10


def test_update_count_seen_by_a_counting_optimizer(rng):
    class Counting(Adam):
        calls = 0

        def update(self, params, grads):
            type(self).calls += 1
            super().update(params, grads)

    X, y = _regression(rng, n=25)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    net.fit(X, y, optimizer=Counting(lr=0.01), epochs=2, batch_size=4, verbose=0)
    assert Counting.calls == 2 * 7


def test_full_batch_epoch_equals_one_step(rng):
    X, y = _regression(rng)
    net = Network([3, 5, 1], activation="tanh", seed=1)
    reference = net.copy()
    history = net.fit(X, y, lr=0.05, epochs=1, verbose=0)
    loss_before = reference.step(X, y, "mse", lr=0.05)
    for got, want in zip(net.parameters(), reference.parameters()):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert history.history["loss"] == [pytest.approx(loss_before, rel=1e-12)]


def test_online_epoch_equals_one_step_per_row_without_shuffle(rng):
    X, y = _regression(rng, n=6)
    net = Network([3, 5, 1], activation="tanh", seed=1)
    reference = net.copy()
    net.fit(X, y, lr=0.05, epochs=2, batch_size=1, shuffle=False, verbose=0)
    for _ in range(2):
        for row in range(6):
            reference.step(X[row : row + 1], y[row : row + 1], "mse", lr=0.05)
    for got, want in zip(net.parameters(), reference.parameters()):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- history
def test_history_records_the_loss_of_every_epoch(rng):
    X, y = _regression(rng)
    net = Network([3, 5, 1], activation="tanh", seed=1)
    start = net.copy()
    history = net.fit(X, y, lr=0.05, epochs=7, verbose=0)
    assert isinstance(history, History)
    assert history.epoch == [1, 2, 3, 4, 5, 6, 7]
    assert len(history.history["loss"]) == 7
    assert set(history.history) == {"loss"}  # no validation data, no classification
    # full batch: the loss of epoch 1 is the loss before any update
    assert history.history["loss"][0] == pytest.approx(start.loss(X, y, "mse"), rel=1e-12)
    assert all(isinstance(v, float) for v in history.history["loss"])
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.params["epochs"] == 7 and history.params["loss"] == "mse"


def test_minibatch_epoch_loss_is_the_mean_of_the_batch_losses(rng):
    X, y = _regression(rng, n=10)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    reference = net.copy()
    history = net.fit(X, y, lr=0.01, epochs=1, batch_size=4, shuffle=False, verbose=0)
    losses, sizes = [], []
    for start in range(0, 10, 4):
        rows = slice(start, start + 4)
        losses.append(reference.step(X[rows], y[rows], "mse", lr=0.01))
        sizes.append(len(X[rows]))
    expected = float(np.dot(losses, sizes) / 10)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-12)


def test_sse_epoch_loss_is_the_sum_of_the_batch_losses(rng):
    X, y = _regression(rng, n=10)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    reference = net.copy()
    history = net.fit(X, y, loss="sse", lr=0.001, epochs=1, batch_size=5, shuffle=False, verbose=0)
    expected = reference.step(X[:5], y[:5], "sse", lr=0.001) + reference.step(X[5:], y[5:], "sse", lr=0.001)
    assert history.history["loss"][0] == pytest.approx(expected, rel=1e-12)


def test_classification_losses_record_accuracy(rng):
    X, y = _moons(60, seed=0)
    net = Network([2, 8, 1], activation="tanh", output_activation="sigmoid", seed=0)
    history = net.fit(X, y, loss="binary_cross_entropy", lr=0.5, epochs=5, verbose=0)
    assert set(history.history) == {"loss", "accuracy"}
    assert all(0.0 <= a <= 1.0 for a in history.history["accuracy"])


# ----------------------------------------------------------------------------- learning
def test_xor_is_learned_by_a_tanh_network():
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 0.0])
    net = Network([2, 4, 1], activation="tanh", output_activation="sigmoid", seed=3)
    history = net.fit(X, y, loss="binary_cross_entropy", lr=0.5, epochs=2000, verbose=0)
    loss = history.history["loss"]
    assert loss[0] > 0.5
    assert loss[-1] < 0.02 * loss[0]
    np.testing.assert_array_equal(net.predict(X)[:, 0] > 0.5, y > 0.5)
    assert history.history["accuracy"][-1] == 1.0


@pytest.mark.parametrize(
    ("optimizer", "lr", "options"),
    [("sgd", 0.5, {}), ("sgd", 0.1, {"momentum": 0.9, "nesterov": True}), ("adam", 0.01, {})],
)
def test_two_moons_are_learned(optimizer, lr, options):
    X, y = _moons(400, seed=1)
    X_test, y_test = _moons(400, seed=2)
    net = Network([2, 16, 1], activation="tanh", output_activation="sigmoid", seed=0)
    history = net.fit(
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=optimizer,
        lr=lr,
        epochs=150,
        batch_size=32,
        seed=0,
        validation_data=(X_test, y_test),
        verbose=0,
        **options,
    )
    loss = history.history["loss"]
    assert loss[-1] < 0.25 * loss[0]
    accuracy = np.mean((net.predict(X_test)[:, 0] > 0.5) == (y_test > 0.5))
    assert accuracy > 0.95
    assert history.history["val_accuracy"][-1] == pytest.approx(accuracy)


def test_softmax_cross_entropy_learns_three_classes(rng):
    centers = np.array([[0.0, 3.0], [3.0, -2.0], [-3.0, -2.0]])
    labels = rng.integers(0, 3, size=300)
    X = centers[labels] + rng.normal(size=(300, 2))
    net = Network([2, 8, 3], activation="relu", output_activation="softmax", seed=0)
    history = net.fit(
        X,
        labels,
        loss="cross_entropy",
        optimizer="adam",
        lr=0.02,
        epochs=60,
        batch_size=16,
        seed=0,
        verbose=0,
    )
    assert history.history["accuracy"][-1] > 0.95
    assert history.history["loss"][-1] < 0.3 * history.history["loss"][0]


# ----------------------------------------------------------------------------- step
def test_step_is_one_manual_update(rng):
    X, y = _regression(rng)
    net = Network([3, 5, 2], activation="tanh", seed=2)
    Y = np.column_stack([y, -y])
    before = _weights(net)
    gradients = net.gradients(X, Y, "mse")
    loss = net.step(X, Y, loss="mse", lr=0.1)
    assert isinstance(loss, float)
    expected = []
    for w, b, (dW, db) in zip(before[0::2], before[1::2], gradients):
        expected += [w - 0.1 * dW, b - 0.1 * db]
    for got, want in zip(net.parameters(), expected):
        np.testing.assert_allclose(got, want, rtol=1e-15, atol=1e-17)


def test_step_returns_the_loss_before_the_update(rng):
    X, y = _regression(rng)
    net = Network([3, 5, 1], activation="sigmoid", seed=2)
    before = net.loss(X, y, "mse")
    assert net.step(X, y, "mse", lr=0.01) == pytest.approx(before, rel=1e-14)
    assert net.loss(X, y, "mse") < before


def test_step_course_example():
    """The course: w = 2, x = 3, target 10, so slope 2 × (6 - 10) × 3 = -24; 2 - 0.01 × (-24) = 2.24."""
    net = Network.from_weights([[[2.0]]], activation=[], output_activation="identity")
    net.step([[3.0]], [10.0], loss="sse", lr=0.01)
    assert net.layers[0].weight[0, 0] == pytest.approx(2.24, rel=1e-15)


@pytest.mark.parametrize("lr", [0, -1, float("nan"), float("inf"), "0.1", None, True])
def test_step_rejects_a_bad_learning_rate(rng, lr):
    X, y = _regression(rng)
    net = Network([3, 2, 1], seed=0)
    before = _weights(net)
    with pytest.raises(ValueError, match="lr"):
        net.step(X, y, lr=lr)
    assert _equal(before, _weights(net))


# ----------------------------------------------------------------------------- reproducibility
def _shuffled_run(seed, net_seed=0, optimizer="adam", **kw):
    X, y = _moons(200, seed=0)
    net = Network([2, 8, 8, 1], activation="tanh", output_activation="sigmoid", seed=net_seed)
    history = net.fit(
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=optimizer,
        lr=0.01,
        epochs=5,
        batch_size=16,
        seed=seed,
        validation_split=0.2,
        verbose=0,
        **kw,
    )
    return _weights(net), history


def test_same_seed_gives_bit_identical_weights():
    first, h1 = _shuffled_run(seed=7)
    second, h2 = _shuffled_run(seed=7)
    assert _equal(first, second)
    assert h1.history == h2.history


def test_different_seed_gives_different_weights():
    first, _ = _shuffled_run(seed=7)
    second, _ = _shuffled_run(seed=8)
    assert not any(np.array_equal(a, b) for a, b in zip(first, second))


def test_seed_none_uses_the_network_seed():
    first, _ = _shuffled_run(seed=None, net_seed=4)
    second, _ = _shuffled_run(seed=None, net_seed=4)
    assert _equal(first, second)


@pytest.mark.parametrize("options", [{"momentum": 0.9}, {"weight_decay": 0.01, "clip_norm": 1.0}])
def test_same_seed_bit_identical_with_sgd_options(options):
    first, _ = _shuffled_run(seed=3, optimizer="sgd", **options)
    second, _ = _shuffled_run(seed=3, optimizer="sgd", **options)
    assert _equal(first, second)


def test_without_shuffle_the_seed_does_not_matter(rng):
    X, y = _regression(rng)
    runs = []
    for seed in (1, 2):
        net = Network([3, 4, 1], activation="tanh", seed=0)
        net.fit(X, y, epochs=3, batch_size=8, shuffle=False, seed=seed, verbose=0)
        runs.append(_weights(net))
    assert _equal(*runs)


# ----------------------------------------------------------------------------- validation
def test_validation_split_gives_val_loss(rng):
    X, y = _regression(rng, n=40)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, y, epochs=4, validation_split=0.25, verbose=0)
    assert len(history.history["val_loss"]) == 4
    assert history.params["validation_samples"] == 10
    assert history.params["samples"] == 30
    assert all(math.isfinite(v) for v in history.history["val_loss"])


def test_validation_data_gives_val_loss_after_each_epoch(rng):
    X, y = _regression(rng, n=40)
    X_val, y_val = _regression(rng, n=15)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, y, epochs=4, validation_data=(X_val, y_val), verbose=0)
    assert len(history.history["val_loss"]) == 4
    assert history.params["validation_samples"] == 15 and history.params["samples"] == 40
    assert history.history["val_loss"][-1] == pytest.approx(net.loss(X_val, y_val, "mse"), rel=1e-12)


def test_classification_validation_records_val_accuracy():
    X, y = _moons(100, seed=0)
    X_val, y_val = _moons(50, seed=1)
    net = Network([2, 8, 1], activation="tanh", output_activation="sigmoid", seed=0)
    history = net.fit(
        X, y, loss="binary_cross_entropy", lr=0.5, epochs=3, validation_data=(X_val, y_val), verbose=0
    )
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    expected = np.mean((net.predict(X_val)[:, 0] > 0.5) == (y_val > 0.5))
    assert history.history["val_accuracy"][-1] == pytest.approx(expected)


def test_validation_split_rows_are_drawn_with_the_seed(rng):
    X, y = _regression(rng, n=40, noise=1.0)

    def run(seed):
        net = Network([3, 4, 1], activation="tanh", seed=0)
        return net.fit(X, y, epochs=2, validation_split=0.25, seed=seed, verbose=0).history

    assert run(5) == run(5)
    assert run(5)["val_loss"] != run(6)["val_loss"]


# ----------------------------------------------------------------------------- early stopping
def _early_stopping_problem(rng):
    """Validation targets half the training targets: the validation loss first falls, then rises."""
    X = rng.normal(size=(60, 3))
    y = X @ np.array([2.0, -1.0, 1.5])
    return X, y, X, 0.5 * y


@pytest.mark.parametrize("patience", [0, 2, 5])
def test_early_stopping_stops_and_restores_the_best_weights(rng, patience):
    X, y, X_val, y_val = _early_stopping_problem(rng)
    net = Network([3, 8, 1], activation="tanh", seed=0)
    snapshots = Snapshots()
    history = net.fit(
        X,
        y,
        lr=0.1,
        epochs=500,
        validation_data=(X_val, y_val),
        callbacks=[snapshots],
        verbose=0,
        early_stopping=EarlyStopping(monitor="val_loss", patience=patience),
    )
    val = history.history["val_loss"]
    best = history.best_epoch
    assert history.stopped_early
    assert 1 < best < len(val)  # it did improve for a while
    assert val[best - 1] == min(val)
    assert len(val) == best + patience + 1  # stopped after patience epochs without improvement
    assert all(v >= val[best - 1] for v in val[best:])
    assert _equal(_weights(net), snapshots.weights[best])
    assert not _equal(_weights(net), snapshots.weights[len(val)])
    assert net.loss(X_val, y_val, "mse") == pytest.approx(val[best - 1], rel=1e-12)


def test_early_stopping_without_restoring_keeps_the_last_weights(rng):
    X, y, X_val, y_val = _early_stopping_problem(rng)
    net = Network([3, 8, 1], activation="tanh", seed=0)
    snapshots = Snapshots()
    history = net.fit(
        X,
        y,
        lr=0.1,
        epochs=500,
        validation_data=(X_val, y_val),
        callbacks=[snapshots],
        early_stopping=EarlyStopping(patience=2, restore_best=False),
        verbose=0,
    )
    assert history.stopped_early
    assert _equal(_weights(net), snapshots.weights[history.epoch[-1]])


def test_early_stopping_min_delta_ignores_tiny_improvements(rng):
    X, y = _regression(rng)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(
        X,
        y,
        lr=1e-6,
        epochs=100,
        early_stopping=EarlyStopping(monitor="loss", patience=3, min_delta=1.0),
        verbose=0,
    )
    # every improvement is far smaller than min_delta: the first epoch stays best
    assert history.best_epoch == 1 and history.epoch[-1] == 5


@pytest.mark.parametrize("early_stopping", [True, 3, {"patience": 3}])
def test_early_stopping_shorthands(rng, early_stopping):
    X, y, X_val, y_val = _early_stopping_problem(rng)
    net = Network([3, 8, 1], activation="tanh", seed=0)
    history = net.fit(
        X, y, lr=0.1, epochs=500, validation_data=(X_val, y_val), early_stopping=early_stopping, verbose=0
    )
    assert history.stopped_early and history.epoch[-1] < 500


def test_early_stopping_monitors_training_loss_without_validation(rng):
    X, y = _regression(rng)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, y, lr=0.05, epochs=20, early_stopping=True, verbose=0)
    # the training loss keeps falling, so nothing stops and the last epoch is best
    assert not history.stopped_early and history.best_epoch == 20


@pytest.mark.parametrize(
    ("settings", "name"),
    [
        ({"patience": 2.5}, "patience"),  # was truncated to 2
        ({"patience": True}, "patience"),
        ({"patience": "3"}, "patience"),
        ({"min_delta": float("inf")}, "min_delta"),  # nothing would ever count as an improvement
        ({"min_delta": "0"}, "min_delta"),
        ({"monitor": None}, "monitor"),  # fell back to the training loss without a word
    ],
)
def test_early_stopping_refuses_bad_settings(settings, name):
    with pytest.raises(ValueError, match=name):
        EarlyStopping(**settings)


def test_step_accepts_a_numpy_learning_rate(rng):
    X, y = _regression(rng)
    net = Network([3, 2, 1], seed=0)
    reference = net.copy()
    net.step(X, y, lr=np.float32(0.25))
    reference.step(X, y, lr=0.25)
    assert _equal(_weights(net), _weights(reference))


# ----------------------------------------------------------------------------- callbacks
def test_function_callback_returning_true_stops(rng):
    X, y = _regression(rng)
    seen = []

    def stop_at_three(epoch, logs):
        seen.append((epoch, sorted(logs)))
        return epoch == 3

    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, y, epochs=10, callbacks=[stop_at_three], verbose=0)
    assert history.epoch == [1, 2, 3]
    assert seen == [(1, ["loss"]), (2, ["loss"]), (3, ["loss"])]
    assert not history.stopped_early


def test_callback_object_hooks_and_stop(rng):
    X, y = _regression(rng)

    class StopAtTwo(Snapshots):
        def on_epoch_end(self, epoch, logs):
            super().on_epoch_end(epoch, logs)
            return epoch >= 2

    callback = StopAtTwo()
    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, y, epochs=10, callbacks=[callback], verbose=0)
    assert history.epoch == [1, 2]
    assert callback.began and sorted(callback.weights) == [0, 1, 2]
    assert _equal(callback.ended, _weights(net))


def test_every_callback_sees_the_epoch_even_when_one_stops(rng):
    X, y = _regression(rng)
    calls = []
    net = Network([3, 4, 1], activation="tanh", seed=0)
    net.fit(
        X,
        y,
        epochs=10,
        verbose=0,
        callbacks=[lambda e, logs: calls.append(("a", e)) or True, lambda e, logs: calls.append(("b", e))],
    )
    assert calls == [("a", 1), ("b", 1)]


# ----------------------------------------------------------------------------- divergence
def _diverging_problem(rng):
    X = 10.0 * rng.normal(size=(30, 3))
    y = X @ np.array([3.0, -2.0, 1.0])
    return X, y


@pytest.mark.parametrize(
    ("activation", "optimizer", "lr", "options"),
    [
        ("relu", "sgd", 1.0, {}),
        ("tanh", "sgd", 1e10, {}),
        ("relu", "sgd", 1.0, {"momentum": 0.9}),
        ("identity", "sgd", 0.5, {"clip_norm": 1e300}),
        ("relu", "adam", 1e100, {}),
    ],
)
def test_divergence_raises_and_keeps_the_last_finite_weights(rng, activation, optimizer, lr, options):
    X, y = _diverging_problem(rng)
    net = Network([3, 8, 1], activation=activation, seed=0)
    snapshots = Snapshots()
    with pytest.raises(TrainingDiverged) as caught:
        net.fit(X, y, optimizer=optimizer, lr=lr, epochs=200, callbacks=[snapshots], verbose=0, **options)
    error = caught.value
    assert isinstance(error, FloatingPointError) and isinstance(error, chainrule.ChainruleError)
    assert error.step == 1  # full batch: one step per epoch
    assert error.epoch >= 1
    assert str(error.epoch) in str(error) and "lower the learning rate" in str(error)
    assert error.last_loss is None or math.isfinite(error.last_loss)
    if error.epoch > 1:
        assert error.last_loss is not None
    weights = _weights(net)
    assert all(np.isfinite(w).all() for w in weights)
    # A non-finite loss condemns the weights of the latest update: the ones before it are kept.
    # Non-finite slopes from finite weights with a finite loss keep those weights.
    # (With plain SGD the slopes come as lr × slope: "learning rate × slopes overflowed".)
    slopes = "non-finite slopes" in str(error) or "learning rate × slopes overflowed" in str(error)
    kept = error.epoch - 1 if slopes else max(error.epoch - 2, 0)
    assert _equal(weights, snapshots.weights[kept])
    assert np.isfinite(net.loss(X, y, "mse"))
    if kept > 0:  # and a shorter run ends exactly there
        again = Network([3, 8, 1], activation=activation, seed=0)
        with warnings.catch_warnings():  # it diverges without overflowing yet, and says so
            warnings.simplefilter("ignore", RuntimeWarning)
            again.fit(X, y, optimizer=optimizer, lr=lr, epochs=kept, verbose=0, **options)
        assert _equal(weights, _weights(again))


def test_divergence_in_a_minibatch_keeps_the_weights_before_that_step(rng):
    class Recording(SGD):
        """Keeps the weights after every update: the last copy is the state before the next step."""

        def update(self, params, grads):
            super().update(params, grads)
            self.after = [p.copy() for p in params]

    X, y = _diverging_problem(rng)
    net = Network([3, 8, 1], activation="relu", seed=0)
    optimizer = Recording(lr=0.05, momentum=0.9)
    with pytest.raises(TrainingDiverged) as caught:
        net.fit(X, y, optimizer=optimizer, epochs=200, batch_size=4, seed=0, verbose=0)
    assert caught.value.step >= 1 and caught.value.last_loss is not None
    flat = np.concatenate([w.ravel() for w in _weights(net)])
    assert np.isfinite(flat).all()
    np.testing.assert_array_equal(flat, np.concatenate([a.ravel() for a in optimizer.after]))


def _step_until_diverged(net, X, y):
    before = _weights(net)
    with pytest.raises(TrainingDiverged) as caught:
        for _ in range(100):
            before = _weights(net)
            net.step(X, y, lr=1e200)
    return before, caught.value


def test_step_divergence_leaves_the_weights_untouched(rng):
    X, y = _diverging_problem(rng)
    net = Network([3, 8, 1], activation="relu", seed=0)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        before, error = _step_until_diverged(net, X, y)
    after = _weights(net)
    assert all(np.isfinite(w).all() for w in after)
    assert _equal(before, after)
    assert "lower the learning rate" in str(error)


def test_step_divergence_raises_training_diverged_whatever_the_errstate(rng):
    X, y = _diverging_problem(rng)
    net = Network([3, 8, 1], activation="relu", seed=0)
    before, _ = _step_until_diverged(net, X, y)
    assert _equal(before, _weights(net))


# ----------------------------------------------------------------------------- bad arguments
@pytest.mark.parametrize(
    ("arguments", "name"),
    [
        ({"epochs": 0}, "epochs"),
        ({"epochs": -1}, "epochs"),
        ({"epochs": 2.5}, "epochs"),
        ({"epochs": True}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": -3}, "batch_size"),
        ({"batch_size": 1.5}, "batch_size"),
        ({"lr": 0}, "lr"),
        ({"lr": -1}, "lr"),
        ({"lr": float("nan")}, "lr"),
        ({"lr": True}, "lr"),
        ({"lr": "0.1"}, "lr"),
        ({"validation_split": 1.5}, "validation_split"),
        ({"validation_split": 1.0}, "validation_split"),
        ({"validation_split": -0.1}, "validation_split"),
        ({"validation_split": 0.001}, "validation_split"),
        ({"validation_data": ([[1.0, 2.0, 3.0]],)}, "validation_data"),
        ({"resume": True}, "checkpoint"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"loss": "hinge"}, "loss"),
        ({"checkpoint_every": 0}, "checkpoint_every"),
        ({"clip_norm": 0}, "clip_norm"),
        ({"clip_norm": -1.0}, "clip_norm"),
        ({"clip_norm": float("inf")}, "clip_norm"),
        ({"clip_norm": True}, "clip_norm"),
        ({"clip_norm": "1"}, "clip_norm"),
        ({"momentum": 1.5}, "momentum"),
        ({"momentum": "0.5"}, "momentum"),
        ({"momentum": 0.9, "optimizer": "adam"}, "momentum"),
        ({"weight_decay": -0.1}, "weight_decay"),
        ({"schedule": "cosine"}, "schedule"),
        ({"early_stopping": "yes"}, "early_stopping"),
        ({"early_stopping": {"patience": 2.5}}, "patience"),
        ({"callbacks": [42]}, "callbacks"),
    ],
)
def test_bad_arguments_raise_value_error_naming_the_argument(rng, arguments, name):
    X, y = _regression(rng, n=20)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    before = _weights(net)
    with pytest.raises(ValueError, match=name):
        net.fit(X, y, verbose=0, **arguments)
    assert _equal(before, _weights(net))


def test_mismatched_data_raises_value_error(rng):
    net = Network([3, 4, 1], seed=0)
    with pytest.raises(ValueError):
        net.fit(rng.normal(size=(10, 4)), np.zeros(10), verbose=0)
    with pytest.raises(ValueError):
        net.fit(rng.normal(size=(10, 3)), np.zeros(9), verbose=0)


# ----------------------------------------------------------------------------- output, plots, dtypes
def test_history_plot_saves_a_png(rng, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    X, y = _regression(rng)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    history = net.fit(X, y, epochs=5, validation_split=0.25, verbose=0)
    path = tmp_path / "loss.png"
    ax = history.plot(path)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(ax.get_lines()) == 2  # training and validation loss
    np.testing.assert_array_equal(ax.get_lines()[0].get_xdata(), [1, 2, 3, 4, 5])
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), history.history["loss"])
    assert ax.get_xlabel() == "Epoch"
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.mark.parametrize("verbose", [0, 1])
def test_quiet_when_verbose_0_or_not_a_terminal(rng, capsys, verbose):
    X, y = _regression(rng)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    net.fit(X, y, epochs=20, batch_size=4, validation_split=0.2, verbose=verbose)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_verbose_2_shows_a_progress_bar(rng, capsys):
    X, y = _regression(rng)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    net.fit(X, y, epochs=3, batch_size=10, verbose=2)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "12/12" in captured.err  # 3 epochs × 4 steps


@pytest.mark.parametrize(
    ("optimizer", "lr", "options"),
    [
        ("sgd", 0.5, {}),
        ("sgd", 0.2, {"momentum": 0.9, "nesterov": True, "weight_decay": 1e-4}),
        ("adam", 0.02, {"clip_norm": 1.0}),
        ("sgd", 1.0, {"schedule": ExponentialDecay(gamma=0.99)}),
    ],
)
def test_float32_networks_train_and_stay_float32(optimizer, lr, options):
    X, y = _moons(200, seed=0)
    net = Network([2, 16, 1], activation="tanh", output_activation="sigmoid", seed=0, dtype="float32")
    history = net.fit(
        X,
        y,
        loss="binary_cross_entropy",
        optimizer=optimizer,
        lr=lr,
        epochs=100,
        batch_size=32,
        seed=0,
        validation_split=0.2,
        verbose=0,
        **options,
    )
    assert net.dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.parameters())
    assert net.predict(X).dtype == np.float32
    assert all(isinstance(v, float) and math.isfinite(v) for v in history.history["loss"])
    assert history.history["loss"][-1] < 0.5 * history.history["loss"][0]
    assert history.history["val_accuracy"][-1] > 0.9


def test_float32_and_float64_runs_agree_roughly(rng):
    X, y = _regression(rng)
    net64 = Network([3, 4, 1], activation="tanh", seed=0)
    net32 = net64.astype("float32")
    net64.fit(X, y, lr=0.05, epochs=20, verbose=0)
    net32.fit(X, y, lr=0.05, epochs=20, verbose=0)
    for a, b in zip(net64.parameters(), net32.parameters()):
        np.testing.assert_allclose(b, a, rtol=1e-4, atol=1e-5)
