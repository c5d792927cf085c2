"""Columns that give the target away in the training rows.

A column that is the target written again (a copy, the same number in other units, the
classes recoded as yes/no or 0/1) makes a model perfect on the split and useless on new
rows, where it is not known before the target is. Such a column is named in a note, not
refused: an exact rule may also be real.

- For a number: a numeric column whose correlation with the target is ±1 (to ``1e-9``),
  a linear function of it.
- For classes: a column (numbers or categories) whose values map one to one onto the
  classes: each value is one class, each class one value.

From ``MIN_ROWS`` training rows on: on fewer, a two-valued column can match two classes by chance.
"""

from __future__ import annotations

import numpy as np

__all__ = ["leak_notes", "MIN_ROWS"]

MIN_ROWS = 20
#: |correlation| from which a numeric column is taken for a linear function of the target.
LINEAR = 1 - 1e-9


def leak_notes(pre, X: np.ndarray, encoded: np.ndarray) -> list[str]:
    """A note for each feature of ``pre`` (a fitted ``Preprocessor``) whose inputs in ``X``
    ``(n, n_inputs)``, as ``pre.transform`` gives them, give away the target ``encoded`` ``(n,)``
    (class indices, or standardised values)."""
    if len(encoded) < MIN_ROWS:
        return []
    target = np.asarray(encoded, np.float64)
    notes, column = [], 0
    for name in pre.features:
        width = len(pre.categorical[name]) if name in pre.categorical else 1
        block = np.asarray(X[:, column : column + width], np.float64)
        column += width
        if pre.task == "regression":
            leaks = width == 1 and abs(_correlation(block[:, 0], target)) >= LINEAR
            how = "it is a linear function of the target"
        else:
            leaks = _one_to_one(_codes(block), target.astype(np.intp))
            how = "each of its values is one class, and each class one value"
        if leaks:
            notes.append(
                f"column {name!r} gives the target {pre.target!r} away in the training rows ({how}): "
                "if it is known only together with the target, the model learns the answer and fails "
                f"on new rows; pass ignore={name!r} to leave it out"
            )
    return notes


def _correlation(x: np.ndarray, y: np.ndarray) -> float:
    """Pearson's correlation of two columns, 0 where one is constant."""
    x, y = x - x.mean(), y - y.mean()
    scale = np.sqrt((x @ x) * (y @ y))
    return float(x @ y / scale) if scale > 0 else 0.0


def _codes(block: np.ndarray) -> np.ndarray:
    """Each row's value of a column as an index: its category (one-hot) or its distinct number."""
    if block.shape[1] > 1:
        return block.argmax(axis=1)
    return np.unique(block[:, 0], return_inverse=True)[1].ravel()


def _one_to_one(codes: np.ndarray, classes: np.ndarray) -> bool:
    """Whether the values ``codes`` and the ``classes`` pair up one to one (two classes at least)."""
    n_codes, n_classes = np.unique(codes).size, np.unique(classes).size
    if n_classes < 2 or n_codes != n_classes:
        return False
    pairs = np.unique(codes.astype(np.int64) * (int(classes.max()) + 1) + classes)
    return pairs.size == n_classes
