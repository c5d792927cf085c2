"""Networks and training too large for the machine are refused before anything is allocated."""

from __future__ import annotations

import math

import pytest

from chainrule import Network
from chainrule.nn import memory


@pytest.fixture
def small_machine(monkeypatch):
    """A machine with 1 GB available, whatever this one has."""
    monkeypatch.setattr(memory, "available_bytes", lambda: 10**9)


def test_a_network_larger_than_the_available_memory_is_refused_naming_its_sizes(small_machine):
    with pytest.raises(
        ValueError, match=r"^max_memory is 1\.0 GB .* needs about 36\.8 GB; .*layers \(sizes=\)"
    ):
        Network([30, 100_000_000, 1], dtype="float32")


def test_a_table_network_too_large_names_hidden_and_an_estimator_hidden_layer_sizes(
    small_machine, monkeypatch
):
    import numpy as np

    pytest.importorskip("sklearn")
    from chainrule.sklearn import _base
    from chainrule.workflow.config import TrainConfig
    from chainrule.workflow.train import network_for

    class Inputs:  # what network_for reads of a Preprocessor
        task, n_inputs = "classification", 30

    with pytest.raises(ValueError, match=r"needs about 36\.8 GB; .*layers \(hidden=\)"):
        network_for(TrainConfig(target="y", hidden=(100_000_000,)), Inputs(), 2)
    monkeypatch.setattr(_base, "available_bytes", memory.available_bytes)  # _base imported it by name
    from chainrule import MLPClassifier

    with pytest.raises(ValueError, match=r"^hidden_layer_sizes gives a network of sizes \[2, 100000000, 1\]"):
        MLPClassifier(hidden_layer_sizes=(100_000_000,)).fit(np.zeros((4, 2)), [0, 1, 0, 1])


def test_max_memory_is_the_limit_when_given(rng):
    with pytest.raises(ValueError, match=r"^max_memory is 1\.0 kB \(allowed by max_memory\)"):
        Network([3, 100, 1], max_memory=1000)
    Network([3, 100, 1], max_memory=math.inf)


def test_fit_refuses_buffers_past_max_memory(rng):
    X, y = rng.normal(size=(200, 3)), rng.normal(size=200)
    net = Network([3, 64, 1], seed=0)
    with pytest.raises(ValueError, match=r"^max_memory is .* training with batches of 200 rows"):
        net.fit(X, y, max_memory=50_000, epochs=1, verbose=0)
    net.fit(X, y, max_memory=10**9, epochs=1, verbose=0)


def test_the_estimate_counts_weights_and_buffers():
    assert memory.network_bytes([3, 4, 1], 8) == (3 * 4 + 4 + 4 * 1 + 1) * 8 + 12 * 8
    assert memory.training_bytes([3, 4, 1], 4, batch=10, state_copies=2) == (21 * 4 + 4 * 10 * 5) * 4


def test_memory_available_is_read_on_linux():
    available = memory.available_bytes()
    assert available is None or available > 0
