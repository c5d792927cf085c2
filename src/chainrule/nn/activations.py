"""Activation functions, each with its slope beside its formula.

An activation turns a node's input ``z`` (the weighted sum flowing into it) into
its output ``a = f(z)``. Backpropagation needs the slope ``da/dz`` at every node:
the chain rule multiplies the slope of the loss with respect to ``a`` by it.

All functions take and return arrays of shape ``(n_samples, n_nodes)`` and accept
an optional ``out`` buffer of that shape so the training loop can reuse memory.
``forward`` may write over its input (``out=z``); ``slope`` and ``backward`` need
an ``out`` separate from their inputs. The identity returns its input itself (a is
z, dL/dz is dL/da) and never writes into ``out``.
"""

from __future__ import annotations

import numpy as np

from .._registry import Registry

__all__ = [
    "Activation",
    "Identity",
    "ReLU",
    "LeakyReLU",
    "Tanh",
    "Sigmoid",
    "Softmax",
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "get_activation",
]


class Activation:
    """Base class: ``forward`` gives ``a = f(z)``, ``slope`` gives ``da/dz``.

    ``elementwise`` is True when each node's output depends on its own input only,
    so the chain rule through the activation is a plain product with the slope.
    """

    name = "activation"
    elementwise = True

    def forward(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def forward_silenced(self, z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """``forward`` for callers that run with NumPy's overflow warnings silenced (``fit``):
        an activation that guards against overflow itself may skip the guard here."""
        return self.forward(z, out)

    def slope(self, z: np.ndarray, a: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """da/dz at every node, from the node input ``z`` and output ``a``."""
        raise NotImplementedError

    def backward(
        self, z: np.ndarray, a: np.ndarray, dL_da: np.ndarray, out: np.ndarray | None = None
    ) -> np.ndarray:
        """dL/dz = dL/da × da/dz (the slope of the loss times the slope of the activation).

        ``out``, when given, must be a different array from ``dL_da``.
        """
        dL_dz = self.slope(z, a, out=out)
        np.multiply(dL_dz, dL_da, dL_dz)
        return dL_dz

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Activation):
    """a = z; slope 1."""

    name = "identity"

    def forward(self, z, out=None):
        return z  # a is z itself: nothing to compute or copy

    def slope(self, z, a, out=None):
        if out is None:
            return np.ones_like(z)
        out.fill(1)
        return out

    def backward(self, z, a, dL_da, out=None):
        return dL_da  # dL/dz is dL/da itself


class ReLU(Activation):
    """a = max(z, 0); slope 1 where z > 0 and 0 elsewhere (0 at z = 0 itself)."""

    name = "relu"

    def forward(self, z, out=None):
        # 0.0, not 0: a Python float takes NumPy's fast path for scalars, an int does not.
        return np.maximum(z, 0.0, out=out)

    def slope(self, z, a, out=None):
        slope = np.greater(z, 0, out=None)
        if out is None:
            return slope.astype(z.dtype)
        np.copyto(out, slope)
        return out

    def backward(self, z, a, dL_da, out=None):
        # The slope is a mask: multiply by the comparison z > 0 without building it as floats.
        return np.multiply(dL_da, np.greater(z, 0.0), out=out)


class LeakyReLU(Activation):
    """a = z where z > 0, else ``negative_slope`` × z; slope 1 or ``negative_slope`` (at 0)."""

    name = "leaky_relu"

    def __init__(self, negative_slope: float = 0.01):
        if not 0 <= negative_slope < 1:
            raise ValueError(f"negative_slope must be in [0, 1), got {negative_slope!r}")
        self.negative_slope = float(negative_slope)

    def forward(self, z, out=None):
        # For 0 <= negative_slope < 1, max(z, negative_slope × z) is z above 0 and the leak below.
        leak = z * z.dtype.type(self.negative_slope)
        return np.maximum(z, leak, out=out)

    def slope(self, z, a, out=None):
        values = np.where(z > 0, 1.0, self.negative_slope).astype(z.dtype, copy=False)
        if out is None:
            return values
        np.copyto(out, values)
        return out

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Tanh(Activation):
    """a = tanh(z); slope 1 - a**2."""

    name = "tanh"

    def forward(self, z, out=None):
        return np.tanh(z, out=out)

    def slope(self, z, a, out=None):
        slope = np.multiply(a, a, out=out)
        np.subtract(1.0, slope, out=slope)
        return slope


class Sigmoid(Activation):
    """a = 1 / (1 + exp(-z)); slope a (1 - a).

    Accurate to the last bit in both tails: for z < -709 (float64) exp(-z) is
    inf and 1 / (1 + inf) is exactly 0, so sigmoid(-1000) is 0 and sigmoid(1000)
    is 1, with the overflow that gets there silenced rather than reported.
    """

    name = "sigmoid"

    def forward(self, z, out=None):
        with np.errstate(over="ignore"):
            return self.forward_silenced(z, out)

    def forward_silenced(self, z, out=None):
        """``forward`` for callers that have silenced overflow themselves, as ``fit`` does."""
        a = np.negative(z, out)
        np.exp(a, a)
        np.add(a, 1.0, a)
        return np.reciprocal(a, a)

    def slope(self, z, a, out=None):
        slope = np.subtract(1.0, a, out)
        np.multiply(slope, a, slope)
        return slope

    def backward(self, z, a, dL_da, out=None):
        dL_dz = np.subtract(1.0, a, out)
        np.multiply(dL_dz, a, dL_dz)  # slope a (1 - a)
        return np.multiply(dL_dz, dL_da, dL_dz)


class Softmax(Activation):
    """a_j = exp(z_j) / sum_k exp(z_k) over the nodes of a layer (output layer only).

    Shift-invariant: computed from ``z - max(z)``. Its slope is a matrix per
    sample, da_j/dz_i = a_j (δ_ij - a_i), so ``backward`` applies it directly:
    dL/dz = a ⊙ (dL/da - Σ_j a_j dL/da_j).
    """

    name = "softmax"
    elementwise = False

    def forward(self, z, out=None):
        shifted = np.subtract(z, z.max(axis=1, keepdims=True), out=out)
        np.exp(shifted, out=shifted)
        shifted /= shifted.sum(axis=1, keepdims=True)
        return shifted

    def slope(self, z, a, out=None):
        raise TypeError(
            "softmax has no per-node slope: each output depends on every input; "
            "use Softmax.backward for the chain rule through it"
        )

    def backward(self, z, a, dL_da, out=None):
        weighted = (a * dL_da).sum(axis=1, keepdims=True)
        dL_dz = np.subtract(dL_da, weighted, out=out)
        dL_dz *= a
        return dL_dz


ACTIVATIONS = Registry(
    "activation",
    {
        "identity": Identity,
        "relu": ReLU,
        "leaky_relu": LeakyReLU,
        "tanh": Tanh,
        "sigmoid": Sigmoid,
        "softmax": Softmax,
    },
    aliases={"linear": "identity", "logistic": "sigmoid"},
)
#: The activations a hidden layer may use (each node's output depends on its own input only).
HIDDEN_ACTIVATIONS = tuple(name for name in ACTIVATIONS.names if ACTIVATIONS[name].elementwise)


def get_activation(activation: str | Activation, argument: str = "activation") -> Activation:
    """Return an Activation for a name such as ``"relu"`` or an Activation instance."""
    if isinstance(activation, Activation):
        return activation
    return ACTIVATIONS.resolve(activation, argument)()
