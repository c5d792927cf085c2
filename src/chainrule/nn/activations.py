"""Activation functions, each with its slope beside its formula.

An activation turns a node's input ``z`` (the weighted sum flowing into it) into
its output ``a = f(z)``. Backpropagation needs the slope ``da/dz`` at every node:
the chain rule multiplies the slope of the loss with respect to ``a`` by it.

All functions take and return arrays of shape ``(n_samples, n_nodes)``. (Training
runs the same formulas through preallocated buffers: see ``chainrule.train._fastpath``.)
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
    "Exp",
    "ACTIVATIONS",
    "HIDDEN_ACTIVATIONS",
    "get_activation",
]


class Activation:
    """Base class: ``forward`` gives ``a = f(z)``, ``slope`` gives ``da/dz``.

    ``elementwise`` is True when each node's output depends on its own input only,
    so the chain rule through the activation is a plain product with the slope.
    ``kink`` is the node input where the slope jumps (0 for the ReLUs), None where it
    never does: no finite difference can measure a slope there (see ``see.gradcheck``).
    """

    name = "activation"
    elementwise = True
    kink: float | None = None

    def forward(self, z: np.ndarray) -> np.ndarray:
        """a = f(z)."""
        raise NotImplementedError

    def slope(self, z: np.ndarray, a: np.ndarray) -> np.ndarray:
        """da/dz at every node, from the node input ``z`` and output ``a``."""
        raise NotImplementedError

    def backward(self, z: np.ndarray, a: np.ndarray, dL_da: np.ndarray) -> np.ndarray:
        """dL/dz = dL/da × da/dz (the slope of the loss times the slope of the activation)."""
        return dL_da * self.slope(z, a)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Identity(Activation):
    """a = z; slope 1."""

    name = "identity"

    def forward(self, z):
        return z  # a is z itself: nothing to compute or copy

    def slope(self, z, a):
        return np.ones_like(z)

    def backward(self, z, a, dL_da):
        return dL_da  # dL/dz is dL/da itself


class ReLU(Activation):
    """a = max(z, 0); slope 1 where z > 0 and 0 elsewhere (0 at z = 0 itself)."""

    name = "relu"
    kink = 0.0

    def forward(self, z):
        # 0.0, not 0: a Python float takes NumPy's fast path for scalars, an int does not.
        return np.maximum(z, 0.0)

    def slope(self, z, a):
        return np.greater(z, 0.0).astype(z.dtype)

    def backward(self, z, a, dL_da):
        # The slope is a mask: multiply by the comparison z > 0 without building it as floats.
        return np.multiply(dL_da, np.greater(z, 0.0))


class LeakyReLU(Activation):
    """a = z where z > 0, else ``negative_slope`` × z; slope 1 or ``negative_slope`` (at 0)."""

    name = "leaky_relu"
    kink = 0.0

    def __init__(self, negative_slope: float = 0.01):
        if not 0 <= negative_slope < 1:
            raise ValueError(f"negative_slope must be in [0, 1), got {negative_slope!r}")
        self.negative_slope = float(negative_slope)

    def forward(self, z):
        # For 0 <= negative_slope < 1, max(z, negative_slope × z) is z above 0 and the leak below.
        return np.maximum(z, z * z.dtype.type(self.negative_slope))

    def slope(self, z, a):
        return np.where(z > 0, 1.0, self.negative_slope).astype(z.dtype, copy=False)

    def __repr__(self) -> str:
        return f"LeakyReLU(negative_slope={self.negative_slope})"


class Tanh(Activation):
    """a = tanh(z); slope 1 - a²."""

    name = "tanh"

    def forward(self, z):
        return np.tanh(z)

    def slope(self, z, a):
        return 1.0 - a * a


class Sigmoid(Activation):
    """a = 1 / (1 + exp(-z)); slope a (1 - a).

    Accurate to the last bit in both tails: for z < -709 (float64) exp(-z) is
    inf and 1 / (1 + inf) is exactly 0, so sigmoid(-1000) is 0 and sigmoid(1000)
    is 1, with the overflow that gets there silenced rather than reported.
    """

    name = "sigmoid"

    def forward(self, z):
        with np.errstate(over="ignore"):
            return np.reciprocal(np.exp(-z) + 1.0)

    def slope(self, z, a):
        return (1.0 - a) * a

    def backward(self, z, a, dL_da):
        return (1.0 - a) * a * dL_da


class Softmax(Activation):
    """a_j = exp(z_j) / Σ_k exp(z_k) over the nodes of a layer (output layer only).

    Shift-invariant: computed from ``z - max(z)``. Its slope is a matrix per
    sample, da_j/dz_i = a_j (δ_ij - a_i), so ``backward`` applies it directly:
    dL/dz = a ⊙ (dL/da - Σ_j a_j dL/da_j).
    """

    name = "softmax"
    elementwise = False

    def forward(self, z):
        exp = np.exp(z - z.max(axis=1, keepdims=True))
        exp /= exp.sum(axis=1, keepdims=True)
        return exp

    def slope(self, z, a):
        raise TypeError(
            "softmax has no per-node slope: each output depends on every input; "
            "use Softmax.backward for the chain rule through it"
        )

    def backward(self, z, a, dL_da):
        weighted = (a * dL_da).sum(axis=1, keepdims=True)
        return (dL_da - weighted) * a


class Exp(Activation):
    """a = exp(z); slope a. The output of a Poisson regression: exp is the inverse of its
    log link, so predictions are positive."""

    name = "exp"

    def forward(self, z):
        return np.exp(z)

    def slope(self, z, a):
        return a.copy()

    def backward(self, z, a, dL_da):
        return dL_da * a


ACTIVATIONS = Registry(
    "activation",
    {
        "identity": Identity,
        "relu": ReLU,
        "leaky_relu": LeakyReLU,
        "tanh": Tanh,
        "sigmoid": Sigmoid,
        "softmax": Softmax,
        "exp": Exp,
    },
    aliases={"linear": "identity", "logistic": "sigmoid"},
)
#: The activations offered for hidden layers (each node's output depends on its own input only).
#: exp is elementwise too, but it is an output link (Poisson regression), not a hidden choice.
HIDDEN_ACTIVATIONS = tuple(
    name for name in ACTIVATIONS.names if ACTIVATIONS[name].elementwise and name != "exp"
)


def get_activation(activation: str | Activation, argument: str = "activation") -> Activation:
    """Return an Activation for a name such as ``"relu"`` or an Activation instance."""
    if isinstance(activation, Activation):
        return activation
    return ACTIVATIONS.resolve(activation, argument)()
