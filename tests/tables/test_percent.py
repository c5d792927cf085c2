"""percent=True reads each column on one scale: a column mixing '43.1%' and '65.4' is refused at
training, and prediction refuses a number written otherwise than the column was in training."""

from __future__ import annotations

import json

import pytest

from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import DataError, Table
from chainrule.workflow.apply import evaluate_table, predict_table
from chainrule.workflow.train import TrainConfig, train_table
from cli_runner import chainrule_cli

pytest.importorskip("pyarrow")

FAST = {"epochs": 3, "hidden": (4,), "verbose": 0, "early_stopping": False, "linear_fallback": False}


def _shares(n: int = 30) -> list[str]:
    return [f"{10 + 2.5 * i:.1f}%" for i in range(n)]


def _trained(**columns) -> object:
    rows = {"share": _shares(), "x": [str(i) for i in range(30)], "y": ["a", "b", "c"] * 10, **columns}
    config = TrainConfig(target="y", percent=True, test_size=0, **FAST)
    return train_table(Table.from_columns("t.csv", rows), config).network


def test_a_column_mixing_percentages_and_plain_numbers_is_refused_at_training():
    shares = _shares()
    shares[3] = "65.4"
    table = Table.from_columns("t.csv", {"share": shares, "y": ["a", "b"] * 15})
    with pytest.raises(DataError) as caught:
        Preprocessor.fit(table, "y", number_format={"percent": True})
    message = str(caught.value)
    assert message.startswith("t.csv: column 'share' writes numbers both as percentages (line 2: '10.0%')")
    assert "plainly (line 5: '65.4')" in message and "100 times apart (0.1 and 65.4)" in message
    assert "write every number of the column one way" in message and "\n" not in message


def test_a_regression_target_mixing_the_two_forms_is_refused():
    table = Table.from_columns("t.csv", {"x": list(range(20)), "y": ["50%", "20"] * 10})
    with pytest.raises(DataError, match=r"column 'y' writes numbers both as percentages"):
        Preprocessor.fit(table, "y", task="regression", number_format={"percent": True})


def test_prediction_refuses_a_number_written_otherwise_than_in_training():
    network = _trained()
    assert network.preprocessor.percent_columns == ["share"]
    plain = Table.from_columns("new.csv", {"share": ["40%", "50"], "x": ["1", "2"]})
    with pytest.raises(DataError) as caught:
        predict_table(network, plain)
    message = str(caught.value)
    assert message.startswith("new.csv:3: column 'share', value '50' has no % sign")
    assert "write it as a percentage" in message
    marked = Table.from_columns("new.csv", {"share": ["40%"], "x": ["5%"]})
    with pytest.raises(
        DataError, match=r"new.csv:2: column 'x', value '5%' has a % sign, but the model read"
    ):
        predict_table(network, marked)
    labelled = Table.from_columns("new.csv", {"share": ["40"], "x": ["1"], "y": ["a"]})
    with pytest.raises(DataError, match=r"column 'share', value '40' has no % sign"):
        evaluate_table(network, labelled)
    values, _, _ = predict_table(network, Table.from_columns("new.csv", {"share": ["40%"], "x": ["1"]}))
    assert values.tolist() in (["a"], ["b"], ["c"])


def test_the_columns_written_as_percentages_are_stored_and_read_back():
    network = _trained()
    data = json.loads(json.dumps(network.preprocessor.to_dict()))
    assert data["percent_columns"] == ["share"]
    assert Preprocessor.from_dict(data).percent_columns == ["share"]
    with pytest.raises(ValueError, match=r"percent_columns names 'nope', which is not a numeric column"):
        Preprocessor.from_dict({**data, "percent_columns": ["nope"]})
    with pytest.raises(ValueError, match=r"percent_columns needs number_format\['percent'\]"):
        Preprocessor.from_dict({**data, "number_format": {}})
    plain = train_table(
        Table.from_columns("t.csv", {"x": [str(i) for i in range(20)], "y": ["a", "b"] * 10}),
        TrainConfig(target="y", test_size=0, **FAST),
    ).network.preprocessor.to_dict()
    assert "percent_columns" not in plain  # files without percent=True are as they were


def test_an_older_model_file_without_the_list_refuses_only_a_mix():
    network = _trained()
    data = network.preprocessor.to_dict()
    del data["percent_columns"]
    network.preprocessor = Preprocessor.from_dict(data)
    assert network.preprocessor.percent_columns is None
    predict_table(network, Table.from_columns("new.csv", {"share": ["40"], "x": ["1"]}))
    mixed = Table.from_columns("new.csv", {"share": ["40%", "40"], "x": ["1", "2"]})
    with pytest.raises(DataError, match=r"column 'share' writes numbers both as percentages"):
        predict_table(network, mixed)


def test_the_command_line_refuses_the_mix_in_one_line(tmp_path):
    rows = [f"{40 + i}{'%' if i % 2 else ''},{'ab'[i % 2]}" for i in range(30)]
    data = tmp_path / "mixpct.csv"
    data.write_text("share,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    result = chainrule_cli("train", data, "--target", "y", "--percent", "--out", tmp_path / "m")
    assert result.returncode == 2
    assert result.stderr.count("\n") <= 1
    assert "column 'share' writes numbers both as percentages (line 3: '41%')" in result.stderr
    assert "plainly (line 2: '40'), which --percent reads 100 times apart (0.41 and 40)" in result.stderr
