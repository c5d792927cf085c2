"""A column that gives the target away is named in a note (tables.leaks)."""

from __future__ import annotations

import numpy as np

from chainrule.tables.leaks import leak_notes
from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import Table


def notes_for(columns: dict, target: str = "y") -> list[str]:
    table = Table.from_columns("t.csv", {name: [str(v) for v in values] for name, values in columns.items()})
    pre, _ = Preprocessor.fit(table, target)
    return leak_notes(pre, pre.transform(table), pre.encode_target(table))


def test_a_copy_in_other_units_of_a_numeric_target_is_named(rng):
    x = rng.normal(size=60)
    y = 3 * x + rng.normal(size=60)
    notes = notes_for({"x": x, "y_in_cents": 100 * y - 7, "y": y})
    assert len(notes) == 1 and notes[0].startswith("column 'y_in_cents' gives the target 'y' away")
    assert "linear function" in notes[0] and "ignore='y_in_cents'" in notes[0]
    assert notes_for({"x": x, "noisy": y + 1e-3 * rng.normal(size=60), "y": y}) == []


def test_classes_recoded_as_numbers_or_categories_are_named_and_a_mere_predictor_is_not(rng):
    x = rng.normal(size=80)
    y = np.where(x + rng.normal(size=80) > 0, "yes", "no")
    notes = notes_for(
        {"x": x, "code": (y == "yes").astype(int), "group": np.where(y == "yes", "A", "B"), "y": y}
    )
    assert [note.split("'")[1] for note in notes] == ["code", "group"]
    assert "each of its values is one class" in notes[0]
    finer = np.where(y == "yes", rng.choice(["A", "C"], 80), "B")  # determines the class, not one to one
    assert notes_for({"x": x, "finer": finer, "y": y}) == []


def test_fewer_than_twenty_rows_are_not_judged(rng):
    y = np.array(["a", "b"] * 9)
    assert notes_for({"code": (y == "a").astype(int), "y": y}) == []
