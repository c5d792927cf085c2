"""Numbers written other ways, columns that are IDs, and magnitudes a dtype can hold.

A *number format* says how a file writes its numbers, besides the plain form ``tables.cells``
reads: ``{"decimal": ","}`` reads ``0,5`` as 0.5, ``{"thousands": ","}`` reads ``12,345`` as
12345 (only in well-formed groups of three digits; ``"."``, ``"'"`` and ``" "`` too, the last
also a no-break space), ``{"percent": True}`` reads ``50%`` as 0.5.
It is given explicitly (nothing is guessed) and stored with the model, so prediction reads new
rows the same way. With ``decimal=","`` a cell holding a ``.`` that is not the thousands
separator is not a number (``1.500`` would be ambiguous). With a decimal or thousands option,
a number in parentheses is negative, as accounts write it: ``(1,660.94)`` is −1660.94.

Without a format, ``written_as`` finds columns whose text cells are all numbers in one of those
forms (in parentheses or not), so training refuses them in one line that names the option,
rather than one-hot encoding them (after which any new value fails at prediction).

Everything here is one Arrow or NumPy operation over a column.
"""

from __future__ import annotations

import re

import numpy as np

from .cells import Cells, arrow, as_numpy, parse_cells, stripped

__all__ = ["format_key", "parse_formatted", "parenthesised", "written_as", "magnitude_limit", "too_large"]

#: A negative number as accounts write it, ``(1,660.94)``: the number (group 1) in parentheses.
PARENTHESISED = r"^\(\s*([0-9.][^()]*?)\s*\)$"

_DIGITS = r"(?:[0-9]+\.?[0-9]*|\.[0-9]+)"
#: What ``thousands=' '`` reads as the space between groups: a space, a no-break space (French
#: spreadsheets) or a narrow no-break space (the SI's and Unicode's own).
_SPACES = "[ \u00a0\u202f]"
# (what the form is, pattern of a cell written that way, the option that reads it)
_FORMS = [
    ("thousands", r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?$", "thousands=','"),
    ("decimal", r"^[+-]?(?:[0-9]*,[0-9]+|[0-9]+,)$", "decimal=','"),
    ("both", r"^[+-]?[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]+)?$", "thousands='.', decimal=','"),
    ("percent", rf"^[+-]?{_DIGITS}\s*%$", "percent=True"),
    ("swiss", "^[+-]?[0-9]{1,3}(?:['\u2019][0-9]{3})+(?:\\.[0-9]+)?$", 'thousands="\'"'),
    ("spaced", rf"^[+-]?[0-9]{{1,3}}(?:{_SPACES}[0-9]{{3}})+(?:\.[0-9]+)?$", "thousands=' '"),
    ("spaced_comma", rf"^[+-]?[0-9]{{1,3}}(?:{_SPACES}[0-9]{{3}})+,[0-9]+$", "thousands=' ', decimal=','"),
]


def format_key(number_format: dict | None) -> tuple:
    """A hashable key of a format (``()`` for the plain one), to cache parsed columns by."""
    plain = {"decimal": ".", "thousands": None, "percent": False}
    return tuple(sorted((k, v) for k, v in (number_format or {}).items() if v != plain.get(k)))


def parse_formatted(texts, number_format: dict | None) -> Cells:
    """``parse_cells`` of an Arrow string column read with a number format (see the module)."""
    key = dict(format_key(number_format))
    if not key:
        return parse_cells(texts)
    _, pc, _ = arrow()
    trimmed = stripped(texts)
    decimal, thousands = key.get("decimal", "."), key.get("thousands")
    negative = np.zeros(len(trimmed), dtype=bool)
    if decimal != "." or thousands:  # (1,660.94) is -1660.94
        marked = pc.match_substring_regex(trimmed, PARENTHESISED)
        negative = as_numpy(marked).astype(bool)
        trimmed = pc.if_else(marked, pc.replace_substring_regex(trimmed, PARENTHESISED, r"\1"), trimmed)
    percent = np.zeros(len(trimmed), dtype=bool)
    if key.get("percent"):
        marked = pc.match_substring_regex(trimmed, r"^[+-]?[0-9.,]*[0-9.,]\s*%$")
        percent = as_numpy(marked).astype(bool)
        trimmed = pc.if_else(marked, pc.replace_substring_regex(trimmed, r"\s*%$", ""), trimmed)
    if thousands == " ":
        trimmed = pc.replace_substring_regex(trimmed, _SPACES, " ")
    elif thousands == "'":  # Swiss numbers typed with the typographic apostrophe: 1’234
        trimmed = pc.replace_substring(trimmed, "\u2019", "'")
    if thousands:
        mark = re.escape(decimal)
        grouped = rf"^[+-]?[0-9]{{1,3}}(?:{re.escape(thousands)}[0-9]{{3}})+(?:{mark}[0-9]*)?$"
        ungrouped = pc.replace_substring(trimmed, thousands, "")
        trimmed = pc.if_else(pc.match_substring_regex(trimmed, grouped), ungrouped, trimmed)
    dotted = np.zeros(len(trimmed), dtype=bool)
    if decimal == ",":
        dotted = as_numpy(pc.match_substring(trimmed, ".")).astype(bool)
        trimmed = pc.replace_substring(trimmed, ",", ".")
    cells = parse_cells(trimmed)
    if dotted.any():  # a '.' in a decimal-comma file is not a number
        dotted &= ~cells.missing
        cells.text |= dotted
        cells.numbers[dotted] = np.nan
    if key.get("percent"):
        percent &= ~cells.text & ~cells.missing
        cells.numbers[percent] /= 100.0
        cells.percent = percent
    negative &= ~cells.text & ~cells.missing
    cells.numbers[negative] *= -1.0
    return cells


def parenthesised(trimmed, text: np.ndarray) -> int:
    """How many of a column's text cells (``text``) are written in parentheses, ``(1,660.94)``."""
    pa, pc, _ = arrow()
    if not text.any():
        return 0
    return int(
        pc.sum(pc.match_substring_regex(pc.filter(trimmed, pa.array(text)), PARENTHESISED)).as_py() or 0
    )


def written_as(trimmed, text: np.ndarray) -> str | None:
    """The option that reads a column's text cells as numbers, when every one of them is a
    number in one of the forms above; else None. ``text`` marks the text cells."""
    pa, pc, _ = arrow()
    if not text.any():
        return None
    cells = pc.filter(trimmed, pa.array(text))
    inside = pc.replace_substring_regex(cells, PARENTHESISED, r"\1")  # (1,660.94) is a number too
    found = {
        name: as_numpy(pc.match_substring_regex(inside, pattern)).astype(bool) for name, pattern, _ in _FORMS
    }
    negative = as_numpy(pc.match_substring_regex(cells, PARENTHESISED)).astype(bool)
    plain = negative & ~parse_cells(inside).text  # (660.94): read with either option
    if not (np.logical_or.reduce(list(found.values())) | plain).all():
        return None
    if plain.all() or (plain | found["percent"]).all():
        found["thousands"] |= plain  # read as a thousands option reads any plain number
    options = {name: option for name, _, option in _FORMS}
    used = [name for name in ("both", "spaced_comma", "swiss", "percent") if found[name].any()]
    if found["spaced"].any() and "spaced_comma" not in used:
        used.insert(0, "spaced")
    if not {"both", "spaced_comma"} & set(used):
        if (found["decimal"] & ~found["thousands"]).any():  # 0,5 or 1,25
            used.insert(0, "decimal")
        elif (found["thousands"] & ~found["decimal"]).any():  # 1,234,567 or 2,000.5
            used.insert(0, "thousands")
        elif found["thousands"].any():  # only cells like 12,345: either reading fits
            used.insert(0, "thousands")
            options["thousands"] += " (or decimal=',' if the comma marks decimals)"
    return ", ".join(options[name] for name in used)


def magnitude_limit(dtype) -> float:
    """The largest magnitude a column may hold to be trained on in ``dtype``.

    float32: what float32 holds (about 3.4e38). float64: 1e150, so that squares (variances,
    squared errors) stay finite.
    """
    dtype = np.dtype(dtype)
    return float(np.finfo(np.float32).max) if dtype == np.float32 else 1e150


def too_large(numbers: np.ndarray, dtype) -> np.ndarray:
    """Where finite numbers are beyond ``magnitude_limit(dtype)``."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(numbers) & (np.abs(numbers) > magnitude_limit(dtype))
