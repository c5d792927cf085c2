"""The checks on a column's numbers that name the cell: too large for the dtype, written in a
form not asked for, or text where numbers are, with the option that would read it (never
categories for numbers)."""

from __future__ import annotations

import numpy as np

from .cells import arrow, parse_cells
from .formats import format_key, magnitude_limit, parenthesised, too_large, written_as
from .infer import where
from .read import DataError, Table

__all__ = [
    "SMALLEST_SPREAD",
    "check_magnitudes",
    "check_spread",
    "check_standardised",
    "check_written_otherwise",
    "not_a_number",
]

#: The smallest standard deviation a column (or a numeric target) is trained on, the mirror
#: of the largest magnitude (``formats.magnitude_limit``): standardising by a smaller one
#: could overflow, and a model file holding one is refused as corrupted
#: (``files.modelfile_checks.SPREAD_FLOOR`` is a little below it).
SMALLEST_SPREAD = 1e-150


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def check_magnitudes(table: Table, name: str, numbers: np.ndarray, dtype) -> None:
    """DataError at the first finite number too large for ``dtype`` (``tables.formats``)."""
    large = too_large(numbers, dtype)
    if large.any():
        dtype = np.dtype(dtype).name
        advice = "rescale the column" + (" or train with dtype='float64'" if dtype == "float32" else "")
        raise DataError(
            f"{where(table, _first(large), name)} is too large for {dtype} "
            f"(magnitudes up to {magnitude_limit(dtype):.3g}); {advice}"
        )


def check_spread(source: str, name: str, std: float, target: bool = False) -> None:
    """DataError when a column's numbers (the ``target``'s) vary, but by less than
    ``SMALLEST_SPREAD`` (0: a constant column, which trains with a note)."""
    if 0 < std < SMALLEST_SPREAD:
        way_out = "" if target else f", or pass ignore={name!r} to leave it out"
        raise DataError(
            f"{source}: {'target' if target else 'column'} {name!r} varies by a standard deviation of only "
            f"{std:.3g}, too little to scale (at least {SMALLEST_SPREAD:g}); rescale it (multiply by a power "
            f"of ten){way_out}"
        )


def check_written_otherwise(table: Table, name: str, cells, fmt: dict, role: str = "") -> None:
    """DataError when a column's text cells (read with the number format ``fmt``) are all
    numbers: in a form not asked for (``1,234.5``, ``12%``, ``(1,660.94)``), named with the
    options that read it; or, when a format was asked for, written plainly (``0.5`` with
    ``decimal=','``). ``role``: the other way out (a target's class labels); a feature's numbers
    are never offered as categories, which would one-hot encode every amount."""
    if not cells.text.any():
        return
    trimmed, asked = table.trimmed(name), _asked(fmt)
    option = written_as(trimmed, cells.text)
    example = table.text(_first(cells.text), name).strip()
    role = f", or {role}" if role else ""
    if asked and _plain(trimmed, cells.text):  # 0.5 under decimal=',': the file writes '.' decimals
        also = f" (or, if they group thousands, pass {option})" if option else ""
        raise DataError(
            f"{table.source}: column {name!r} holds plain numbers ({example!r}), not numbers written "
            f"as {asked} reads them; leave {asked} out for this file{also}{role}"
        )
    if option is not None:
        read = f" when read with {asked}" if asked else ""
        negatives = parenthesised(trimmed, cells.text)
        inside = (
            f"; {negatives} of them in parentheses, negatives as accounts write them" if negatives else ""
        )
        negative = ", one in parentheses as negative" if negatives else ""
        raise DataError(
            f"{table.source}: column {name!r} holds numbers written as text{read} ({example!r}{inside}); "
            f"pass {option} to read them as numbers{negative}{role}"
        )


def _asked(fmt: dict) -> str:
    """The number format options asked for, as ``decimal=',' and thousands='.'`` ('' for none)."""
    return " and ".join(f"{key}={value!r}" for key, value in format_key(fmt))


def _plain(trimmed, text: np.ndarray) -> bool:
    """Whether every text cell (``text``) reads as a plain number, with no format."""
    pa, pc, _ = arrow()
    return bool(np.all(~parse_cells(pc.filter(trimmed, pa.array(text))).text))


def not_a_number(table: Table, name: str, cells, fmt: dict, advice: str, categories: str = "") -> DataError:
    """The error for the first text cell of a numeric column, ending in ``advice`` and, unless
    its text cells are numbers written another way, ``categories`` (the option that reads the
    column as categories). A column read with a number format (``fmt``) says so, and when its
    text cells are numbers in another form, names the options that read them (``1.234,5`` with
    ``decimal=','`` alone)."""
    asked = _asked(fmt)
    trimmed = table.trimmed(name)
    hint = f" read with {asked}" if asked else ""
    if asked and _plain(trimmed, cells.text):
        hint += " (it reads as a plain number)"
        categories = ""
    elif asked and (other := written_as(trimmed, cells.text)):
        hint += f" (it reads as a number with {other})"
        categories = ""
    advice += f", or pass {categories}" if categories else ""
    return DataError(f"{where(table, _first(cells.text), name)} is not a number{hint}; {advice}")


def check_standardised(table: Table, name: str, standardised: np.ndarray, dtype) -> None:
    """DataError at the first value whose standardised input, ``(value − mean) / std`` in
    float64, is beyond ``magnitude_limit(dtype)`` (what float32 holds; 1e150 in float64, whose
    squares stay finite): a number within that range can still be that many training standard
    deviations from the mean (3e20 where the column spans 1e-19)."""
    with np.errstate(invalid="ignore"):  # float64 to 1e150, where squares (losses) stay finite
        far = ~(np.abs(standardised) <= magnitude_limit(dtype))
    if far.any():
        row = _first(far)
        raise DataError(
            f"{where(table, row, name)} is {abs(standardised[row]):.3g} training standard deviations "
            f"from the column's training mean, beyond what {np.dtype(dtype).name} computes with; check the value"
        )
