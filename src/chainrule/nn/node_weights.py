"""Reading networks written out by hand: layer sizes, weight matrices and the course's
dictionaries of node weights (``{"node_0": [...], "node_1": [...], "output": [...]}``)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = ["chained_sizes", "check_sizes", "node_weight_matrices", "weight_matrix"]

_NODE_KEY = re.compile(r"node_(0|[1-9]\d*)(?:_(0|[1-9]\d*))?\Z")


def node_weight_matrices(weights: Mapping[str, Sequence[float]]) -> list[np.ndarray]:
    """The ``(n_in, n_out)`` weight matrices, layer by layer, of the course's node dictionaries.

    Each entry lists the weights coming into one node: ``node_<i>`` (one hidden layer) or
    ``node_<layer>_<i>``, and ``output`` for the output node.
    """
    if "output" not in weights:
        raise ValueError("weights has no 'output' key: the output node's weights are needed")
    layers: dict[int, dict[int, np.ndarray]] = {}
    styles = set()
    for key, values in weights.items():
        if key == "output":
            continue
        match = _NODE_KEY.match(str(key))
        if not match:
            raise ValueError(f"weights key {key!r} is not 'output', 'node_<i>' or 'node_<layer>_<i>'")
        styles.add(match.group(2) is None)
        layer, index = (0, int(match.group(1))) if match.group(2) is None else map(int, match.groups())
        layers.setdefault(layer, {})[index] = _as_vector(values, key)
    if len(styles) > 1:
        raise ValueError("weights mixes 'node_<i>' and 'node_<layer>_<i>' keys; use one naming")
    matrices = []
    for layer in range(len(layers)):
        if layer not in layers:
            raise ValueError(f"weights has no nodes for hidden layer {layer} (keys 'node_{layer}_<i>')")
        nodes = layers[layer]
        for index in range(len(nodes)):
            if index not in nodes:
                raise ValueError(f"weights is missing node {index} of hidden layer {layer}")
        matrices.append(_stack_nodes(nodes, layer, styles == {True}, matrices))
    output = _as_vector(weights["output"], "output")
    expected = matrices[-1].shape[1] if matrices else output.shape[0]
    if output.shape[0] != expected:
        raise ValueError(
            f"weights['output'] has {output.shape[0]} weights, expected {expected} (one per node before it)"
        )
    matrices.append(output[:, None])
    return matrices


def weight_matrix(weight, index: int, dtype: np.dtype) -> np.ndarray:
    try:
        with np.errstate(over="ignore"):  # a float32 overflow is refused below, by name
            matrix = np.asarray(weight, dtype=dtype)
    except (TypeError, ValueError):
        raise ValueError(f"weights[{index}] must be an array of numbers") from None
    if not np.isfinite(matrix).all():
        raise ValueError(f"weights[{index}] holds NaN or infinity (or a value too large for {dtype})")
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2 or matrix.size == 0:
        raise ValueError(
            f"weights[{index}] must be a non-empty (n_in, n_out) matrix, got shape {matrix.shape}"
        )
    return matrix


def check_sizes(sizes) -> list[int]:
    given = sizes
    try:
        valid = all(isinstance(size, (int, np.integer)) and not isinstance(size, bool) for size in sizes)
        sizes = [int(size) for size in sizes]
        valid = valid and len(sizes) >= 2 and all(size >= 1 for size in sizes)
    except (TypeError, ValueError):
        valid = False
    if not valid:
        raise ValueError(
            f"sizes must list at least two positive whole layer widths [n_inputs, ..., n_outputs], got {given!r}"
        )
    return sizes


def _as_vector(values, key: str) -> np.ndarray:
    try:
        vector = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"weights[{key!r}] must be a list of numbers, got {values!r}") from None
    if vector.ndim != 1 or vector.size == 0:
        raise ValueError(
            f"weights[{key!r}] must be a flat, non-empty list of numbers, got shape {vector.shape}"
        )
    return vector


def _stack_nodes(
    nodes: dict[int, np.ndarray], layer: int, short: bool, before: list[np.ndarray]
) -> np.ndarray:
    """Columns of one layer's weight matrix, one per node, checked for equal length."""
    expected = before[-1].shape[1] if before else len(nodes[0])
    for index, vector in sorted(nodes.items()):
        if vector.shape[0] != expected:
            key = f"node_{index}" if short else f"node_{layer}_{index}"
            raise ValueError(f"weights[{key!r}] has {vector.shape[0]} weights, expected {expected}")
    return np.stack([nodes[index] for index in range(len(nodes))], axis=1)


def chained_sizes(weights: list[np.ndarray]) -> list[int]:
    """The layer sizes of weight matrices ``(n_in, n_out)`` that chain, each taking what the
    one before gives; ValueError naming ``weights[i]`` otherwise."""
    if not weights:
        raise ValueError("weights must hold at least one weight matrix")
    sizes = [weights[0].shape[0]]
    for index, weight in enumerate(weights):
        if weight.ndim != 2 or weight.shape[0] != sizes[-1]:
            raise ValueError(f"weights[{index}] has shape {weight.shape}, expected ({sizes[-1]}, n_out)")
        sizes.append(weight.shape[1])
    return sizes
