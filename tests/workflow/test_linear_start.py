"""The linear start: a regression network that begins as the ridge model it is compared with."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import Network
from chainrule.tables.read import Table
from chainrule.train.callbacks import EarlyStopping
from chainrule.workflow.baselines import linear_network
from chainrule.workflow.config import TrainConfig
from chainrule.workflow.linear_start import can_start_linear, linear_start
from chainrule.workflow.train import train_table


@pytest.mark.parametrize("hidden", [(5,), (6, 4), (3, 7, 2)])
def test_the_started_network_predicts_what_the_linear_model_does(rng, hidden):
    X = rng.normal(size=(50, 4))
    y = X @ np.array([0.5, -1.0, 2.0, 0.0]) + 0.1 * rng.normal(size=50)
    ridge = linear_network(X, y, "regression", 1, np.float64)
    net = Network([4, *hidden, 1], activation="relu", init="he_normal", seed=2)
    started = linear_start(net, ridge)
    assert started.sizes == [4, *(h + 2 for h in hidden), 1]
    np.testing.assert_allclose(started.predict(X), ridge.predict(X), rtol=0, atol=1e-12)
    # The drawn nodes keep their weights; only their way to the output starts at 0.
    np.testing.assert_array_equal(started.layers[0].weight[:, : hidden[0]], net.layers[0].weight)
    assert not started.layers[-1].weight[:-2].any()


def test_only_relu_networks_with_one_output_start_linear():
    assert can_start_linear(Network([3, 4, 1], activation="relu"))
    assert not can_start_linear(Network([3, 4, 1], activation="tanh"))
    assert not can_start_linear(Network([3, 4, 2], activation="relu"))
    assert not can_start_linear(Network([3, 1]))
    with pytest.raises(ValueError, match="ReLU hidden layers and one output"):
        linear_start(Network([3, 4, 1], activation="tanh"), Network([3, 1]))


def test_early_stopping_with_a_baseline_no_epoch_beats_keeps_the_starting_weights(rng):
    X, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    net = Network([3, 4, 1], seed=0)
    start = [p.copy() for p in net.parameters()]
    early = EarlyStopping(patience=2, baseline=0.0)  # no MSE is below 0
    history = net.fit(X, y, epochs=10, lr=0.1, validation_data=(X, y), early_stopping=early)
    assert history.best_epoch == 0 and len(history.epoch) == 3
    for kept, before in zip(net.parameters(), start):
        np.testing.assert_array_equal(kept, before)
    with pytest.raises(ValueError, match="baseline must be a finite number"):
        EarlyStopping(baseline=float("nan"))


def _table(y_of, n=600, seed=5) -> Table:
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, size=(n, 3))
    y = y_of(x) + 0.1 * rng.normal(size=n)
    columns = {f"x{j}": [repr(float(v)) for v in x[:, j]] for j in range(3)}
    return Table.from_columns("<table>", {**columns, "y": [repr(float(v)) for v in y]})


def test_a_regression_run_starts_at_the_ridge_models_validation_loss_and_learns_what_it_misses():
    # y depends on x0 squared, which no linear model can hold: training must add it.
    table = _table(lambda x: x[:, 0] ** 2 + x[:, 1])
    config = TrainConfig(target="y", verbose=0, linear_fallback=False, ensemble=1)
    result = train_table(table, config)
    metrics = result.metrics
    assert metrics["start"] == "linear model" and result.network.sizes == [3, 18, 18, 1]
    assert metrics["best_epoch"] > 0
    assert metrics["test"]["r2"] > 0.9 > metrics["baselines"]["linear"]["r2"]
    again = train_table(table, config)  # still bit-identical for a seed
    for a, b in zip(result.network.parameters(), again.network.parameters()):
        np.testing.assert_array_equal(a, b)


def test_classification_and_linear_start_off_start_from_drawn_weights():
    table = _table(lambda x: x[:, 0] ** 2)
    off = train_table(
        table,
        TrainConfig(target="y", verbose=0, epochs=2, linear_start=False, linear_fallback=False, ensemble=1),
    )
    assert off.metrics["start"] == "random" and off.network.sizes == [3, 16, 16, 1]
    labels = Table.from_columns(
        "<classes>",
        {"x0": table.column("x0"), "y": ["a" if float(v) > 1 else "b" for v in table.column("y")]},
    )
    classified = train_table(labels, TrainConfig(target="y", verbose=0, epochs=2, linear_fallback=False))
    assert classified.metrics["start"] == "random" and classified.network.sizes == [1, 16, 16, 1]


def test_a_run_that_kept_its_ridge_start_does_not_advise_the_linear_model_it_is():
    """Every network kept epoch 0, the ridge model fitted without the validation rows: the
    verdict used to call that "the network was kept ..." and advise no hidden layer."""
    from chainrule.tables.datasets import load_dataset

    table, dataset = load_dataset("diabetes")
    result = train_table(table, TrainConfig(target=dataset.target, ensemble=1, patience=1, seed=0))
    metrics = result.metrics
    assert metrics["best_epoch"] == 0 and metrics["model"] == "network"
    assert metrics["network_test"]["r2"] <= metrics["baselines"]["linear"]["r2"]
    assert "early stopping kept the network's start (epoch 0), the ridge model fitted" in metrics["verdict"]
    assert "hidden" not in metrics["verdict"]
