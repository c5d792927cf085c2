"""Metrics for evaluating predictions: accuracy and a per-class report, R², MAE, MSE."""

from __future__ import annotations

import numpy as np

__all__ = ["accuracy", "class_report", "r2_score", "mean_absolute_error", "mean_squared_error"]


def accuracy(true: np.ndarray, predicted: np.ndarray) -> float:
    """Fraction of predictions equal to the true class."""
    return float(np.mean(np.asarray(true) == np.asarray(predicted)))


def class_report(true: np.ndarray, predicted: np.ndarray, labels: list[str]) -> list[dict]:
    """Precision, recall, F1 and support for each class index 0..len(labels)-1.

    precision = TP / (TP + FP), recall = TP / (TP + FN), F1 their harmonic mean;
    0 where the denominator is 0.
    """
    true, predicted = np.asarray(true), np.asarray(predicted)
    report = []
    for index, label in enumerate(labels):
        tp = int(np.sum((predicted == index) & (true == index)))
        fp = int(np.sum((predicted == index) & (true != index)))
        fn = int(np.sum((predicted != index) & (true == index)))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        report.append(
            {"label": label, "precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
        )
    return report


def r2_score(true: np.ndarray, predicted: np.ndarray) -> float | None:
    """1 - Σ(y - ŷ)² / Σ(y - ȳ)²; for a constant y, 1 if predicted exactly and 0 otherwise (as
    scikit-learn's); None for fewer than 2 rows, where it is not defined. A y that varies only
    in its last float32 digits (a constant read back from a float32 encoding) is constant."""
    true, predicted = np.asarray(true, float), np.asarray(predicted, float)
    if true.size < 2:
        return None
    residual = float(np.sum((true - predicted) ** 2))
    total = float(np.sum((true - true.mean()) ** 2))
    if total <= true.size * (1e-6 * float(np.max(np.abs(true)))) ** 2:
        return 1.0 if residual <= total else 0.0
    return 1.0 - residual / total


def mean_absolute_error(true: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean(np.abs(np.asarray(true, float) - np.asarray(predicted, float))))


def mean_squared_error(true: np.ndarray, predicted: np.ndarray) -> float:
    return float(np.mean((np.asarray(true, float) - np.asarray(predicted, float)) ** 2))
