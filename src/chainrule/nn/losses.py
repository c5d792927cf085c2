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
``half_mse``               Σ (a - y)² / (2 n k)  (scikit-learn's value)     (a - y) / (n k)
``sse``                    Σ (a - y)²                                       2 (a - y)
``mae``                    Σ |a - y| / (n k)                                sign(a - y) / (n k)
``huber``                  Σ h(a - y) / (n k), h(r) = r²/2 or |r| - 1/2     clip(a - y, ±1) / (n k)
``poisson``                Σ (a - y z + y log y - y) / (n k), a = exp(z)    dL/dz = (a - y) / (n k)
``binary_cross_entropy``   -Σ [y log a + (1 - y) log(1 - a)] / (n k)        see class
``binary_cross_entropy_sum``  the same, summed over outputs: / n            dL/dz = (a - y) / n
``cross_entropy``          -Σ y log a / n                                   see class
=========================  ===============================================  =====================

Sample weights: ``per_sample(z, a, y)`` gives each sample's share l_i of the value, so
``value = Σ_i l_i``. With row weights w_i (mean 1 over the batch, see
``propagation.row_weights``) the loss is ``weighted_value = Σ_i w_i l_i``, the weighted
mean of the per-sample losses, and its slope is each row of the slope times w_i.
"""

from __future__ import annotations

import numpy as np

from .._registry import Registry
from .activations import Activation, Exp, Sigmoid, Softmax

__all__ = [
    "Loss",
    "MeanSquaredError",
    "SumSquaredError",
    "MeanAbsoluteError",
    "HalfMeanSquaredError",
    "Huber",
    "Poisson",
    "BinaryCrossEntropy",
    "BinaryCrossEntropySum",
    "CrossEntropy",
    "LOSSES",
    "REGRESSION_LOSSES",
    "get_loss",
]


class Loss:
    """Base class for losses. See the module docstring for the scaling of each."""

    name = "loss"
    #: Whether the slope jumps where an output equals its target (|a - y|): no finite
    #: difference can measure a slope there (see ``see.gradcheck``).
    kinked = False
    #: "mean" when the loss averages over samples, "sum" when it adds them up (epoch totals add too).
    reduction = "mean"

    def value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> float:
        raise NotImplementedError

    def per_sample(self, z: np.ndarray, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Each sample's share l_i of ``value``, ``(n,)``: the value is their sum."""
        raise NotImplementedError

    def weighted_value(self, z: np.ndarray, a: np.ndarray, y: np.ndarray, weights) -> float:
        """Σ_i w_i l_i for row weights w ``(n,)``; the plain ``value`` when weights is None."""
        if weights is None:
            return self.value(z, a, y)
        return float(np.dot(weights, self.per_sample(z, a, y)))

    def slope(self, a: np.ndarray, y: np.ndarray) -> np.ndarray:
        """dL/da: the slope of the loss with respect to each output node's value."""
        raise NotImplementedError

    def check_output(self, activation: Activation) -> None:
        """Raise ValueError when this loss cannot be used with that output activation."""

    def check_targets(self, y: np.ndarray) -> np.ndarray:
        """``y`` when these ``(n, k)`` targets fit the loss; ValueError naming ``y`` otherwise."""
        return y

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

    def per_sample(self, z, a, y):
        return np.square(a - y).sum(axis=1) / a.size

    def slope(self, a, y):
        return (a - y) * (2.0 / a.size)


class HalfMeanSquaredError(Loss):
    """L = Σ (a - y)² / (2 n k), half the mean squared error; dL/da = (a - y) / (n k).

    scikit-learn's MLPRegressor reports this value (its ``squared_error``); its slope is
    the slope of exactly this value, for any number of outputs.
    """

    name = "half_mse"

    def value(self, z, a, y):
        error = a - y
        return float(np.vdot(error, error) / (2 * error.size))

    def per_sample(self, z, a, y):
        return np.square(a - y).sum(axis=1) / (2 * a.size)

    def slope(self, a, y):
        return (a - y) * (1.0 / a.size)


class SumSquaredError(Loss):
    """L = Σ (a - y)², the plain sum over samples and outputs; dL/da = 2 (a - y)."""

    name = "sse"
    reduction = "sum"

    def value(self, z, a, y):
        error = a - y
        return float(np.vdot(error, error))

    def per_sample(self, z, a, y):
        return np.square(a - y).sum(axis=1)

    def slope(self, a, y):
        return (a - y) * 2.0


class MeanAbsoluteError(Loss):
    """L = Σ |a - y| / (n k); dL/da = sign(a - y) / (n k), taken as 0 where a = y."""

    name = "mae"
    kinked = True

    def value(self, z, a, y):
        return float(np.abs(a - y).sum() / a.size)

    def per_sample(self, z, a, y):
        return np.abs(a - y).sum(axis=1) / a.size

    def slope(self, a, y):
        return np.sign(a - y) * (1.0 / a.size)


class Huber(Loss):
    """L = Σ h(a - y) / (n k), h(r) = r² / 2 where |r| <= 1 and |r| - 1/2 beyond (δ = 1);
    dL/da = clip(a - y, -1, 1) / (n k). Quadratic near the target, linear far from it."""

    name = "huber"

    def per_sample(self, z, a, y):
        r = np.abs(a - y)
        return np.where(r <= 1.0, 0.5 * r * r, r - 0.5).sum(axis=1) / a.size

    def value(self, z, a, y):
        return float(self.per_sample(z, a, y).sum())

    def slope(self, a, y):
        return np.clip(a - y, -1.0, 1.0) * (1.0 / a.size)


def _y_log_y(y: np.ndarray) -> np.ndarray:
    """y log y, taken as 0 at y = 0."""
    return y * np.log(np.where(y > 0, y, 1.0))


class Poisson(Loss):
    """Half the Poisson deviance on exp outputs a = exp(z) (the log link), targets y >= 0:
    L = Σ (a - y z + y log y - y) / (n k), which is 0 where a = y (scikit-learn's value).

    dL/da = (1 - y / a) / (n k); times the exp's slope a it is dL/dz = (a - y) / (n k),
    the fused shortcut ``output_delta`` takes.
    """

    name = "poisson"

    def check_output(self, activation):
        if not isinstance(activation, Exp):
            raise ValueError(f"loss='poisson' needs output_activation='exp', got {activation.name!r}")

    def check_targets(self, y):
        negative = y < 0
        if negative.any():
            row, column = (int(i) for i in np.argwhere(negative)[0])
            raise ValueError(
                f"y must be >= 0 for poisson (counts or rates); row {row}, column {column} holds {float(y[row, column]):g}"
            )
        return y

    def per_sample(self, z, a, y):
        return (a - y * z + _y_log_y(y) - y).sum(axis=1) / a.size

    def value(self, z, a, y):
        return float(self.per_sample(z, a, y).sum())

    def slope(self, a, y):
        return (1.0 - y / a) * (1.0 / a.size)

    def output_delta(self, activation, z, a, y):
        """Fused with the exp: dL/dz = (a - y) / (n k)."""
        return (a - y) * (1.0 / a.size)


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
            raise ValueError(f"loss={self.name!r} needs output_activation='sigmoid', got {activation.name!r}")

    def check_targets(self, y):
        outside = (y < 0) | (y > 1)
        if outside.any():
            row, column = (int(i) for i in np.argwhere(outside)[0])
            raise ValueError(
                f"y must be in [0, 1] for binary_cross_entropy (a label or a probability); "
                f"row {row}, column {column} holds {y[row, column]!r}"
            )
        return y

    def value(self, z, a, y):
        return float((_softplus(z) - y * z).sum() / z.size)

    def per_sample(self, z, a, y):
        return (_softplus(z) - y * z).sum(axis=1) / z.size

    def slope(self, a, y):
        return (a - y) / (a * (1 - a)) / a.size

    def output_delta(self, activation, z, a, y):
        """Fused with the sigmoid: dL/dz = (a - y) / (n k)."""
        return (a - y) * (1.0 / a.size)


class BinaryCrossEntropySum(BinaryCrossEntropy):
    """L = -Σ [y log a + (1 - y) log(1 - a)] / n on sigmoid outputs: summed over the k
    outputs, averaged over the n samples (scikit-learn's multi-label log loss);
    dL/dz = (a - y) / n. The same as binary_cross_entropy for one output."""

    name = "binary_cross_entropy_sum"

    def value(self, z, a, y):
        return float((_softplus(z) - y * z).sum() / z.shape[0])

    def per_sample(self, z, a, y):
        return (_softplus(z) - y * z).sum(axis=1) / z.shape[0]

    def slope(self, a, y):
        return (a - y) / (a * (1 - a)) / a.shape[0]

    def output_delta(self, activation, z, a, y):
        """Fused with the sigmoid: dL/dz = (a - y) / n."""
        return (a - y) * (1.0 / a.shape[0])


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

    def check_targets(self, y):
        # The fused slope a - y is the slope of this loss only where each row sums to 1.
        tolerance = np.sqrt(np.finfo(y.dtype).eps) * y.shape[1]
        bad = ((y < 0) | (y > 1)).any(axis=1) | (np.abs(y.sum(axis=1) - 1) > tolerance)
        if bad.any():
            row = int(np.argmax(bad))
            raise ValueError(
                f"y must hold class probabilities for cross_entropy (one-hot rows, or values in "
                f"[0, 1] that sum to 1); row {row} is {y[row].tolist()!r}"
            )
        return y

    def value(self, z, a, y):
        shifted = z - z.max(axis=1, keepdims=True)
        log_a = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return float(-np.vdot(y, log_a) / z.shape[0])

    def per_sample(self, z, a, y):
        shifted = z - z.max(axis=1, keepdims=True)
        log_a = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        return -(y * log_a).sum(axis=1) / z.shape[0]

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
        "half_mse": HalfMeanSquaredError,
        "huber": Huber,
        "poisson": Poisson,
        "binary_cross_entropy_sum": BinaryCrossEntropySum,
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
