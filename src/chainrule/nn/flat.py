"""All of a network's weights and biases as one flat vector, each layer's arrays views into it.

An optimizer then updates every parameter in one operation, and one norm of the flat
gradient checks them all for divergence. Writing into ``layer.weight`` writes into the
vector; replacing ``layer.weight`` with a new array breaks the link, which ``holds`` notices.
"""

from __future__ import annotations

import numpy as np

__all__ = ["pack", "holds"]


def pack(layers, dtype) -> np.ndarray:
    """A new flat vector holding every weight and bias in layer order; each layer's ``weight``
    and ``bias`` become views into it (with the same values)."""
    sizes = [p.size for layer in layers for p in (layer.weight, layer.bias) if p is not None]
    flat = np.empty(sum(sizes), dtype=dtype)
    offset = 0
    for layer in layers:
        weight = flat[offset : offset + layer.weight.size].reshape(layer.weight.shape)
        weight[...] = layer.weight
        layer.weight = weight
        offset += weight.size
        if layer.bias is not None:
            bias = flat[offset : offset + layer.bias.size]
            bias[...] = layer.bias
            layer.bias = bias
            offset += bias.size
    return flat


def holds(flat: np.ndarray, params: list[np.ndarray], dtype) -> bool:
    """Whether ``params``, in order, are still the consecutive parts of ``flat``."""
    if flat.dtype != dtype:
        return False
    offset = 0
    for param in params:
        start = flat.__array_interface__["data"][0] + offset * flat.itemsize
        if param.__array_interface__["data"][0] != start or not param.flags.c_contiguous:
            return False
        offset += param.size
    return offset == flat.size
