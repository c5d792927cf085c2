"""impute= fills gaps, and says so: every fill is counted at training (a note and metrics) and at
prediction (a note), and an infinity filled as a gap is named with its line."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.tables.fills import fill_counts, fill_notes
from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import Table
from chainrule.workflow.apply import predict_table
from chainrule.workflow.train import TrainConfig, train_table

pytest.importorskip("pyarrow")

FAST = {"epochs": 3, "hidden": (4,), "verbose": 0, "early_stopping": False, "linear_fallback": False}


def _table() -> Table:
    x1 = [str(i / 10) for i in range(30)]
    x1[2], x1[5], x1[9] = "", "inf", "-inf"
    x2 = [str(i % 7) for i in range(30)]
    x2[4] = "NA"
    colour = ["red", "blue", "green"] * 10
    colour[0], colour[1] = "", "?"
    return Table.from_columns("t.csv", {"x1": x1, "x2": x2, "colour": colour, "y": ["a", "b"] * 15})


def test_the_gaps_impute_fills_are_counted_column_by_column_with_the_infinities():
    table = _table()
    pre, _ = Preprocessor.fit(table, "y", impute="median")
    assert fill_counts(pre, table) == {
        "x1": {"filled": 3, "infinite": 2},
        "x2": {"filled": 1, "infinite": 0},
        "colour": {"filled": 2, "infinite": 0},
    }
    (note,) = fill_notes(pre, table)
    assert note.startswith(
        "filling 6 gaps in 30 rows (impute median): 3 in 'x1', 1 in 'x2' with the training median; "
        "2 in 'colour' with the most frequent category; 2 are infinite "
        "(first at line 7, column 'x1', value 'inf'), filled as a missing value"
    )
    assert fill_notes(Preprocessor.fit(table, "y")[0], table) == []  # no impute=: nothing filled


def test_training_and_prediction_report_what_impute_fills():
    result = train_table(_table(), TrainConfig(target="y", impute="mean", test_size=0, **FAST))
    assert any(note.startswith("filling 6 gaps in 30 rows (impute mean)") for note in result.notes)
    assert result.metrics["filled"]["x1"] == {"filled": 3, "infinite": 2}
    new = Table.from_columns("new.csv", {"x1": ["inf", "0.5"], "x2": ["", "1"], "colour": ["red", "red"]})
    predictions, _, notes = predict_table(result.network, new)
    assert predictions.shape == (2,)
    assert notes == [
        "filling 2 gaps in 2 rows (impute mean): 1 in 'x1', 1 in 'x2' with the training mean; 1 is "
        "infinite (first at line 2, column 'x1', value 'inf'), filled as a missing value: fix the "
        "source if that was not meant"
    ]
    clean = Table.from_columns("new.csv", {"x1": ["0.5"], "x2": ["1"], "colour": ["red"]})
    assert predict_table(result.network, clean)[2] == []
    assert np.isfinite(result.network.predict(result.network.preprocessor.transform(new))).all()
