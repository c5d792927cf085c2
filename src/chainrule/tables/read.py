"""Reading tables from CSV files, with errors that say where and what to do.

Arrow's CSV reader (``pyarrow.csv``, multi-threaded C++) parses the rows, every column as
text exactly as written; ``tables.cells`` then reads numbers and missing values column by
column. Python reads only the header and the first lines (to detect the delimiter: , ; tab
or |). A UTF-8 byte-order mark is dropped, a file that is not UTF-8 is read as
Windows-1252 when it can be, and ``"-"`` reads standard input. (A Parquet file is read
by ``tables.arrow_table.read_table_file``.)

Every problem is a ``DataError`` naming the file, line, column and value where known; line
numbers are found only when an error needs one, from the raw bytes (``tables.lines``). When
Arrow refuses a row, or the quoting is irregular, the ``csv`` module re-reads the file for
the exact error (a well-formed file never takes that path).
"""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import UserError
from .cells import MISSING, Cells, arrow, as_numpy, parse_number, stripped
from .formats import format_key, parse_formatted
from .lines import detect_delimiter, line_ends, quoting_is_regular, record_lines

__all__ = ["DataError", "Table", "read_table", "checked_names", "MISSING", "parse_number"]

_MAX_BYTES = 2 * 1024**3
_HEAD_BYTES = 1 << 20
_BLOCK_BYTES = 1 << 24  # Arrow parses blocks in parallel; larger blocks cost fewer chunks
_BOM = b"\xef\xbb\xbf"


class DataError(UserError, ValueError):
    """The data cannot be used as it is; the message says where and what to do."""


@dataclass
class _Columns:
    """What the tables cut from one file share: the cell texts, and what was parsed from them."""

    data: object  # a pyarrow.Table of string columns
    locate: Callable[[], np.ndarray]  # the line of every row, found when first needed
    lines: np.ndarray | None = None
    cells: dict = field(default_factory=dict)
    trimmed: dict = field(default_factory=dict)


class Table:
    """A table read from a file: column names, and each column's cells as Arrow text.

    ``select_rows`` gives a table of some of the rows that shares the parsed columns, so
    each column is parsed once however many tables are cut from it. ``lines[i]`` is the
    line of the file where row i starts, for error messages.
    """

    def __init__(self, source: str, columns: list[str], shared: _Columns, rows: np.ndarray | None = None):
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
        """The column's cell texts without surrounding white space (an Arrow array)."""
        if name not in self._shared.trimmed:
            self._shared.trimmed[name] = stripped(self._shared.data.column(name))
        return self._take(self._shared.trimmed[name])

    def cells(self, name: str, number_format: dict | None = None) -> Cells:
        """The column parsed: which cells are missing, numbers or text (``tables.cells``),
        numbers read with ``number_format`` when one is given (``tables.formats``)."""
        key = (name, *format_key(number_format))
        if key not in self._shared.cells:
            self._shared.cells[key] = parse_formatted(self._shared.data.column(name), number_format)
        parsed = self._shared.cells[key]
        return parsed if self._rows is None else parsed.take(self._rows)

    def parse(self, names, number_format: dict | None = None) -> None:
        """Parse these columns now, a share of them per thread (Arrow's kernels release the GIL)."""
        fmt = format_key(number_format)
        todo = [name for name in dict.fromkeys(names) if (name, *fmt) not in self._shared.cells]
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
    def lines(self) -> np.ndarray:
        if self._shared.lines is None:
            self._shared.lines = self._shared.locate()
        return self._shared.lines if self._rows is None else self._shared.lines[self._rows]

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
        return cls(source, names, _Columns(data, lambda: np.arange(2, data.num_rows + 2)))


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return str(value)


# ------------------------------------------------------------------- reading
def read_table(path: str | Path, delimiter: str | None = None) -> Table:
    """Read a CSV file (``"-"`` for standard input) into a Table.

    Raises DataError for a missing or unreadable file, an empty file, a file with a
    header and no rows, duplicate or empty column names and ragged rows.
    """
    source = "<stdin>" if str(path) == "-" else str(path)
    raw = _read_bytes(path, source)
    start = len(_BOM) if raw.startswith(_BOM) else 0
    if _blank(raw, start):
        raise DataError(f"{source}: the file is empty; expected a header line and rows of data")
    head = raw[: start + _HEAD_BYTES]
    if len(head) < len(raw):
        head = head[: head.rfind(b"\n") + 1] or raw
    encoding = "utf-8"
    try:
        head_text = head[start:].decode("utf-8")
    except UnicodeDecodeError:
        encoding = _fallback_encoding(raw, source)
        head_text = head[start:].decode(encoding)
    delimiter = delimiter or detect_delimiter(head_text)
    found = _header(head_text, delimiter)
    if found is None and len(head) < len(raw):  # no complete header in the first megabyte
        head, head_text = raw, raw[start:].decode(encoding)
        found = _header(head_text, delimiter)
    if found is None:  # blank lines only, or a header the csv module cannot parse
        _scan(raw, start, encoding, delimiter, source)
        raise DataError(f"{source}: the file is empty; expected a header line and rows of data")
    header, header_line, header_end = found
    checked_names(source, header, header_line)
    ends = line_ends(np.frombuffer(head[start:], np.uint8))
    data_start = start + int(ends[header_end - 1]) + 1 if header_end <= ends.size else len(raw)
    if _blank(raw, data_start):
        _scan(raw, start, encoding, delimiter, source)
        raise DataError(f"{source}: has a header but no data rows; add rows of data below line {header_line}")
    data = _arrow_rows(raw, data_start, header, delimiter, encoding, source)
    if data is None:  # Arrow refused a row: the csv module says exactly where and why
        _scan(raw, start, encoding, delimiter, source)
        raise DataError(f"{source}: malformed CSV; check the quotes and delimiters")
    if b'"' in raw and not quoting_is_regular(np.frombuffer(raw, np.uint8)[start:], delimiter):
        _scan(raw, start, encoding, delimiter, source)  # raises when csv would have refused it
    parsed_rows = data.num_rows
    data, kept = _without_blank_rows(data)
    if data.num_rows == 0:
        raise DataError(f"{source}: has a header but no data rows; add rows of data below line {header_line}")

    # A regular file is read again if an error needs lines; a pipe or FIFO cannot be.
    held = raw if source == "<stdin>" or not Path(path).is_file() else None
    del raw

    def locate() -> np.ndarray:
        again = held if held is not None else _read_bytes(path, source)
        return _lines_of_rows(again, start, data_start, parsed_rows, kept, encoding, delimiter, source)

    return Table(source, header, _Columns(data, locate))


def _blank(raw: bytes, start: int) -> bool:
    """Nothing but white space from byte ``start`` on (the whole rest is copied only when it is)."""
    return start >= len(raw) or (raw[start : start + 4096].isspace() and raw[start:].isspace())


def _arrow_rows(raw: bytes, data_start: int, header: list[str], delimiter, encoding, source):
    """Every row after the header as Arrow text columns; None when a row is malformed."""
    pa, _, pv = arrow()
    names = [f"column{i}" for i in range(len(header))]
    refused = []

    def invalid_row(row) -> str:
        if row.text.strip():
            refused.append(row)
            return "error"
        return "skip"  # a line of white space, as a blank line

    body = pa.BufferReader(pa.py_buffer(raw).slice(data_start))
    try:
        data = pv.read_csv(
            body,
            read_options=pv.ReadOptions(
                column_names=names,
                # any name but Arrow's own "utf8" makes Arrow transcode through Python's codecs
                encoding="utf8" if encoding == "utf-8" else encoding,
                use_threads=True,
                block_size=_BLOCK_BYTES,
            ),
            parse_options=pv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=raw.find(b'"', data_start) >= 0,
                ignore_empty_lines=True,
                invalid_row_handler=invalid_row,
            ),
            convert_options=pv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as error:
        if "UTF8" in str(error) and encoding == "utf-8":
            return _arrow_rows(raw, data_start, header, delimiter, _fallback_encoding(raw, source), source)
        return None
    return data.rename_columns(header)


def _without_blank_rows(data):
    """The rows with a cell not blank, and their indices (None: all rows)."""
    pa, pc, _ = arrow()
    if data.num_rows == 0:
        return data, None
    candidates = np.flatnonzero(as_numpy(pc.equal(stripped(data.column(0)), "")))
    for index in range(1, data.num_columns):
        if candidates.size == 0:
            break
        candidates = candidates[as_numpy(pc.equal(stripped(data.column(index).take(candidates)), ""))]
    if candidates.size == 0:
        return data, None
    kept = np.ones(data.num_rows, dtype=bool)
    kept[candidates] = False
    return data.filter(pa.array(kept)), np.flatnonzero(kept)


def _lines_of_rows(raw: bytes, start, data_start, parsed_rows, kept, encoding, delimiter, source):
    """The line where each row starts: from the bytes when quoting is regular, else from ``csv``.

    ``parsed_rows`` is how many rows Arrow read (blank rows included), ``kept`` the ones kept.
    """
    data = np.frombuffer(raw, np.uint8)[start:]
    if quoting_is_regular(data, delimiter):
        lines = record_lines(data, data_start - start)
        if lines.size == parsed_rows:
            return lines if kept is None else lines[kept]
    return np.asarray(_scan(raw, start, encoding, delimiter, source), dtype=np.int64)


def _scan(raw: bytes, start: int, encoding: str, delimiter: str, source: str) -> list[int]:
    """Read the file with the ``csv`` module: the line of each data row, or the exact DataError.

    The slow path, for files Arrow refused or whose quoting is not regular.
    """
    text = raw[start:].decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, lines = None, []
    start_line = 1  # the line where the next record starts (a quoted field may span lines)
    try:
        for record in reader:
            line, start_line = start_line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if header is None:
                header = record
                continue
            if len(record) != len(header):
                raise DataError(
                    f"{source}:{line}: row has {len(record)} fields but the header has {len(header)}; "
                    "fix the row (a value containing the delimiter needs quotes)"
                )
            lines.append(line)
    except csv.Error as error:
        raise DataError(_malformed(source, start_line, reader.line_num, error)) from None
    return lines


def _header(text: str, delimiter: str) -> tuple[list[str], int, int] | None:
    """The first non-blank record (names stripped), the lines where it starts and ends, or None."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                return [cell.strip() for cell in record], start, reader.line_num
            start = reader.line_num + 1
    except csv.Error:
        return None
    return None


def _malformed(source: str, start: int, end: int, error: csv.Error) -> str:
    """The message for a record the csv module cannot parse, placed at the line the record starts.

    An unclosed quote makes the record run on to the end of the file, so ``end`` (where the
    parser gave up) is often far from the mistake; ``start`` is where the quoted field opens.
    """
    if end <= start:
        return f"{source}:{start}: malformed CSV ({error}); check the quotes on that line"
    return (
        f"{source}:{start}: malformed CSV ({error}) in the record running from line {start} to {end}; "
        f"check the quotes on line {start}: a quoted field opened there may not be closed"
    )


def _read_bytes(path, source: str) -> bytes:
    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read()
        else:
            path = Path(path)
            if path.is_dir():
                raise DataError(f"{source}: is a directory; give the path of a CSV file")
            size = path.stat().st_size
            if size > _MAX_BYTES:
                raise DataError(f"{source}: is {size / 1e9:.1f} GB; chainrule reads CSV files up to 2 GB")
            raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{source}: no such file; check the path") from None
    except PermissionError:
        raise DataError(f"{source}: permission denied; check the file's permissions") from None
    except OSError as error:
        raise DataError(f"{source}: cannot be read ({error.strerror})") from None
    if b"\x00" in raw[:65536]:
        raise DataError(f"{source}: looks like a binary file, not CSV text")
    return raw


def _fallback_encoding(raw: bytes, source: str) -> str:
    """'cp1252' for a file that is not UTF-8 but reads as Windows-1252, else DataError."""
    try:
        raw.decode("utf-8-sig")
        return "utf-8"
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        raise DataError(f"{source}:{line}: not UTF-8 text; save the file as UTF-8 CSV") from None
    return "cp1252"


def checked_names(source: str, written: list[str], line: int | None) -> list[str]:
    """Column names stripped; DataError at an empty or repeated one (``line``: the header's)."""
    place, seen = source if line is None else f"{source}:{line}", {}
    names = [name.strip() for name in written]
    for position, name in enumerate(names, start=1):
        if not name:
            raise DataError(f"{place}: column {position} has no name; give every column a name")
        if name in seen:
            raise DataError(
                f"{place}: column {name!r} appears twice (columns {seen[name]} and {position}); rename one"
            )
        seen[name] = position
    return names
