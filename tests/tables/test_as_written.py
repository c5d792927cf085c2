"""What the user wrote is kept or refused, never changed: labels, number formats, magnitudes, width.

Labels are text exactly as written (stripped of surrounding white space). Columns of numbers
written with thousands separators, decimal commas or percent signs, and text columns with a
different value in every row (IDs), are refused before training with the option that reads
them; with that option they are read as numbers, at training and at prediction alike.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import DataError, Table, read_table
from chainrule.workflow.apply import evaluate_table, predict_table
from chainrule.workflow.train import TrainConfig, train_table
from cli_runner import chainrule_cli

pytest.importorskip("pyarrow")

FAST = {"epochs": 3, "hidden": (4,), "verbose": 0, "early_stopping": False, "linear_fallback": False}


def _write(path, header: str, rows: list[str]):
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _labelled(labels: list[str], n: int = 30) -> list[str]:
    return [f"{i / n:.3f},{labels[i % len(labels)]}" for i in range(n)]


# ------------------------------------------------------------------ 1. labels
def test_labels_that_look_numeric_come_back_from_predict_and_info_as_written(tmp_path):
    data = _write(tmp_path / "codes.csv", "x,code", _labelled(["01", "02", "007"]))
    out = tmp_path / "out"
    result = chainrule_cli("train", data, "--target", "code", "--epochs", "2", "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    model = out / "model.safetensors"
    predicted = chainrule_cli("predict", model, data)
    assert predicted.returncode == 0, predicted.stderr
    header, *rows = predicted.stdout.splitlines()
    assert header == "code,probability_01,probability_02,probability_007"
    assert {row.split(",")[0] for row in rows} <= {"01", "02", "007"}
    info = chainrule_cli("info", model, "--json")
    assert json.loads(info.stdout)["preprocessing"]["labels"] == ["01", "02", "007"]
    assert "labels      01, 02, 007" in chainrule_cli("info", model).stdout


def test_labels_one_and_one_point_zero_stay_as_written():
    table = Table.from_columns("t.csv", {"x": list(range(8)), "y": ["1.0", "2.0"] * 4})
    pre, _ = Preprocessor.fit(table, "y")
    assert pre.labels == ["1.0", "2.0"]
    table = Table.from_columns("t.csv", {"x": list(range(8)), "y": ["1", "10", "2", " 3 "] * 2})
    assert Preprocessor.fit(table, "y")[0].labels == ["1", "2", "3", "10"]  # numeric order


def test_one_class_written_two_ways_in_one_file_is_refused():
    table = Table.from_columns("t.csv", {"x": list(range(8)), "y": ["0", "1", "0.0", "1"] * 2})
    with pytest.raises(DataError, match=r"t.csv: target 'y' writes one class two ways, '0' and '0.0'"):
        Preprocessor.fit(table, "y")


def test_evaluate_refuses_a_label_written_otherwise_and_names_it():
    rows = {"x": [i / 10 for i in range(30)], "y": ["0", "1", "1"] * 10}
    network = train_table(Table.from_columns("t.csv", rows), TrainConfig(target="y", **FAST)).network
    other = Table.from_columns("new.csv", {"x": [0.5, 0.2], "y": ["1", "0.0"]})
    with pytest.raises(DataError) as caught:
        evaluate_table(network, other)
    message = str(caught.value)
    assert "new.csv:3: column 'y', value '0.0'" in message
    assert "labels are compared as written" in message and "'0'" in message
    assert "\n" not in message


def test_labels_normalised_by_older_versions_still_load():
    stored = {
        "features": ["x"],
        "target": "y",
        "task": "classification",
        "numeric": {"x": {"mean": 0.0, "std": 1.0}},
        "labels": ["0", "1"],
    }
    pre = Preprocessor.from_dict(stored)
    table = Table.from_columns("t.csv", {"x": [1.0, 2.0], "y": ["1", "0"]})
    assert pre.encode_target(table).tolist() == [1, 0]


# ---------------------------------------------------------- 2. number formats
@pytest.mark.parametrize(
    ("cells", "option"),
    [
        (["12,345", "1,234,567", "999", "2,000.5"], "thousands=','"),
        (["0,5", "1,25", "-3,0", "2"], "decimal=','"),
        (["50%", "12.5%", "100 %", "0%"], "percent=True"),
        (["3'202.11", "-2'678.35", "12", "1'000'000"], 'thousands="\'"'),
        (["3 202.11", "-2\u00a0678", "12", "1\u202f000\u202f000"], "thousands=' '"),
        (["3 202,11", "-2\u00a0678,5", "12", "1 000"], "thousands=' ', decimal=','"),
    ],
)
def test_numbers_in_a_format_are_refused_before_training_naming_the_column(cells, option):
    table = Table.from_columns("t.csv", {"price": cells * 5, "y": ["a", "b"] * 10})
    with pytest.raises(DataError) as caught:
        Preprocessor.fit(table, "y")
    message = str(caught.value)
    assert message.startswith("t.csv: column 'price' holds numbers written")
    assert option in message and "categorical" not in message  # numbers are never offered as categories


@pytest.mark.parametrize(
    ("cells", "options", "numbers"),
    [
        (["12,345", "1,234,567", "999", "2,000.5"], {"thousands": ","}, [12345, 1234567, 999, 2000.5]),
        (["1.234,5", "0,5", "-3", "2.000"], {"thousands": ".", "decimal": ","}, [1234.5, 0.5, -3, 2000]),
        (["0,5", "1,25", "-3,0", "2"], {"decimal": ","}, [0.5, 1.25, -3.0, 2]),
        (["50%", "12.5%", "100 %", "25%"], {"percent": True}, [0.5, 0.125, 1.0, 0.25]),
        (["3'202.11", "-2'678", "12", "1'000'000"], {"thousands": "'"}, [3202.11, -2678, 12, 1e6]),
        (
            ["3 202,5", "-2\u00a0678", "12", "1\u202f000\u202f000"],
            {"thousands": " ", "decimal": ","},
            [3202.5, -2678, 12, 1e6],
        ),
    ],
)
def test_numbers_in_a_format_are_read_with_the_option_at_training_and_prediction(cells, options, numbers):
    rows = {"price": cells * 5, "y": [str(v) for v in range(20)]}
    config = TrainConfig(target="y", task="regression", test_size=0, **FAST, **options)
    network = train_table(Table.from_columns("t.csv", rows), config).network
    stats = network.preprocessor.numeric["price"]
    assert stats["mean"] == pytest.approx(np.mean(numbers))
    assert stats["std"] == pytest.approx(np.std(numbers))
    values, _, _ = predict_table(network, Table.from_columns("new.csv", {"price": cells}))
    assert np.isfinite(values).all()
    stored = Preprocessor.from_dict(json.loads(json.dumps(network.preprocessor.to_dict())))
    assert stored.number_format == network.preprocessor.number_format


def test_a_decimal_comma_file_separated_by_semicolons_reads_as_numbers(tmp_path):
    rows = [f"{i},{i % 7};{'ab'[i % 2]}" for i in range(30)]
    data = _write(tmp_path / "semi.csv", "x;y", rows)
    table = read_table(data)
    with pytest.raises(DataError, match=r"column 'x'.*decimal=','"):
        Preprocessor.fit(table, "y")
    pre, _ = Preprocessor.fit(table, "y", number_format={"decimal": ","})
    assert pre.numeric["x"]["mean"] == pytest.approx(np.mean([i + (i % 7) / 10 for i in range(30)]))


def test_an_id_column_is_left_out_with_a_note_and_kept_with_categorical():
    rows = {"id": [f"user{i:03d}" for i in range(30)], "x": list(range(30)), "y": ["a", "b", "c"] * 10}
    table = Table.from_columns("t.csv", rows)
    pre, notes = Preprocessor.fit(table, "y")
    assert pre.features == ["x"] and "id" not in pre.categorical
    [note] = [n for n in notes if "'id'" in n]
    assert note.startswith("column 'id' is left out: it has a different value in each of its 30 rows")
    assert "categorical='id'" in note
    assert Preprocessor.fit(table, "y", ignore=("id",))[0].features == ["x"]
    assert Preprocessor.fit(table, "y", categorical=("id",))[0].categorical["id"][0] == "user000"


def test_numbers_with_a_unit_are_left_out_naming_the_column_and_a_value():
    rng = np.random.default_rng(0)
    weights = [f"{w:.1f} kg" for w in rng.normal(70, 8, 60)]
    table = Table.from_columns("t.csv", {"weight": weights, "x": list(range(60)), "y": ["a", "b"] * 30})
    pre, notes = Preprocessor.fit(table, "y")
    assert pre.features == ["x"]
    [note] = [n for n in notes if "'weight'" in n]
    assert note.startswith(f"column 'weight' is left out: it holds numbers with a unit ({weights[0]!r};")
    assert (
        "write the numbers without the unit" in note and "categorical='weight'" in note and "\n" not in note
    )
    assert len(Preprocessor.fit(table, "y", categorical=("weight",))[0].categorical["weight"]) > 20
    prices = [f"${p:.2f}" for p in rng.uniform(1, 99, 60)]
    table = Table.from_columns("t.csv", {"price": prices, "y": ["a", "b"] * 30})
    with pytest.raises(
        DataError,
        match=r"no column can be a feature: column 'price' is left out: it holds numbers with a unit \('\$",
    ):
        Preprocessor.fit(table, "y")


@pytest.mark.parametrize(
    "values",
    [
        ["2 doors", "4 doors"],  # a few numbers with a unit: categories as good as any
        ["1. White", "2. Black", "3. Asian", "4. Other"],  # numbered labels (ISLR's Wage)
        [f"{i}{c}" for i in range(10, 20) for c in "ABCDEF"],  # seat-like codes, many suffixes
    ],
)
def test_categories_that_merely_start_with_a_number_are_kept(values):
    cells = (values * 200)[:200]
    table = Table.from_columns("t.csv", {"c": cells, "y": ["a", "b"] * 100})
    pre, _ = Preprocessor.fit(table, "y")
    assert pre.categorical["c"] == sorted(set(values))


def test_free_text_with_a_value_in_most_rows_no_other_row_holds_is_left_out():
    # Like ISLR's Auto 'name': 301 names in 392 rows, 245 of them in one row only.
    names = [f"car {i}" for i in range(25)] + ["ford pinto"] * 5 + ["amc hornet"] * 4
    table = Table.from_columns("t.csv", {"name": names, "x": list(range(34)), "y": ["a", "b"] * 17})
    pre, notes = Preprocessor.fit(table, "y")
    assert pre.features == ["x"]
    [note] = [n for n in notes if "'name'" in n]
    assert note.startswith(
        "column 'name' is left out: it holds a value no other row holds in 25 of its 34 rows"
    )
    assert "(27 distinct values, e.g. 'car 0')" in note and "categorical='name'" in note
    common = names[:15] + ["ford pinto"] * 10 + ["amc hornet"] * 9  # 15 of 34 rows: kept
    pre, _ = Preprocessor.fit(Table.from_columns("t.csv", {"name": common, "y": ["a", "b"] * 17}), "y")
    assert len(pre.categorical["name"]) == 17


# ------------------------------------------------------------- 3. magnitudes
@pytest.mark.parametrize(
    ("value", "dtype", "advice"),
    [
        ("5e200", "float64", "rescale"),
        ("-5e200", "float64", "rescale"),
        ("1.5e308", "float32", "dtype='float64'"),
    ],
)
def test_huge_finite_values_are_refused_before_training_naming_the_column(value, dtype, advice):
    cells = ["1", "2", value, "4"] * 5
    table = Table.from_columns("t.csv", {"x": cells, "z": list(range(20)), "y": ["a", "b"] * 10})
    with pytest.raises(DataError) as caught:
        train_table(table, TrainConfig(target="y", dtype=dtype, **FAST))
    message = str(caught.value)
    assert f"t.csv:4: column 'x', value '{value}' is too large for {dtype}" in message
    assert advice in message


def test_a_value_within_float32_but_far_outside_the_training_spread_is_refused_not_nan(rng):
    from chainrule.workflow.apply import evaluate_table, explain_row

    tiny = [f"{v:.6g}" for v in rng.normal(5e-19, 1e-19, 40)]  # a standard deviation of about 1e-19
    table = Table.from_columns("t.csv", {"conc": tiny, "x": list(range(40)), "y": ["a", "b"] * 20})
    network = train_table(table, TrainConfig(target="y", **FAST)).network
    far = Table.from_columns("new.csv", {"conc": ["5e-19", "3e20"], "x": ["1", "2"], "y": ["a", "b"]})
    beyond = r"new.csv:3: column 'conc', value '3e20' is \d.\d+e\+39 training standard deviations .* float32 computes"
    for apply in (predict_table, evaluate_table, lambda n, t: explain_row(n, t, 2)):
        with pytest.raises(DataError, match=beyond):
            apply(network, far)
    # Within float32 after standardising (1e38), yet enough to overflow the first layer's sums.
    network.layers[0].weight[0] = 10.0
    big = Table.from_columns("new.csv", {"conc": ["5e-19", "1e19"], "x": ["1", "2"], "y": ["a", "b"]})
    overflow = r"new.csv:3: column 'conc', value '1e19': the network's output is not finite in float32"
    for apply in (predict_table, evaluate_table, lambda n, t: explain_row(n, t, 2)):
        with pytest.raises(DataError, match=overflow):
            apply(network, big)
    values, _, _ = predict_table(network, far.select_rows([0]))
    assert len(values) == 1


def test_huge_regression_targets_and_predicted_values_are_refused():
    table = Table.from_columns("t.csv", {"x": list(range(20)), "y": ["1", "5e200"] * 10})
    with pytest.raises(DataError, match=r"t.csv:3: column 'y', value '5e200' is too large for float64"):
        train_table(table, TrainConfig(target="y", task="regression", dtype="float64", **FAST))
    table = Table.from_columns("t.csv", {"x": [f"{i}e30" for i in range(20)], "y": list(range(20))})
    network = train_table(table, TrainConfig(target="y", task="regression", dtype="float32", **FAST)).network
    with pytest.raises(DataError, match=r"new.csv:2: column 'x', value '1e39' is too large for float32"):
        predict_table(network, Table.from_columns("new.csv", {"x": ["1e39"]}))


# ------------------------------------------------------------- 4. many columns
def test_twenty_thousand_columns_train(tmp_path, rng):
    n, k = 30, 20_000
    X = np.round(rng.normal(size=(n, k)), 2)
    y = np.where(X[:, 0] > 0, "up", "down")
    lines = [",".join(f"c{j}" for j in range(k)) + ",y"]
    lines += [",".join(f"{v:.2f}" for v in X[i]) + f",{y[i]}" for i in range(n)]
    data = tmp_path / "wide.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    table = read_table(data)
    pre, _ = Preprocessor.fit(table, "y")
    assert pre.features == [f"c{j}" for j in range(k)] and pre.labels == ["down", "up"]
    inputs = pre.transform(table)
    assert inputs.shape == (n, k)
    assert np.allclose(inputs[:, 123], (X[:, 123] - X[:, 123].mean()) / X[:, 123].std())
    assert pre.encode_target(table).tolist() == (y == "up").astype(int).tolist()


def test_a_value_that_is_not_a_number_in_the_format_asked_for_says_which_would_read_it():
    cells = ["1.234,5", "0,5", "-3", "2,25"] * 5
    table = Table.from_columns("t.csv", {"amount": cells, "y": ["a", "b"] * 10})
    with pytest.raises(DataError) as caught:
        Preprocessor.fit(table, "y", number_format={"decimal": ","})
    message = str(caught.value)
    assert "column 'amount' holds numbers written as text when read with decimal=',' ('1.234,5')" in message
    assert "pass thousands='.', decimal=',' to read them" in message
    dotted = Table.from_columns("t.csv", {"amount": ["0.5", "1.25", "-3", "2"] * 5, "y": ["a", "b"] * 10})
    with pytest.raises(DataError, match=r"holds plain numbers \('0.5'\), not numbers written as decimal=','"):
        Preprocessor.fit(dotted, "y", number_format={"decimal": ","})
    pre, _ = Preprocessor.fit(table, "y", number_format={"decimal": ",", "thousands": "."})
    plain = r"'628.65' is not a number read with decimal=',' and thousands='.' \(it reads as a plain number\); write"
    with pytest.raises(DataError, match=plain):
        pre.transform(Table.from_columns("new.csv", {"amount": ["628.65"]}))


def test_a_column_of_mostly_text_and_some_numbers_is_read_as_categories_and_said():
    # Like ggplot2's mpg 'drv': 'f' and 'r' for the drive, '4' for four-wheel drive.
    drive = (["f"] * 5 + ["4"] * 4 + ["r"]) * 6
    table = Table.from_columns("t.csv", {"drv": drive, "x": list(range(60)), "y": ["a", "b"] * 30})
    pre, notes = Preprocessor.fit(table, "y")
    assert pre.categorical["drv"] == ["4", "f", "r"]
    assert (
        "column 'drv' is read as categories: 36 of its 60 values are text (e.g. 'f'), so its numbers (e.g. '4') are categories too"
        in notes
    )
    typo = ["1.5"] * 59 + ["1,5x"]  # a number column with one value mistyped: still refused
    with pytest.raises(
        DataError, match=r"column 'x'.*is not a number; 59 other values in the column are numbers"
    ):
        Preprocessor.fit(Table.from_columns("t.csv", {"x": typo, "y": ["a", "b"] * 30}), "y")
