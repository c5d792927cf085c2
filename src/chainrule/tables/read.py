"""Reading tables from CSV files, with errors that say where and what to do.

Arrow's CSV reader (``pyarrow.csv``, multi-threaded C++) parses the rows, every column as
text exactly as written; ``tables.cells`` then reads numbers and missing values column by
column. Python reads only the header and the first lines (to detect the delimiter: , ; tab
or |, or the one Excel names on a first line ``sep=;``, which is then skipped). A UTF-8
byte-order mark is dropped, UTF-16 (and UTF-32) with a byte-order mark is read as the same
text in UTF-8 (``tables.text``), a file that is not UTF-8 is read as Windows-1252 when it
can be, and ``"-"`` reads standard input. Column names are put in Unicode's NFC form
(``tables.nfc``). (A Parquet file is read by ``tables.arrow_table.read_table_file``.)

A record whose cells are all empty (``,,``, or ``""`` in a one-column file) is a row of gaps,
like any other gaps; a blank line (white space without a delimiter or quotes) holds no row
and is skipped, and the table can say where such lines were between its rows
(``Table.blank_lines``).

Every problem is a ``DataError`` naming the file, line, column and value where known; line
numbers are found only when an error needs one, from the raw bytes (``tables.lines``). When
Arrow refuses a row, or the quoting is irregular, the ``csv`` module re-reads the file for
the exact error (a well-formed file never takes that path).
"""

from __future__ import annotations

import csv
import io
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .cells import MISSING, arrow, as_numpy, parse_number, stripped
from .compressed import compressed_file, decompressed
from .data_error import DataError
from .header import checked_names, title_above_header, widths_after, without_trailing_column
from .lines import blank_record_lines, detect_delimiter, line_ends, quoting_is_regular, record_lines
from .table import Columns, Table
from .text import binary_kind, separator_hint, wide_encoding

__all__ = ["DataError", "Table", "read_table", "checked_names", "MISSING", "parse_number"]

_MAX_BYTES = 2 * 1024**3
_HEAD_BYTES = 1 << 20
_BLOCK_BYTES = 1 << 24  # Arrow parses blocks in parallel; larger blocks cost fewer chunks
_BOM = b"\xef\xbb\xbf"


@dataclass
class _Layout:
    """How a file's text is laid out: where it starts (after a byte-order mark), its encoding and
    delimiter, and how many lines before the header to skip (1 for Excel's ``sep=`` line)."""

    start: int
    encoding: str
    delimiter: str
    skip: int


@dataclass
class _Rows:
    """What Arrow read of the rows: from byte ``start`` on, ``parsed`` rows (a one-column
    table's blank ones included), of which ``kept`` are kept (None: all), the lines of white
    space it ``skipped`` (a one-column table's are rows; empty lines it skips uncounted), and
    whether a quote is ``quoted``."""

    start: int
    parsed: int = 0
    kept: np.ndarray | None = None
    skipped: int = 0
    quoted: bool = False


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
    hint = separator_hint(head_text)
    delimiter = delimiter or hint or detect_delimiter(head_text)
    layout = _Layout(start, encoding, delimiter, 1 if hint else 0)
    found = _header(head_text, layout)
    if found is None and len(head) < len(raw):  # no complete header in the first megabyte
        head, head_text = raw, raw[start:].decode(encoding)
        found = _header(head_text, layout)
    if found is None:  # blank lines only, or a header the csv module cannot parse
        _scan(raw, layout, source)
        raise DataError(f"{source}: the file is empty; expected a header line and rows of data")
    written, header_line, header_end = found
    trailing = len(written) > 1 and not written[-1].strip()  # maybe a delimiter ending every line
    header = checked_names(source, written[:-1] if trailing else written, header_line)
    ends = line_ends(np.frombuffer(head[start:], np.uint8))
    data_start = start + int(ends[header_end - 1]) + 1 if header_end <= ends.size else len(raw)
    if _blank(raw, data_start):
        _scan(raw, layout, source)
        raise DataError(f"{source}: has a header but no data rows; add rows of data below line {header_line}")
    rows = _Rows(data_start, quoted=raw.find(b'"', data_start) >= 0)
    data = _arrow_rows(raw, header + [""] * trailing, layout, rows, source)
    if data is None:  # Arrow refused a row: the csv module says exactly where and why
        _scan(raw, layout, source)
        raise DataError(f"{source}: malformed CSV; check the quotes and delimiters")
    data = without_trailing_column(data, f"{source}:{header_line}", len(written)) if trailing else data
    if b'"' in raw and not quoting_is_regular(np.frombuffer(raw, np.uint8)[start:], delimiter):
        _scan(raw, layout, source)  # raises when csv would have refused it
    rows.parsed = data.num_rows
    data, rows.kept = _without_blank_rows(data)
    if data.num_rows == 0 or _empty_cells(data):
        raise DataError(f"{source}: has a header but no data rows; add rows of data below line {header_line}")

    # A regular file is read again if an error needs lines; a pipe or FIFO cannot be.
    held = raw if source == "<stdin>" or not Path(path).is_file() or compressed_file(path) else None
    del raw

    def locate() -> np.ndarray:
        again = held if held is not None else _read_bytes(path, source)
        return _lines_of_rows(again, layout, rows, source)

    def blanks() -> list[int]:
        simple = rows.kept is None and not rows.skipped and not rows.quoted  # each line a row, or blank
        if simple and _line_count(held, path, rows.start) == rows.parsed:
            return []  # no blank line: the common case, a count of line ends
        again = held if held is not None else _read_bytes(path, source)
        return _blank_lines(again, layout, rows, source)

    return Table(source, header, Columns(data, locate, blanks))


def _blank(raw: bytes, start: int) -> bool:
    """Nothing but white space from byte ``start`` on (the whole rest is copied only when it is)."""
    return start >= len(raw) or (raw[start : start + 4096].isspace() and raw[start:].isspace())


def _arrow_rows(raw: bytes, header: list[str], layout: _Layout, rows: _Rows, source):
    """Every row after the header as Arrow text columns; None when a row is malformed. The
    blank lines skipped are counted in ``rows``."""
    pa, _, pv = arrow()
    names = [f"column{i}" for i in range(len(header))]
    refused = []

    def invalid_row(row) -> str:
        if row.text.strip() or layout.delimiter in row.text:
            refused.append(row)
            return "error"
        rows.skipped += 1
        return "skip"  # a line of white space, as a blank line

    body = pa.BufferReader(pa.py_buffer(raw).slice(rows.start))
    try:
        data = pv.read_csv(
            body,
            read_options=pv.ReadOptions(
                column_names=names,
                # any name but Arrow's own "utf8" makes Arrow transcode through Python's codecs
                encoding="utf8" if layout.encoding == "utf-8" else layout.encoding,
                use_threads=True,
                block_size=_BLOCK_BYTES,
            ),
            parse_options=pv.ParseOptions(
                delimiter=layout.delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=rows.quoted,
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
        if "UTF8" in str(error) and layout.encoding == "utf-8":
            layout.encoding = _fallback_encoding(raw, source)
            rows.skipped = 0
            return _arrow_rows(raw, header, layout, rows, source)
        return None
    return data.rename_columns(header)


def _without_blank_rows(data):
    """A one-column table without its blank rows, and the indices kept (None: all rows).

    With no delimiter to tell a row from a blank line, a cell of white space alone is a
    blank line; an empty cell is a row with a gap, as Arrow skips empty lines and so reads
    one only from a quoted ``""`` (how pandas writes a missing value in one column). A table
    of more columns is as it is: a record of empty cells (``,,``) is a row of gaps."""
    pa, pc, _ = arrow()
    if data.num_columns != 1 or data.num_rows == 0:
        return data, None
    cell = data.column(0)
    blank = as_numpy(pc.and_(pc.equal(stripped(cell), ""), pc.not_equal(cell, "")))
    if not blank.any():
        return data, None
    return data.filter(pa.array(~blank)), np.flatnonzero(~blank)


def _empty_cells(data) -> bool:
    """Whether every cell is empty: rows of gaps only, which hold no data (the first column
    that holds a value ends the look, most often the first)."""
    _, pc, _ = arrow()
    return all(not pc.any(pc.not_equal(stripped(column), "")).as_py() for column in data.columns)


def _lines_of_rows(raw: bytes, layout: _Layout, rows: _Rows, source) -> np.ndarray:
    """The line where each row starts: from the bytes when quoting is regular, else from ``csv``."""
    data = np.frombuffer(raw, np.uint8)[layout.start :]
    if quoting_is_regular(data, layout.delimiter):
        lines = record_lines(data, rows.start - layout.start, layout.delimiter, rows.kept is not None)
        if lines.size == rows.parsed:
            return lines if rows.kept is None else lines[rows.kept]
    return np.asarray(_scan(raw, layout, source), dtype=np.int64)


def _line_count(held: bytes | None, path, start: int) -> int:
    """The lines from byte ``start`` on (a last one without its line end too), of ``held`` or
    of the file read in blocks; -1 for a UTF-16 or UTF-32 file (its bytes are not these)."""
    if held is None:
        with open(path, "rb") as file:
            if wide_encoding(file.read(4)):
                return -1
            file.seek(start)
            return _count_ends(iter(lambda: file.read(_HEAD_BYTES), b""))
    return _count_ends([held[start:]])


def _count_ends(blocks) -> int:
    """The lines of the text in ``blocks`` of bytes, a line ending at \\n, \\r\\n or \\r."""
    count, last = 0, b"\n"
    for block in blocks:
        count += block.count(b"\n") + block.count(b"\r") - block.count(b"\r\n")
        count -= last == b"\r" and block.startswith(b"\n")  # a \r\n cut between two blocks
        last = block[-1:]
    return count + (last not in (b"\n", b"\r"))


def _blank_lines(raw: bytes, layout: _Layout, rows: _Rows, source) -> list[int]:
    """The blank lines between the first row and the last (see ``Table.blank_lines``)."""
    lines = _lines_of_rows(raw, layout, rows, source)
    data = np.frombuffer(raw, np.uint8)[layout.start :]
    if quoting_is_regular(data, layout.delimiter):
        blank = blank_record_lines(data, rows.start - layout.start, layout.delimiter)
    else:
        found: list[int] = []
        _scan(raw, layout, source, blanks=found)
        blank = np.asarray(found, dtype=np.int64)
    if rows.kept is not None:  # a one-column table's lines of white space
        every = record_lines(data, rows.start - layout.start, layout.delimiter, True)
        if every.size == rows.parsed:
            blank = np.union1d(blank, np.delete(every, rows.kept))
    return [int(line) for line in blank if lines[0] < line < lines[-1]]


def _scan(raw: bytes, layout: _Layout, source: str, blanks: list | None = None) -> list[int]:
    """Read the file with the ``csv`` module: the line of each data row, or the exact DataError;
    the lines of the blank records among the rows are added to ``blanks``.

    The slow path, for files Arrow refused or whose quoting is not regular.
    """
    text = raw[layout.start :].decode(layout.encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter, strict=True)
    header, lines = None, []
    start_line = 1  # the line where the next record starts (a quoted field may span lines)
    try:
        for record in reader:
            line, start_line = start_line, reader.line_num + 1
            empty = not any(cell.strip() for cell in record)
            if header is None:
                header, header_line = (None, 0) if empty or line <= layout.skip else (record, line)
                continue
            if empty and len(record) < 2 and record != [""]:  # a blank line: no delimiter, no ""
                if blanks is not None:
                    blanks.append(line)
                continue
            if len(record) != len(header):
                rows = [(line, len(record)), *widths_after(reader, start_line)]  # a title above the header?
                if title := title_above_header(header_line, len(header), rows, len(lines)):
                    raise DataError(f"{source}:{header_line}: {title}")
                raise DataError(
                    f"{source}:{line}: row has {len(record)} fields but the header has {len(header)}; "
                    "fix the row (a value containing the delimiter needs quotes)"
                )
            lines.append(line)
    except csv.Error as error:
        raise DataError(_malformed(source, start_line, reader.line_num, error)) from None
    return lines


def _header(text: str, layout: _Layout) -> tuple[list[str], int, int] | None:
    """The first non-blank record after the lines to skip (names stripped), the lines where it
    starts and ends, or None."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=layout.delimiter, strict=True)
    start = 1
    try:
        for record in reader:
            if start > layout.skip and any(cell.strip() for cell in record):
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
    """The file's bytes, UTF-16 and UTF-32 (with a byte-order mark) given as UTF-8."""
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
    try:
        raw = decompressed(raw, _MAX_BYTES)  # data.csv.gz, as pandas reads it
    except ValueError as reason:
        raise DataError(f"{source}: {reason}") from None
    encoding = wide_encoding(raw[:4])
    if encoding is not None:
        try:
            return raw.decode(encoding).encode("utf-8")
        except UnicodeDecodeError as error:
            line = raw[: error.start].decode(encoding, errors="replace").count("\n") + 1
            raise DataError(
                f"{source}:{line}: not {encoding.upper()} text; save the file as UTF-8 CSV"
            ) from None
    if b"\x00" in raw[:65536]:
        raise DataError(f"{source}: looks like {binary_kind(raw[:4096])}")
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
