"""The columns that cannot be features, and what training does with them: each is left out
with a note naming it, a value and what to do to use it (``categorical=`` keeps a text column
as categories), or, where nothing can be learned or filled, refused.

- Text whose values a new row would rarely repeat: an ID (a different value in every row),
  a near-ID or free text (most rows a value of their own), dates, and numbers with a unit
  (``unusable_categories``, ``unreadable_values``, ``near_id``), from ``infer.ID_ROWS`` rows on.
- Numbers that number the rows: pandas' index or a column named like an ID, holding a
  different whole number in each row (``is_row_index``).
- The index pandas writes to Parquet (``__index_level_0__``, or a column the file's pandas
  metadata names as the index), whatever it holds (``parquet_index``).
- A column with no value: refused without ``impute=``, every such column in one message
  (``empty_columns``), and left out under it (``empty_left_out``).
- A column of mostly text with some numbers is read as categories, and said (``mostly_text``).
"""

from __future__ import annotations

import re

import numpy as np

from .cells import arrow, as_numpy
from .infer import ID_ROWS, MAX_CLASSES_INFERRED
from .read import Table

__all__ = [
    "unusable_categories",
    "unreadable_values",
    "id_column",
    "empty_column",
    "empty_columns",
    "empty_left_out",
    "mostly_text",
    "mostly_text_note",
    "text_with_numbers",
    "near_id",
    "row_index",
    "is_row_index",
    "parquet_index",
    "PARQUET_INDEX",
    "distinct_whole_numbers",
    "PANDAS_INDEX",
    "ID_NAME",
    "numbered_rows",
]

_NUMBER = r"(?:[0-9]+(?:[.,][0-9]+)*|\.[0-9]+)"
#: A number with a unit: '72.6 kg', '12mm', '21 °C', '3 km/h', '$12.50' (not '1. White').
WITH_UNIT = rf"^[+-]?(?:[$€£¥]\s*{_NUMBER}|{_NUMBER}\s*(?:\pL|[°µ$€£¥])\S{{0,11}})$"
#: A column of measurements writes one unit, or a few ('kg', 'g', 'lb').
UNIT_FORMS = 3
#: A date, or a date and time: ISO 8601 (2024-01-31, 2024-01-31T08:00:00Z, 2024-01-31 08:00)
#: and the day-month-year or month-day-year forms spreadsheets write (31/01/2024, 1/31/24,
#: 31.01.2024), with an optional time.
DATE = (
    r"^(?:[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}|[0-9]{1,2}[/.-][0-9]{1,2}[/.-](?:[0-9]{4}|[0-9]{2}))"
    r"(?:[T ][0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?\s*(?:Z|[+-][0-9]{2}:?[0-9]{2}|[AaPp][Mm])?)?$"
)
#: The names pandas gives the row index it writes (``to_csv`` without ``index=False``, read back:
#: 'Unnamed: 0', 'Unnamed: 0.1' after a second round trip) or makes a column of (``reset_index``).
PANDAS_INDEX = re.compile(r"Unnamed: [0-9]+(?:\.[0-9]+)*|index|level_0")
#: The names pandas gives the index levels it writes to Parquet as columns (an index without a name).
PARQUET_INDEX = re.compile(r"__index_level_[0-9]+__")
#: Names of an ID: 'id', 'ID', 'customer_id', 'patient id', 'PassengerId', 'customerID', 'PID'.
ID_NAME = re.compile(r"(?i:id)|.*[_\s.-](?i:id)|.*[a-z0-9]I[Dd]|[A-Z]{1,3}ID")


def numbered_rows(name: str) -> bool:
    """Whether a numeric column is named like the row numbers of a table: pandas' index
    (``PANDAS_INDEX``) or an ID (``ID_NAME``)."""
    return bool(PANDAS_INDEX.fullmatch(name) or ID_NAME.fullmatch(name))


def id_column(name: str, rows) -> str:
    """The note for a text column left out for a different value in each of its ``rows`` rows."""
    return (
        f"column {name!r} is left out: it has a different value in each of its {rows} rows, like an ID, "
        f"which tells nothing about new rows (pass categorical={name!r} to encode it all the same)"
    )


def empty_columns(names: list[str], rows: int, target_gaps: int = 0, impute: str = "median") -> str:
    """Why columns are refused that have no value in any of their ``rows`` rows, all of them
    at once, and the one run that trains: ignore= them, or ``impute=`` (which leaves them out
    and fills the other gaps), with drop_missing=True when the target has ``target_gaps`` gaps."""
    listed = ", ".join(repr(name) for name in names)
    impute = (
        f"impute={impute!r} with drop_missing=True, which leave them out, fill the other gaps and "
        f"drop the {target_gaps} row{'s' if target_gaps > 1 else ''} without a target"
        if target_gaps
        else f"impute={impute!r}, which leaves them out and fills the other gaps"
    )
    if len(names) == 1:
        return f"{empty_column(names[0], 0, rows)}, or {impute}"
    return (
        f"columns {listed} have no values (no finite numbers, no text): every one of their {rows} "
        f"cells is empty or missing; pass ignore={','.join(names)!r} to leave them out, or {impute}"
    )


def empty_left_out(name: str, rows) -> str:
    """The note for a column left out under impute= that has no value in its ``rows`` rows:
    nothing to learn from, and nothing to fill it with (without impute=, its gaps are refused)."""
    return (
        f"column {name!r} is left out: every one of its {rows} cells is empty or missing, so there "
        "is nothing to learn from it or to fill it with"
    )


def mostly_text(texts: int, present: int) -> bool:
    """Whether a column whose ``present`` values are ``texts`` text and the rest numbers is a
    column of categories (more than half of them text: 'f', 'r' and '4' for a car's drive)
    rather than numbers with a few mistyped (which are refused, naming the first)."""
    return 2 * texts > present


def text_with_numbers(table: Table, name: str, cells, texts: int, present: int) -> str:
    """The note for a column of mostly text read as categories, its numbers among them."""
    number = table.text(int(np.argmax(cells.present & ~cells.text)), name).strip()
    text = table.text(int(np.argmax(cells.text)), name).strip()
    return mostly_text_note(name, texts, present, text, number)


def mostly_text_note(name: str, texts: int, present: int, text: str, number: str) -> str:
    """``text_with_numbers``'s note from its first ``text`` and ``number`` (a streamed run's)."""
    return (
        f"column {name!r} is read as categories: {texts} of its {present} values are text "
        f"(e.g. {text!r}), so its numbers (e.g. {number!r}) are categories too"
    )


def empty_column(name: str, present: int, rows) -> str:
    """Why a column is refused that has no value in its ``rows`` rows (``present`` 0), or whose
    ``present`` values are none of them a finite number."""
    if not present:
        return (
            f"column {name!r} has no values (no finite numbers, no text): every one of its {rows} "
            f"cells is empty or missing; pass ignore={name!r} to leave the column out"
        )
    return (
        f"column {name!r} has no finite numbers (its {present} values are infinite); "
        f"fix them, or pass ignore={name!r} to leave the column out"
    )


def row_index(name: str, rows) -> str:
    """The note for a numeric column left out that is named like pandas' row index or an ID
    and holds a different whole number in each of its ``rows`` rows."""
    if not PANDAS_INDEX.fullmatch(name):
        return (
            f"column {name!r} is left out: it holds a different whole number in each of its {rows} "
            "rows and is named like an ID, which tells nothing about new rows (and gives the target "
            "away when the rows were numbered in its order); name the column otherwise to use it as a number"
        )
    return (
        f"column {name!r} is left out: it holds a different whole number in each of its {rows} rows, "
        "like the row numbers pandas writes as the index (to_csv without index=False), which tell "
        "nothing about new rows (and give the target away when the rows were sorted by it); "
        "name the column otherwise to use it as a number"
    )


def parquet_index(table: Table, name: str) -> str | None:
    """The note for a column pandas wrote as the frame's index (``to_parquet`` keeps an index
    other than 0, 1, 2, ... as a column): named so in the file's pandas metadata
    (``Table.pandas_index``) or ``__index_level_N__``; None for another column."""
    if name not in table.pandas_index and not PARQUET_INDEX.fullmatch(name):
        return None
    return (
        f"column {name!r} is left out: it is the index pandas wrote with the frame (to_parquet without "
        "index=False), like the row numbers it writes to CSV, which tell nothing about new rows (and "
        "give the target away when the rows were sorted by it); write the frame after reset_index() "
        "to use it as a feature"
    )


def distinct_whole_numbers(numbers: np.ndarray, missing: np.ndarray) -> bool:
    """Whether every cell holds a whole number, a different one in each."""
    if missing.any() or not np.all(np.isfinite(numbers) & (numbers == np.floor(numbers))):
        return False
    return np.unique(numbers).size == numbers.size


def is_row_index(name: str, numbers: np.ndarray, missing: np.ndarray) -> bool:
    """Whether a numeric column numbers the rows: named so (``numbered_rows``) and, from
    ``ID_ROWS`` rows on, a different whole number in each row (no cell missing)."""
    return numbered_rows(name) and numbers.size >= ID_ROWS and distinct_whole_numbers(numbers, missing)


def unreadable_values(name: str, values, rows: int, example: str) -> str | None:
    """The note for a text column left out whose distinct ``values`` (an Arrow text array) in
    ``rows`` rows are all dates (``DATE``) or all numbers with a unit (``WITH_UNIT``, at most ``UNIT_FORMS``
    units) cannot serve as categories, from more than ``MAX_CLASSES_INFERRED`` of them on:
    prediction would meet every new date or measurement as an unknown category."""
    _, pc, _ = arrow()
    if len(values) <= MAX_CLASSES_INFERRED:
        return None
    if as_numpy(pc.match_substring_regex(values, DATE)).all():
        return (
            f"column {name!r} is left out: it holds dates ({example!r}; {len(values)} distinct values in "
            f"{rows} rows), which as categories leave every new date unknown at prediction; to use them, "
            "write what matters in them as numbers in columns of their own (days since a start, the year, "
            f"the month, the day of the week), or pass categorical={name!r} to keep them as categories"
        )
    if as_numpy(pc.match_substring_regex(values, WITH_UNIT)).all():
        units = pc.unique(pc.utf8_lower(pc.replace_substring_regex(values, r"[-+0-9.,\s]", "")))
        if len(units) <= UNIT_FORMS:
            return (
                f"column {name!r} is left out: it holds numbers with a unit ({example!r}; {len(values)} "
                f"distinct values in {rows} rows), which as categories leave any new value unknown at "
                "prediction; to use them, write the numbers without the unit (name it in the header), "
                f"or pass categorical={name!r} to keep them as categories"
            )
    return None


def unusable_categories(table: Table, name: str, present: np.ndarray) -> str | None:
    """The note for a text column left out because its values cannot serve as categories, or
    None when they can.

    A category is learned from the rows that hold it, so a column is left out (from ``ID_ROWS``
    rows on) when most of its rows hold a value no other row holds (an ID, or free text such
    as names; a different value in every row is the extreme case), and, from more than
    ``MAX_CLASSES_INFERRED`` distinct values on, when its values are numbers with a unit
    (``WITH_UNIT``, at most ``UNIT_FORMS`` units): a measurement, whose new values prediction
    would meet as unknown categories, or dates (``DATE``), for the same reason. The reason
    names the column and an example value.
    """
    pa, pc, _ = arrow()
    kept = pc.filter(table.trimmed(name), pa.array(present))
    rows = len(kept)
    if rows < ID_ROWS:
        return None
    counted = pc.value_counts(kept)
    counts = as_numpy(counted.field("counts"))
    once = int(np.sum(counts == 1))
    example = kept[0].as_py()
    problem = unreadable_values(name, counted.field("values"), rows, example)
    if problem:
        return problem
    if once == rows:
        return id_column(name, rows)
    return near_id(name, once, rows, counts.size, example)


def near_id(name: str, once: int, rows: int, values: int, example: str) -> str | None:
    """The note for a text column left out because most of its ``rows`` rows hold a value no
    other row holds (``once`` of them; ``values`` distinct), or None when fewer do."""
    if 2 * once <= rows:
        return None
    return (
        f"column {name!r} is left out: it holds a value no other row holds in {once} of its {rows} rows "
        f"({values} distinct values, e.g. {example!r}), like an ID or free text, and such "
        f"categories tell little about new rows (pass categorical={name!r} to encode it all the same)"
    )
