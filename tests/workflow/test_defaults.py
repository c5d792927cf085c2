"""The defaults of ``train_table`` and the yardsticks it measures a network against.

The linear model is checked against scikit-learn (an independent reference); the default
run against the linear model on the same split, at the default seed.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from chainrule import Network
from chainrule.cli.output import metrics_table
from chainrule.tables.datasets import load_dataset
from chainrule.tables.read import Table
from chainrule.workflow.baselines import linear_network, trivial_baseline, verdict
from chainrule.workflow.config import TrainConfig
from chainrule.workflow.run_files import write_run
from chainrule.workflow.select import (
    MIN_CHOICE_ROWS,
    auto_widths,
    kept_because,
    linear_is_kept,
    row_losses,
    validation_rows,
)
from chainrule.workflow.train import train_table

sklearn = pytest.importorskip("sklearn")


@pytest.fixture(scope="module")
def breast_cancer_default():
    """``chainrule train`` with every default: the built-in breast-cancer data, seed 0."""
    table, dataset = load_dataset("breast_cancer")
    return train_table(table, TrainConfig(target=dataset.target, verbose=0))


def test_the_default_run_reaches_the_linear_models_test_score_on_the_same_split(breast_cancer_default):
    metrics = breast_cancer_default.metrics
    linear = metrics["baselines"]["linear"]["accuracy"]
    assert metrics["test"]["accuracy"] >= linear  # the saved model
    assert metrics["network_test"]["accuracy"] >= linear  # and the network itself
    assert metrics["test"]["accuracy"] > metrics["baselines"]["trivial"]["accuracy"]


def test_the_defaults_are_early_stopping_l2_and_widths_scaled_to_the_inputs(breast_cancer_default):
    result = breast_cancer_default
    config = TrainConfig()
    assert (config.early_stopping, config.weight_decay, config.hidden) == (True, 0.001, None)
    assert result.history.best_epoch is not None
    assert result.history.params["validation_samples"] == round(357 * 0.8 * 0.1) + round(212 * 0.8 * 0.1)
    assert result.metrics["epochs_run"] < config.epochs


def test_training_with_the_defaults_is_bit_identical_for_a_seed(breast_cancer_default):
    table, dataset = load_dataset("breast_cancer")
    again = train_table(table, TrainConfig(target=dataset.target, verbose=0))
    for a, b in zip(breast_cancer_default.network.parameters(), again.network.parameters()):
        np.testing.assert_array_equal(a, b)
    assert again.metrics == breast_cancer_default.metrics


def test_metrics_json_and_the_table_hold_both_baselines_and_the_verdict(breast_cancer_default, tmp_path):
    result = breast_cancer_default
    write_run(tmp_path, result, {"target": "diagnosis"})
    stored = json.loads((tmp_path / "metrics.json").read_text())
    assert stored["baselines"]["trivial"]["model"] == "majority class 'benign'"
    assert stored["baselines"]["linear"]["accuracy"] == result.metrics["baselines"]["linear"]["accuracy"]
    assert stored["verdict"].startswith("test accuracy: network ")
    text = metrics_table(result.metrics)
    assert "compared (test accuracy):" in text and "logistic regression" in text
    assert text.endswith(result.metrics["verdict"])


@pytest.mark.parametrize(
    "n_inputs, width", [(1, 16), (5, 16), (8, 16), (9, 32), (30, 64), (64, 128), (500, 128)]
)
def test_auto_widths_are_twice_the_inputs_as_a_power_of_two_within_16_to_128(n_inputs, width):
    assert auto_widths(n_inputs) == (width, width)


@pytest.mark.parametrize(
    "n_inputs, width", [(1, 32), (7, 32), (8, 32), (9, 64), (20, 128), (33, 256), (500, 256)]
)
def test_averaged_regression_members_are_four_times_the_inputs_within_32_to_256(n_inputs, width):
    assert auto_widths(n_inputs, averaged=True) == (width, width)


def test_only_the_members_of_an_averaged_regression_are_wider():
    """A number's default ensemble gets 4 × inputs; one network of it, and classes, 2 × inputs.
    (A linear-started network adds 2 nodes to each hidden layer.)"""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(120, 7))
    number = x @ rng.normal(size=7)
    columns = {f"x{j}": [str(v) for v in x[:, j]] for j in range(7)}
    regression = Table.from_columns("<t>", {**columns, "y": [str(v) for v in number]})
    classes = Table.from_columns("<t>", {**columns, "y": ["a" if v > 0 else "b" for v in number]})
    fast = {"epochs": 1, "verbose": 0}
    averaged = train_table(regression, TrainConfig(target="y", **fast))
    one = train_table(regression, TrainConfig(target="y", ensemble=1, **fast))
    kept = train_table(classes, TrainConfig(target="y", linear_fallback=False, **fast))
    assert [m.network.sizes for m in averaged.members] == [[7, 34, 34, 1]] * 5
    assert one.network.sizes == [7, 18, 18, 1] and kept.network.sizes == [7, 16, 16, 1]


def test_validation_rows_are_drawn_per_class_and_none_when_too_few():
    encoded = np.array([0] * 30 + [1] * 10)
    rows = validation_rows(encoded, "classification", 0.1, seed=0)
    assert np.count_nonzero(encoded[rows] == 0) == 3 and np.count_nonzero(encoded[rows] == 1) == 1
    np.testing.assert_array_equal(rows, validation_rows(encoded, "classification", 0.1, seed=0))
    assert validation_rows(np.array([0, 1, 1]), "classification", 0.1, seed=0) is None
    assert validation_rows(np.zeros(4), "regression", 0.1, seed=0) is None


def test_small_tables_hold_out_enough_validation_rows_for_the_choice_up_to_a_quarter():
    three_classes = np.repeat([0, 1, 2], 40)  # iris's 120 training rows: 21, not 12
    assert len(validation_rows(three_classes, "classification", 0.1, seed=0)) == 21
    assert len(validation_rows(np.zeros(142), "regression", 0.1, seed=0)) == MIN_CHOICE_ROWS
    assert len(validation_rows(np.zeros(1000), "regression", 0.1, seed=0)) == 100  # 10 % is already more
    assert len(validation_rows(np.zeros(60), "regression", 0.1, seed=0)) == 6  # 20 would be a third
    assert len(validation_rows(np.zeros(142), "regression", 0.3, seed=0)) == 43  # a larger share is kept


def test_ridge_is_scikit_learns_ridge(rng):
    from sklearn.linear_model import Ridge

    X = rng.normal(size=(80, 5))
    y = X @ rng.normal(size=5) + rng.normal(size=80)
    net = linear_network(X, y, "regression", 1, "float64")
    assert net.sizes == [5, 1]
    np.testing.assert_allclose(net.predict(X)[:, 0], Ridge(alpha=1.0).fit(X, y).predict(X), atol=1e-10)


@pytest.mark.parametrize("n_classes, n_outputs", [(2, 1), (2, 2), (4, 4)])
def test_logistic_regression_is_scikit_learns(rng, n_classes, n_outputs):
    from sklearn.linear_model import LogisticRegression

    X = rng.normal(size=(120, 4))
    classes = np.argmax(X @ rng.normal(size=(4, n_classes)) + rng.normal(size=(120, n_classes)), axis=1)
    net = linear_network(X, classes, "classification", n_outputs, "float64")
    reference = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, classes).predict_proba(X)
    expected = reference[:, 1:] if n_outputs == 1 else reference
    if n_outputs == 2:
        # Two softmax outputs, each with its own penalised weights, are scikit-learn's model with
        # half the L2 on the difference of weights: the same decisions, nearly the same probabilities.
        np.testing.assert_allclose(net.predict(X).sum(axis=1), 1.0)
        assert np.mean(net.predict(X).argmax(axis=1) == reference.argmax(axis=1)) >= 0.97
        return
    np.testing.assert_allclose(net.predict(X), expected, atol=1e-5)


def test_the_trivial_baseline_predicts_the_majority_class_or_the_mean():
    table = Table.from_columns("<t>", {"x": ["1", "2", "3", "4", "5"], "y": ["a", "b", "b", "b", "a"]})
    from chainrule.tables.preprocess import Preprocessor

    pre, _ = Preprocessor.fit(table, "y")
    baseline = trivial_baseline("classification", np.array([0, 1, 1]), np.array([1, 0]), pre)
    assert baseline == {"model": "majority class 'b'", "accuracy": 0.5}


def _linear_table(n: int) -> Table:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 3))
    y = x @ np.array([1.5, -2.0, 0.5]) + 0.3 * rng.normal(size=n)
    columns = {f"x{j}": [repr(float(v)) for v in x[:, j]] for j in range(3)}
    return Table.from_columns("<linear>", {**columns, "y": [repr(float(v)) for v in y]})


def test_the_linear_model_is_kept_when_it_validates_better_and_is_a_network_without_hidden_layer():
    table = _linear_table(400)
    # From drawn weights (no linear start), 3 epochs leave the network far from the ridge model.
    kept = train_table(table, TrainConfig(target="y", verbose=0, epochs=3, linear_start=False, ensemble=1))
    assert kept.metrics["choice"]["validation_rows"] >= MIN_CHOICE_ROWS
    assert kept.metrics["model"] == "linear" and kept.network.sizes == [3, 1]
    assert kept.metrics["test"]["r2"] == kept.metrics["baselines"]["linear"]["r2"]
    assert "saved model: the linear model" in metrics_table(kept.metrics)
    network = train_table(
        table,
        TrainConfig(target="y", verbose=0, epochs=3, linear_fallback=False, linear_start=False, ensemble=1),
    )
    assert network.metrics["model"] == "network" and network.network.sizes == [3, 16, 16, 1]


def test_a_network_without_hidden_layers_is_kept_as_the_linear_model_it_is_and_not_told_to_drop_them():
    table = _linear_table(400)
    run = train_table(table, TrainConfig(target="y", verbose=0, epochs=3, hidden=(), ensemble=1))
    assert run.metrics["model"] == "network" and run.network.sizes == [3, 1]
    assert run.metrics["choice"]["rule"].startswith("none: the network has no hidden layer")
    line = verdict({"r2": 0.5}, {"r2": 0.6}, {"model": "mean", "r2": 0.0}, hidden=False)
    assert "try weight_decay=0.01 or more rows" in line and "hidden=0" not in line
    assert "hidden=0" in verdict({"r2": 0.5}, {"r2": 0.6}, {"model": "mean", "r2": 0.0})


def test_the_network_is_kept_only_when_better_by_more_than_one_standard_error():
    noise = np.array([1.0, -1.0] * 50)  # sd 1.005, standard error 0.1005 over 100 rows
    assert not linear_is_kept(noise - 0.2)  # better by two standard errors: the network
    assert linear_is_kept(noise - 0.05)  # better, but within the noise: the simpler model
    assert linear_is_kept(noise + 0.05)
    assert linear_is_kept(np.full(30, np.nan))  # a diverged network


@pytest.mark.parametrize(
    ("output", "loss"),
    [("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy"), ("identity", "mse")],
)
def test_row_losses_average_to_the_networks_loss(rng, output, loss):
    k = 3 if output == "softmax" else 2
    net = Network([4, 5, k], output_activation=output, seed=1)
    X = rng.normal(size=(30, 4))
    y = np.eye(k)[rng.integers(0, k, 30)] if output != "identity" else rng.normal(size=(30, k))
    rows = row_losses(net, X, y, loss)
    assert rows.shape == (30,)
    np.testing.assert_allclose(rows.mean(), net.loss(X, y, loss), rtol=1e-12)


def test_too_few_rows_for_validation_train_without_early_stopping_and_say_so():
    result = train_table(_linear_table(5), TrainConfig(target="y", verbose=0, epochs=2))
    assert any("too few to hold out validation rows" in note for note in result.notes)
    assert result.metrics["epochs_run"] == 2 and "choice" not in result.metrics


@pytest.mark.parametrize(
    "network, chosen",
    [(0.50, "network"), (0.80, "network"), (0.95, "network"), (0.85, "linear")],
    ids=["no better than trivial", "below linear", "beats both", "linear kept"],
)
def test_each_verdict_suggests_only_options_that_change_a_default(network, chosen):
    trivial = {"model": "majority class 'a'", "accuracy": 0.5}
    line = verdict({"accuracy": network}, {"accuracy": 0.9}, trivial, chosen)
    defaults = TrainConfig()
    for name, value in re.findall(r"--([a-z-]+) ([0-9.]+)", line):
        field = name.replace("-", "_")
        assert float(value) != getattr(defaults, field), f"{line!r} suggests the default --{name} {value}"
    assert line.startswith("test accuracy: network ")


def test_a_table_too_small_to_choose_on_keeps_the_linear_model_and_says_why():
    # 40 rows of a linear target: 6 validation rows cannot show the network better than
    # logistic regression, so the linear model is saved and the verdict says why.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3))
    labels = np.where(x @ [1.0, -1.0, 0.5] > 0, "yes", "no")
    columns = {"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": labels}
    table = Table.from_columns(
        "<linear classes>", {k: [str(v) for v in values] for k, values in columns.items()}
    )
    result = train_table(table, TrainConfig(target="y", epochs=3, verbose=0))
    choice = result.metrics["choice"]
    assert choice["validation_rows"] < MIN_CHOICE_ROWS
    assert choice["rule"].startswith(
        f"too few rows, keep the linear model: {choice['validation_rows']} validation rows"
    )
    assert result.metrics["model"] == "linear" and len(result.network.layers) == 1
    assert "too few to show the network better" in result.metrics["verdict"]
    kept = train_table(table, TrainConfig(target="y", epochs=3, verbose=0, linear_fallback=False))
    assert kept.metrics["model"] == "network" and len(kept.network.layers) > 1
    assert kept_because({"rule": "one standard error", "validation_rows": 40}) is None


def test_many_small_classes_still_give_twenty_validation_rows():
    # 45 classes of 5 training rows and 5 of 1: each class's share rounds to 0 rows.
    encoded = np.concatenate([np.repeat(np.arange(45), 5), np.arange(45, 50)])
    rows = validation_rows(encoded, "classification", 0.1, seed=0)
    assert rows is not None and len(rows) == MIN_CHOICE_ROWS
    kept = np.delete(encoded, rows)
    assert set(kept) == set(encoded)  # every class keeps a training row
    np.testing.assert_array_equal(rows, validation_rows(encoded, "classification", 0.1, seed=0))


def test_a_tie_with_the_linear_model_is_not_called_a_win():
    trivial = {"model": "majority class 'a'", "accuracy": 0.5}
    line = verdict({"accuracy": 29 / 30}, {"accuracy": 0.9666666666666667}, trivial)
    assert "beats both" not in line and "the network only ties the linear model" in line


@pytest.mark.parametrize("linear", [0.965, 0.45], ids=["tie", "below"])
def test_a_saved_linear_model_no_better_than_the_majority_class_says_so(linear):
    # 3 % positives and inputs that tell nothing: the linear model is kept, and it is no
    # better than predicting the majority class; the line must say so, not only why it was kept.
    trivial = {"model": "majority class '0'", "accuracy": 0.965}
    line = verdict({"accuracy": 0.965}, {"accuracy": linear}, trivial, "linear")
    assert "the linear model is the saved model" in line
    assert "does no better than majority class '0'" in line and "linear_fallback=False" not in line


def test_a_split_far_from_test_size_says_why():
    # 25 classes of 3 rows, each testing round(0.6) = 1 of them, and 25 of 1 row, which only train.
    labels = [f"c{i % 25}" for i in range(75)] + [f"s{i}" for i in range(25)]
    table = Table.from_columns("t.csv", {"x": list(range(100)), "y": labels})
    run = train_table(table, TrainConfig(target="y", verbose=0, epochs=1, hidden=(4,)))
    assert run.metrics["rows"]["test"] == 25
    assert any(note.startswith("the test rows are 25 of 100, not 20 (test_size=0.2)") for note in run.notes)
    assert any("a class of one row only trains" in note for note in run.notes)
    # 17 classes of 18 rows (like Suicide's ages): each tests round(3.6) = 4, 68 rows, not 61
    even = Table.from_columns("t.csv", {"x": list(range(306)), "y": [f"k{i % 17}" for i in range(306)]})
    notes = train_table(even, TrainConfig(target="y", verbose=0, epochs=1, hidden=(4,))).notes
    assert (
        "the test rows are 68 of 306, not 61 (test_size=0.2): the split keeps each class's share, rounded "
        "class by class (17 classes; a class of 18 rows tests round(18 × 0.2) = 4 of them)"
    ) in notes
    fine = Table.from_columns("t.csv", {"x": list(range(100)), "y": ["a", "b"] * 50})
    assert not any(
        "test rows are" in note
        for note in train_table(fine, TrainConfig(target="y", verbose=0, epochs=1)).notes
    )


def test_the_batch_grows_with_the_rows_so_an_epoch_stays_400_to_800_updates():
    from chainrule.workflow.select import auto_batch

    assert [auto_batch(n) for n in (10, 8_000, 25_599)] == [32, 32, 32]  # every benchmark table
    assert [auto_batch(n) for n in (25_600, 51_200, 80_000, 409_600, 10**8)] == [64, 128, 128, 1024, 1024]
    for n in range(25_600, 409_600, 997):
        assert 400 <= n / auto_batch(n) < 800
    assert (
        TrainConfig(target="y").batch_size == "auto"
        and TrainConfig(target="y", batch_size="Auto").checked().batch_size == "auto"
    )
    run = train_table(_linear_table(200), TrainConfig(target="y", verbose=0, epochs=2, ensemble=1))
    assert run.metrics["batch_size"] == 32


@pytest.mark.parametrize("chosen", ["network", "linear"])
def test_a_perfect_linear_model_gets_a_leak_check_not_advice_to_regularise(chosen):
    trivial = {"model": "majority class 'a'", "accuracy": 0.6}
    line = verdict({"accuracy": 1.0}, {"accuracy": 1.0}, trivial, chosen)
    assert "the linear model is already perfect on the test rows" in line
    assert "gives the target away" in line and "weight_decay" not in line and "too few" not in line


def test_a_network_worse_than_the_mean_is_told_to_look_at_the_target_not_the_learning_rate():
    trivial = {"model": "mean of the training targets", "r2": -0.02}
    line = verdict({"r2": -0.5}, {"r2": -1.14}, trivial)
    assert "the network does no better than mean of the training targets" in line
    assert "a placeholder such as 999" in line and "lr=" not in line and "patience" not in line


def test_a_perfect_network_is_told_to_check_for_a_leak_too():
    trivial = {"model": "majority class 'no'", "accuracy": 0.91}
    line = verdict({"accuracy": 1.0}, {"accuracy": 0.968}, trivial)
    assert (
        "the network beats both baselines, and perfectly: check that no column gives the target away" in line
    )
    assert "perfectly" not in verdict({"accuracy": 0.99}, {"accuracy": 0.968}, trivial)
