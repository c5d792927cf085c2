"""The training data cut into batches, each with the Workspace of its size."""

from __future__ import annotations

import numpy as np

from ._fastpath import Workspace

__all__ = ["Batches"]


class Batches:
    """The training data cut into batches of ``batch`` rows, each with the Workspace of its size.

    With several batches per epoch each one is gathered into a reused buffer (in the
    shuffled ``order`` when given), never a fresh copy; a single full batch is X itself.
    Sample weights ``(n,)``, when given, are cut the same way (None without). A sparse X
    (CSR, see ``_validation.sparse_matrix``) is cut by slicing its rows: each batch is a
    small CSR matrix of its own, never a dense copy.
    """

    def __init__(self, layers, X: np.ndarray, targets: np.ndarray, batch: int, weights=None):
        self.layers, self.X, self.targets, self.batch = layers, X, targets, batch
        self.weights = weights
        self.n = X.shape[0]
        self.per_epoch = -(-self.n // batch)
        self.gather = batch < self.n
        self.sparse = not isinstance(X, np.ndarray)
        self.x_buffer = np.empty((batch, X.shape[1]), X.dtype) if self.gather and not self.sparse else X
        self.y_buffer = np.empty((batch, targets.shape[1]), targets.dtype) if self.gather else targets
        self.workspaces: dict[int, Workspace] = {}
        self.full: list | None = None

    def workspace(self, size: int) -> Workspace:
        if size not in self.workspaces:
            self.workspaces[size] = Workspace(self.layers, size)
        return self.workspaces[size]

    def epoch(self, order: np.ndarray | None):
        """``(x, y, sample weights or None, workspace)`` for every batch of one epoch."""
        if not self.gather:  # full batch: the same one every epoch
            if self.full is None:
                self.full = [(self.X, self.targets, self.weights, self.workspace(self.n))]
            return self.full
        return self._gathered(order)

    def _gathered(self, order: np.ndarray | None):
        batch, n = self.batch, self.n
        for start in range(0, n, batch):
            rows = order[start : start + batch] if order is not None else slice(start, start + batch)
            size = min(batch, n - start)
            xb = self.X[rows] if self.sparse else _take(self.X, rows, self.x_buffer, size)
            yb = _take(self.targets, rows, self.y_buffer, size)
            wb = None if self.weights is None else self.weights[rows]
            yield xb, yb, wb, self.workspace(size)


def _take(source: np.ndarray, rows, buffer: np.ndarray, size: int) -> np.ndarray:
    """Rows of ``source`` gathered into the reused ``buffer`` (no new array per batch)."""
    out = buffer[:size]
    if isinstance(rows, slice):
        return source[rows]
    source.take(rows, axis=0, out=out)
    return out
