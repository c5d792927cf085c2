"""The header's column names: stripped, in NFC, none empty (but the first, named as pandas
names it) or repeated; the empty last
column that a delimiter ending every line makes (``a,b,y,``), left out as pandas would read it
("Unnamed: 3", all missing) and then drop it; and a first line that is not the header (a title
above it, as ERP and bank exports write), told from a ragged row by the rows that follow."""

from __future__ import annotations

import csv
from collections import Counter

from .cells import arrow
from .data_error import DataError
from .nfc import nfc_name

__all__ = ["checked_names", "without_trailing_column", "title_above_header", "widths_after", "FIRST_UNNAMED"]

#: The records after the header that ``widths_after`` reads to tell a title from a ragged row.
LOOK_AHEAD = 50

#: The name a first column without one gets, as pandas' read_csv names it: it is most often
#: the row index pandas writes or the row names R writes, which training leaves out with a
#: note (``left_out.row_index``, ``left_out.id_column``); other values are used as any column's.
FIRST_UNNAMED = "Unnamed: 0"


def checked_names(source: str, written: list[str], line: int | None) -> list[str]:
    """Column names stripped and in NFC (``tables.nfc``), an empty first one ``FIRST_UNNAMED``;
    DataError at another empty one or a repeated one (``line``: the header's)."""
    place, seen = source if line is None else f"{source}:{line}", {}
    names = [nfc_name(name.strip()) for name in written]
    if names and not names[0]:  # the row index pandas writes (to_csv), or R's row names (write.csv)
        names[0] = FIRST_UNNAMED
    for position, name in enumerate(names, start=1):
        if not name:
            raise DataError(f"{place}: column {position} has no name; give every column a name")
        if name in seen:
            raise DataError(
                f"{place}: column {name!r} appears twice (columns {seen[name]} and {position}); rename one"
            )
        seen[name] = position
    return names


def without_trailing_column(data, place: str, count: int):
    """``data`` (an Arrow table of text) without its last column, the ``count``-th, which the
    header leaves unnamed: left out when it holds nothing but white space in every row (each
    line ends with a delimiter); DataError as for any unnamed column otherwise."""
    _, pc, _ = arrow()
    last = data.column(data.num_columns - 1)
    if pc.any(pc.invert(pc.match_substring_regex(last, r"^\s*$"))).as_py():
        raise DataError(f"{place}: column {count} has no name; give every column a name")
    return data.remove_column(data.num_columns - 1)


def widths_after(reader, line: int) -> list[tuple[int, int]]:
    """(line, fields) of the next ``LOOK_AHEAD`` records of a ``csv.reader`` whose next record
    starts at ``line``, blank lines left out; fewer when the file ends or cannot be parsed."""
    found = []
    try:
        for record in reader:
            if len(record) > 1 or any(cell.strip() for cell in record):
                found.append((line, len(record)))
            line = reader.line_num + 1
            if len(found) >= LOOK_AHEAD:
                break
    except csv.Error:
        pass
    return found


def title_above_header(line: int, width: int, rows: list[tuple[int, int]], before: int = 0) -> str | None:
    """The message for a header at ``line`` of ``width`` fields that has fewer than most of the
    ``rows`` below it ((line, fields) of each: ``widths_after``, after ``before`` rows of
    ``width`` fields): it is likely a title above the real header. None when most rows are not
    wider alike (a ragged row, refused as one)."""
    if not rows:
        return None
    common, count = Counter(fields for _, fields in rows).most_common(1)[0]
    if common <= width or 2 * count <= len(rows) + before:
        return None
    first = next(at for at, fields in rows if fields == common)
    fields = f"{width} field{'s' if width != 1 else ''}"
    if common == width + 1:  # R's write.table: a row name first in every row, none in the header
        return (
            f"line {line} names {fields} but most rows below it have {common} (from line {first}), as R's "
            "write.table writes row names without a name in the header; add a first name to the header "
            "(an empty one: start it with the delimiter), or write the file with row.names=FALSE"
        )
    return (
        f"line {line} has {fields} but most rows below it have {common} (from line {first}), so it does not "
        "look like the header; remove the lines above the header (a title, a note of the export), so that "
        "the header comes first"
    )
