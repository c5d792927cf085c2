"""A dense layer: every node takes the weighted sum of the layer's inputs, then its activation.

Shapes: inputs ``x`` are ``(n, n_in)``, ``weight`` is ``(n_in, n_out)``, ``bias`` is
``(n_out,)``, node inputs ``z`` and node outputs ``a`` are ``(n, n_out)``.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation

__all__ = ["Dense"]


class Dense:
    """z = x @ weight + bias; a = activation(z).

    ``weight[i, j]`` is the weight on the connection from input node i to node j.
    Writing into ``weight`` or ``bias`` in place changes the layer.
    """

    def __init__(self, weight: np.ndarray, bias: np.ndarray | None, activation: Activation):
        self.weight = weight
        self.bias = bias
        self.activation = activation

    @property
    def n_inputs(self) -> int:
        return self.weight.shape[0]

    @property
    def n_outputs(self) -> int:
        return self.weight.shape[1]

    def forward(self, x, z_out=None, a_out=None, silenced=False):
        """Node inputs z = x @ W + b, node outputs a = f(z); both ``(n, n_out)``.

        ``silenced``: the caller runs with overflow warnings off (training does).
        """
        z = np.dot(x, self.weight, out=z_out)
        if self.bias is not None:
            np.add(z, self.bias, out=z)
        activation = self.activation
        a = activation.forward_silenced(z, a_out) if silenced else activation.forward(z, a_out)
        return z, a

    def weight_slopes(self, x, dL_dz, dW_out=None, db_out=None, ones=None):
        """dL/dW = x.T @ dL/dz (node value feeding in × slope at the node fed into);
        dL/db = Σ over samples of dL/dz (the bias node's value is 1), computed as the
        product ones @ dL/dz when a row of ``ones`` is given."""
        dL_dW = np.dot(x.T, dL_dz, out=dW_out)
        if self.bias is None:
            return dL_dW, None
        if ones is None:
            return dL_dW, np.sum(dL_dz, axis=0, out=db_out)
        return dL_dW, np.dot(ones, dL_dz, out=db_out)

    def input_slopes(self, dL_dz, out=None):
        """dL/dx = dL/dz @ W.T: each input node's slope is the sum over the weights
        leaving it of weight × slope at the node it feeds."""
        return np.dot(dL_dz, self.weight.T, out=out)

    def __repr__(self) -> str:
        bias = "bias" if self.bias is not None else "no bias"
        return f"Dense({self.n_inputs} → {self.n_outputs}, {self.activation.name}, {bias})"
