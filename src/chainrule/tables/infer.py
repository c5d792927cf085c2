"""What the columns of a table are: the task a target implies, class labels, category names.

Each decision reads whole columns (``Table.cells``, ``Table.trimmed``); the only Python
loops run over *distinct* values (class labels, category names), which end up in the model
file anyway.
"""

from __future__ import annotations

import math

import numpy as np

from .cells import arrow, as_numpy, distinct, parse_number
from .read import Table

__all__ = [
    "MAX_CLASSES_INFERRED",
    "infer_task",
    "label_text",
    "class_labels",
    "label_codes",
    "same_number",
    "category_names",
    "where",
]

MAX_CLASSES_INFERRED = 20


def where(table: Table, row: int, name: str, value: str | None = None) -> str:
    """``file:line: column 'name', value 'text'``: the place of one cell, for error messages."""
    value = table.text(row, name) if value is None else value
    return f"{table.source}:{table.lines[row]}: column {name!r}, value {value!r}"


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
