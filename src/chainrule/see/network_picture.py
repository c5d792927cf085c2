"""The course's network picture, for any network: ``network(net, x, y)`` (needs matplotlib).

What is drawn:

- the nodes in columns, inputs on the left, named as ``explain`` names them (input
  names from the model's features); a bias node (a square holding 1) under a column
  whose next layer has biases;
- every connection as a line whose width grows with |weight| and whose colour is its
  sign (blue +, red −, grey for a weight of exactly 0), the weight written on it (near its
  source);
- with ``x``: each node's value a inside its circle;
- with ``y`` as well: in purple, each node's slope dL/da under it and each weight's
  slope dL/dw on its line (near the node it feeds); the loss in the title;
- a layer wider than ``layout.MAX_NODES`` shows its ``layout.KEEP`` nodes joined by the
  weights with the largest slopes (values, weights) and a "… k more" marker; when a layer has more than
  ``EDGE_LABELS`` connections drawn, only the ``TOP_EDGES`` with the largest slopes (or
  weights) carry numbers, drawn darker than the rest, and the caption says so.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .layout import Layout, layout
from .names import node_label, short_names
from .placing import Placer
from .records import Numbers, numbers

__all__ = ["network", "draw", "fmt", "EDGE_LABELS", "SLOPE", "POSITIVE", "NEGATIVE"]

EDGE_LABELS, TOP_EDGES = 16, 8
POSITIVE, NEGATIVE, SLOPE, INK, MUTED = "#1d4ed8", "#dc2626", "#7e22ce", "#111827", "#6b7280"


def fmt(value: float, digits: int = 6) -> str:
    """A number as the text table prints it: 6 significant digits, no trailing zeros."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{float(value) + 0.0:.{digits}g}"


def network(net, x=None, y=None, loss="mse", path=None, *, input_names=None, fixed=None):
    """The network as the course draws it; returns a matplotlib Figure.

    Without ``x``: the architecture (nodes, weights as line width and colour, bias
    nodes). With ``x``: each node's forward value. With ``y`` too: the slopes that
    backpropagation gives (``net.explain(x, y, loss)``), in purple, and the loss in the
    title (``fixed``: weights that are not trained, with slope 0, as ``explain`` takes them).
    ``path`` ending in ``.svg`` or ``.png`` also writes the picture there.
    """
    suffix = None if path is None else Path(path).suffix.lower()
    if suffix not in (None, ".svg", ".png"):
        raise ValueError(f"path must end in .svg or .png, got {str(path)!r}")
    figure = draw(numbers(net, x, y, loss, input_names, fixed))
    if path is not None:
        from .pyplot import save_figure

        save_figure(figure, path, dpi=110, facecolor="white")
    return figure


def draw(nums: Numbers, title: str | None = None):
    """A Figure of the numbers in ``nums`` (see the module docstring for what is drawn)."""
    from .pyplot import require_matplotlib

    require_matplotlib()
    place = layout(nums)
    n_columns = len(place.columns)
    # Room on the left for the input names: about 2.5 inches a column, and the widest name
    # (0.2 left of its node) measured in the font it is drawn in; the figure widens to hold it.
    left = max(0.55, 0.3 + _width_inches(_shown_names(place.columns[0])) / COLUMN_INCHES)
    width = 1.2 + 2.7 * (n_columns - 1) + 1.6 + (left - 0.55) * COLUMN_INCHES / 0.96
    figure = _figure_class()(figsize=(width, 1.9 + 0.95 * (place.height + 1)))
    ax = figure.add_axes((0.02, 0.1, 0.96, 0.78))
    ax.set_xlim(-left, n_columns - 0.45)
    ax.set_ylim(place.height + 0.55, -0.6)
    ax.axis("off")
    largest = max([float(np.max(np.abs(w), initial=0.0)) for w in nums.weights] + [1e-12])
    for column in range(n_columns):
        _draw_column(ax, nums, place, column)
    placer = Placer(figure, ax)  # the numbers on the lines go where they hide no other text
    thinned = [_draw_layer(ax, nums, place, layer, largest, placer) for layer in range(n_columns - 1)]
    placer.settle()  # then off the crossings of other lines, where that hides no text
    figure.suptitle(title or _title(nums), fontsize=11, color=INK)
    # wrapped to the figure's width (a one-node picture is narrower than the caption)
    figure.text(
        0.5, 0.012, _caption(nums, any(thinned)), ha="center", va="bottom", fontsize=8, color=MUTED, wrap=True
    )
    return figure


COLUMN_INCHES = 2.5  # inches from one column of nodes to the next, near enough for every depth
NAME_SIZE = 8.5  # points


def _shown_names(column) -> list[str]:
    return short_names([column.names[index] for index in column.shown])


def _width_inches(names: list[str]) -> float:
    """The width of the widest of ``names`` in the picture's font, in inches."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    font = FontProperties(size=NAME_SIZE)
    measure = TextToPath().get_text_width_height_descent
    return max((measure(name, font, ismath=False)[0] / 72 for name in names), default=0.0)


_FIGURE = []


def _figure_class():
    """A matplotlib Figure that Jupyter shows as a PNG even when pyplot does not manage it."""
    if not _FIGURE:
        from matplotlib.figure import Figure

        from .pyplot import figure_png

        class NetworkFigure(Figure):
            def _repr_png_(self) -> bytes:
                return figure_png(self)

        _FIGURE.append(NetworkFigure)
    return _FIGURE[0]


def _title(nums: Numbers) -> str:
    shape = "-".join(str(s) for s in nums.sizes)
    acts = f" · {' → '.join(nums.activations)}" if nums.activations else ""
    if nums.loss is not None:
        if nums.prediction.size > 4:
            return f"Network {shape}{acts}\n{nums.loss_name} loss = {fmt(nums.loss)}"
        return (
            f"Network {shape}{acts}\nprediction {_vector(nums.prediction)}, target {_vector(nums.target)}, "
            f"{nums.loss_name} loss = {fmt(nums.loss)}"
        )
    if nums.prediction is not None:
        return f"Network {shape}{acts}\nforward propagation: prediction {_vector(nums.prediction)}"
    return f"Network {shape}{acts}"


def _vector(values) -> str:
    values = np.ravel(values)
    if values.size == 1:
        return fmt(values[0])
    if values.size > 4:
        return f"(the {values.size} output nodes)"
    return "[" + " ".join(fmt(v, 4) for v in values) + "]"


def _caption(nums: Numbers, thinned: bool = False) -> str:
    """What the colours and numbers mean; ``thinned``: some layer numbers only its
    ``TOP_EDGES`` lines with the largest slopes (or weights)."""
    text = "line width and colour: weight size and sign (blue +, red −"
    zero = any((w == 0).any() for w in nums.weights) or any(
        b is not None and (b == 0).any() for b in nums.biases
    )
    text += ", grey 0)" if zero else ")"
    if nums.values is not None:
        text += " · black: node value a"
    if nums.slopes is not None:
        text += " · purple: slopes dL/da (nodes) and dL/dw (weights)"
        if _outputs_combined(nums):
            formula = "dL/dz = a − y" if nums.outputs_a_minus_y() else "dL/dz"
            text += f"; at the outputs {formula}, the output activation's slope and the loss's in one"
    if nums.fixed is not None and any(f is not None for f in nums.fixed):
        text += " · not drawn: the weights between the networks averaged side by side (0, never trained)"
    if thinned:
        largest = "slopes" if nums.weight_slopes is not None else "weights"
        text += f" · where a layer has over {EDGE_LABELS} lines, numbers on the {TOP_EDGES} with the largest {largest}"
    return text


def _outputs_combined(nums: Numbers) -> bool:
    """Whether the output layer's activation and loss slopes come as one, dL/dz (softmax or
    sigmoid with a cross-entropy): then an output's dL/da is not what its weights' slopes use."""
    return bool(nums.combined) and nums.combined[-1]


def _node_slope(nums: Numbers, column: int, index: int) -> str | None:
    """The purple label under a node: ``dL/da``, or ``dL/dz`` for a combined output (its
    weights' slopes are node value × dL/dz); None where there is no slope."""
    if nums.slopes is None:
        return None
    if column == len(nums.values) - 1 and _outputs_combined(nums):
        return f"dL/dz {fmt(nums.loss_slopes[-1][index], 4)}"
    slope = nums.slopes[column][index]
    return f"dL/da {fmt(slope, 4)}" if np.isfinite(slope) else None


def _label(ax, x, y, text, color, size=8, **kw):
    box = {"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85}
    return ax.text(x, y, text, color=color, fontsize=size, ha="center", va="center", bbox=box, zorder=5, **kw)


#: Where along its line (0 at the source node, 1 at the target) a number may go, first
#: choice first: a weight near its source, a bias weight clear of the "… n more" above its
#: bias, a weight's slope near its target (staggered by the source's place, then moved).
#: The first few are the usual places; the rest are for crowded pictures (a 3-4-3 with biases
#: writes 62 numbers between two columns of nodes).
#: After the usual places, every hundredth of the way between them.
FINE = tuple(k / 100 for k in range(8, 92))


def _then_fine(usual: tuple, low: float, high: float) -> tuple[float, ...]:
    """The ``usual`` spots, then the ``FINE`` ones from ``low`` to ``high`` not among them."""
    return usual + tuple(t for t in FINE if low <= t <= high and t not in usual)


WEIGHT_SPOTS = _then_fine((0.22, 0.3, 0.15, 0.38, 0.45, 0.26, 0.19, 0.34, 0.11, 0.42), 0.0, 0.5)
BIAS_SPOTS = _then_fine((0.35, 0.28, 0.42, 0.22, 0.31, 0.38, 0.25, 0.46, 0.18), 0.0, 0.5)


def _slope_spots(first: float) -> tuple[float, ...]:
    steps = (0, 0.08, -0.08, 0.16, -0.16, 0.04, -0.04, 0.12, -0.12, 0.2, -0.2, 0.24, -0.24)
    return _then_fine(tuple(first + d for d in steps if 0.45 <= first + d <= 0.88), 0.45, 1.0)


def _draw_layer(ax, nums: Numbers, place: Layout, layer: int, largest: float, placer: Placer) -> bool:
    """The layer's lines and their numbers; True when only its ``TOP_EDGES`` lines carry numbers."""
    source, target = place.columns[layer], place.columns[layer + 1]
    weights, slopes = nums.weights[layer], None if nums.weight_slopes is None else nums.weight_slopes[layer]
    fixed = None if nums.fixed is None else nums.fixed[layer]  # never trained: not drawn
    edges = [(i, j, nums.weights[layer][i, j], None if slopes is None else slopes[i, j], place.position(layer, i))
             for i in source.shown for j in target.shown if fixed is None or not fixed[i, j]]  # fmt: skip
    if nums.biases[layer] is not None:
        bias_slopes = None if nums.bias_slopes is None else nums.bias_slopes[layer]
        edges += [("bias", j, nums.biases[layer][j], None if bias_slopes is None else bias_slopes[j],
                   (float(layer), source.bias_y)) for j in target.shown]  # fmt: skip
    ranked = sorted(edges, key=lambda e: -abs(e[3] if e[3] is not None else e[2]))
    labelled = {(e[0], e[1]) for e in ranked[: len(ranked) if len(ranked) <= EDGE_LABELS else TOP_EDGES]}
    lines, numbered = [], []
    thickest = max(largest, float(np.max(np.abs(weights), initial=0.0)))
    for i, j, weight, slope, (x0, y0) in edges:  # every line first, so no number sits where one crosses
        x1, y1 = place.position(layer + 1, j)
        width = 0.5 + 3.5 * abs(weight) / thickest
        style = "--" if i == "bias" else "-"
        color = POSITIVE if weight > 0 else (NEGATIVE if weight < 0 else MUTED)  # 0: no sign to show
        alpha = 0.6 if (i, j) in labelled else 0.25
        ax.plot(
            [x0, x1], [y0, y1], style, color=color, lw=width, alpha=alpha, zorder=1, solid_capstyle="round"
        )
        lines.append((x0, y0, x1, y1, width))
        if (i, j) in labelled:
            numbered.append((i, weight, slope, color, x0, y0, x1, y1))
    placer.add_lines(lines)
    for i, weight, slope, color, x0, y0, x1, y1 in numbered:
        along = _angle(ax, x0, y0, x1, y1)  # a number lies along its line, so it reads as that line's
        label = _label(ax, x0, y0, fmt(weight, 4), color, rotation=along, rotation_mode="anchor")
        placer.place(label, x0, y0, x1, y1, WEIGHT_SPOTS if i != "bias" else BIAS_SPOTS)
        if slope is not None:
            first = 0.52 + 0.09 * (source.shown.index(i) % 3 if i != "bias" else 1)
            label = _label(
                ax, x0, y0, fmt(slope, 4), SLOPE, style="italic", rotation=along, rotation_mode="anchor"
            )
            placer.place(label, x0, y0, x1, y1, _slope_spots(first))
    return len(labelled) < len(edges)


def _angle(ax, x0: float, y0: float, x1: float, y1: float) -> float:
    """The line from (x0, y0) to (x1, y1) as drawn, in degrees from the horizontal."""
    (a, b), (c, d) = ax.transData.transform([(x0, y0), (x1, y1)])
    return math.degrees(math.atan2(d - b, c - a))


def _draw_column(ax, nums: Numbers, place: Layout, column: int) -> None:
    col = place.columns[column]
    is_input = column == 0
    for index, y, name in zip(col.shown, col.y, _shown_names(col)):
        x = float(column)
        ax.scatter([x], [y], s=1000, c="#f8fafc" if is_input else "#e0e7ff", edgecolors="#334155",
                   linewidths=1.2, zorder=3)  # fmt: skip
        if is_input:
            ax.text(x - 0.2, y, name, ha="right", va="center", fontsize=NAME_SIZE, color=INK, zorder=4)
        else:
            ax.text(x, y - 0.32, name, ha="center", va="bottom", fontsize=NAME_SIZE, color=INK, zorder=4)
        if nums.values is not None:  # 4 digits where they fit in the circle, else 3 (page.node_label)
            value = fmt(nums.values[column][index], 4)
            value = value if len(value) <= 7 else node_label(nums.values[column][index])
            ax.text(x, y, value, ha="center", va="center", fontsize=8 if len(value) <= 5 else 6.5,
                    color=INK, fontweight="bold", zorder=4)  # fmt: skip
        slope = _node_slope(nums, column, index)
        if slope is not None:
            ax.text(x, y + 0.27, slope, ha="center", va="top",
                    fontsize=7.5, color=SLOPE, style="italic", zorder=4,
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85})  # fmt: skip
    if col.more:
        ax.text(column, col.more_y, f"… {col.more} more", ha="center", va="center", fontsize=8.5,
                color=MUTED, style="italic", zorder=4)  # fmt: skip
    if col.bias_y is not None:
        ax.scatter([column], [col.bias_y], s=300, marker="s", c="#fef9c3", edgecolors="#a16207", zorder=3)
        ax.text(column, col.bias_y, "1", ha="center", va="center", fontsize=8, color=INK, zorder=4)
        ax.text(column - 0.13, col.bias_y, "bias", ha="right", va="center", fontsize=8, color=MUTED, zorder=4)
