"""A dense layer: every node takes the weighted sum of the layer's inputs, then its activation.

Shapes: inputs ``x`` are ``(n, n_in)``, ``weight`` is ``(n_in, n_out)``, ``bias`` is
``(n_out,)``, node inputs ``z`` and node outputs ``a`` are ``(n, n_out)``.
"""

from __future__ import annotations

import numpy as np

from .activations import Activation

__all__ = ["Dense", "check_layers"]


class Dense:
    """z = x @ weight + bias; a = activation(z).

    ``weight[i, j]`` is the weight on the connection from input node i to node j.
    Writing into ``weight`` or ``bias`` in place changes the layer; so does replacing
    one (``layer.weight = layer.weight - lr * slope``, as the course writes the update),
    as long as the new array has the old one's shape: it is stored as the layer's dtype,
    and any other shape is refused, since the layers must keep chaining.
    """

    def __init__(self, weight: np.ndarray, bias: np.ndarray | None, activation: Activation):
        self.__dict__.update(weight=weight, bias=bias, activation=activation)

    def __setattr__(self, name: str, value) -> None:
        """A replaced ``weight`` or ``bias`` is checked (``_replacement``); reading either stays
        a plain attribute lookup, as training does many times a step."""
        if name == "weight":
            value = _replacement(value, self.weight, "weight", self)
        elif name == "bias":
            if (value is None) != (self.bias is None):
                raise ValueError(
                    "a layer's bias cannot be added or removed (all layers have one or none); "
                    "build a new Network with the bias you want"
                )
            value = None if value is None else _replacement(value, self.bias, "bias", self)
        object.__setattr__(self, name, value)

    @property
    def n_inputs(self) -> int:
        return self.weight.shape[0]

    @property
    def n_outputs(self) -> int:
        return self.weight.shape[1]

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Node inputs z = x @ W + b and node outputs a = f(z), both ``(n, n_out)``."""
        z = x @ self.weight
        if self.bias is not None:
            z += self.bias
        return z, self.activation.forward(z)

    def weight_slopes(self, x: np.ndarray, dL_dz: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """dL/dW = xᵀ @ dL/dz: node value feeding in × slope at the node fed into, summed
        over the samples. dL/db = 1ᵀ @ dL/dz, the same with the bias node's value 1."""
        dL_dW = x.T @ dL_dz
        if self.bias is None:
            return dL_dW, None
        return dL_dW, np.ones(x.shape[0], dL_dz.dtype) @ dL_dz

    def input_slopes(self, dL_dz: np.ndarray) -> np.ndarray:
        """dL/dx = dL/dz @ Wᵀ: each input node's slope is the sum over the weights
        leaving it of weight × slope at the node it feeds."""
        return dL_dz @ self.weight.T

    def __repr__(self) -> str:
        bias = "bias" if self.bias is not None else "no bias"
        return f"Dense({self.n_inputs} → {self.n_outputs}, {self.activation.name}, {bias})"


def _replacement(value, old: np.ndarray, name: str, layer: Dense) -> np.ndarray:
    """``value`` as the array that replaces ``layer``'s ``name`` (``old``): real numbers of
    ``old``'s shape and dtype, writeable (a read-only array, or one of another dtype, is copied)."""
    if value is old:
        return old
    what = f"the new {name} of {layer!r}"
    try:
        array = np.asarray(value)
    except ValueError:
        raise ValueError(f"{what} must be a rectangular array of numbers") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must be real numbers, got {array.dtype} values")
    if array.shape != old.shape:
        hint = " (transposed?)" if array.shape == old.shape[::-1] else ""
        meaning = "(inputs × nodes)" if name == "weight" else "(one per node)"
        raise ValueError(
            f"{what} has shape {array.shape}{hint}, but it must keep the shape {old.shape} {meaning} "
            "so the layers still chain; build a new Network to change sizes"
        )
    if array.dtype != old.dtype or not array.flags.writeable:  # training writes into it
        return array.astype(old.dtype)
    return array


def check_layers(layers: list[Dense]) -> np.dtype:
    """The dtype a stack of layers shares; ValueError naming the layer where they don't chain
    (each takes as many inputs as the one before gives, all with or all without bias)."""
    if not layers or not all(isinstance(layer, Dense) for layer in layers):
        raise ValueError("layers must be a non-empty list of Dense layers")
    dtype = layers[0].weight.dtype
    for index, layer in enumerate(layers):
        arrays = [layer.weight] if layer.bias is None else [layer.weight, layer.bias]
        if any(array.dtype != dtype for array in arrays):
            raise ValueError(f"layers[{index}] is not {dtype.name} like layers[0]")
        if index and layer.n_inputs != layers[index - 1].n_outputs:
            raise ValueError(
                f"layers[{index}] takes {layer.n_inputs} inputs, layers[{index - 1}] gives "
                f"{layers[index - 1].n_outputs}"
            )
    if len({layer.bias is None for layer in layers}) > 1:
        raise ValueError("layers must all have a bias or all have none")
    return dtype
