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

__all__ = ["DELIMITERS", "detect_delimiter", "line_ends", "quoting_is_regular", "record_lines"]

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


def record_lines(data: np.ndarray, start: int) -> np.ndarray:
    """The line number where each non-blank record at or after byte ``start`` begins.

    Assumes ``quoting_is_regular(data)``. Blank records (nothing but white space) are left
    out, as the reader leaves them out of the table.
    """
    all_ends = line_ends(data)
    ends = all_ends
    quotes = np.flatnonzero(data == QUOTE)
    if quotes.size:
        ends = ends[np.searchsorted(quotes, ends) % 2 == 0]
    starts = np.concatenate([[0], ends + 1])
    starts = starts[(starts >= start) & (starts < data.size)]
    if starts.size == 0:
        return starts
    nonspace = np.ones(256, dtype=bool)
    nonspace[list(_SPACE)] = False
    blank = ~np.logical_or.reduceat(nonspace[data], starts)  # nothing but white space
    starts = starts[~blank]
    return np.searchsorted(all_ends, starts) + 1


def detect_delimiter(text: str) -> str:
    """The candidate delimiter that splits the first lines into the most equal columns."""
    sample = "\n".join(text.splitlines()[:50])
    best, best_score = ",", (0, 0)
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
