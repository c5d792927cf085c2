"""Statistics and scores gathered chunk by chunk, equal to those of the whole column.

``Moments`` holds a count, a mean and M2 = Σ(x - mean)² and merges each chunk's in one
step (Chan, Golub and LeVeque's pairwise update): with the chunk's ``n_b``, ``mean_b`` and
``M2_b``, and δ = mean_b - mean_a,

    n = n_a + n_b,   mean = mean_a + δ n_b / n,   M2 = M2_a + M2_b + δ² n_a n_b / n,

which keeps the precision of a two-pass computation (no Σx² - n mean² cancellation). The
standard deviation is the population one, √(M2 / n), as ``numpy.std``.

``RunningScores`` adds up what ``workflow.apply.evaluate_table`` reports for a table, one
chunk at a time: the loss, accuracy and the per-class report from a confusion matrix, or
R², MAE and MSE from sums of residuals and the targets' Moments.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["Moments", "RunningScores"]


class Moments:
    """Count, mean and M2 of the numbers added so far (float64)."""

    def __init__(self):
        self.n, self.mean, self.m2 = 0, 0.0, 0.0

    def add(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64)
        n_b = values.size
        if n_b == 0:
            return
        mean_b = float(values.mean())
        m2_b = float(np.sum((values - mean_b) ** 2))
        n = self.n + n_b
        delta = mean_b - self.mean
        self.mean += delta * n_b / n
        self.m2 += m2_b + delta * delta * self.n * n_b / n
        self.n = n

    @property
    def std(self) -> float:
        return math.sqrt(self.m2 / self.n) if self.n else 0.0


class RunningScores:
    """A model's loss and scores over rows given chunk by chunk.

    ``add(encoded, outputs, loss)``: the chunk's targets as the preprocessor encodes them
    (class indices, or standardised values), the network's outputs ``(n, k)`` and the
    chunk's loss as ``Network.loss`` gives it (the mean over rows, or the sum when
    ``summed``). ``result()`` has the keys ``evaluate_table`` gives.
    """

    def __init__(self, pre, summed: bool = False):
        self.pre, self.summed = pre, summed
        self.rows, self.loss = 0, 0.0
        if pre.task == "classification":
            k = len(pre.labels)
            self.confusion = np.zeros((k, k), dtype=np.int64)
        else:
            self.true, self.squared, self.absolute = Moments(), 0.0, 0.0

    def add(self, encoded: np.ndarray, outputs: np.ndarray, loss: float) -> None:
        n = len(encoded)
        if n == 0:
            return
        self.rows += n
        self.loss += loss if self.summed else loss * n
        outputs = np.asarray(outputs, dtype=np.float64)
        if self.pre.task == "classification":
            k = len(self.pre.labels)
            predicted = (
                (outputs[:, 0] > 0.5).astype(np.intp) if outputs.shape[1] == 1 else outputs.argmax(axis=1)
            )
            pairs = np.asarray(encoded, dtype=np.intp) * k + predicted
            self.confusion += np.bincount(pairs, minlength=k * k).reshape(k, k)
            return
        true = self.pre.decode_regression(np.asarray(encoded, dtype=np.float64))
        residual = true - self.pre.decode_regression(outputs)
        self.true.add(true)
        self.squared += float(np.sum(residual**2))
        self.absolute += float(np.sum(np.abs(residual)))

    def result(self) -> dict:
        result = {"rows": self.rows, "loss": self.loss if self.summed else self.loss / self.rows}
        if self.pre.task == "classification":
            tp = np.diag(self.confusion)
            predicted, actual = self.confusion.sum(axis=0), self.confusion.sum(axis=1)
            result["accuracy"] = float(tp.sum() / self.rows)
            result["per_class"] = [
                _class_line(label, int(tp[j]), int(predicted[j]), int(actual[j]))
                for j, label in enumerate(self.pre.labels)
            ]
            return result
        total = self.true.m2
        if self.rows < 2:  # not defined on one row (metrics.r2_score)
            result["r2"] = None
        elif total == 0:
            result["r2"] = 1.0 if self.squared == 0 else 0.0
        else:
            result["r2"] = 1.0 - self.squared / total
        result["mae"] = self.absolute / self.rows
        result["mse"] = self.squared / self.rows
        return result


def _class_line(label: str, tp: int, predicted: int, actual: int) -> dict:
    """precision = TP / predicted, recall = TP / actual, F1 their harmonic mean (0 for 0/0)."""
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"label": label, "precision": precision, "recall": recall, "f1": f1, "support": actual}
