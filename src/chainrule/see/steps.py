"""The data of the walk-through page: explain's numbers per layer and the list of steps.

Every number on the page comes from here, rounded to the 6 significant digits that the
text table prints: node values, inputs and slopes, each weight's three factors and slope
(``Network.explain``) and the new weight w − lr × slope, computed here in float64 from
explain's unrounded numbers. The page's script only looks numbers up and lays them out.

Steps, in order: the inputs; every node's forward propagation (weighted sum, then
activation); the loss; each layer backwards (its weights' slopes and updates, then the
slopes of the nodes feeding it); the summary of every weight. Long sums and long lists
keep their largest terms (``TERMS``, ``ROWS``) and say how many more there are.
"""

from __future__ import annotations

import numpy as np

from .layout import layout
from .records import Numbers

__all__ = ["page_data", "round6", "TERMS", "ROWS"]

TERMS, ROWS = 10, 24


def round6(values):
    """Floats rounded to 6 significant digits (None and non-finite numbers become None)."""
    if values is None:
        return None
    if np.ndim(values) == 0:
        value = float(values)
        return float(f"{value:.6g}") + 0.0 if np.isfinite(value) else None
    return [round6(v) for v in np.ravel(values)]


def _largest(scores, limit: int) -> tuple[list[int], int]:
    """Indices of the ``limit`` largest |scores| (all when there are few), in index order."""
    scores = np.abs(np.asarray(scores, dtype=np.float64))
    if scores.size <= limit:
        return list(range(scores.size)), 0
    keep = np.argsort(-np.nan_to_num(scores), kind="stable")[:limit]
    return sorted(int(i) for i in keep), scores.size - limit


def page_data(nums: Numbers, lr: float) -> dict:
    """Everything the page shows, as plain JSON-ready data (see the module docstring)."""
    n_layers = len(nums.weights)
    layers = []
    for layer in range(n_layers):
        w, g = nums.weights[layer], nums.weight_slopes[layer]
        b, bg = nums.biases[layer], nums.bias_slopes[layer]
        layers.append(
            {
                "activation": nums.activations[layer] if nums.activations else None,
                "w": round6(w),
                "g": round6(g),
                "nw": round6(w - lr * g),
                "bw": round6(b),
                "bg": round6(bg),
                "bnw": None if b is None else round6(b - lr * bg),
                "act": round6(nums.activation_slopes[layer]),
                "ls": round6(nums.loss_slopes[layer]),
                "combined": nums.combined[layer],
            }
        )
    columns = [
        {
            "values": round6(nums.values[c]),
            "inputs": round6(nums.node_inputs[c]) if c else None,
            "slopes": round6(nums.slopes[c]),
        }
        for c in range(n_layers + 1)
    ]
    steps = [{"kind": "inputs"}]
    for c in range(1, n_layers + 1):
        w = nums.weights[c - 1]
        for j in range(len(nums.names[c])):
            terms, more = _largest(w[:, j] * nums.values[c - 1], TERMS)
            steps.append({"kind": "forward", "column": c, "node": j, "terms": terms, "more": more})
    steps.append({"kind": "loss"})
    for layer in reversed(range(n_layers)):
        g = nums.weight_slopes[layer]
        rows, more = _largest(g.ravel(), ROWS)
        factors = nums.weights[layer] * (nums.activation_slopes[layer] * nums.loss_slopes[layer])
        node_list, more_nodes = _largest(nums.slopes[layer], TERMS)
        nodes = []
        for i in node_list:
            terms, more_terms = _largest(factors[i], TERMS)
            nodes.append({"node": i, "terms": terms, "more": more_terms})
        steps.append(
            {
                "kind": "backward",
                "layer": layer,
                "rows": [divmod(k, g.shape[1]) for k in rows],
                "more": more,
                "bias": nums.biases[layer] is not None,
                "nodes": nodes,
                "more_nodes": more_nodes,
            }
        )
    steps.append({"kind": "summary"})
    return {
        "loss": round6(nums.loss),
        "loss_name": nums.loss_name,
        "lr": lr,
        "prediction": round6(nums.prediction),
        "target": round6(nums.target),
        "names": nums.names,
        "columns": columns,
        "layers": layers,
        "steps": steps,
        "shown": [col.shown for col in layout(nums).columns],
    }
