"""``Table``: a table's column names, and each column's cells as Arrow text, parsed on demand.

``tables.read`` makes one of a CSV file, ``tables.arrow_table`` of an Arrow table (a Parquet
file, a streamed chunk). Tables cut from one file (``select_rows``) share what was parsed, so
each column is parsed once however many tables are cut from it.

Text that names something is compared in Unicode's composed form (NFC): ``trimmed``, where
category names and class labels are read, gives it so (``tables.nfc``), as the readers give
column names, so "Zürich" typed on a Mac (decomposed, NFD) is the "Zürich" of other systems.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from .cells import Cells, arrow, stripped
from .formats import format_key, parse_formatted
from .nfc import nfc

__all__ = ["Table", "Columns"]


@dataclass
class Columns:
    """What the tables cut from one file share: the cell texts, and what was parsed from them.

    ``locate`` gives the line of every row, ``blanks`` the blank lines between rows (which
    hold no row); both are found only when first needed. ``unit`` is what ``locate`` counts:
    a text file's lines ("line"), or a Parquet file's rows from 1 ("row").
    """

    data: object  # a pyarrow.Table of string columns
    locate: Callable[[], np.ndarray]
    blanks: Callable[[], list[int]] = list
    lines: np.ndarray | None = None
    cells: dict = field(default_factory=dict)
    trimmed: dict = field(default_factory=dict)
    pandas_index: tuple = ()  # the columns a Parquet file's pandas metadata names as the index
    typed_numbers: frozenset = frozenset()  # the columns of numbers by their type (Parquet's)
    unit: str = "line"


class Table:
    """A table read from a file: column names, and each column's cells as Arrow text.

    ``select_rows`` gives a table of some of the rows that shares the parsed columns, so
    each column is parsed once however many tables are cut from it. ``lines[i]`` is the
    line of the file where row i starts, for error messages.
    """

    def __init__(self, source: str, columns: list[str], shared, rows: np.ndarray | None = None):
        self.source, self.columns = source, columns
        self._shared, self._rows = shared, rows

    def __len__(self) -> int:
        return self._shared.data.num_rows if self._rows is None else len(self._rows)

    def _take(self, values):
        return values if self._rows is None else values.take(self._rows)

    # ---------------------------------------------------------------- cells
    def texts(self, name: str):
        """The column's cell texts as written (an Arrow array)."""
        return self._take(self._shared.data.column(name))

    def trimmed(self, name: str):
        """The column's cell texts without surrounding white space, in NFC (an Arrow array)."""
        if name not in self._shared.trimmed:
            self._shared.trimmed[name] = nfc(stripped(self._shared.data.column(name)))
        return self._take(self._shared.trimmed[name])

    def cells(self, name: str, number_format: dict | None = None) -> Cells:
        """The column parsed: which cells are missing, numbers or text (``tables.cells``),
        numbers read with ``number_format`` when one is given (``tables.formats``)."""
        # A column of numbers by its type (Parquet's) is read once, whatever the format.
        key = name if name in self._shared.typed_numbers else (name, *format_key(number_format))
        if key not in self._shared.cells:
            self._shared.cells[key] = parse_formatted(self._shared.data.column(name), number_format)
        parsed = self._shared.cells[key]
        return parsed if self._rows is None else parsed.take(self._rows)

    def parse(self, names, number_format: dict | None = None) -> None:
        """Parse these columns now, a share of them per thread (Arrow's kernels release the GIL)."""
        fmt = format_key(number_format)
        todo = [
            name
            for name in dict.fromkeys(names)
            if (name, *fmt) not in self._shared.cells and name not in self._shared.typed_numbers
        ]
        workers = min(len(todo), os.cpu_count() or 1)
        if workers < 2:
            return

        def share(start: int) -> list:
            return [
                parse_formatted(self._shared.data.column(name), number_format)
                for name in todo[start::workers]
            ]

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for start, parsed in enumerate(pool.map(share, range(workers))):
                for name, cells in zip(todo[start::workers], parsed):
                    self._shared.cells[(name, *fmt)] = cells

    def text(self, row: int, name: str) -> str:
        """The text of one cell."""
        full = row if self._rows is None else int(self._rows[row])
        return self._shared.data.column(name)[full].as_py()

    @property
    def pandas_index(self) -> tuple[str, ...]:
        """The columns pandas wrote as the frame's index, as a Parquet file's metadata names
        them (``tables.arrow_table``); () for a CSV file."""
        return self._shared.pandas_index

    def typed_numbers(self, name: str) -> bool:
        """Whether the column holds numbers by its type (a Parquet column of integers or
        floats), so that no cell of it can be text."""
        return name in self._shared.typed_numbers

    @property
    def lines(self) -> np.ndarray:
        if self._shared.lines is None:
            self._shared.lines = self._shared.locate()
        return self._shared.lines if self._rows is None else self._shared.lines[self._rows]

    def line(self, row: int) -> str:
        """Where row ``row`` is in the file, for messages: ``line 7`` (a text file's line, blank
        lines and quoted line breaks counted) or ``row 7`` (a Parquet file's row, from 1)."""
        return f"{self._shared.unit} {self.lines[row]}"

    def place(self, row: int) -> str:
        """Row ``row``'s place, for messages: ``data.csv:7`` (line 7), or ``data.parquet: row 7``."""
        if self._shared.unit == "line":
            return f"{self.source}:{self.lines[row]}"
        return f"{self.source}: {self.line(row)}"

    def blank_lines(self) -> list[int]:
        """The blank lines of the file between its first row and its last: lines that hold no
        row (a line of white space, without a delimiter), so a reader matching rows to lines
        can be told. Empty for a table read from Parquet."""
        return self._shared.blanks()

    def select_rows(self, keep) -> Table:
        keep = np.asarray(keep, dtype=np.int64)
        rows = keep if self._rows is None else self._rows[keep]
        return Table(self.source, self.columns, self._shared, rows)

    # ------------------------------------------------------ Python objects
    def column(self, name: str) -> list[str]:
        """The column's texts as a Python list (one object per cell: for small tables)."""
        return self.texts(name).to_pylist()

    @property
    def rows(self) -> list[list[str]]:
        """The rows as lists of texts (one object per cell: for small tables)."""
        return [list(row) for row in zip(*(self.column(name) for name in self.columns))]

    @classmethod
    def from_columns(cls, source: str, columns: dict[str, list]) -> Table:
        pa, _, _ = arrow()
        names = list(columns)
        data = pa.table({name: pa.array([_text(v) for v in columns[name]], pa.string()) for name in names})
        return cls(source, names, Columns(data, lambda: np.arange(2, data.num_rows + 2)))


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return str(value)
