"""Where each node of a network goes in a picture, and which nodes a wide layer shows.

The picture (``see.network_picture``) and the page (``see.page``) both draw from one
``Layout``: a column per layer (the inputs first), the nodes shown in each, a
"… k more" marker for the rest, and a bias node under a column when the next layer
has biases. A layer of up to ``MAX_NODES`` nodes shows every node; a wider one shows
the ``KEEP`` nodes with the largest score in their own order: when the target is known,
the nodes of each layer's weights with the largest slopes |dL/dw| (the ones a backward
step lists first), best rank first; else the largest values |a|; else the largest total
|weight|. Only numbers the library computed are read here; nothing is recomputed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .names import node_name

__all__ = ["MAX_NODES", "KEEP", "Column", "Layout", "layout", "input_names_of", "node_names"]

MAX_NODES = 10
KEEP = 8


@dataclass
class Column:
    """One layer's nodes: ``shown`` indices (top to bottom) at heights ``y``; ``more`` not shown."""

    names: list[str]
    shown: list[int]
    y: list[float]
    more: int
    more_y: float | None
    bias_y: float | None  # the bias node feeding the next layer, when it has biases


@dataclass
class Layout:
    """Columns at x = 0, 1, 2, ...; heights run from 0 (top) to ``height``."""

    columns: list[Column]
    height: float

    def position(self, column: int, index: int) -> tuple[float, float]:
        """(x, y) of a shown node; KeyError names the node when it is summarised away."""
        col = self.columns[column]
        if index not in col.shown:
            raise KeyError(f"{col.names[index]} is summarised in the picture")
        return float(column), col.y[col.shown.index(index)]


def input_names_of(net, input_names=None) -> list[str] | None:
    """The names of the input nodes: given ones, else the model's preprocessed features."""
    if input_names is not None:
        names = [str(name) for name in input_names]
        if len(names) != net.n_inputs:
            raise ValueError(f"input_names has {len(names)} names, the network has {net.n_inputs} inputs")
        return names
    names = getattr(getattr(net, "preprocessor", None), "input_names", None)
    if names is not None and len(names) == net.n_inputs:
        return [str(name) for name in names]
    return None


def node_names(net, input_names=None) -> list[list[str]]:
    """Names per column, as ``explain`` names them (input names from the model's features)."""
    names = input_names_of(net, input_names)
    n_layers, n_outputs = len(net.layers), net.n_outputs
    return [
        [node_name(column - 1, i, n_layers, n_outputs, names) for i in range(size)]
        for column, size in enumerate(net.sizes)
    ]


def _default_scores(numbers) -> list[np.ndarray]:
    if numbers.weight_slopes is not None:
        return _weight_slope_scores(numbers)
    if numbers.slopes is not None:
        return [np.nan_to_num(np.abs(s)) for s in numbers.slopes]
    if numbers.values is not None:
        return [np.abs(v) for v in numbers.values]
    weights = [np.abs(w) for w in numbers.weights]
    scores = [weights[0].sum(axis=1)]
    for k, w in enumerate(weights):
        scores.append(w.sum(axis=0) + (weights[k + 1].sum(axis=1) if k + 1 < len(weights) else 0.0))
    return scores


def _weight_slope_scores(numbers) -> list[np.ndarray]:
    """Per node, 1 / (1 + r) for the best rank r, within its layer by |dL/dw|, of the weights
    into or out of it (a bias weight ranks with its layer's; a never-trained weight has no
    rank). The weights a backward step lists first, those with the largest slopes, then join
    shown nodes: each column shows the nodes of its layers' top weights, and the page's
    table says which of its rows the picture leaves out."""
    scores = [np.zeros(size) for size in numbers.sizes]
    for layer, slopes in enumerate(numbers.weight_slopes):
        size = np.nan_to_num(np.abs(np.asarray(slopes, dtype=np.float64)))
        fixed = None if numbers.fixed is None else numbers.fixed[layer]
        if fixed is not None:
            size = np.where(fixed, 0.0, size)  # ranked last, then given no score
        bias = None if numbers.bias_slopes is None else numbers.bias_slopes[layer]
        rows = size if bias is None else np.vstack([size, np.nan_to_num(np.abs(bias))[None, :]])
        rank = np.empty(rows.size)
        rank[np.argsort(-rows.ravel(), kind="stable")] = np.arange(rows.size)
        score = 1.0 / (1.0 + rank.reshape(rows.shape))
        if fixed is not None:
            score[: len(size)][fixed] = 0.0
        scores[layer] = np.maximum(scores[layer], score[: len(size)].max(axis=1, initial=0.0))
        scores[layer + 1] = np.maximum(scores[layer + 1], score.max(axis=0, initial=0.0))
    return scores


def _chosen(scores: np.ndarray) -> list[int]:
    if scores.size <= MAX_NODES:
        return list(range(scores.size))
    order = np.argsort(-np.abs(scores), kind="stable")[:KEEP]
    return sorted(int(i) for i in order)


def layout(numbers, scores: list[np.ndarray] | None = None) -> Layout:
    """Columns of shown nodes for a ``records.Numbers``; ``scores`` (one array per column)
    choose a wide layer's nodes (default: the slopes, else the values, else the weights)."""
    names = numbers.names
    if scores is None:
        scores = _default_scores(numbers)
    chosen = [_chosen(np.asarray(s, dtype=np.float64)) for s in scores]
    has_bias = [bias is not None for bias in numbers.biases] + [False]
    slots = [len(c) + (len(c) < len(n)) + has_bias[k] for k, (c, n) in enumerate(zip(chosen, names))]
    height = float(max(slots) - 1) if max(slots) > 1 else 1.0
    columns = []
    for k, (shown, column_names) in enumerate(zip(chosen, names)):
        top = (height - (slots[k] - 1)) / 2
        ys = [top + i for i in range(slots[k])]
        more = len(column_names) - len(shown)
        columns.append(
            Column(
                names=column_names,
                shown=shown,
                y=ys[: len(shown)],
                more=more,
                more_y=ys[len(shown)] if more else None,
                bias_y=ys[-1] if has_bias[k] else None,
            )
        )
    return Layout(columns, height)
