"""The header's column names: stripped, in NFC, none empty or repeated; and the empty last
column that a delimiter ending every line makes (``a,b,y,``), left out as pandas would read it
("Unnamed: 3", all missing) and then drop it."""

from __future__ import annotations

from .cells import arrow
from .data_error import DataError
from .nfc import nfc_name

__all__ = ["checked_names", "without_trailing_column"]


def checked_names(source: str, written: list[str], line: int | None) -> list[str]:
    """Column names stripped and in NFC (``tables.nfc``); DataError at an empty or repeated one
    (``line``: the header's)."""
    place, seen = source if line is None else f"{source}:{line}", {}
    names = [nfc_name(name.strip()) for name in written]
    for position, name in enumerate(names, start=1):
        if not name:
            hint = (
                " (a first column without a name is often the row index pandas writes: save with "
                "to_csv(index=False), or delete the column)"
                if position == 1
                else ""
            )
            raise DataError(f"{place}: column {position} has no name{hint}; give every column a name")
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
