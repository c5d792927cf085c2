"""Loss functions: one number that says how wrong the predictions are, and its slope.

Every loss sees the output layer's node inputs ``z`` and outputs ``a`` (both of
shape ``(n_samples, n_outputs)``) and the targets ``y`` of the same shape.
``value`` gives the loss, ``slope`` gives dL/da, the slope of the loss with respect
to each prediction, and ``output_delta`` gives dL/dz, where backpropagation starts.

Scaling (n = samples, k = outputs):

=========================  ===============================================  =====================
name                       L                                                dL/da
=========================  ===============================================  =====================
``mse``                    Σ (a - y)² / (n k)                               2 (a - y) / (n k)
``sse``                    Σ (a - y)²                                       2 (a - y)
``mae``                    Σ |a - y| / (n k)                                sign(a - y) / (n k)
``binary_cross_entropy``   -Σ [y log a + (1 - y) log(1 - a)] / (n k)        see class
``cross_entropy``          -Σ y log a / n                                   see class
=========================  ===============================================  =====================
"""

from __future__ import annotations

import numpy as np

from .._registry import Registry
from .activations import Activation, Sigmoid, Softmax

__all__ = [
    "Loss",
    "MeanSquaredError",
    "SumSquaredError",
    "MeanAbsoluteError",
    "BinaryCrossEntropy",
    "CrossEntropy",
    "LOSSES",
    "REGRESSION_LOSSES",
    "get_loss",
]


class Loss:
    """Base class for losses. See the module docstring for the scaling of each."""

    name = "loss"
    #: "mean" when the loss averages over samples, "sum" when it adds them up (epoch totals add too).
    reduction = "mean"

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def slope(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL/da: the slope of the loss with respect to each output node's value."""
        raise NotImplementedError

    def check_output(self, activation: Activation) -> None:
        """Raise ValueError when this loss cannot be used with that output activation."""

    def output_delta(
        self,
        activation: Activation,
        z: np.ndarray,
        a: np.ndarray,
        y: np.ndarray,
        out: np.ndarray | None = None,
    ) -> np.ndarray:
        """dL/dz at the output layer = slope of the loss × slope of the output activation."""
        return activation.backward(z, a, self.slope(a, y), out=out)

    def evaluate(self, activation: Activation, z, a, y, slope_out=None, delta_out=None, scale=None):
        """The loss, dL/da and dL/dz at once, sharing their work: ``(value, dL_da, dL_dz)``.

        ``dL_da`` is None for the fused cross-entropies, which go to dL/dz directly.
        ``scale`` (the learning rate, in training) multiplies both slopes, not the value.
        """
        value = self.value(z, a, y)
        if _is_fused(self):
            delta = self.output_delta(activation, z, a, y, out=delta_out)
            if scale is not None:
                np.multiply(delta, float(scale), delta)
            return value, None, delta
        dL_da = self.slope(a, y)
        if scale is not None:
            np.multiply(dL_da, float(scale), dL_da)
        return value, dL_da, activation.backward(z, a, dL_da, out=delta_out)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


def _is_fused(loss: Loss) -> bool:
    """True when the loss starts backpropagation at dL/dz directly (cross-entropies)."""
    return type(loss).output_delta is not Loss.output_delta


class _SquaredError(Loss):
    """Shared evaluation of the squared errors: the error a - y is computed once."""

    def evaluate(self, activation, z, a, y, slope_out=None, delta_out=None, scale=None):
        error = np.subtract(a, y, slope_out)
        total = float(np.vdot(error, error))
        size = a.size if self.reduction == "mean" else 1
        factor = 2.0 / size if scale is None else 2.0 * scale / size
        np.multiply(error, float(factor), error)  # now dL/da (× scale)
        return total / size, error, activation.backward(z, a, error, out=delta_out)


class MeanSquaredError(_SquaredError):
    """L = Σ (a - y)² / (n k), the mean over samples and outputs; dL/da = 2 (a - y) / (n k).

    Equal to ``sklearn.metrics.mean_squared_error`` on the same predictions.
    """

    name = "mse"

    def value(self, z, a, y):
        error = a - y
        return float(np.vdot(error, error) / error.size)

    def slope(self, a, y):
        return (a - y) * (2.0 / a.size)


class SumSquaredError(_SquaredError):
    """L = Σ (a - y)², the plain sum over samples and outputs; dL/da = 2 (a - y)."""

    name = "sse"
    reduction = "sum"

    def value(self, z, a, y):
        error = a - y
        return float(np.vdot(error, error))

    def slope(self, a, y):
        return (a - y) * 2.0


class MeanAbsoluteError(Loss):
    """L = Σ |a - y| / (n k); dL/da = sign(a - y) / (n k), taken as 0 where a = y."""

    name = "mae"

    def value(self, z, a, y):
        return float(np.abs(a - y).sum() / a.size)

    def slope(self, a, y):
        return np.sign(a - y) * (1.0 / a.size)


def _softplus(z: np.ndarray) -> np.ndarray:
    """log(1 + exp(z)) without overflow: max(z, 0) + log1p(exp(-|z|))."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


class BinaryCrossEntropy(Loss):
    """L = -Σ [y log a + (1 - y) log(1 - a)] / (n k) on sigmoid outputs a = σ(z).

    Computed from the node inputs as Σ [softplus(z) - y z] / (n k), so it stays
    finite and exact when a rounds to 0 or 1. Slope with respect to the node
    input: dL/dz = (a - y) / (n k) (the sigmoid's slope a (1 - a) cancels).
    """

    name = "binary_cross_entropy"

    def check_output(self, activation):
        if not isinstance(activation, Sigmoid):
            raise ValueError(
                f"loss='binary_cross_entropy' needs output_activation='sigmoid', got {activation.name!r}"
            )

    def value(self, z, a, y):
        return float((_softplus(z) - y * z).sum() / z.size)

    def slope(self, a, y):
        return (a - y) / (a * (1 - a)) / a.size

    def output_delta(self, activation, z, a, y, out=None):
        """Fused fast path: dL/dz = (a - y) / (n k)."""
        delta = np.subtract(a, y, out=out)
        delta *= 1.0 / a.size
        return delta


class CrossEntropy(Loss):
    """L = -Σ y log a / n on softmax outputs, y one-hot (or class probabilities).

    Summed over the k outputs, averaged over the n samples; computed with the
    log-sum-exp of the node inputs, so it never takes log(0). Slope with respect
    to the node inputs: dL/dz = (a - y) / n (softmax and log cancel).
    """

    name = "cross_entropy"

    def check_output(self, activation):
        if not isinstance(activation, Softmax):
            raise ValueError(
                f"loss='cross_entropy' needs output_activation='softmax', got {activation.name!r}"
            )

    def value(self, z, a, y):
        shifted = z - z.max(axis=1, keepdims=True)
        log_a = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-np.vdot(y, log_a) / z.shape[0])

    def slope(self, a, y):
        return -y / a / a.shape[0]

    def output_delta(self, activation, z, a, y, out=None):
        """Fused fast path: dL/dz = (a - y) / n."""
        delta = np.subtract(a, y, out=out)
        delta *= 1.0 / a.shape[0]
        return delta


LOSSES = Registry(
    "loss",
    {
        "mse": MeanSquaredError,
        "sse": SumSquaredError,
        "mae": MeanAbsoluteError,
        "binary_cross_entropy": BinaryCrossEntropy,
        "cross_entropy": CrossEntropy,
    },
    aliases={
        "mean_squared_error": "mse",
        "mean_absolute_error": "mae",
        "bce": "binary_cross_entropy",
        "categorical_cross_entropy": "cross_entropy",
    },
)
#: Losses that compare values (regression); the cross-entropies compare class probabilities.
REGRESSION_LOSSES = ("mse", "mae", "sse")


def get_loss(loss: str | Loss, argument: str = "loss") -> Loss:
    """Return a Loss for a name such as ``"mse"`` or a Loss instance."""
    if isinstance(loss, Loss):
        return loss
    return LOSSES.resolve(loss, argument)()
