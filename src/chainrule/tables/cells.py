"""What the cells of a column hold, decided for the whole column at once.

A cell is *missing* when its text, stripped of white space and lower-cased, is one of
``MISSING`` (the usual spellings of nothing, and a spreadsheet's error values such as
``#N/A`` and ``#DIV/0!``, as pandas reads ``#N/A``); else a *number* when it reads as a decimal number (``1``, ``-2.5``, ``.5``,
``1e-3``, ``inf``; white space around it is allowed), else *text*. Columns are Arrow string
arrays and every step here is one Arrow or NumPy operation over the column, never a
Python loop over its cells: the common case (numbers, perhaps with exact missing tokens)
costs one hash lookup and one cast; white space, odd letter case and text cells take a
second, still vectorised, pass.

pyarrow is imported on first use (``arrow()``), so ``import chainrule`` needs NumPy only.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

__all__ = [
    "MISSING",
    "Cells",
    "arrow",
    "as_numpy",
    "parse_cells",
    "parse_number",
    "stripped",
    "category_codes",
]

#: Spreadsheets' error values, which a formula gives when it has no number (Excel's
#: ``#N/A``, ``#DIV/0!``, ...; Google Sheets and LibreOffice write the same).
SPREADSHEET_ERRORS = frozenset({"#n/a", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!"})
#: Cell texts read as missing values (compared stripped and lower-cased).
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"}) | SPREADSHEET_ERRORS

# The decimal forms Python's float() and Arrow's cast both read (ASCII digits only).
NUMBER_PATTERN = r"(?i)^[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf|infinity|nan)$"


def arrow():
    """(pyarrow, pyarrow.compute, pyarrow.csv), or ImportError naming the extra to install."""
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.csv
    except ImportError:
        raise ImportError(
            "reading and preprocessing tables needs pyarrow: pip install 'chainrule[cli]'"
        ) from None
    return pyarrow, pyarrow.compute, pyarrow.csv


def _every_case(token: str) -> list[str]:
    return ["".join(letters) for letters in itertools.product(*({c.lower(), c.upper()} for c in token))]


#: The missing tokens exactly as a cell may hold them unstripped: the fast path's lookup set.
MISSING_ANY_CASE = sorted({variant for token in MISSING for variant in _every_case(token)})


def parse_number(text: str) -> float | None:
    """One cell's number (NaN when missing), or None when it is text; for single values.

    Columns go through ``parse_cells``, which reads the same forms vectorised.
    """
    stripped_text = text.strip()
    if stripped_text.lower() in MISSING:
        return math.nan
    try:
        return float(stripped_text)
    except ValueError:
        return None


@dataclass
class Cells:
    """A column's cells, parsed: each array has one entry per row.

    ``missing``: the cell is a missing-value token. ``numbers``: the cell's number, NaN
    where missing or text. ``text``: the cell is present but not a number. ``percent``: the
    cell is a number written with a % sign, read as a fraction (None when the number format
    does not read percentages, ``tables.formats``).
    """

    missing: np.ndarray
    numbers: np.ndarray
    text: np.ndarray
    percent: np.ndarray | None = None

    def take(self, rows: np.ndarray) -> Cells:
        percent = None if self.percent is None else self.percent[rows]
        return Cells(self.missing[rows], self.numbers[rows], self.text[rows], percent)

    @property
    def present(self) -> np.ndarray:
        return ~self.missing


def as_numpy(array) -> np.ndarray:
    """An Arrow array or chunked array as a NumPy array (nulls as NaN), writeable."""
    pa, _, _ = arrow()
    if isinstance(array, pa.ChunkedArray):  # its own to_numpy goes through pandas
        array = array.combine_chunks()
    values = array.to_numpy(zero_copy_only=False)
    return values if values.flags.writeable else values.copy()


def _to_bool(array) -> np.ndarray:
    return as_numpy(array).astype(bool, copy=False)


def _to_float(array) -> np.ndarray:
    return as_numpy(array).astype(np.float64, copy=False)


def stripped(texts):
    """The texts without surrounding white space (an Arrow array)."""
    _, pc, _ = arrow()
    return pc.utf8_trim_whitespace(texts)


def parse_cells(texts) -> Cells:
    """Parse an Arrow string column (no nulls) into missing / number / text cells."""
    pa, pc, _ = arrow()
    nothing = pa.scalar(None, pa.string())
    missing = pc.is_in(texts, value_set=pa.array(MISSING_ANY_CASE))
    try:  # the fast path: every cell an exact missing token or a number as written
        numbers = pc.cast(pc.if_else(missing, nothing, texts), pa.float64())
        is_missing = _to_bool(missing)
        return Cells(is_missing, _to_float(numbers), np.zeros(len(is_missing), dtype=bool))
    except pa.ArrowInvalid:
        pass
    trimmed = stripped(texts)
    missing = pc.is_in(pc.utf8_lower(trimmed), value_set=pa.array(sorted(MISSING)))
    number = pc.and_(pc.match_substring_regex(trimmed, NUMBER_PATTERN), pc.invert(missing))
    numbers = pc.cast(pc.if_else(number, trimmed, nothing), pa.float64())
    is_missing, is_number = _to_bool(missing), _to_bool(number)
    return Cells(is_missing, _to_float(numbers), ~is_missing & ~is_number)


def category_codes(trimmed, vocabulary: list[str]) -> np.ndarray:
    """Each cell's index in ``vocabulary`` (stripped texts), -1 where it is not there."""
    pa, pc, _ = arrow()
    found = pc.index_in(trimmed, value_set=pa.array(vocabulary, pa.string()))
    return as_numpy(found.fill_null(-1)).astype(np.int64)


def distinct(trimmed, keep: np.ndarray) -> list[str]:
    """The sorted distinct texts of the cells where ``keep`` is true."""
    pa, pc, _ = arrow()
    values = pc.unique(pc.filter(trimmed, pa.array(keep)))
    return sorted(values.to_pylist())
