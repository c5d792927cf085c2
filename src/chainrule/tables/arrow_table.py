"""Arrow tables of any column types as a ``Table``: a streamed chunk, or a Parquet file whole.

``read_table`` reads a CSV file's cells as text; an Arrow table from Parquet holds numbers,
booleans, timestamps and text. ``arrow_table`` makes it a ``Table`` that reads as the same
data written to CSV would:

- **Names** are stripped of white space, and an empty or repeated name is refused, as
  ``read_table`` refuses them (``checked_names``).
- **Numbers** (integer and floating columns) are taken as numbers; null and NaN are missing.
- **Their text** (class labels, categories, messages), and other types, are cast on first
  use, spelled as pandas writes them to CSV: floats as NumPy's ``str`` (``1.0``, ``0.1``,
  ``1e-05``, ``1e+20``; NaN an empty cell); booleans ``True``/``False``; timestamps
  ``2020-01-01`` at midnight, else ``2020-01-01 12:30:05`` (a fraction of a second only when
  it is not zero, an offset as ``+01:00``). So a model trained on Parquet reads a CSV of the
  same data, and the reverse. Nulls are empty cells (missing). A type that has no text (a
  list, a struct) is refused when the column is first used, naming it (``ignore=`` skips it).
- **pandas' index**: the columns a file's pandas metadata names as the frame's index
  (``index_columns``: ``__index_level_0__``, or the index's name) are the Table's
  ``pandas_index``, which training leaves out (``tables.left_out.parquet_index``).

``read_parquet`` reads a Parquet file whole that way; ``read_table_file`` reads a Parquet file
so and any other as CSV (``read_table``), which is how ``predict``, ``evaluate`` and
``explain`` read their data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .cells import Cells, arrow, as_numpy
from .read import DataError, Table, checked_names, read_table

__all__ = ["arrow_table", "read_parquet", "read_table_file", "reason", "pandas_index"]


class _TextView:
    """An Arrow table's columns as text (nulls as ""), cast on first use: what Table reads."""

    def __init__(self, data, source: str):
        self.data, self.num_rows, self.texts, self.source = data, data.num_rows, {}, source

    def column(self, name: str):
        if name not in self.texts:
            pa, _, _ = arrow()
            values = self.data.column(name)
            try:
                text = _as_text(values)
            except (pa.ArrowNotImplementedError, pa.ArrowInvalid) as error:
                raise DataError(
                    f"{self.source}: column {name!r} holds values of type {values.type}, which are read "
                    f"neither as numbers nor as text ({reason(error)}); pass ignore={name!r} to leave "
                    "it out, or write it as numbers or text"
                ) from None
            self.texts[name] = text.fill_null("").combine_chunks()
        return self.texts[name]


def _as_text(values):
    """An Arrow column as text, spelled as pandas writes it to CSV (see the module)."""
    pa, pc, _ = arrow()
    if pa.types.is_string(values.type):
        return values
    if pa.types.is_boolean(values.type):
        return pc.if_else(values, "True", "False")
    if pa.types.is_floating(values.type):
        return _floats_as_text(values)
    text = pc.cast(values, pa.string())
    if pa.types.is_timestamp(values.type):
        for pattern, replacement in (
            (r"^([0-9-]+) 00:00:00(\.0+)?$", r"\1"),  # midnight without a time zone: the date
            (r"(:[0-9]{2})\.0+($|[+Z-])", r"\1\2"),  # no zero fraction of a second
            (r"Z$", "+00:00"),
            (r"([+-][0-9]{2})([0-9]{2})$", r"\1:\2"),
        ):
            text = pc.replace_substring_regex(text, pattern, replacement)
    return text


def _floats_as_text(values):
    """Floats as pandas' ``to_csv`` writes them, which is NumPy's ``str`` of each (``1.0``,
    ``1e-05``; a float32 with float32's digits), NaN and null as null. Each distinct value is
    written once (Python's ``repr`` is NumPy's ``str`` for float64, and quicker)."""
    pa, pc, _ = arrow()
    encoded = pc.dictionary_encode(values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values)
    numbers = encoded.dictionary.to_numpy(zero_copy_only=False)
    if numbers.dtype == np.float64:
        texts = [repr(number) for number in numbers.tolist()]
    else:
        texts = [str(text) for text in numbers.astype(str)]
    written = pa.array(texts, pa.string(), mask=np.isnan(numbers))
    return pa.chunked_array([written.take(encoded.indices)])


def pandas_index(schema, names: list[str]) -> tuple[str, ...]:
    """The columns pandas wrote as the frame's index, as the schema's pandas metadata names
    them (``index_columns``; a RangeIndex is kept as metadata, not as a column), among the
    schema's columns renamed as ``names`` (stripped)."""
    try:
        written = json.loads((schema.metadata or {}).get(b"pandas", b"{}")).get("index_columns", [])
    except (ValueError, AttributeError):  # not pandas' JSON
        return ()
    renamed = dict(zip(schema.names, names))
    return tuple(renamed[name] for name in written if isinstance(name, str) and name in renamed)


@dataclass
class _ArrowColumns:
    """What the Tables cut from one Arrow table share (the fields ``Table`` reads of
    ``tables.table.Columns``). Its rows are at lines ``first_line`` on, one each, unless
    ``locator`` (a streamed CSV chunk's) finds them in the file."""

    data: _TextView
    first_line: int
    locator: Callable[[], np.ndarray] | None = None
    lines: np.ndarray | None = None
    cells: dict = field(default_factory=dict)
    trimmed: dict = field(default_factory=dict)
    pandas_index: tuple = ()
    typed_numbers: frozenset = frozenset()

    def locate(self) -> np.ndarray:
        if self.locator is not None:
            return self.locator()
        return np.arange(self.first_line, self.first_line + self.data.num_rows)

    def blanks(self) -> list[int]:
        return []

    @property
    def unit(self) -> str:
        """What ``locate`` counts: a streamed CSV chunk's lines, or a Parquet file's rows."""
        return "line" if self.locator is not None else "row"


def _numbers(values) -> Cells | None:
    """The Cells of an Arrow column of numbers (null and NaN missing), None for other types."""
    pa, _, _ = arrow()
    if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
        return None
    numbers = as_numpy(values.cast(pa.float64())).astype(np.float64, copy=False)
    missing = np.isnan(numbers)
    return Cells(missing, numbers, np.zeros(len(numbers), dtype=bool))


def arrow_table(source: str, columns: list[str], data, line: int, locate=None, index=()) -> Table:
    """A Table of the Arrow table ``data`` (named ``columns``) whose first row is at ``line``
    of ``source`` (a Parquet file's row counted from 1), or whose rows' lines ``locate()`` gives
    (a streamed CSV file's); ``index`` names the columns of pandas' index (``pandas_index``)."""
    shared = _ArrowColumns(_TextView(data, source), line, locate, pandas_index=tuple(index))
    for name in columns:
        numbers = _numbers(data.column(name))
        if numbers is not None:
            shared.cells[name] = numbers
    shared.typed_numbers = frozenset(shared.cells)
    return Table(source, columns, shared)


def reason(error: Exception) -> str:
    """The first line of an error's message (at most 160 characters), or its type's name."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:160]


def read_parquet(path) -> Table:
    """A Parquet file read whole into a Table (see the module); DataError naming the file
    when it cannot be read."""
    pa, _, _ = arrow()
    import pyarrow.parquet as pq

    source = str(path)
    if os.path.isdir(source):
        raise DataError(f"{source}: is a directory; give the path of a Parquet file")
    if not os.path.exists(source):
        raise DataError(f"{source}: no such file; check the path")
    try:
        data = pq.read_table(source)
    except (OSError, pa.ArrowException) as error:
        raise DataError(f"{source}: cannot be read as parquet ({reason(error)}); check the file") from None
    names = checked_names(source, data.column_names, None)
    if data.num_rows == 0:
        raise DataError(f"{source}: has no rows; give a file with rows of data")
    return arrow_table(source, names, data.rename_columns(names), 1, index=pandas_index(data.schema, names))


def read_table_file(path) -> Table:
    """A table file as a ``Table``: Parquet (``.parquet``, ``.pq``) read whole, anything else
    (and ``"-"``, standard input) as CSV by ``read_table``."""
    if str(path) != "-" and os.path.splitext(str(path))[1].lower() in (".parquet", ".pq"):
        return read_parquet(path)
    return read_table(path)
