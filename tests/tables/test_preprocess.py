"""The Preprocessor on whole columns: NumPy's statistics on the arrays a file was made from."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

import chainrule
from chainrule.nn.network import Network
from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import DataError, Table, read_table
from cli_runner import chainrule_cli

pa = pytest.importorskip("pyarrow")
pv = pytest.importorskip("pyarrow.csv")

CITIES = np.array(["Paris", "Lyon", "Caen", "Nantes, Nord", "Brest"])
SEGMENTS = np.array(["a", "b", "c"])
LABELS = np.array(["high", "low", "mid"])


def _generated(path, rows: int, seed: int = 3) -> dict[str, np.ndarray]:
    """A CSV of 3 number columns and 2 text columns with gaps, and a text target; its arrays."""
    rng = np.random.default_rng(seed)
    numbers = rng.normal(size=(rows, 3)) * [1.0, 25.0, 1e-3] + [0.0, -4.0, 7.0]
    numbers[rng.random(numbers.shape) < 0.04] = np.nan
    city = rng.integers(0, len(CITIES), rows)
    city[rng.random(rows) < 0.03] = -1
    segment = rng.integers(0, len(SEGMENTS), rows)
    target = rng.integers(0, len(LABELS), rows)
    columns = {f"x{j}": pa.array(numbers[:, j], from_pandas=True) for j in range(3)}
    columns["city"] = pa.array(np.where(city < 0, "", CITIES[np.maximum(city, 0)]))
    columns["segment"] = pa.array(SEGMENTS[segment])
    columns["y"] = pa.array(LABELS[target])
    pv.write_csv(pa.table(columns), path)  # floats as their shortest exact text
    return {"numbers": numbers, "city": city, "segment": segment, "target": target}


def _expected_matrix(arrays, pre: Preprocessor) -> np.ndarray:
    """The network's inputs computed by NumPy alone from the generating arrays."""
    blocks = []
    for j in range(3):
        stats = pre.numeric[f"x{j}"]
        values = np.where(np.isnan(arrays["numbers"][:, j]), stats["fill"], arrays["numbers"][:, j])
        blocks.append(((values - stats["mean"]) / stats["std"])[:, None])
    for name, names in (("city", CITIES), ("segment", SEGMENTS)):
        codes = arrays[name]
        texts = np.where(codes < 0, pre.categorical_fill[name], names[np.maximum(codes, 0)])
        blocks.append((texts[:, None] == np.array(pre.categorical[name])[None, :]).astype(np.float64))
    return np.hstack(blocks)


def test_two_hundred_thousand_rows_give_numpys_statistics_and_predictions(tmp_path):
    path = tmp_path / "big.csv"
    arrays = _generated(path, 200_000)
    table = read_table(path)
    assert len(table) == 200_000
    pre, _ = Preprocessor.fit(table, "y", impute="median")

    for j in range(3):
        column = arrays["numbers"][:, j]
        present = column[~np.isnan(column)]
        assert pre.numeric[f"x{j}"] == {
            "mean": float(np.mean(present)),
            "std": float(np.std(present)),
            "fill": float(np.median(present)),
        }
    city = arrays["city"]
    assert pre.categorical["city"] == sorted(set(CITIES[np.unique(city[city >= 0])].tolist()))
    assert pre.categorical["segment"] == sorted(SEGMENTS.tolist())
    counts = np.bincount(city[city >= 0], minlength=len(CITIES))
    modes = sorted(CITIES[counts == counts.max()].tolist())
    assert pre.categorical_fill == {"city": modes[0], "segment": pre.categorical_fill["segment"]}
    segment_counts = np.bincount(arrays["segment"], minlength=len(SEGMENTS))
    assert pre.categorical_fill["segment"] == sorted(SEGMENTS[segment_counts == segment_counts.max()])[0]
    assert pre.labels == sorted(LABELS.tolist())

    X = _expected_matrix(arrays, pre)
    np.testing.assert_array_equal(pre.transform(table), X)
    np.testing.assert_array_equal(pre.encode_target(table), arrays["target"])  # LABELS are sorted

    net = Network([pre.n_inputs, 6, 3], activation="tanh", output_activation="softmax", seed=4)
    net.preprocessor = pre
    net.info = {"task": "classification", "loss": "cross_entropy", "target": "y"}
    model = tmp_path / "model.safetensors"
    net.save(model)
    out = tmp_path / "predictions.csv"
    done = chainrule_cli("predict", model, path, "-o", out)
    assert done.returncode == 0, done.stderr

    probabilities = net.predict(X)
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == ["y", "probability_high", "probability_low", "probability_mid"]
    written = np.array(rows[1:])
    np.testing.assert_array_equal(written[:, 0], np.array(pre.labels)[probabilities.argmax(axis=1)])
    expected = np.array([[f"{p:.6g}" for p in row] for row in probabilities])
    np.testing.assert_array_equal(written[:, 1:], expected)
    assert chainrule.load(model).preprocessor.to_dict() == pre.to_dict()


def test_the_first_missing_value_is_reported_in_file_order():
    table = Table.from_columns(
        "<t>", {"a": ["1", "2", "", "4"], "b": ["1", "NA", "3", "inf"], "y": ["p", "q", "p", "q"]}
    )
    pre, _ = Preprocessor.fit(table, "y")
    with pytest.raises(
        DataError, match=r"3 missing or non-finite values \(first at line 3, column 'b', value 'NA'\)"
    ):
        pre.reject_missing(table, with_target=True)
    np.testing.assert_array_equal(pre.missing_rows(table, with_target=True), [1, 2, 3])


def test_labels_written_as_1_and_1_point_0_in_one_file_are_refused():
    # Labels are text as written (tests/tables/test_as_written.py): one class written two
    # ways is refused rather than silently merged or split.
    table = Table.from_columns("<t>", {"x": [1.0, 2.0, 3.0, 4.0], "y": ["1", "1.0", " 2", "2.00"]})
    with pytest.raises(DataError, match=r"writes one class two ways, '1' and '1\.0'"):
        Preprocessor.fit(table, "y")
    table = Table.from_columns("<t>", {"x": [1.0, 2.0, 3.0, 4.0], "y": ["1", "1", " 2", "2 "]})
    pre, _ = Preprocessor.fit(table, "y")
    assert pre.task == "classification"
    assert pre.labels == ["1", "2"]
    np.testing.assert_array_equal(pre.encode_target(table), [0, 0, 1, 1])


def test_a_model_file_preprocessing_from_before_loads_and_applies_the_same():
    stored = {
        "features": ["size", "colour"],
        "target": "label",
        "task": "classification",
        "numeric": {"size": {"mean": 3.5, "std": 1.707825127659933, "fill": 3.5}},
        "categorical": {"colour": ["blue", "green", "red"]},
        "labels": ["no", "yes"],
        "target_mean": 0.0,
        "target_std": 1.0,
        "impute": "mean",
        "categorical_fill": {"colour": "blue"},
    }
    pre = Preprocessor.from_dict(stored)
    assert pre.to_dict() == stored
    table = Table.from_columns("<new>", {"size": ["2.5", ""], "colour": ["green", "?"]})
    np.testing.assert_array_equal(
        pre.transform(table), [[(2.5 - 3.5) / 1.707825127659933, 0, 1, 0], [0, 1, 0, 0]]
    )
