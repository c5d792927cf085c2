"""Loss functions: one number that says how wrong the predictions are, and its slope.

Every loss sees the output layer's node inputs ``z`` and outputs ``a`` (both of
shape ``(n_samples, n_outputs)``) and the targets ``y`` of the same shape.
``value(z, a, y)`` gives the loss, ``slope(a, y)`` gives dL/da, the slope of the loss
with respect to each prediction, and ``output_delta`` gives dL/dz, where
backpropagation starts.

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

    def output_delta(self, activation: Activation, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL/dz at the output layer = slope of the loss × slope of the output activation.

        This is where backpropagation starts. The cross-entropies override it with a
        fused shortcut (the activation's slope cancels), which a test checks against
        this general product.
        """
        return activation.backward(z, a, self.slope(a, y))

    @property
    def fused(self) -> bool:
        """True when ``output_delta`` is a fused shortcut that needs no dL/da."""
        return type(self).output_delta is not Loss.output_delta

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class MeanSquaredError(Loss):
    """L = Σ (a - y)² / (n k), the mean over samples and outputs; dL/da = 2 (a - y) / (n k).

    Equal to ``sklearn.metrics.mean_squared_error`` on the same predictions.
    """

    name = "mse"

    def value(self, z, a, y):
        error = a - y
        return float(np.vdot(error, error) / error.size)

    def slope(self, a, y):
        return (a - y) * (2.0 / a.size)


class SumSquaredError(Loss):
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

    def output_delta(self, activation, z, a, y):
        """Fused with the sigmoid: dL/dz = (a - y) / (n k)."""
        return (a - y) * (1.0 / a.size)


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

    def output_delta(self, activation, z, a, y):
        """Fused with the softmax: dL/dz = (a - y) / n."""
        return (a - y) * (1.0 / a.shape[0])


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
