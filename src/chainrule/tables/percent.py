"""Percentages written one way per column.

``percent=True`` (``tables.formats``) reads ``50%`` as 0.5 and a plain ``50`` as 50, so a
column that writes some numbers with % signs and some without would be read on two scales,
100 times apart. Training therefore learns, for each numeric column, whether its numbers are
written as percentages or plainly, refuses a column that mixes the two, and stores the
percentage columns with the model (``Preprocessor.percent_columns``); prediction refuses a
number written the other way. Model files from before hold no such list (None): their
tables are only refused when they mix the two forms in one column.
"""

from __future__ import annotations

import numpy as np

from .cells import Cells
from .infer import where
from .read import DataError, Table

__all__ = ["written_as_percent", "check_percent_form"]


def _plain(cells: Cells) -> np.ndarray:
    """Finite numbers written without a % sign."""
    return ~cells.missing & ~cells.text & ~cells.percent & np.isfinite(cells.numbers)


def _mixed(table: Table, name: str, cells: Cells) -> None:
    """DataError when a column holds numbers both with and without % signs."""
    plain = _plain(cells)
    if cells.percent.any() and plain.any():
        marked, unmarked = int(np.argmax(cells.percent)), int(np.argmax(plain))
        raise DataError(
            f"{table.source}: column {name!r} writes numbers both as percentages ("
            f"{table.line(marked)}: {table.text(marked, name).strip()!r}) and plainly ("
            f"{table.line(unmarked)}: {table.text(unmarked, name).strip()!r}), which percent=True reads "
            f"100 times apart ({cells.numbers[marked]:g} and {cells.numbers[unmarked]:g}); "
            "write every number of the column one way"
        )


def written_as_percent(table: Table, name: str, cells: Cells) -> bool | None:
    """At training: whether a numeric column's numbers are written with % signs (None when the
    number format does not read percentages); DataError when it mixes both forms."""
    if cells.percent is None:
        return None
    _mixed(table, name, cells)
    return bool(cells.percent.any())


def check_percent_form(table: Table, name: str, cells: Cells, percent_columns: list[str] | None) -> None:
    """At prediction: DataError at the first number of a column written otherwise than in
    training (with a % sign when the column was plain, or without one when it held
    percentages); ``percent_columns`` None (an older model file) refuses only a mix."""
    if cells.percent is None:
        return
    if percent_columns is None:
        _mixed(table, name, cells)
        return
    if name in percent_columns:
        wrong, problem = _plain(cells), "has no % sign, but the model read this column as percentages"
        advice = "write it as a percentage (50% for 0.5)"
    else:
        wrong, problem = cells.percent, "has a % sign, but the model read this column as plain numbers"
        advice = "write it without the % sign, as the training data did"
    if wrong.any():
        raise DataError(f"{where(table, int(np.argmax(wrong)), name)} {problem}; {advice}")
