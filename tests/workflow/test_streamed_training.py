"""Training on streamed files: it learns, it is repeatable, and it matches training in memory."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.tables.read import read_table
from chainrule.tables.stream import open_files
from chainrule.workflow.apply import evaluate_table
from chainrule.workflow.config import TrainConfig
from chainrule.workflow.stream import train_files
from chainrule.workflow.train import train_table

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pv = pytest.importorskip("pyarrow.csv")

#: The streamed model's test accuracy may trail the in-memory one's by this much: the test
#: rows differ (a hash, not a stratified draw), and so do the batches' order and the validation rows.
ACCURACY_TOLERANCE = 0.03


def classes(rng, n: int) -> dict:
    x = rng.normal(size=(n, 3))
    colour = rng.choice(["red", "green", "blue"], n)
    y = (x[:, 0] + x[:, 1] * x[:, 2] + (colour == "red") > 0.5).astype(int)
    return {"a": x[:, 0], "b": x[:, 1], "d": x[:, 2], "colour": colour, "y": y}


def config(**options) -> TrainConfig:
    settings = {"target": "y", "hidden": (16, 16), "epochs": 40, "verbose": 0, "patience": 5}
    settings.update(options)
    return TrainConfig(**settings)


@pytest.fixture
def parquet_files(tmp_path, rng):
    whole = classes(rng, 3000)
    for index in range(3):
        part = {name: values[index * 1000 : (index + 1) * 1000] for name, values in whole.items()}
        pq.write_table(pa.table(part), tmp_path / f"p{index}.parquet", row_group_size=400)
    pv.write_csv(pa.table(whole), tmp_path / "all.csv")
    return tmp_path


def test_streamed_training_learns_and_matches_training_in_memory(parquet_files):
    files = open_files(str(parquet_files / "*.parquet"), 500, "y")
    streamed = train_files(files, config(chunk_rows=500))
    assert streamed.metrics["rows"]["train"] + streamed.metrics["rows"]["test"] == 3000
    assert streamed.metrics["streamed"]["validation_rows"] > 200
    assert streamed.metrics["test"]["accuracy"] > 0.9
    table = read_table(parquet_files / "all.csv")
    in_memory = train_table(table, config(linear_fallback=False))
    # the same model file's kind: evaluated on the whole table as any other model
    both = (
        evaluate_table(streamed.network, table)["accuracy"],
        evaluate_table(in_memory.network, table)["accuracy"],
    )
    assert abs(both[0] - both[1]) < ACCURACY_TOLERANCE
    assert (
        abs(streamed.metrics["test"]["accuracy"] - in_memory.metrics["test"]["accuracy"]) < ACCURACY_TOLERANCE
    )
    assert streamed.network.preprocessor.categorical == in_memory.network.preprocessor.categorical


def test_streamed_training_is_bit_identical_for_a_seed_and_differs_for_another(parquet_files):
    def weights(seed, chunk_rows=300):
        files = open_files(str(parquet_files / "*.parquet"), chunk_rows, "y")
        result = train_files(files, config(seed=seed, epochs=3, chunk_rows=chunk_rows))
        return result.network.flat_parameters().copy(), result.metrics

    first, metrics = weights(1)
    again, same_metrics = weights(1)
    np.testing.assert_array_equal(first, again)
    assert metrics == same_metrics
    assert not np.array_equal(first, weights(2)[0])


def test_a_chunked_csv_trains_a_regression(tmp_path, rng):
    x = rng.normal(size=(2000, 2))
    y = 3 * x[:, 0] - x[:, 1] + rng.normal(0, 0.1, 2000)
    pv.write_csv(pa.table({"x0": x[:, 0], "x1": x[:, 1], "y": y}), tmp_path / "r.csv")
    files = open_files(str(tmp_path / "r.csv"), 256, "y")
    result = train_files(files, config(chunk_rows=256, epochs=30))
    assert result.metrics["task"] == "regression"
    assert result.metrics["test"]["r2"] > 0.95
    evaluated = evaluate_table(result.network, read_table(tmp_path / "r.csv"))
    assert evaluated["r2"] > 0.95


def test_the_progress_bar_counts_every_chunks_short_last_batch(tmp_path, rng, capsys):
    # 1000 rows in chunks of 70 and batches of 32: each chunk ends in a short batch, so an
    # epoch takes more steps than rows / 32; after the first epoch the bar's total is exact.
    pq.write_table(pa.table(classes(rng, 1000)), tmp_path / "t.parquet")
    files = open_files(str(tmp_path / "t.parquet"), 70, "y")
    train_files(files, config(epochs=3, batch_size=32, verbose=2, early_stopping=False, test_size=0.2))
    last = capsys.readouterr().err.replace("\r", "\n").strip().splitlines()[-1]
    done, total = last.split("|")[2].split()[0].split("/")
    assert done == total, last
