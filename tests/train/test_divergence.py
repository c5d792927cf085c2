"""Divergence rolls back: after TrainingDiverged the network holds exactly the last weights
whose loss was finite, and their predictions are finite, whatever the optimizer."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import chainrule
from chainrule import Network, TrainingDiverged
from chainrule.train.callbacks import Callback

OPTIMIZERS = {
    "sgd": {"optimizer": "sgd"},
    "momentum": {"optimizer": "sgd", "momentum": 0.9},
    "nesterov": {"optimizer": "sgd", "momentum": 0.9, "nesterov": True},
    "adam": {"optimizer": "adam"},
}
#: Learning rates far past any that trains: each run below diverges within a few steps.
DIVERGING = {"float32": 1e12, "float64": 1e100}


class Snapshots(Callback):
    """A copy of the weights before the first step and after every step."""

    def __init__(self, network):
        self.network = network
        self.weights = [self._copy()]

    def _copy(self):
        return np.concatenate([p.ravel() for p in self.network.parameters()])

    def on_batch_end(self, batch, loss):
        self.weights.append(self._copy())


def _data(rng):
    X = rng.normal(size=(64, 3)) * 10
    y = X @ np.array([[1.0], [-2.0], [3.0]]) + 5
    return X, y


@pytest.mark.parametrize(
    "dtype, optimizer, weight_decay, clip_norm, batch_size",
    list(itertools.product(DIVERGING, OPTIMIZERS, [0.0, 0.01], [None, 1.0], [None, 16])),
)
def test_training_diverged_leaves_the_last_weights_with_a_finite_loss(
    rng, tmp_path, dtype, optimizer, weight_decay, clip_norm, batch_size
):
    X, y = _data(rng)
    net = Network([3, 8, 1], activation="relu", seed=1, dtype=dtype)
    snapshots = Snapshots(net)
    options = dict(OPTIMIZERS[optimizer], weight_decay=weight_decay, clip_norm=clip_norm)
    with pytest.raises(TrainingDiverged):
        net.fit(X, y, loss="mse", lr=DIVERGING[dtype], epochs=200, batch_size=batch_size,
                callbacks=[snapshots], verbose=0, shuffle=False, **options)  # fmt: skip
    kept = snapshots._copy()
    assert np.isfinite(kept).all()
    assert any(np.array_equal(kept, w) for w in snapshots.weights), "not a set of weights training had"
    predictions = net.predict(X)  # the test raises on overflow: none may happen here
    assert np.isfinite(predictions).all()
    assert np.isfinite(net.loss(X, y, "mse"))
    net.save(tmp_path / "diverged.safetensors")  # a model with finite weights can be saved
    assert np.array_equal(chainrule.load(tmp_path / "diverged.safetensors").predict(X), predictions)


@pytest.mark.parametrize("dtype", list(DIVERGING))
def test_a_step_whose_update_diverges_is_undone(rng, dtype):
    X, y = _data(rng)
    net = Network([3, 8, 1], activation="relu", seed=1, dtype=dtype)
    with pytest.raises(TrainingDiverged):
        for _ in range(50):
            before = [p.copy() for p in net.parameters()]
            net.step(X, y, "mse", lr=DIVERGING[dtype])
    for kept, param in zip(before, net.parameters()):
        np.testing.assert_array_equal(param, kept)
    assert np.isfinite(net.loss(X, y, "mse"))


def test_fit_says_when_learning_rate_times_slopes_overflow_and_keeps_the_finite_loss():
    X, y = np.arange(12.0).reshape(4, 3) / 10, np.ones(4)
    net = Network([3, 1], seed=0)
    first_loss = net.loss(X, y)
    with pytest.raises(TrainingDiverged, match="learning rate × slopes overflowed") as raised:
        net.fit(X, y, lr=1e308, epochs=1, verbose=0)
    assert raised.value.last_loss == pytest.approx(first_loss)


def test_a_step_on_its_own_claims_no_epoch():
    X, y = np.arange(12.0).reshape(4, 3) * 10, np.ones(4)
    net = Network.from_weights([np.ones((3, 1))])
    with pytest.raises(TrainingDiverged) as raised:
        for _ in range(1000):
            net.step(X, y, lr=50)
    assert "epoch" not in str(raised.value) and raised.value.epoch is None


def test_a_run_whose_loss_grows_a_thousandfold_without_overflowing_warns():
    X, y = np.arange(12.0).reshape(4, 3) * 10, np.arange(4.0) * 1000
    net = Network([3, 8, 1], activation="relu", seed=0)
    with pytest.warns(RuntimeWarning, match="training loss grew from .* training is diverging"):
        history = net.fit(X, y, lr=50, epochs=50, verbose=0)
    assert np.isfinite(history.history["loss"]).all()  # it had not overflowed: a warning, not an error


def test_a_run_that_learns_does_not_warn(recwarn):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    Network([3, 8, 1], seed=0).fit(X, X.sum(axis=1), lr=0.01, epochs=30, verbose=0)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
