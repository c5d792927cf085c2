"""The walk-through page: one training step of one row, as a single self-contained HTML file.

``explain_html(net, x, y, loss, lr, path)`` embeds ``net.explain(x, y, loss)`` (with the
new weights w − lr × slope, see ``steps``) as JSON, the network picture as inline SVG
and the page's script and style inline: no request leaves the page, and it works opened
from ``file://``. The picture is the same ``layout`` as ``chainrule.plot.network``: a
wide layer shows the nodes its weights with the largest slopes join and a "… k more"
marker (a backward step's table says which of its rows are not drawn); every weight stays
reachable through the list and search of the summary.

Size: every weight carries three numbers (weight, slope, new weight), so a page grows with
the network. Up to ``WIDE`` weights they are shown to 6 significant digits, as the text
table prints them; beyond, to 4 (a 784-64-10 network has 50,816 weights). Data over
``PLAIN_LIMIT`` bytes are embedded deflate-compressed in base64 and opened by the
browser's own ``DecompressionStream``: a 784-64-10 page is about 540 kB instead of 1.55 MB.

Reading: the page's script keeps the picture's smallest text at 11 px or more; a picture
wider or taller than its box at that size scrolls inside the box, which follows each step.
A node shows its value to 3 significant digits (``node_label``); its details give it in
full. Every node, weight and table row opens its details by click, or by Tab and Enter.
"""

from __future__ import annotations

import base64
import html
import json
import re
import zlib
from importlib import resources

import numpy as np

from .._validation import positive_number
from .layout import Layout, input_names_of, layout
from .names import node_label, short_names
from .records import Numbers
from .steps import page_data

__all__ = [
    "explain_html",
    "page_svg",
    "node_label",
    "html_document",
    "embedded",
    "digits_for",
    "WIDE",
    "PLAIN_LIMIT",
]

DX, DY, MARGIN_X, MARGIN_Y = 175, 110, 90, 60  # px between columns and rows; margins
RADIUS, BIAS = 29, 13  # a node's radius; half the side of a bias node's square
WIDE = 10_000  # weights (biases included) beyond which numbers show 4 significant digits
PLAIN_LIMIT = 100_000  # bytes of JSON beyond which the data are embedded compressed


def digits_for(n_weights: int) -> int:
    """Significant digits a page shows: 6, or 4 for a network of more than ``WIDE`` weights."""
    return 6 if n_weights <= WIDE else 4


def explain_html(
    net, x, y, loss="mse", lr=0.01, path=None, *, input_names=None, fixed=None, note=None
) -> str:
    """One training step for the row ``x`` with target ``y``, as a self-contained HTML page.

    The page steps through forward propagation node by node (the weighted sum written out
    with its numbers, then the activation), the loss, and backpropagation layer by layer
    (node value × activation slope × loss slope = slope; weight − lr × slope = new
    weight; each node's slope as the sum over its outgoing weights), with next, previous
    and play buttons, the arrow keys, details of any node, weight or row (clicked, or
    reached with Tab and opened with Enter or Space), and a final
    list of every weight's slope and update. Input names default to the model's
    preprocessed features. ``fixed`` marks weights that are not trained (``explain``'s): the
    page leaves them out of its picture, lists and counts. ``note`` says, under the title, what
    the numbers are (``chainrule explain`` gives the row's note). Returns the HTML; writes it
    to ``path`` too when given.
    """
    lr = positive_number(lr, "lr")  # NumPy's scalars too (np.float32(0.1))
    names = input_names_of(net, input_names)
    explanation = net.explain(x, y, loss, input_names=names, fixed=fixed)
    nums = Numbers.from_explanation(explanation, [layer.activation.name for layer in net.layers])
    n_weights = sum(w.size + (0 if b is None else b.size) for w, b in zip(nums.weights, nums.biases))
    place = layout(nums)  # one layout for the picture and for the steps that name its nodes
    data = page_data(nums, float(lr), digits_for(n_weights), place)
    shape = "-".join(str(s) for s in net.sizes)
    text = html_document(f"One training step · network {shape}", data, page_svg(nums, place), note)
    if path is not None:
        from ..safefile import atomic_write

        atomic_write(path, text.encode("utf-8"))
    return text


def _asset(name: str) -> str:
    return resources.files("chainrule.see").joinpath(name).read_text(encoding="utf-8")


def embedded(data: dict) -> str:
    """``data`` as the page's data element: JSON, or deflate + base64 beyond ``PLAIN_LIMIT`` bytes."""
    payload = json.dumps(data, separators=(",", ":"), allow_nan=False)
    if len(payload) <= PLAIN_LIMIT:
        safe = payload.replace("</", "<\\/")
        return f'<script id="data" type="application/json">{safe}</script>'
    packed = base64.b64encode(zlib.compress(payload.encode("utf-8"), 9)).decode("ascii")
    return (
        f'<script id="data" type="application/octet-stream" data-encoding="deflate-base64">{packed}</script>'
    )


def _unbroken(text: str) -> str:
    """``text`` with each run of hyphenated digits (a network's shape, 4-5-4-3-2) kept on one
    line: a phone breaks a heading after a hyphen."""
    return re.sub(r"\d+(?:-\d+)+", lambda m: f'<span class="shape">{m[0]}</span>', text)


def html_document(title: str, data: dict, svg: str, note: str | None = None) -> str:
    """The page: style, picture, panels and script, with ``data`` inline (see ``embedded``);
    ``note``, what the numbers are (the row, the standardising, an ensemble), under the title."""
    digits = data.get("digits", 6)
    about = f'<p id="about" class="note">{html.escape(note)}</p>' if note else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>{html.escape(title)}</title>
<style>{_asset("page.css")}</style></head>
<body>
<header><a id="skip" href="#controls">skip the picture: go to the step buttons</a>
<h1>{_unbroken(html.escape(title))}</h1><p id="headline"></p>{about}</header>
<main>
<section id="picture"><div id="view">{svg}</div>
<p id="legend" class="note">Lines: blue a positive weight, red a negative one, thicker the larger; dashed the biases.
Purple: slopes (dL/da under a node). Click a line or a node for its numbers.</p>
<p id="larger" class="note" hidden>The picture is larger than its box: scroll it to see the rest.</p></section>
<section id="side">
<nav id="controls"><button id="prev" title="previous (←)">◀ previous</button>
<button id="play" title="play / pause (space)">▶ play</button>
<button id="next" title="next (→)">next ▶</button>
<button id="summary" title="every weight (End)">every weight</button>
<span id="step-count"></span></nav>
<h2 id="step-title" tabindex="-1"></h2>
<div id="panel"><noscript><p>This page lays out its numbers with JavaScript, which is off here:
open it in a browser with JavaScript on (from disk is fine; it loads nothing).</p></noscript></div>
<div id="detail" hidden aria-live="polite"></div>
</section>
</main>
<footer>chainrule: numbers from <code>net.explain</code>, shown to {digits} significant digits (a weight and its new weight to as many as show the update; 3 inside a node) · click a node, weight or row, or Tab to it and press Enter, for its numbers</footer>
{embedded(data)}
<script>{_asset("page_fit.js")}</script>
<script>{_asset("page.js")}</script>
</body></html>
"""


def _trimmed(x0: float, y0: float, x1: float, y1: float, start: float, end: float) -> tuple[float, ...]:
    """The line from (x0, y0) to (x1, y1) without its first ``start`` and last ``end`` px:
    an edge stops at the rim of its nodes, so no line is drawn over a node."""
    length = max(float(np.hypot(x1 - x0, y1 - y0)), 1e-9)
    ux, uy = (x1 - x0) / length, (y1 - y0) / length
    return x0 + start * ux, y0 + start * uy, x1 - end * ux, y1 - end * uy


def page_svg(nums: Numbers, place: Layout) -> str:
    """The network as inline SVG: every node and weight focusable and clickable, labelled by
    data attributes and named for screen readers.

    Column by column, the nodes come before the weights leaving them, so Tab reads the
    network in the order of forward propagation; an edge ends at the rim of its nodes, so
    drawing it after its source node covers nothing, and the labels outside the nodes
    (names, slopes) are drawn last, over the lines.
    """
    # The input names end 36 px left of their nodes: the left margin holds the widest one,
    # at a generous 0.62 em a character of the page's 13 px sans-serif.
    names = short_names([place.columns[0].names[index] for index in place.columns[0].shown])
    left = max([MARGIN_X] + [36 + 8 + 0.62 * 13 * len(name) for name in names])
    width = left + MARGIN_X + DX * (len(place.columns) - 1)
    height = 2 * MARGIN_Y + DY * place.height

    def xy(column: int, y: float) -> tuple[float, float]:
        return left + DX * column, MARGIN_Y + DY * y

    largest = max([float(np.max(np.abs(w), initial=0.0)) for w in nums.weights] + [1e-12])
    parts = [
        f'<svg id="net" viewBox="0 0 {width:.0f} {height:.0f}" xmlns="http://www.w3.org/2000/svg" '
        'role="group" aria-label="the network: Tab to a node or weight, Enter shows its numbers">'
    ]
    labels = []  # names, slopes and "… k more" markers: drawn last, over every line
    for c, col in enumerate(place.columns):
        parts += _nodes(nums, c, col, xy, labels)
        if c + 1 < len(place.columns):
            parts += _edges(nums, c, col, place.columns[c + 1], xy, largest)
    parts.append(f'<g class="labels" aria-hidden="true">{"".join(labels)}</g></svg>')
    return "".join(parts)


def _nodes(nums: Numbers, c: int, col, xy, labels: list[str]) -> list[str]:
    """Column ``c``'s nodes (and its bias node); their names, slopes and marker go to ``labels``."""
    parts = []
    shorts = short_names([col.names[index] for index in col.shown])
    for index, y, short in zip(col.shown, col.y, shorts):
        x0, y0 = xy(c, y)
        name = col.names[index]
        short = html.escape(short)
        ids = f'data-column="{c}" data-node="{index}"'
        labels.append(
            f'<text class="name" {ids} x="{x0 - 36:.1f}" y="{y0 + 4:.1f}" text-anchor="end">{short}</text>'
            if c == 0
            else f'<text class="name" {ids} x="{x0:.1f}" y="{y0 - 35:.1f}" text-anchor="middle">{short}</text>'
        )
        labels.append(
            f'<text class="slope" {ids} x="{x0:.1f}" y="{y0 + 45:.1f}" text-anchor="middle"></text>'
        )
        label = html.escape(node_label(nums.values[c][index]), quote=True)
        parts.append(
            f'<g class="node{" input" if c == 0 else ""}" {ids} '
            f'tabindex="0" role="button" aria-label="{html.escape(name, quote=True)}">'
            f'<title>{html.escape(name)}</title><circle cx="{x0:.1f}" cy="{y0:.1f}" r="{RADIUS}"/>'
            f'<text class="val" x="{x0:.1f}" y="{y0 + 4:.1f}" text-anchor="middle" data-label="{label}"></text></g>'
        )
    if col.more:
        x0, y0 = xy(c, col.more_y)
        labels.append(
            f'<text class="more" x="{x0:.1f}" y="{y0 + 4:.1f}" text-anchor="middle">… {col.more} more</text>'
        )
    if col.bias_y is not None:
        x0, y0 = xy(c, col.bias_y)
        parts.append(
            f'<g class="node biasnode" data-column="{c}" data-node="-1" tabindex="0" role="button" '
            f'aria-label="bias node (value 1)"><rect x="{x0 - BIAS:.1f}" y="{y0 - BIAS:.1f}" '
            f'width="{2 * BIAS}" height="{2 * BIAS}"/>'
            f'<text x="{x0:.1f}" y="{y0 + 5:.1f}" text-anchor="middle">1</text></g>'
        )
        labels.append(f'<text class="name" x="{x0 - 22:.1f}" y="{y0 + 5:.1f}" text-anchor="end">bias</text>')
    return parts


def _edges(nums: Numbers, c: int, col, target, xy, largest: float) -> list[str]:
    """The weights from column ``c`` into the next (``target``), each from rim to rim."""
    starts = [(i, col.y[k]) for k, i in enumerate(col.shown)]
    if nums.biases[c] is not None:
        starts.append((-1, col.bias_y))
    parts = []
    fixed = None if nums.fixed is None else nums.fixed[c]  # never trained (an ensemble's): not drawn
    for i, ys in starts:
        source = col.names[i] if i >= 0 else "the bias"
        for j, yt in zip(target.shown, target.y):
            if fixed is not None and i >= 0 and fixed[i, j]:
                continue
            weight = nums.biases[c][j] if i < 0 else nums.weights[c][i, j]
            (x0, y0), (x1, y1) = xy(c, ys), xy(c + 1, yt)
            # a circle's rim is RADIUS away; a square's, along the line, BIAS / max(|cos|, |sin|)
            rim = RADIUS if i >= 0 else BIAS * np.hypot(x1 - x0, y1 - y0) / max(abs(x1 - x0), abs(y1 - y0))
            x0, y0, x1, y1 = _trimmed(x0, y0, x1, y1, rim, RADIUS)
            sign = "pos" if weight > 0 else ("neg" if weight < 0 else "zero")
            ends = f'x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}"'
            named = html.escape(f"weight from {source} to {target.names[j]}", quote=True)
            parts.append(
                f'<g class="edge {sign}{" bias" if i < 0 else ""}" data-layer="{c}" data-i="{i}" data-j="{j}" '
                f'tabindex="0" role="button" aria-label="{named}">'
                f'<line {ends} stroke-width="{0.8 + 4.5 * abs(weight) / largest:.2f}"/>'
                f'<line class="hit" {ends}/></g>'
            )
    return parts
