"""What ``impute=`` fills, counted and reported: a gap is never filled silently.

A gap is a missing cell, or in a numeric column a number that is not finite (``inf``, which
is filled like a missing value: ``Preprocessor.gaps``). A numeric column's gaps take the
training rows' mean or median, a categorical column's their most frequent category.
Infinities are counted apart, since filling one is rarely what was meant.
"""

from __future__ import annotations

import numpy as np

from .data_error import DataError

__all__ = [
    "KEPT_ROWS",
    "dropped_note",
    "fill_counts",
    "fill_note",
    "fill_notes",
    "keeps_too_few",
    "missing_advice",
    "mostly_empty",
    "reject_missing",
    "too_few_kept",
]

#: drop_missing=True keeps at least half of the rows or this many: 100 rows hold 20 test rows at
#: the default test_size 0.2, the fewest on which the linear fallback chooses between models.
KEPT_ROWS = 100


def keeps_too_few(kept: int, rows: int) -> bool:
    """Whether dropping the rows with gaps keeps too few of the ``rows`` to train and test on:
    fewer than half of them and fewer than ``KEPT_ROWS``. A table that loses a few rows to gaps
    trains as it would whole; one whose gaps are in most rows (a mostly empty column) is not
    cut down to a handful."""
    return 2 * kept < rows and kept < KEPT_ROWS


def mostly_empty(gaps: dict[str, int], rows: int) -> list[str]:
    """The columns of ``gaps`` (column → its gaps) with a gap in more than half of the ``rows``."""
    return [name for name, count in gaps.items() if 2 * count > rows]


def refuse_too_few_kept(table, pre, dropped: int, impute: str | None) -> None:
    """DataError when drop_missing=True would drop ``dropped`` of the ``table``'s rows and keep
    too few (``keeps_too_few``), naming the mostly empty columns (by the Preprocessor ``pre``'s
    gaps) to ignore instead: in memory as ``first_pass`` does in chunks."""
    read = len(table)
    if not dropped or not keeps_too_few(read - dropped, read):
        return
    gaps = {name: int(pre.gaps(table, name).sum()) for name in pre.features}
    target_gaps = int(pre.gaps(table, pre.target).sum())
    problem = too_few_kept(read - dropped, read, mostly_empty(gaps, read), impute or "median", target_gaps)
    raise DataError(f"{table.source}: {problem}")


def too_few_kept(
    kept: int, rows: int, emptiest: list[str], impute: str = "median", target_gaps: int = 0
) -> str:
    """Why drop_missing=True is refused when it ``keeps_too_few`` rows, and what keeps them:
    ignore= for the ``emptiest`` columns (``mostly_empty``), or ``impute=``; when the target is
    missing in most rows (``target_gaps`` of them), filling it in, as nothing imputes a target."""
    problem = (
        f"drop_missing=True would keep {kept} of the {rows} rows, too few to train and test on "
        f"(fewer than half of them, and fewer than {KEPT_ROWS})"
    )
    if 2 * target_gaps > rows:
        return f"{problem}; the target is missing in {target_gaps} of them: fill it in, or train on another target"
    which = "the mostly empty column" + ("s" if len(emptiest) > 1 else "")
    ignore = f"pass ignore={','.join(emptiest)!r} to leave out {which}, or " if emptiest else "pass "
    return f"{problem}; {ignore}impute={impute!r} to fill the gaps"


def missing_advice(in_the_target: bool, in_target: int, at_training: bool) -> str:
    """What to do about gaps without ``impute=``: the first is ``in_the_target`` or a
    feature's, ``in_target`` of them are the target's; at training (``at_training``) or for a
    trained model's use. Gaps in both are named at once, so the next run trains."""
    if in_the_target:  # nothing imputes a target
        if at_training:
            return (
                "fill in the target (or fix it where it is not finite), or drop those rows "
                "(drop_missing=True); impute= fills features, never the target"
            )
        return "fill in the target or leave those rows out"
    if at_training and in_target:
        return (
            f"the target is missing in {in_target} row{'s' if in_target > 1 else ''} too: pass "
            "impute='median' with drop_missing=True to fill the features' gaps and drop the rows "
            "without a target (drop_missing=True alone drops every row with a gap)"
        )
    if at_training:
        return "pass impute='mean'|'median' or drop_missing=True"
    return (
        "the model was trained without impute=, so it fills no gaps; fill in the value, "
        "or retrain with impute='median'"
    )


def reject_missing(pre, table, with_target: bool, at_training: bool = False) -> None:
    """``Preprocessor.reject_missing``: DataError with the count and first place of the gaps
    ``pre`` does not fill (``Preprocessor.gaps``), and what to do (``missing_advice``; at
    training, gaps in features only get ``_feature_advice``, which names mostly empty columns)."""
    columns = pre.features + ([pre.target] if with_target else [])
    if pre.impute is not None:
        columns = [pre.target] if with_target else []
    counts, first, bad = {}, None, np.zeros(len(table), dtype=bool)
    position = {name: i for i, name in enumerate(table.columns)}
    for name in columns:
        gaps = pre.gaps(table, name)
        found = int(gaps.sum())
        if found:
            counts[name], bad = found, bad | gaps
            place = (int(np.argmax(gaps)), position[name])
            if first is None or place < first[0]:
                first = (place, name)
    if counts:
        (row, _), name = first
        count, in_target = sum(counts.values()), counts.get(pre.target, 0)
        found, advice = "", missing_advice(name == pre.target, in_target, at_training)
        if at_training and not in_target:
            found, advice = _feature_advice(counts, len(table), len(table) - int(bad.sum()))
        raise DataError(
            f"{table.source}: {count} missing or non-finite value{'s' if count > 1 else ''} (first at "
            f"{table.line(row)}, column {name!r}, value {table.text(row, name)!r}){found}; {advice}"
        )


def _feature_advice(gaps: dict[str, int], rows: int, kept: int) -> tuple[str, str]:
    """(where the ``gaps`` (column → count) of a table of ``rows`` rows are, when most are in
    mostly empty columns; what to do): ignore= those columns, impute=, and drop_missing=True
    unless it keeps too few rows (``keeps_too_few``: it would keep ``kept``)."""
    drop = (
        f"; drop_missing=True would keep {kept} of the {rows} rows, too few to train and test on"
        if keeps_too_few(kept, rows)
        else " or drop_missing=True"
    )
    emptiest = mostly_empty(gaps, rows)
    if not emptiest:
        return "", f"pass impute='mean'|'median'{drop}"
    held, total = sum(gaps[name] for name in emptiest), sum(gaps.values())
    names = " and ".join(map(repr, emptiest))
    found = (
        f", {'all' if held == total else held} of them in column{'s' if len(emptiest) > 1 else ''} {names}, "
        f"empty in {' and '.join(str(gaps[name]) for name in emptiest)} of the {rows} rows"
    )
    them = "it" if len(emptiest) == 1 else "them"
    rest = "" if held == total else f" (then impute= or drop_missing=True for the other {total - held})"
    return (
        found,
        f"pass ignore={','.join(emptiest)!r} to leave {them} out{rest}, or impute='mean'|'median'{drop}",
    )


def fill_counts(pre, table) -> dict[str, dict[str, int]]:
    """``{column: {"filled": n, "infinite": m}}`` for the features of ``table`` that a
    Preprocessor ``pre`` trained with ``impute=`` fills (m of the n are infinities); {} when it
    fills nothing."""
    if pre.impute is None:
        return {}
    counts = {}
    for name in pre.features:
        gaps = pre.gaps(table, name)
        if gaps.any():
            cells = table.cells(name, pre.number_format)
            infinite = gaps & ~cells.missing
            counts[name] = {"filled": int(gaps.sum()), "infinite": int(infinite.sum())}
    return counts


def fill_notes(pre, table, counts: dict | None = None) -> list[str]:
    """A note (a list of one line, or none when there are no gaps) saying how many gaps ``pre``
    fills in ``table``, column by column, and where the first infinity is:

    ``filling 357 gaps in 300 rows (impute median): 120 in 'x1', 118 in 'x2' with the training
    median; 119 in 'colour' with the most frequent category; 1 is infinite (first at line 7,
    column 'x1', value 'inf'), filled as a missing value: fix the source if that was not meant``

    ``counts``: ``fill_counts(pre, table)``, when the caller has them already.
    """
    counts = fill_counts(pre, table) if counts is None else counts
    if not counts:
        return []
    first = None
    if any(c["infinite"] for c in counts.values()):
        name = next(name for name, c in counts.items() if c["infinite"])
        cells = table.cells(name, pre.number_format)
        row = int(np.argmax(pre.gaps(table, name) & ~cells.missing))
        first = (table.line(row), name, table.text(row, name).strip())
    return [fill_note(pre, counts, len(table), first)]


def fill_note(pre, counts: dict, rows: int, first_infinite: tuple | None) -> str:
    """The line ``fill_notes`` writes, from ``fill_counts``' ``counts`` over ``rows`` rows and
    the first infinity's ("line 7" or "row 7", column, text), or None; a streamed run adds its counts up
    chunk by chunk and writes the same line."""
    total = sum(c["filled"] for c in counts.values())
    parts = []
    for kind, how in (
        (pre.numeric, f"with the training {pre.impute}"),
        (pre.categorical, "with the most frequent category"),
    ):
        shown = [f"{c['filled']} in {name!r}" for name, c in counts.items() if name in kind]
        if shown:
            parts.append(f"{', '.join(shown)} {how}")
    note = f"filling {total} gap{'s' if total > 1 else ''} in {rows} rows (impute {pre.impute}): {'; '.join(parts)}"
    infinite = sum(c["infinite"] for c in counts.values())
    if infinite and first_infinite is not None:
        line, name, text = first_infinite
        note += (
            f"; {infinite} {'is' if infinite == 1 else 'are'} infinite (first at "
            f"{line}, column {name!r}, value {text!r}), filled as a missing value: fix the source if "
            "that was not meant"
        )
    return note


def dropped_note(rows: int, impute: str | None) -> str:
    """What ``drop_missing`` dropped: rows with any gap, or with ``impute``, the rows whose
    target is missing (nothing fills a target; ``impute`` fills the features' gaps)."""
    if impute is None:
        return f"dropped {rows} rows with missing values"
    return f"dropped {rows} rows whose target is missing (impute={impute!r} fills the features' gaps)"
