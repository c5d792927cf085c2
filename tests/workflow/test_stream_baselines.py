"""A streamed run's yardsticks: the same linear model and trivial baseline as in memory, the
ridge start, the linear fallback, and logistic regression's sample."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.tables.read import read_table
from chainrule.tables.stream import Split, open_files
from chainrule.workflow.apply import evaluate_table
from chainrule.workflow.baselines import linear_network, trivial_baseline
from chainrule.workflow.config import TrainConfig
from chainrule.workflow.stream import train_files
from chainrule.workflow.stream_baselines import RidgeSums

pa = pytest.importorskip("pyarrow")
pv = pytest.importorskip("pyarrow.csv")


def config(**options) -> TrainConfig:
    settings = {"target": "y", "hidden": (8, 8), "epochs": 5, "verbose": 0, "patience": 3, "dtype": "float64"}
    settings.update(options)
    return TrainConfig(**settings)


def table_file(path, rng, n: int, task: str, classes: int = 2):
    x = rng.normal(size=(n, 3)) + np.array([0.0, 5.0, -2.0])  # means far from 0, as raw columns are
    colour = rng.choice(["red", "green", "blue"], n)
    signal = x[:, 0] - 0.5 * x[:, 1] + np.sin(2 * x[:, 2]) + (colour == "red") + 0.3 * rng.normal(size=n)
    if task == "regression":
        y = signal
    else:
        y = np.digitize(signal, np.quantile(signal, np.linspace(0, 1, classes + 1)[1:-1]))
    pv.write_csv(pa.table({"a": x[:, 0], "b": x[:, 1], "d": x[:, 2], "colour": colour, "y": y}), path)
    return path


def in_memory(path, result, seed: int = 0, test_size: float = 0.2):
    """The streamed run's own training and test rows, held in memory, with its preprocessing:
    (inputs, encoded targets, training mask, preprocessor)."""
    table = read_table(path)
    pre = result.network.preprocessor
    test = Split(test_size, seed).test(np.arange(len(table)))
    return pre.transform(table, np.float64), pre.encode_target(table, np.float64), ~test, pre, table


def test_ridge_from_sums_added_chunk_by_chunk_is_ridge_fitted_in_memory(rng):
    X = rng.normal(size=(1000, 6)) * np.array([1, 2, 3, 1, 1, 5]) + np.array([0, 3, -4, 10, 0, 1])
    y = X @ rng.normal(size=6) + rng.normal(size=1000)
    halves = RidgeSums(6), RidgeSums(6)
    for start in range(0, 1000, 137):
        halves[start < 500].add(X[start : start + 137], y[start : start + 137])
    streamed = (halves[0] + halves[1]).ridge(np.float64)
    whole = linear_network(X, y, "regression", 1, np.float64)
    np.testing.assert_allclose(streamed.layers[0].weight, whole.layers[0].weight, rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(streamed.layers[0].bias, whole.layers[0].bias, rtol=1e-9, atol=1e-10)


def test_a_streamed_regression_reports_the_ridge_and_mean_of_its_own_rows(tmp_path, rng):
    path = table_file(tmp_path / "r.csv", rng, 2000, "regression")
    result = train_files(open_files(str(path), 300, "y"), config(chunk_rows=300))
    X, encoded, train, pre, table = in_memory(path, result)
    ridge = linear_network(X[train], encoded[train], "regression", 1, np.float64)
    ridge.preprocessor, ridge.info = pre, {"task": "regression", "loss": "mse", "target": "y"}
    test_rows = table.select_rows(np.flatnonzero(~train))
    expected = evaluate_table(ridge, test_rows)
    baselines = result.metrics["baselines"]
    assert baselines["linear"]["model"] == "ridge regression (alpha 1)"
    assert baselines["linear"]["r2"] == pytest.approx(expected["r2"], abs=1e-9)
    assert baselines["linear"]["loss"] == pytest.approx(expected["loss"], rel=1e-9)
    trivial = trivial_baseline("regression", encoded[train], encoded[~train], pre)
    assert baselines["trivial"] == {"model": trivial["model"], "r2": pytest.approx(trivial["r2"], abs=1e-9)}
    assert result.metrics["network_test"]["r2"] == pytest.approx(result.metrics["test"]["r2"])
    assert "the network" in result.metrics["verdict"] or "linear" in result.metrics["verdict"]


def test_a_streamed_classification_reports_logistic_regression_and_the_majority_of_its_own_rows(
    tmp_path, rng
):
    path = table_file(tmp_path / "c.csv", rng, 2000, "classification", classes=3)
    # two chunks of 1,500 rows: the ~1,440 rows that train fit in the sample, so it is all of them
    result = train_files(open_files(str(path), 1500, "y"), config(chunk_rows=1500))
    X, encoded, train, pre, table = in_memory(path, result)
    classes = encoded.astype(np.intp)
    logistic = linear_network(X[train], classes[train], "classification", 3, np.float64)
    logistic.preprocessor, logistic.info = (
        pre,
        {"task": "classification", "loss": "cross_entropy", "target": "y"},
    )
    expected = evaluate_table(logistic, table.select_rows(np.flatnonzero(~train)))
    baselines = result.metrics["baselines"]
    assert baselines["linear"]["model"] == "logistic regression (L2, C 1)"  # every row that trains: no sample
    assert baselines["linear"]["accuracy"] == pytest.approx(expected["accuracy"])
    assert baselines["linear"]["loss"] == pytest.approx(expected["loss"], rel=1e-5)
    trivial = trivial_baseline("classification", classes[train], classes[~train], pre)
    assert baselines["trivial"] == trivial


def test_a_streamed_regression_starts_as_the_ridge_model_unless_told_not_to(tmp_path, rng):
    path = table_file(tmp_path / "r.csv", rng, 1500, "regression")
    still = config(chunk_rows=400, epochs=1, lr=1e-9)  # the weights barely move from the start
    started = train_files(open_files(str(path), 400, "y"), still)
    assert started.metrics["start"] == "linear model"
    assert started.network.sizes == [6, 10, 10, 1]  # 2 more nodes per hidden layer carry ridge's prediction
    assert np.isfinite(started.history.params["start_val_loss"])
    assert started.metrics["choice"]["rule"] == "linear start: early stopping's epoch 0 is the ridge model"
    # the start is ridge of the rows that train; the baseline is ridge of every training row
    assert started.metrics["network_test"]["r2"] == pytest.approx(
        started.metrics["baselines"]["linear"]["r2"], abs=0.01
    )
    drawn = train_files(
        open_files(str(path), 400, "y"), config(chunk_rows=400, linear_start=False, linear_fallback=False)
    )
    assert drawn.metrics["start"] == "random" and drawn.network.sizes == [6, 8, 8, 1]


def test_a_streamed_network_that_learned_nothing_is_replaced_by_the_linear_model(tmp_path, rng):
    path = table_file(tmp_path / "c.csv", rng, 2000, "classification")
    untrained = config(chunk_rows=500, epochs=1, lr=1e-7)
    result = train_files(open_files(str(path), 500, "y"), untrained)
    metrics = result.metrics
    assert metrics["model"] == "linear" and result.network.sizes == [6, 1]
    assert metrics["choice"]["linear_val_loss"] < metrics["choice"]["network_val_loss"]
    assert metrics["test"]["accuracy"] == pytest.approx(metrics["baselines"]["linear"]["accuracy"])
    assert result.network.info["metrics"] is metrics
    kept = train_files(
        open_files(str(path), 500, "y"), config(chunk_rows=500, epochs=1, lr=1e-7, linear_fallback=False)
    )
    assert kept.metrics["model"] == "network" and kept.network.sizes == [6, 8, 8, 1]


def test_logistic_regression_is_fitted_on_a_uniform_sample_of_a_chunks_rows(tmp_path, rng):
    path = table_file(tmp_path / "c.csv", rng, 3000, "classification")

    def run():
        result = train_files(open_files(str(path), 400, "y"), config(chunk_rows=400))
        return result, next(note for note in result.notes if "uniform sample" in note)

    result, note = run()
    sampled = int(note.split("sample of ")[1].split()[0])
    assert 300 < sampled < 500  # about a chunk (400 rows) of the ~2,160 rows that train
    validating = result.metrics["streamed"]["validation_rows"]
    name = result.metrics["baselines"]["linear"]["model"]
    assert name == f"logistic regression (L2, C 1) on a sample of {sampled + validating} training rows"
    assert f"{sampled + validating} in all, as the yardstick" in note  # the note and the name agree
    again, same_note = run()
    assert same_note == note and again.metrics == result.metrics  # the same rows for a seed


def test_the_sample_is_uniform_and_apart_from_the_validation_rows():
    rows = np.arange(200_000)
    split = Split(0.2, seed=3, validation_below=np.uint64(int(0.1 * 2.0**64)))
    split.sample_fraction(0.1 + 0.05)
    training = ~split.test(rows)
    validates = split.validation(rows) & training
    sampled = split.in_sample(rows) & training & ~validates
    assert sampled.sum() / training.sum() == pytest.approx(0.05, abs=0.003)
    for half in (rows < 100_000, rows >= 100_000):  # the same share everywhere in the files
        assert (sampled & half).sum() / (training & half).sum() == pytest.approx(0.05, abs=0.004)
    split.sample_fraction(1.0)
    assert split.in_sample(rows).all()
