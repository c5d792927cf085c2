"""How chainrule's objects show themselves in Jupyter: a Network as its picture, a History as
its loss curves, an Explanation as its picture over the factor table.

Each function returns None when matplotlib is missing, so Jupyter falls back to the text
form (``repr``/``str``) rather than failing.
"""

from __future__ import annotations

import base64
import html

import numpy as np

from .names import source_label
from .pyplot import figure_png

__all__ = ["figure_png", "network_png", "history_png", "explanation_html", "factor_table_html"]

TABLE_ROWS = 200


def _matplotlib_ready() -> bool:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def network_png(net) -> bytes | None:
    """The architecture picture of ``net`` as PNG (None without matplotlib)."""
    if not _matplotlib_ready():
        return None
    from .network_picture import network

    return figure_png(network(net))


def history_png(history) -> bytes | None:
    """The loss curves of ``history`` as PNG (None without matplotlib or without epochs)."""
    if not _matplotlib_ready() or not history.epoch:
        return None
    from .curves import loss_figure

    return figure_png(loss_figure(history))


def explanation_html(explanation) -> str:
    """The picture of the explained step (when matplotlib is there) above the factor table."""
    picture = ""
    if _matplotlib_ready():
        from .network_picture import draw
        from .records import Numbers

        png = figure_png(draw(Numbers.from_explanation(explanation)))
        picture = f'<img alt="network picture" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
    return f"<div>{picture}{factor_table_html(explanation)}</div>"


def _cell(value) -> str:
    return "" if value is None else f"{float(value) + 0.0:.6g}"


def factor_table_html(explanation) -> str:
    """The text form's two tables as HTML; wide networks keep the largest slopes' rows."""
    records = explanation.weights
    note = ""
    if len(records) > TABLE_ROWS:
        order = np.argsort([-abs(r.slope) for r in records], kind="stable")[:TABLE_ROWS]
        records = [records[i] for i in sorted(order)]
        note = f"<p>the {TABLE_ROWS} weights with the largest slopes of {len(explanation.weights)}</p>"
    head = (
        f"<p>prediction {html.escape(str(np.round(explanation.prediction, 6)))}, target "
        f"{html.escape(str(explanation.target))}, {html.escape(explanation.loss_name)} loss "
        f"{_cell(explanation.loss)}</p><p>slope of each weight = node value × activation slope × loss slope</p>"
    )
    rows = "".join(
        f"<tr><td>{r.layer}</td><td>{html.escape(source_label(r))} → {html.escape(r.target)}</td><td>{_cell(r.weight)}</td>"
        f"<td>{_cell(r.node_value)}</td><td>{_cell(r.activation_slope)}{'*' if r.combined else ''}</td>"
        f"<td>{_cell(r.loss_slope)}</td><td>{_cell(r.slope)}</td></tr>"
        for r in records
    )
    weights = (
        "<table><tr><th>layer</th><th>weight</th><th>value</th><th>node value</th><th>act. slope</th>"
        f"<th>loss slope</th><th>slope</th></tr>{rows}</table>"
    )
    node_rows = "".join(
        f"<tr><td>{html.escape(n.name)}</td><td>{_cell(n.node_input)}</td><td>{_cell(n.value)}</td>"
        f"<td>{_cell(n.slope)}</td></tr>"
        for n in explanation.nodes[: TABLE_ROWS * 2]
    )
    nodes = (
        "<table><tr><th>node</th><th>input z</th><th>value a</th><th>slope dL/da</th></tr>"
        f"{node_rows}</table>"
    )
    return head + note + weights + nodes
