"""Reading tables from CSV files, with errors that say where and what to do.

Built on the standard library's ``csv`` module, which handles quoting, embedded
delimiters and line endings correctly and reports line numbers. On top of it:
the delimiter is detected (comma, semicolon, tab or bar), a UTF-8 byte-order
mark is dropped, and every problem is a ``DataError`` whose message names the
file, line, column and value where known, and what to do about it.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import UserError

__all__ = ["DataError", "Table", "read_table", "MISSING", "parse_number"]

#: Cell texts read as missing values.
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "?", "-"})
_DELIMITERS = [",", ";", "\t", "|"]
_MAX_BYTES = 2 * 1024**3


class DataError(UserError, ValueError):
    """The data cannot be used as it is; the message says where and what to do."""


@dataclass
class Table:
    """A table read from a file: column names and rows of cell texts.

    ``lines[i]`` is the line number in the file where row i starts (the header is line 1
    unless blank lines precede it), for error messages.
    """

    source: str
    columns: list[str]
    rows: list[list[str]]
    lines: list[int]

    def __len__(self) -> int:
        return len(self.rows)

    def column(self, name: str) -> list[str]:
        index = self.columns.index(name)
        return [row[index] for row in self.rows]

    def select_rows(self, keep: list[int]) -> Table:
        return Table(self.source, self.columns, [self.rows[i] for i in keep], [self.lines[i] for i in keep])

    @classmethod
    def from_columns(cls, source: str, columns: dict[str, list]) -> Table:
        names = list(columns)
        length = len(columns[names[0]]) if names else 0
        rows = [[_text(columns[name][i]) for name in names] for i in range(length)]
        return cls(source, names, rows, list(range(2, length + 2)))


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return repr(value)
    return str(value)


def parse_number(text: str) -> float | None:
    """The number in a cell, or None when it is not one (missing values give NaN)."""
    stripped = text.strip()
    if stripped.lower() in MISSING:
        return math.nan
    try:
        return float(stripped)
    except ValueError:
        return None


def read_table(path: str | Path, delimiter: str | None = None) -> Table:
    """Read a CSV file (``"-"`` for standard input) into a Table.

    Raises DataError for a missing or unreadable file, an empty file, a file with a
    header and no rows, duplicate or empty column names and ragged rows.
    """
    source = "<stdin>" if str(path) == "-" else str(path)
    text = _read_text(path, source)
    if not text.strip():
        raise DataError(f"{source}: the file is empty; expected a header line and rows of data")
    delimiter = delimiter or _detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header, header_line = None, 1
    rows: list[list[str]] = []
    lines: list[int] = []
    start = 1  # the line where the next record starts (a quoted field may span lines)
    try:
        for record in reader:
            line, start = start, reader.line_num + 1
            if header is None:
                if not any(cell.strip() for cell in record):
                    continue
                header, header_line = [cell.strip() for cell in record], line
                _check_header(header, source, header_line)
                continue
            if not any(cell.strip() for cell in record):
                continue  # blank line
            if len(record) != len(header):
                raise DataError(
                    f"{source}:{line}: row has {len(record)} fields but the header has {len(header)}; "
                    "fix the row (a value containing the delimiter needs quotes)"
                )
            rows.append(record)
            lines.append(line)
    except csv.Error as error:
        raise DataError(_malformed(source, start, reader.line_num, error)) from None
    if header is None:
        raise DataError(f"{source}: the file is empty; expected a header line and rows of data")
    if not rows:
        raise DataError(f"{source}: has a header but no data rows; add rows of data below line {header_line}")
    return Table(source, header, rows, lines)


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


def _read_text(path, source: str) -> str:
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
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:
            raise DataError(f"{source}:{line}: not UTF-8 text; save the file as UTF-8 CSV") from None


def _detect_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first lines into the most equal columns."""
    sample = "\n".join(text.splitlines()[:50])
    best, best_score = ",", (0, 0)
    for candidate in _DELIMITERS:
        try:
            widths = [len(r) for r in csv.reader(io.StringIO(sample, newline=""), delimiter=candidate) if r]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        consistent = sum(1 for w in widths if w == widths[0])
        score = (consistent, widths[0])
        if score > best_score:
            best, best_score = candidate, score
    return best


def _check_header(header: list[str], source: str, line: int) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            raise DataError(f"{source}:{line}: column {position} has no name; give every column a header")
        if name in seen:
            raise DataError(
                f"{source}:{line}: column {name!r} appears twice (columns {seen[name]} and {position}); rename one"
            )
        seen[name] = position
