"""Where each record of a CSV file starts: line numbers for error messages, from the raw bytes.

A line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r``, as for Python's ``csv`` module. A
record ends at a line end outside quotes; with well-formed quoting (a quote opens a field
right after a delimiter or a line end, and closes it right before one, ``""`` standing for
a quote inside), a line end is inside quotes exactly when an odd number of quotes precede
it. ``quoting_is_regular`` checks that condition on every quote at once; when it does not
hold (a stray quote, or a quote in the middle of an unquoted field, which ``csv`` reads as a
literal quote) the reader falls back to the ``csv`` module for that file.

``detect_delimiter`` reads the first lines for the delimiter: , ; tab or |.
"""

from __future__ import annotations

import csv
import io

import numpy as np

__all__ = [
    "DELIMITERS",
    "RecordLines",
    "blank_record_lines",
    "detect_delimiter",
    "line_ends",
    "quoting_is_regular",
    "record_lines",
]

DELIMITERS = [",", ";", "\t", "|"]

QUOTE, NEWLINE, RETURN = ord('"'), ord("\n"), ord("\r")
_SPACE = frozenset(b" \t\r\n\f\v")


def line_ends(data: np.ndarray) -> np.ndarray:
    """Positions of the last byte of every line ending (the ``\\n`` of a ``\\r\\n``)."""
    newlines = np.flatnonzero(data == NEWLINE)
    returns = np.flatnonzero(data == RETURN)
    if returns.size:
        following = np.append(data, np.uint8(0))[returns + 1]
        newlines = np.union1d(newlines, returns[following != NEWLINE])
    return newlines


def quoting_is_regular(data: np.ndarray, delimiter: str) -> bool:
    """True when every quote opens a field, closes one, or is half of a ``""`` inside one."""
    quotes = np.flatnonzero(data == QUOTE)
    if quotes.size == 0:
        return True
    if quotes.size % 2:
        return False
    bounds = np.array([ord(delimiter), NEWLINE, RETURN], dtype=np.uint8)
    opening, closing = quotes[0::2], quotes[1::2]
    # the byte before each opening quote and after each closing one; a line end beyond the data
    before = np.where(opening > 0, data[np.maximum(opening - 1, 0)], NEWLINE)
    after = np.where(closing + 1 < data.size, data[np.minimum(closing + 1, data.size - 1)], NEWLINE)
    # a quote right after a closing quote reopens the field: the pair is an escaped quote
    reopened = np.zeros(opening.size, dtype=bool)
    reopened[1:] = opening[1:] == closing[:-1] + 1
    opens_ok = np.isin(before, bounds) | reopened
    closes_ok = np.isin(after, bounds)
    escaped = np.zeros(closing.size, dtype=bool)
    escaped[:-1] = opening[1:] == closing[:-1] + 1
    return bool(opens_ok.all() and (closes_ok | escaped).all())


def _records(data: np.ndarray, start: int, delimiter: str):
    """(where each record at or after byte ``start`` begins, which are blank, every line end).

    A record is blank when it holds nothing but white space and no delimiter: a blank line.
    A record of empty cells (``,,``) is not blank: it is a row of gaps.
    """
    all_ends = line_ends(data)
    ends = all_ends
    quotes = np.flatnonzero(data == QUOTE)
    if quotes.size:
        ends = ends[np.searchsorted(quotes, ends) % 2 == 0]
    starts = np.concatenate([[0], ends + 1])
    starts = starts[(starts >= start) & (starts < data.size)]
    if starts.size == 0:
        return starts, np.zeros(0, dtype=bool), all_ends
    nonspace = np.ones(256, dtype=bool)
    nonspace[list(_SPACE)] = False
    if ord(delimiter) < 256:
        nonspace[ord(delimiter)] = True  # a tab delimits cells in a TSV file
    blank = ~np.logical_or.reduceat(nonspace[data], starts)
    return starts, blank, all_ends


def record_lines(data: np.ndarray, start: int, delimiter: str = ",", with_blank: bool = False) -> np.ndarray:
    """The line number where each non-blank record at or after byte ``start`` begins.

    Assumes ``quoting_is_regular(data)``. Blank records (white space without a delimiter)
    are left out, as the reader leaves them out of the table, unless ``with_blank``.
    """
    starts, blank, all_ends = _records(data, start, delimiter)
    return np.searchsorted(all_ends, starts if with_blank else starts[~blank]) + 1


def blank_record_lines(data: np.ndarray, start: int, delimiter: str = ",") -> np.ndarray:
    """The line numbers of the blank records at or after byte ``start`` (see ``record_lines``)."""
    starts, blank, all_ends = _records(data, start, delimiter)
    return np.searchsorted(all_ends, starts[blank]) + 1


class RecordLines:
    """``record_lines`` of a file read front to back in blocks of bytes, without holding it.

    ``feed(block)`` gives the line of each non-blank record that the block completes: the
    bytes after the block's last line end outside quotes wait for the next block (a record
    may span blocks). Each piece handed to ``record_lines`` so begins where a record begins,
    so quotes are counted from zero in each, and the file's quoting is regular exactly when
    every piece's is; ``regular`` turns False at the first piece whose is not (the lines are
    then unknown, and the caller asks the ``csv`` module).
    """

    def __init__(self, delimiter: str):
        self.delimiter, self.carry, self.lines_before, self.regular = delimiter, b"", 0, True

    def feed(self, block: bytes, final: bool = False) -> np.ndarray:
        data = self.carry + block
        array = np.frombuffer(data, np.uint8)
        cut = array.size
        if not final:
            ends = line_ends(array)
            if ends.size and ends[-1] == array.size - 1 and array[-1] == RETURN:
                ends = ends[:-1]  # perhaps the first half of a \r\n: wait for the next byte
            quotes = np.flatnonzero(array == QUOTE)
            outside = ends[np.searchsorted(quotes, ends) % 2 == 0] if quotes.size else ends
            cut = int(outside[-1]) + 1 if outside.size else 0
        piece, self.carry = array[:cut], data[cut:]
        if not self.regular or not quoting_is_regular(piece, self.delimiter):
            self.regular = False
            return np.zeros(0, dtype=np.int64)
        lines = record_lines(piece, 0, self.delimiter) + self.lines_before
        self.lines_before += line_ends(piece).size
        return lines


def detect_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first lines into the most equal columns, judged
    from the first line that some candidate splits (a title above the header has none), else ','."""
    lines = text.splitlines()[:60]
    for first in range(min(10, len(lines))):  # a title of up to 10 lines above the header
        found = _best_delimiter(lines[first : first + 50])
        if found is not None:
            return found
    return ","


def _best_delimiter(lines: list[str]) -> str | None:
    """The candidate that splits ``lines`` into the most equal columns, the first in at least
    two; None when no candidate splits the first line."""
    sample = "\n".join(lines)
    best, best_score = None, (0, 0)
    for candidate in DELIMITERS:
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
