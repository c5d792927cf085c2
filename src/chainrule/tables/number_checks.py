"""The checks on a column's numbers that name the cell: too large for the dtype, written in a
form not asked for, or text where numbers are, with the option that would read it."""

from __future__ import annotations

import numpy as np

from .formats import format_key, magnitude_limit, too_large, written_as
from .infer import where
from .read import DataError, Table

__all__ = ["check_magnitudes", "check_standardised", "check_written_otherwise", "not_a_number"]


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


def check_written_otherwise(table: Table, name: str, cells, fmt: dict, role: str) -> None:
    """DataError when a column's text cells are all numbers in a format not asked for."""
    option = None if format_key(fmt) else written_as(table.trimmed(name), cells.text)
    if option is not None:
        example = table.text(_first(cells.text), name).strip()
        raise DataError(
            f"{table.source}: column {name!r} holds numbers written as text ({example!r}); "
            f"pass {option} to read them as numbers, or {role}"
        )


def not_a_number(table: Table, name: str, cells, fmt: dict, advice: str) -> DataError:
    """The error for the first text cell of a numeric column, ending in ``advice``. A column
    read with a number format (``fmt``) says so, and when its text cells are numbers in another
    form, names the options that read them (``1.234,5`` with ``decimal=','`` alone)."""
    asked = " and ".join(f"{key}={value!r}" for key, value in format_key(fmt))
    other = written_as(table.trimmed(name), cells.text) if asked else None
    hint = f" read with {asked}" if asked else ""
    hint += f" (written so, it needs {other})" if other else ""
    return DataError(f"{where(table, _first(cells.text), name)} is not a number{hint}; {advice}")


def check_standardised(table: Table, name: str, standardised: np.ndarray, dtype) -> None:
    """DataError at the first value whose standardised input, ``(value − mean) / std`` in
    float64, is beyond what ``dtype`` holds: a number within the dtype's range can still be
    that many training standard deviations from the mean (3e20 where the column spans 1e-19)."""
    with np.errstate(invalid="ignore"):
        far = ~(np.abs(standardised) <= np.finfo(dtype).max)
    if far.any():
        row = _first(far)
        raise DataError(
            f"{where(table, row, name)} is {abs(standardised[row]):.3g} training standard deviations "
            f"from the column's training mean, beyond what {np.dtype(dtype).name} holds; check the value"
        )
