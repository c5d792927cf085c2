"""The linear model and the trivial baseline of a streamed run, gathered in one pass.

In memory, ``train_table`` fits the linear model on the training rows, starts a regression
network as that model (``workflow.linear_start``), lets the linear model replace a network
that is not clearly better on the validation rows (``select.choose``), and scores both
yardsticks on the test rows. A streamed run (``workflow.stream``) never holds the training
rows together, so ``Yardsticks`` gathers, chunk by chunk in the pass that collects the
validation rows, what each model needs:

- **ridge regression is exact**: it needs only sums that add up chunk by chunk
  (``RidgeSums``): n, Σx, Σy, XᵀX and Xᵀy. With x̄ = Σx / n and ȳ = Σy / n,

      XcᵀXc = XᵀX − n x̄ x̄ᵀ,    Xcᵀyc = Xᵀy − n x̄ ȳ,

  and ``baselines.solve_ridge`` solves (XcᵀXc + αI) w = Xcᵀyc as it does in memory. The
  inputs are standardised on the training rows, so x̄ is small and the subtraction loses
  little (the same model as in memory to about 1e-10). The sums of the rows that train
  (``linear_on_fit``, the start and the choice) and of the validation rows are kept apart;
  the baseline (``linear_on_training``) is their total, every training row.
- **logistic regression has no such sums**: its optimum needs every row at every step. It
  is fitted (by ``baselines.linear_network``) on a uniform sample of the rows that train,
  held in memory as the validation rows are: all of them up to ``chunk_rows`` rows (and
  ``SAMPLE_VALUES`` input values), otherwise the rows whose validation hash falls just above
  the validation rows' (``tables.stream.Split.in_sample``), so the run's memory still does
  not grow with the files; the baseline adds the validation rows to the sample.
- **the trivial baseline** needs the training rows' class counts, or their mean target.

Tables of more than ``MAX_INPUTS`` inputs get no yardsticks (XᵀX alone would be over 128 MB).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..nn.network import Network
from .baselines import ALPHA, linear_network, solve_ridge

__all__ = ["RidgeSums", "Yardsticks", "Fitted", "sample_rows", "SAMPLE_VALUES", "MAX_INPUTS"]

#: Logistic regression's sample holds at most a chunk's rows and this many input values (64 MB in float64).
SAMPLE_VALUES = 2**23
#: More inputs than this and XᵀX (d × d float64) would pass 128 MB: no yardsticks.
MAX_INPUTS = 4096


class RidgeSums:
    """n, Σx ``(d,)``, Σy, XᵀX ``(d, d)`` and Xᵀy ``(d,)`` of the rows added so far (float64)."""

    def __init__(self, d: int):
        self.n, self.sx, self.sy = 0, np.zeros(d), 0.0
        self.xx, self.xy = np.zeros((d, d)), np.zeros(d)

    def add(self, X: np.ndarray, y: np.ndarray) -> None:
        """Add rows ``X`` ``(m, d)`` with targets ``y`` ``(m,)``."""
        X, y = np.asarray(X, np.float64), np.asarray(y, np.float64).ravel()
        self.n += len(y)
        self.sx += X.sum(axis=0)
        self.sy += float(y.sum())
        self.xx += X.T @ X
        self.xy += X.T @ y

    def __add__(self, other: RidgeSums) -> RidgeSums:
        total = RidgeSums(len(self.sx))
        total.n, total.sx, total.sy = self.n + other.n, self.sx + other.sx, self.sy + other.sy
        total.xx, total.xy = self.xx + other.xx, self.xy + other.xy
        return total

    def ridge(self, dtype) -> Network:
        """Ridge regression (α = ``baselines.ALPHA``) of the rows added, as a Network with no hidden layer."""
        x_mean, y_mean = self.sx / self.n, self.sy / self.n
        gram = self.xx - self.n * np.outer(x_mean, x_mean)
        moment = self.xy - self.n * x_mean * y_mean
        weight, bias = solve_ridge(gram, moment, x_mean, y_mean, ALPHA)
        return Network.from_weights(
            [weight], [bias], output_activation="identity", dtype=np.dtype(dtype).name
        )


def sample_rows(n_inputs: int, chunk_rows: int) -> int:
    """How many of the rows that train logistic regression's sample may hold: a chunk's
    rows, and no more than ``SAMPLE_VALUES`` values of ``n_inputs`` inputs."""
    return max(1, min(chunk_rows, SAMPLE_VALUES // max(n_inputs, 1)))


@dataclass
class Fitted:
    """The yardsticks once fitted: the linear model of the rows that train (float64; None
    without any) and of every training row (the baseline, in the network's dtype), the
    trivial baseline's constant output ``(1, k)`` and name, and, when logistic regression
    saw a sample, the baseline's name and a note that say so."""

    on_fit: Network | None
    on_training: Network | None
    constant: np.ndarray
    trivial_name: str
    linear_name: str | None = None
    note: str | None = None


class Yardsticks:
    """What the linear model and the trivial baseline need, added chunk by chunk.

    ``add(X_fit, encoded_fit, in_sample, X_val, encoded_val)`` takes a chunk's rows that
    train (and which of them are in logistic regression's sample) and its validation rows,
    their inputs as the preprocessor gives them and their encoded targets (class indices, or
    standardised values).
    """

    def __init__(self, pre, n_outputs: int):
        self.pre, self.n_outputs = pre, n_outputs
        self.regression = pre.task == "regression"
        d = pre.n_inputs
        if self.regression:
            self.fit_sums, self.val_sums = RidgeSums(d), RidgeSums(d)
        else:
            self.counts = np.zeros(len(pre.labels), dtype=np.int64)
            self.sample, self.validation = ([], []), ([], [])
        self.fit_rows = 0

    def add(self, X_fit, encoded_fit, in_sample, X_val, encoded_val) -> None:
        self.fit_rows += len(encoded_fit)
        if self.regression:
            self.fit_sums.add(X_fit, encoded_fit)
            self.val_sums.add(X_val, encoded_val)
            return
        for encoded in (encoded_fit, encoded_val):
            self.counts += np.bincount(np.asarray(encoded, np.intp), minlength=len(self.counts))
        for held, X, encoded in (
            (self.sample, X_fit[in_sample], encoded_fit[in_sample]),
            (self.validation, X_val, encoded_val),
        ):
            if len(encoded):
                held[0].append(np.asarray(X, np.float64))
                held[1].append(np.asarray(encoded, np.intp))

    def fit(self, dtype, validation_rows: int) -> Fitted:
        """The yardsticks, fitted (``validation_rows``: how many validate; the network's ``dtype``)."""
        sampled = self.sampled_rows
        constant, trivial_name = self.trivial()
        fitted = Fitted(
            self.linear_on_fit(np.float64), self.linear_on_training(dtype), constant, trivial_name
        )
        if sampled is not None:
            fitted.linear_name = (
                f"logistic regression (L2, C 1) on a sample of {sampled + validation_rows} training rows"
            )
            fitted.note = (
                f"the linear model is fitted on a uniform sample of {sampled} of the {self.fit_rows} rows "
                f"that train (to choose on the validation rows), then on those {sampled} and the "
                f"{validation_rows} validation rows, {sampled + validation_rows} in all, as the yardstick "
                "(logistic regression needs its rows in memory)"
            )
        return fitted

    @property
    def sampled_rows(self) -> int | None:
        """Rows in logistic regression's sample when it is a part of the rows that train, else None."""
        if self.regression:
            return None
        held = sum(len(e) for e in self.sample[1])
        return held if held < self.fit_rows else None

    def linear_on_fit(self, dtype) -> Network | None:
        """The linear model of the rows that train (the start and the choice); None without any."""
        if self.regression:
            return self.fit_sums.ridge(dtype) if self.fit_sums.n else None
        return self._logistic((self.sample,), dtype)

    def linear_on_training(self, dtype) -> Network | None:
        """The linear model of every training row (the validation rows too): the baseline."""
        if self.regression:
            total = self.fit_sums + self.val_sums
            return total.ridge(dtype) if total.n else None
        return self._logistic((self.sample, self.validation), dtype)

    def _logistic(self, parts, dtype) -> Network | None:
        X = [x for part in parts for x in part[0]]
        encoded = [e for part in parts for e in part[1]]
        if not X:
            return None
        return linear_network(
            np.concatenate(X), np.concatenate(encoded), "classification", self.n_outputs, dtype
        )

    def trivial(self) -> tuple[np.ndarray, str]:
        """(the trivial baseline's constant output ``(1, k)``, its name): the training rows'
        majority class as a one-hot row (its single probability for two classes), or their mean."""
        if self.regression:
            total = self.fit_sums + self.val_sums
            return np.array([[total.sy / total.n]]), "mean of the training targets"
        majority = int(np.argmax(self.counts))
        if self.n_outputs == 1:
            return np.array([[float(majority)]]), f"majority class {self.pre.labels[majority]!r}"
        return np.eye(self.n_outputs)[[majority]], f"majority class {self.pre.labels[majority]!r}"
