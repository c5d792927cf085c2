"""The data of the walk-through page: explain's numbers per layer and the list of steps.

Every number on the page comes from here, rounded to ``digits`` significant digits (6, as
the text table prints them, or fewer for wide networks, see ``page.digits_for``): node
values, inputs and slopes, each weight's three factors and slope (``Network.explain``) and
the new weight w − lr × slope, computed here in float64 from explain's unrounded numbers.
A weight and its new weight take more digits where those would read the same though the
weight moved (``update_digits``), so every update shows. The page's script only looks
numbers up and lays them out.

Steps, in order: the inputs; every node's forward propagation (weighted sum, then
activation); the loss; each layer backwards (its weights' slopes and updates, then the
slopes of the nodes feeding it, those the picture draws); the summary of every weight.
A layer's biases are among its weights' rows (ranked with them when the layer has more
than ``ROWS``).
Long sums and long lists keep their largest terms (``TERMS``, ``ROWS``) and say how many
more there are.
"""

from __future__ import annotations

import numpy as np

from .layout import layout
from .records import Numbers

__all__ = ["page_data", "significant", "update_digits", "TERMS", "ROWS", "MOST_DIGITS"]

TERMS, ROWS = 10, 24
MOST_DIGITS = 10  # a weight and its new weight get at most this many digits to show the change


def significant(values, digits: int = 6):
    """Floats rounded to ``digits`` significant digits (None and non-finite numbers become None)."""
    if values is None:
        return None
    if np.ndim(values) == 0:
        value = float(values)
        return float(f"{value:.{digits}g}") + 0.0 if np.isfinite(value) else None
    return [significant(v, digits) for v in np.ravel(values)]


def update_digits(weights, new_weights, digits: int) -> np.ndarray:
    """Per weight (flattened), the significant digits that show its update: ``digits``, or
    more, up to ``MOST_DIGITS``, while the weight and the new weight would round the same
    though they differ (a slope of 2e-4 at lr 0.01 moves a weight of 0.08 in its 6th digit)."""
    old, new = np.ravel(weights), np.ravel(new_weights)
    shown = np.full(old.size, digits)
    moved = np.flatnonzero((old != new) & np.isfinite(old) & np.isfinite(new)).tolist()
    for k in range(digits, MOST_DIGITS):
        moved = [i for i in moved if f"{old[i]:.{k}g}" == f"{new[i]:.{k}g}"]
        if not moved:
            break
        shown[moved] = k + 1
    return shown


def _both(weights, new_weights, digits: int) -> tuple[list, list]:
    """The weights and the new weights, each pair rounded to the digits that show its update."""
    shown = update_digits(weights, new_weights, digits)
    pairs = zip(np.ravel(weights), np.ravel(new_weights), shown.tolist())
    rounded = [(significant(w, k), significant(nw, k)) for w, nw, k in pairs]
    return [w for w, _ in rounded], [nw for _, nw in rounded]


def _largest(scores, limit: int, skip=None) -> tuple[list[int], int]:
    """Indices of the ``limit`` largest |scores| (all when there are few), in index order, and
    how many more; ``skip`` (boolean, like ``scores``) leaves entries out, counted as none."""
    scores = np.abs(np.asarray(scores, dtype=np.float64))
    candidates = np.arange(scores.size) if skip is None else np.flatnonzero(~np.asarray(skip).ravel())
    if candidates.size <= limit:
        return [int(i) for i in candidates], 0
    keep = candidates[np.argsort(-np.nan_to_num(scores.ravel()[candidates]), kind="stable")[:limit]]
    return sorted(int(i) for i in keep), candidates.size - limit


def page_data(nums: Numbers, lr: float, digits: int = 6, place=None) -> dict:
    """Everything the page shows, as plain JSON-ready data (see the module docstring);
    ``place`` the picture's ``layout(nums)`` when the caller has it already."""

    def rounded(values):
        return significant(values, digits)

    n_layers = len(nums.weights)
    layers = []
    for layer in range(n_layers):
        w, g = nums.weights[layer], nums.weight_slopes[layer]
        b, bg = nums.biases[layer], nums.bias_slopes[layer]
        shown_w, shown_nw = _both(w, w - lr * g, digits)
        shown_b, shown_nb = (None, None) if b is None else _both(b, b - lr * bg, digits)
        layers.append(
            {
                "activation": nums.activations[layer] if nums.activations else None,
                "w": shown_w,
                "g": rounded(g),
                "nw": shown_nw,
                "bw": shown_b,
                "bg": rounded(bg),
                "bnw": shown_nb,
                "act": rounded(nums.activation_slopes[layer]),
                "ls": rounded(nums.loss_slopes[layer]),
                "combined": nums.combined[layer],
                # flat indices of the weights that are not trained (always 0), when any are
                **({"fixed": np.flatnonzero(nums.fixed[layer]).tolist()} if _fixed(nums, layer) else {}),
            }
        )
    columns = [
        {
            "values": rounded(nums.values[c]),
            "inputs": rounded(nums.node_inputs[c]) if c else None,
            "slopes": rounded(nums.slopes[c]),
        }
        for c in range(n_layers + 1)
    ]
    drawn = (place or layout(nums)).columns
    steps = [{"kind": "inputs"}]
    fixed = [nums.fixed[layer] if _fixed(nums, layer) else None for layer in range(n_layers)]
    for c in range(1, n_layers + 1):
        w, skip = nums.weights[c - 1], fixed[c - 1]
        for j in range(len(nums.names[c])):
            terms, more = _largest(w[:, j] * nums.values[c - 1], TERMS, None if skip is None else skip[:, j])
            steps.append({"kind": "forward", "column": c, "node": j, "terms": terms, "more": more})
    steps.append({"kind": "loss"})
    for layer in reversed(range(n_layers)):
        g, skip = nums.weight_slopes[layer], fixed[layer]
        rows, more = _rows(g, nums.bias_slopes[layer], skip)
        factors = nums.weights[layer] * (nums.activation_slopes[layer] * nums.loss_slopes[layer])
        node_list = drawn[layer].shown  # the nodes whose dL/da the picture writes
        more_nodes = len(nums.names[layer]) - len(node_list)
        nodes = []
        for i in node_list:
            terms, more_terms = _largest(factors[i], TERMS, None if skip is None else skip[i])
            nodes.append({"node": i, "terms": terms, "more": more_terms})
        steps.append(
            {
                "kind": "backward",
                "layer": layer,
                "rows": rows,  # [source, node]; source -1 for a bias
                "more": more,
                "bias": nums.biases[layer] is not None,
                "nodes": nodes,
                "more_nodes": more_nodes,
            }
        )
    steps.append({"kind": "summary"})
    return {
        "digits": digits,
        "loss": rounded(nums.loss),
        "loss_name": nums.loss_name,
        "lr": lr,
        "prediction": rounded(nums.prediction),
        "target": rounded(nums.target),
        "names": nums.names,
        "columns": columns,
        "layers": layers,
        "a_minus_y": nums.outputs_a_minus_y(),  # the combined output slopes are a − y
        "steps": steps,
        "shown": [col.shown for col in drawn],
    }


def _rows(slopes, bias_slopes, skip) -> tuple[list[list[int]], int]:
    """A backward step's rows, [source, node] (source -1: the bias), and how many more: of a
    layer of at most ROWS weights and biases, all (the biases last); of a larger one, the
    ROWS of largest slope, biases and weights ranked together."""
    n_out = slopes.shape[1]
    if bias_slopes is None:
        bias_slopes = np.zeros(0)
    everything = np.concatenate([np.ravel(slopes), np.ravel(bias_slopes)])
    skipped = None if skip is None else np.concatenate([np.ravel(skip), np.zeros(bias_slopes.size, bool)])
    chosen, more = _largest(everything, ROWS, skipped)
    rows = [[-1, k - slopes.size] if k >= slopes.size else list(divmod(k, n_out)) for k in chosen]
    return sorted(rows, key=lambda row: (row[0] < 0, row)), more


def _fixed(nums: Numbers, layer: int) -> bool:
    """Whether layer ``layer`` of ``nums`` has weights that are not trained."""
    return nums.fixed is not None and nums.fixed[layer] is not None
