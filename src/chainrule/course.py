"""The course's own data preparation and starting weights, reproduced exactly.

The course trains on the graduate-admissions data (``binary.csv``: admit, gre,
gpa, rank). Its ``data_prep`` one-hot encodes ``rank`` (rank_1..rank_4),
standardises ``gre`` and ``gpa`` with the sample standard deviation, then
``np.random.seed(21)`` and ``np.random.choice(index, size=int(len * 0.9),
replace=False)`` picks the training rows; the rest are the test rows. The
legacy ``RandomState(21)`` used here draws the same numbers without touching
NumPy's global random state.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["Admissions", "admissions", "course_initial_weights", "FEATURES"]

FEATURES = ["gre", "gpa", "rank_1", "rank_2", "rank_3", "rank_4"]


@dataclass
class Admissions:
    """Features ``(n, 6)`` in the order of FEATURES, targets ``(n,)`` of 0/1."""

    features: np.ndarray
    targets: np.ndarray
    features_test: np.ndarray
    targets_test: np.ndarray
    train_index: np.ndarray


def admissions(path: str | Path, seed: int = 21) -> Admissions:
    """The course's ``data_prep`` on the admissions CSV at ``path``."""
    with open(path, newline="", encoding="utf-8-sig") as file:
        rows = list(csv.DictReader(file))
    if not rows or set(rows[0]) < {"admit", "gre", "gpa", "rank"}:
        raise ValueError(f"{path}: expected the columns admit, gre, gpa, rank")
    admit = np.array([float(r["admit"]) for r in rows])
    gre = np.array([float(r["gre"]) for r in rows])
    gpa = np.array([float(r["gpa"]) for r in rows])
    rank = np.array([int(r["rank"]) for r in rows])
    columns = [(gre - gre.mean()) / gre.std(ddof=1), (gpa - gpa.mean()) / gpa.std(ddof=1)]
    columns += [(rank == level).astype(float) for level in (1, 2, 3, 4)]
    features = np.column_stack(columns)
    n = len(rows)
    sample = np.random.RandomState(seed).choice(np.arange(n), size=int(n * 0.9), replace=False)
    test = np.setdiff1d(np.arange(n), sample)  # data.drop(sample) keeps the original order
    return Admissions(features[sample], admit[sample], features[test], admit[test], sample)


def course_initial_weights(n_features: int = 6, n_hidden: int = 2, seed: int = 21) -> list[np.ndarray]:
    """The starting weights of the course's two-layer network: ``np.random.seed(21)``, then
    normal(scale=1/sqrt(n_features)) for the input-to-hidden and hidden-to-output weights."""
    rng = np.random.RandomState(seed)
    scale = 1 / n_features**0.5
    weights_input_hidden = rng.normal(scale=scale, size=(n_features, n_hidden))
    weights_hidden_output = rng.normal(scale=scale, size=n_hidden)
    return [weights_input_hidden, weights_hidden_output[:, None]]
