"""What the columns of a table are: the task a target implies, class labels, category names.

Each decision reads whole columns (``Table.cells``, ``Table.trimmed``); the only Python
loops run over *distinct* values (class labels, category names), which end up in the model
file anyway.
"""

from __future__ import annotations

import math

import numpy as np

from .cells import arrow, as_numpy, distinct, parse_number
from .read import DataError, Table

__all__ = [
    "MAX_CLASSES_INFERRED",
    "infer_task",
    "label_text",
    "class_labels",
    "label_codes",
    "same_number",
    "checked_labels",
    "class_counts",
    "unlearnable_classes",
    "constant_target",
    "category_names",
    "check_options",
    "where",
]

MAX_CLASSES_INFERRED = 20

#: Text columns are judged as IDs or free text from this many rows on.
ID_ROWS = 20


def check_options(source: str, columns, target: str, categorical=(), ignore=()) -> None:
    """DataError when ``categorical=`` or ``ignore=`` names a column the table lacks, or the target."""
    for option, names in (("categorical", categorical), ("ignore", ignore)):
        for name in names:
            if name not in columns:
                raise DataError(f"{source}: {option}= names {name!r}, which is not a column")
            if name == target:
                what = "leave it out" if option == "ignore" else "task='classification' reads it as classes"
                raise DataError(f"{source}: {option}= names {name!r}, the target; {what}")


def where(table: Table, row: int, name: str, value: str | None = None) -> str:
    """``file:line: column 'name', value 'text'`` (``file: row N: ...`` for Parquet): the place
    of one cell, for error messages."""
    value = table.text(row, name) if value is None else value
    return f"{table.place(row)}: column {name!r}, value {value!r}"


def category_names(table: Table, columns) -> dict[str, list[str]]:
    """Each column's sorted distinct values over every row of ``table``: its one-hot vocabulary.

    Only the set of names is taken, no statistic and nothing of the target, so taking it from
    all rows of a file (test rows included) leaks nothing a model could fit, as with
    scikit-learn's ``OneHotEncoder(categories=...)``.
    """
    return {name: distinct(table.trimmed(name), table.cells(name).present) for name in columns}


def infer_task(table: Table, target: str, number_format: dict | None = None) -> tuple[str, str]:
    """("classification" or "regression", the reason) from the target column's values
    (numbers read with ``number_format``, ``tables.formats``)."""
    cells = table.cells(target, number_format)
    if cells.text.any():
        return "classification", f"target {target!r} holds text labels"
    values = np.unique(cells.numbers[cells.present])
    whole = bool(np.all(np.isfinite(values) & (values == np.floor(values))))
    if whole and values.size <= MAX_CLASSES_INFERRED:
        return "classification", f"target {target!r} has {values.size} distinct whole-number values"
    return "regression", f"target {target!r} holds {values.size} distinct numbers"


def label_text(text: str) -> str:
    """A class label: the text as written, without surrounding white space.

    "007" stays "007" and "1.0" stays "1.0": a label is never rewritten as a number.
    (Older model files stored '1' for '1.0' and '7' for '007'; those are labels as
    good as any, and load as they are.)
    """
    return text.strip()


def class_labels(texts) -> list[str]:
    """Sorted distinct labels of some texts: numerically when all are numbers, else as text.

    Labels that are the same number written differently ("1", "01") sort by their text.
    """
    labels = sorted({label_text(t) for t in texts})
    numbers = [parse_number(label) for label in labels]
    if all(n is not None and math.isfinite(n) for n in numbers):
        labels.sort(key=lambda label: float(label))
    return labels


def same_number(labels: list[str]) -> tuple[str, str] | None:
    """Two labels that are the same number written two ways ('0' and '0.0'), or None."""
    seen: dict[float, str] = {}
    for label in labels:
        number = parse_number(label)
        if number is None or not math.isfinite(number):
            continue
        if number in seen:
            return seen[number], label
        seen[number] = label
    return None


def checked_labels(
    source: str, target: str, labels: list[str], rows: int | None = None, inferred: bool = False
) -> list[str]:
    """Notes on a classification target's ``labels``; DataError when they are fewer than two
    (``rows`` the rows read, for the message) or write one number two ways ('0' and '0.0'),
    which, when the task was ``inferred``, names task='regression' too (pandas writes a whole
    number that rounded to zero from below as '-0.0').

    Labels that differ only in case or spacing ('Yes' and 'yes') are trained as the different
    classes they are written as, and a note says so: labels are kept as written."""
    twice = same_number(labels)
    if twice:
        raise DataError(
            f"{source}: target {target!r} writes one class two ways, {twice[0]!r} and "
            f"{twice[1]!r}; labels are taken as written: write each class one way"
            + (", or pass task='regression' to read the target as a number" if inferred else "")
        )
    if len(labels) < 2:
        counted = f" in {rows} rows" if rows is not None else ""
        raise DataError(
            f"{source}: target {target!r} has a single class {labels[0]!r}{counted}; "
            "classification needs at least two classes"
        )
    folded: dict[str, str] = {}
    for label in labels:
        key = " ".join(label.casefold().split())
        if key in folded:
            return [
                f"target {target!r} has classes that differ only in case or spacing, {folded[key]!r} "
                f"and {label!r}: they are trained as different classes; if they are one class, write it one way"
            ]
        folded[key] = label
    return []


def class_counts(trimmed, present: np.ndarray) -> tuple[np.ndarray, str]:
    """(the rows of each class, one class: a class of one row where there is one) of a
    target's trimmed texts where ``present``."""
    pa, pc, _ = arrow()
    counted = pc.value_counts(pc.filter(trimmed, pa.array(present)))
    counts = as_numpy(counted.field("counts"))
    example = int(np.argmin(counts)) if counts.size else 0
    return counts, (counted.field("values")[example].as_py() if counts.size else "")


def unlearnable_classes(target: str, counts: np.ndarray, example: str) -> str | None:
    """Why a classification target cannot be learned, or None when it can.

    From ``ID_ROWS`` rows on, a target where most rows hold a class no other row holds is
    refused: an ID, a name, or a number read as labels (a price with its currency sign). A
    class of one row can be learned from that row or tested on it, never both, so the split
    would put nearly nothing in the test rows. ``counts`` are the rows of each class, ``example``
    a class of one row: when it is a number as written ('191.0'), task='regression' is all it
    takes, else the number must first be written plainly ('$12.50')."""
    rows, once = int(counts.sum()), int(np.sum(counts == 1))
    if rows < ID_ROWS or 2 * once <= rows:
        return None
    plainly = "" if parse_number(example) is not None else "write it plainly (no unit or separators) and "
    return (
        f"target {target!r} holds a class no other row holds in {once} of its {rows} rows "
        f"({counts.size} classes, e.g. {example!r}): such classes can be neither learned nor tested; "
        f"for a number, {plainly}pass task='regression'; "
        "for an ID or a name, pass target= with the column to predict"
    )


def constant_target(target: str, value: float, rows: str) -> str:
    """The error for a numeric target that holds one number in all ``rows`` ("400 rows")."""
    return (
        f"target {target!r} holds the same number ({value:g}) in all {rows}: "
        "there is nothing to predict; pass target= with the column to predict"
    )


def label_codes(table: Table, column: str, labels: list[str] | None = None) -> tuple[list[str], np.ndarray]:
    """(labels, each row's index in them, -1 for none) for a column of class labels.

    ``labels`` None takes the column's own distinct labels (missing cells left out), sorted
    as text. ``label_text`` runs once per distinct cell text, not once per row.
    """
    pa, pc, _ = arrow()
    texts = table.trimmed(column)
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    encoded = pc.dictionary_encode(texts)
    canonical = [label_text(text) for text in encoded.dictionary.to_pylist()]
    if labels is None:
        present = table.cells(column).present
        labels = sorted({canonical[i] for i in np.unique(as_numpy(encoded.indices)[present])})
    position = {label: j for j, label in enumerate(labels)}
    lookup = np.array([position.get(label, -1) for label in canonical] or [-1], dtype=np.int64)
    return labels, lookup[as_numpy(encoded.indices)]
