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
"""

from __future__ import annotations

import os

from .cells import arrow

__all__ = ["CsvSource", "BLOCK", "LARGEST_BLOCK"]

BLOCK = 1 << 18
LARGEST_BLOCK = 1 << 30


def _straddles(error: Exception) -> bool:
    """Whether Arrow refused a record longer than its block: a header without its line end
    in the first block ("Empty CSV file or block"), or a later record ("straddles")."""
    message = str(error)
    return "straddl" in message or "Empty CSV file or block" in message


class CsvSource:
    """One CSV file with its ``ParseOptions``: its column names and its record batches.

    ``convert`` is the ``ConvertOptions`` the batches are read with (None: Arrow's own
    inference, enough for the names). ``block`` is the block size in bytes, grown as needed.
    ``encoding`` is the file's ("utf8", Arrow's own; any other is decoded by Python's codecs).
    """

    def __init__(self, path: str, parse, convert=None, block: int = BLOCK, encoding: str = "utf8"):
        self.path, self.parse, self.convert, self.block = path, parse, convert, block
        self.encoding = encoding

    def _open(self):
        _, _, pv = arrow()
        # One thread: the multi-threaded reader also parses blocks ahead of the consumer.
        read = pv.ReadOptions(use_threads=False, block_size=self.block, encoding=self.encoding)
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
