"""The header's column names: stripped, in NFC, none empty (but the first, named as pandas
names it) or repeated; and the empty last
column that a delimiter ending every line makes (``a,b,y,``), left out as pandas would read it
("Unnamed: 3", all missing) and then drop it."""

from __future__ import annotations

from .cells import arrow
from .data_error import DataError
from .nfc import nfc_name

__all__ = ["checked_names", "without_trailing_column", "FIRST_UNNAMED"]

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
