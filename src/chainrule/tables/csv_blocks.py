"""A CSV file read front to back in blocks by Arrow's streaming reader, its read-ahead bounded.

``pyarrow.csv.open_csv`` reads the file on a background thread and queues up to 32 blocks
of raw bytes ahead of the batches it hands out (its default queue), so what it holds is

    read-ahead ≤ 32 × block size,

whatever the reader's consumer does. A file of fewer than 32 blocks is queued whole: with
blocks of 1 MiB the read-ahead of a 20 MB file was 20 MB and that of any file above 32 MB
was 32 MB, so the peak memory of a streamed run grew with the file up to that size.
``CsvSource`` starts with blocks of ``BLOCK`` bytes (256 KiB: at most 8 MiB queued).

A record must fit in one block (Arrow cuts blocks at line ends). When one does not, the
block size is multiplied by 4 and the file is read again from its start, skipping the rows
already handed out; the larger size is kept for later passes. So a file of very long lines
costs one re-read, never an error, up to ``LARGEST_BLOCK``.

``CsvSource.of(path)`` opens a file as ``read_table`` reads one: UTF-8, Windows-1252 for a
file that is not UTF-8 but reads as it, UTF-16 or UTF-32 with a byte-order mark (decided by
one scan of the file); the delimiter detected as ``read_table`` detects it (``lines.detect_delimiter``:
, ; tab or |) or named by Excel's ``sep=;`` first line (then skipped); blank lines skipped and a record of empty cells
(``,,``) read as a row of gaps. Line numbers cost nothing until an error needs one:
``lines(first, count)`` then reads the file from its start (from where the last call
stopped, when it can) counting records as ``tables.lines`` does, or by the ``csv`` module
when the quoting is irregular, so a streamed run names the line the file has, as a run in
memory does.
"""

from __future__ import annotations

import codecs
import csv
import os
import re
from dataclasses import dataclass, field

import numpy as np

from .cells import arrow
from .header import title_above_header, widths_after
from .lines import RecordLines, detect_delimiter
from .read import DataError
from .text import binary_kind, separator_hint, wide_encoding

__all__ = ["CsvSource", "BLOCK", "LARGEST_BLOCK"]

BLOCK = 1 << 18
LARGEST_BLOCK = 1 << 30
_SCAN_BYTES = 1 << 20  # the encoding scan's block: small, so the scan adds little to the peak
_LINE_BYTES = 1 << 20  # the line count's block
#: Arrow's message for a row of the wrong width: "Row #39: Expected 3 columns, got 4".
_WRONG_FIELDS = re.compile(r"Row #(\d+): Expected (\d+) columns, got (\d+)")


def _straddles(error: Exception) -> bool:
    """Whether Arrow refused a record longer than its block: a header without its line end
    in the first block ("Empty CSV file or block"), or a later record ("straddles")."""
    message = str(error)
    return "straddl" in message or "Empty CSV file or block" in message


def _codec(encoding: str) -> str:
    """Python's codec for an encoding as Arrow is told it ('utf8' is Arrow's own)."""
    return "utf-8-sig" if encoding == "utf8" else encoding


@dataclass
class _LineScan:
    """Where the last line count stopped: bytes of the file read, the decoder (for UTF-16 and
    UTF-32), the count, records seen, and the lines of the records of the last block."""

    counter: RecordLines
    decoder: object = None
    offset: int = 0
    records: int = 0
    recent: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))


class CsvSource:
    """One CSV file with its ``ParseOptions``: its column names and its record batches.

    ``convert`` is the ``ConvertOptions`` the batches are read with (None: Arrow's own
    inference, enough for the names). ``block`` is the block size in bytes, grown as needed.
    ``encoding`` is the file's ("utf8", Arrow's own; any other is decoded by Python's codecs).
    ``skip`` is the lines before the header (1 after Excel's ``sep=`` line).
    """

    def __init__(self, path: str, parse, convert=None, block: int = BLOCK, encoding: str = "utf8", skip=0):
        self.path, self.parse, self.convert, self.block = path, parse, convert, block
        self.encoding, self.skip = encoding, skip
        self._scan: _LineScan | None = None

    @classmethod
    def of(cls, path: str) -> CsvSource:
        """The file as ``read_table`` reads it (see the module); DataError when it is not text."""
        pa, _, pv = arrow()
        encoding, quoted = _encoding(path)
        with open(path, "rb") as file:
            text = file.read(1 << 16).decode(_codec(encoding), errors="replace")
        hint = separator_hint(text)
        lines = text.splitlines()[1 if hint else 0 :]
        delimiter = hint or detect_delimiter("\n".join(lines))  # as read_table detects it

        def blank_line(row) -> str:  # white space without a delimiter, as read_table skips it
            return "error" if row.text.strip() or delimiter in row.text else "skip"

        parse = pv.ParseOptions(
            delimiter=delimiter,
            ignore_empty_lines=True,
            newlines_in_values=quoted,  # else a quoted line end where a block is cut splits a record
            invalid_row_handler=blank_line,
        )
        source = cls(path, parse, encoding=encoding, skip=1 if hint else 0)
        try:
            names = source.names()
        except pa.ArrowInvalid as error:  # a bad row in the first block: its line, as in memory
            located = source.located(error)
            if located is None:
                raise
            raise DataError(located) from None
        source.convert = pv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
        )
        return source

    def _open(self):
        _, _, pv = arrow()
        # One thread: the multi-threaded reader also parses blocks ahead of the consumer.
        read = pv.ReadOptions(
            use_threads=False, block_size=self.block, encoding=self.encoding, skip_rows=self.skip
        )
        options = {} if self.convert is None else {"convert_options": self.convert}
        return pv.open_csv(self.path, read_options=read, parse_options=self.parse, **options)

    def _grow(self, error: Exception) -> None:
        """Blocks 4 times larger after ``error``; the error itself when larger cannot help."""
        if not _straddles(error) or self.block >= min(os.path.getsize(self.path), LARGEST_BLOCK):
            raise error
        self.block = min(self.block * 4, LARGEST_BLOCK)

    def names(self) -> list[str]:
        """The header's column names."""
        while True:
            try:
                reader = self._open()
            except arrow()[0].ArrowInvalid as error:
                self._grow(error)
                continue
            names = list(reader.schema.names)
            reader.close()
            return names

    def batches(self, columns: list[str]):
        """The file's record batches, front to back, with ``columns`` in that order."""
        pa = arrow()[0]
        done = 0  # rows handed out, skipped when the file is read again with larger blocks
        while True:
            try:
                reader, skip = self._open(), done
                for batch in reader:
                    if skip >= batch.num_rows:
                        skip -= batch.num_rows
                        continue
                    batch, skip = batch.slice(skip), 0
                    done += batch.num_rows
                    yield batch.select(columns)
                return
            except pa.ArrowInvalid as error:
                self._grow(error)

    def located(self, error) -> str | None:
        """Arrow's error for a row of too many or too few fields, as ``read_table`` words it:
        the file's line (blank lines and quoted line breaks counted), not Arrow's row number."""
        found = _WRONG_FIELDS.search(str(error))
        if found is None:
            return None
        row, expected, got = map(int, found.groups())  # Arrow's rows count a sep= line and the header
        title = self._title_above_header()
        if title is not None:
            return title
        line = int(self.lines(row - 2 - self.skip, 1)[0])
        return (
            f"{self.path}:{line}: row has {got} fields but the header has {expected}; fix the row "
            "(a value containing the delimiter needs quotes)"
        )

    def _title_above_header(self) -> str | None:
        """``header.title_above_header``'s message when the first line is likely a title above
        the header, from the first records of the file as the ``csv`` module reads them."""
        with open(self.path, encoding=_codec(self.encoding), newline="") as file:
            reader = csv.reader(file, delimiter=self.parse.delimiter)
            line = 1
            for cells in reader:
                at, line = line, reader.line_num + 1
                if at > self.skip and (len(cells) > 1 or "".join(cells).strip()):
                    rows = widths_after(reader, line)
                    title = title_above_header(at, len(cells), rows)
                    return None if title is None else f"{self.path}:{at}: {title}"
        return None

    # ------------------------------------------------------------------ lines
    def lines(self, first: int, count: int) -> np.ndarray:
        """The line where each of the rows ``first`` .. ``first + count - 1`` starts (row 0 is
        the first below the header), counted in the file's bytes (see the module)."""
        low = first + self.skip + 1  # records: the sep= line, the header, then the rows
        high = low + count
        scan = self._scan
        if scan is None or low < scan.records - scan.recent.size:
            wide = self.encoding if self.encoding.startswith("utf-") else None
            decoder = codecs.getincrementaldecoder(wide)() if wide else None
            scan = self._scan = _LineScan(RecordLines(self.parse.delimiter), decoder)
        base = scan.records - scan.recent.size  # the record the last block's first line is of
        found = [scan.recent[max(low - base, 0) : max(high - base, 0)]]
        with open(self.path, "rb") as file:
            file.seek(scan.offset)
            while scan.records < high:
                block = file.read(_LINE_BYTES)
                if scan.decoder is not None:
                    data = scan.decoder.decode(block, final=not block).encode("utf-8")
                else:
                    data = block
                got = scan.counter.feed(data, final=not block)
                if not scan.counter.regular:
                    self._scan = None
                    return self._csv_lines(low, high)
                scan.offset += len(block)
                before, scan.records, scan.recent = scan.records, scan.records + got.size, got
                found.append(got[max(low - before, 0) : max(high - before, 0)])
                if not block:
                    break
        return np.concatenate(found)

    def _csv_lines(self, low: int, high: int) -> np.ndarray:
        """The lines of records ``low`` .. ``high - 1`` by the ``csv`` module (irregular quoting)."""
        lines, record, start = [], 0, 1
        with open(self.path, encoding=_codec(self.encoding), newline="") as file:
            reader = csv.reader(file, delimiter=self.parse.delimiter)
            for cells in reader:
                line, start = start, reader.line_num + 1
                if len(cells) < 2 and not "".join(cells).strip() and cells != [""]:
                    continue  # a blank line (a quoted "" is a row)
                if low <= record < high:
                    lines.append(line)
                record += 1
                if record >= high:
                    break
        return np.asarray(lines, dtype=np.int64)


def _encoding(path: str) -> tuple[str, bool]:
    """The encoding ``read_table`` would read a CSV file with (as Arrow is told it): 'utf8' when
    the file is UTF-8 (a byte-order mark allowed), 'utf-16' or 'utf-32' after that byte-order
    mark, 'cp1252' when it is not UTF-8 but reads as Windows-1252; else DataError at the first
    line that cannot be read, or for a NUL byte in the first 64 KiB of a file without a wide
    byte-order mark. And whether the file holds a quote. A scan of the file in blocks."""
    with open(path, "rb") as file:
        wide = wide_encoding(file.read(4))
    decoder, line, quoted = codecs.getincrementaldecoder(wide or "utf-8")(), 1, False
    try:
        with open(path, "rb") as file:
            while block := file.read(_SCAN_BYTES):
                if not wide and file.tell() == len(block) and b"\x00" in block[:65536]:
                    raise DataError(f"{path}: looks like {binary_kind(block[:4096])}")
                text = decoder.decode(block)
                line += text.count("\n") if wide else block.count(b"\n")
                quoted = quoted or ('"' in text if wide else b'"' in block)
            decoder.decode(b"", final=True)
        return wide or "utf8", quoted
    except UnicodeDecodeError as error:
        if wide:
            raise DataError(f"{path}:{line}: not {wide.upper()} text; save the file as UTF-8 CSV") from None
        line += block[: max(error.start, 0)].count(b"\n")
    with open(path, "rb") as file:
        while block := file.read(_SCAN_BYTES):
            try:
                block.decode("cp1252")
            except UnicodeDecodeError:
                raise DataError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8 CSV") from None
            quoted = quoted or b'"' in block
    return "cp1252", quoted
