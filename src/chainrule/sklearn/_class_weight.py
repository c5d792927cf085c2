"""``class_weight`` → one weight per sample, which multiplies ``sample_weight``.

==============================  ===========================================================
``class_weight``                sample i's weight
==============================  ===========================================================
None                            1
``{label: w}``                  w of y_i's class; 1 for a class the dict does not name
``"balanced"``                  n / (n_classes × count of y_i's class) in the data given
                                (``fit`` only: ``partial_fit`` sees one batch, so it refuses
                                it, as ``SGDClassifier.partial_fit`` does); for multi-label
                                y the product of that over the label columns
``[{0: w0, 1: w1}, ...]``       multi-label y ``(n, k)``: Π over the k label columns of
                                ``class_weight[k][y_ik]`` (scikit-learn's convention for
                                multi-output class_weight)
==============================  ===========================================================

A dict is resolved against every class the estimator knows (``classes_``), not the classes
in the data given, so a ``partial_fit`` batch that lacks a class the dict names trains as
``fit`` would on it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.utils.class_weight import compute_sample_weight

#: The refusal of "balanced" in partial_fit (scikit-learn's SGDClassifier gives the same advice).
BALANCED_IN_PARTIAL_FIT = (
    "class_weight='balanced' is not supported in partial_fit: a batch's class frequencies are not "
    "the data's. Compute the weights once, from all the labels or a large enough sample of them, "
    "with sklearn.utils.class_weight.compute_class_weight('balanced', classes=classes, y=y), and "
    "pass them as class_weight={label: weight}"
)


def class_sample_weights(class_weight, y, classes: np.ndarray, multilabel: bool) -> np.ndarray:
    """Each sample's class weight ``(n_samples,)`` for labels y ``(n_samples,)`` (or an indicator
    matrix ``(n_samples, n_labels)`` when ``multilabel``) among ``classes``; see the module."""
    if sp.issparse(y):
        y = y.toarray()
    if class_weight == "balanced":
        return compute_sample_weight("balanced", y)
    if multilabel:
        return _multilabel_weights(class_weight, y)
    if isinstance(class_weight, list):
        raise ValueError(
            "class_weight is a list (one dict per label column, for multi-label y), but y holds one "
            "label per sample: give one dict {label: weight}, 'balanced' or None"
        )
    per_class = per_class_weights(class_weight, classes, "class_weight")
    return per_class[np.searchsorted(classes, y)]


def _multilabel_weights(class_weight, Y: np.ndarray) -> np.ndarray:
    """Π_k class_weight[k][Y_ik] over the k label columns of the indicator matrix Y ``(n, k)``."""
    n_labels = Y.shape[1]
    if not isinstance(class_weight, list):
        raise ValueError(
            f"class_weight={class_weight!r} is one dict, but y is multi-label ({n_labels} label "
            f"columns): give a list of {n_labels} dicts, one per column, each {{0: w0, 1: w1}}, "
            "or 'balanced' or None"
        )
    if len(class_weight) != n_labels:
        raise ValueError(
            f"class_weight lists {len(class_weight)} dicts, but y has {n_labels} label columns: "
            "give one dict {0: w0, 1: w1} per column"
        )
    weights = np.ones(Y.shape[0])
    for k, column_weight in enumerate(class_weight):
        if not isinstance(column_weight, dict):
            raise ValueError(f"class_weight[{k}] must be a dict {{0: w0, 1: w1}}, got {column_weight!r}")
        per_class = per_class_weights(column_weight, np.array([0, 1]), f"class_weight[{k}]")
        weights *= per_class[np.asarray(Y[:, k], dtype=int)]
    return weights


def per_class_weights(class_weight: dict, classes: np.ndarray, argument: str) -> np.ndarray:
    """w_c for each class c of ``classes`` ``(n_classes,)``: ``class_weight[c]``, or 1 for a
    class it does not name; a key that is no class, or a weight not finite and >= 0, is a
    ValueError naming ``argument``."""
    known = classes.tolist()
    unknown = [key for key in class_weight if key not in known]
    if unknown:
        raise ValueError(f"{argument} names {unknown[0]!r}, which is not one of the classes {known}")
    try:
        weights = np.array([class_weight.get(label, 1.0) for label in known], dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{argument} must map classes to numbers, got {class_weight!r}") from None
    bad = ~(np.isfinite(weights) & (weights >= 0))
    if bad.any():
        label = known[int(np.argmax(bad))]
        raise ValueError(f"{argument}[{label!r}] must be finite and >= 0, got {class_weight[label]!r}")
    return weights
