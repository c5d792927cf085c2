"""Node names in the course's style, and the short texts a picture writes in a node, shared by
``explain``, the pictures and the page."""

from __future__ import annotations

import numpy as np

__all__ = ["node_label", "node_name", "short_name", "short_names", "source_label"]

#: Names longer than this are cut, with "…", where a picture labels its nodes.
SHORT_NAME = 18


def node_name(layer: int, index: int, n_layers: int, n_outputs: int, input_names=None) -> str:
    """Node names in the course's style: input_<i>, node_<layer>_<i>, output (or output_<i>)."""
    if layer < 0:
        return str(input_names[index]) if input_names is not None else f"input_{index}"
    if layer == n_layers - 1:
        return "output" if n_outputs == 1 else f"output_{index}"
    return f"node_{layer}_{index}"


def short_name(name: str) -> str:
    """``name`` as a picture labels a node: at most SHORT_NAME characters, the last one "…"."""
    return name if len(name) <= SHORT_NAME else name[: SHORT_NAME - 1] + "…"


def short_names(names) -> list[str]:
    """``names`` (one column's) as a picture labels them: each ``short_name``, except that
    names which would come out the same are cut another way (``_cuts``), the first way that
    tells them apart: a category's one-hot input keeps its whole value
    (``customer_s…=retail``, ``custome…=wholesale``, where both would be
    ``customer_segment=…``), or the beginning of a long one (``sal…=north-east m…``), or
    else a name keeps its last characters."""
    names = [str(name) for name in names]
    shorts = [short_name(name) for name in names]
    groups: dict[str, list[int]] = {}
    for index, short in enumerate(shorts):
        groups.setdefault(short, []).append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        cuts = [_cuts(names[index]) for index in members]
        labels = [ways[0] for ways in cuts]
        if len(set(labels)) < len(labels):  # the better cuts still meet: the ends
            labels = [ways[-1] for ways in cuts]
        for index, label in zip(members, labels):
            shorts[index] = label
    return shorts


def _cuts(name: str) -> list[str]:
    """Ways to cut ``name`` to SHORT_NAME characters keeping more than its beginning, the
    better first: a category's whole ``=value`` after 4 or more characters of its column, or
    for a long value 3 of the column and the value's beginning; then the name's beginning
    and its last SHORT_NAME // 2 characters."""
    end = name[: SHORT_NAME - 1 - SHORT_NAME // 2] + "…" + name[-(SHORT_NAME // 2) :]
    if "=" not in name:
        return [end]
    value = "=" + name.rsplit("=", 1)[1]
    if len(value) <= SHORT_NAME - 5:
        return [name[: SHORT_NAME - 1 - len(value)] + "…" + value, end]
    return [name[:3] + "…" + value[: SHORT_NAME - 5] + "…", end]


def source_label(record) -> str:
    """A weight record's source (``explain.WeightRecord``) as a reader should see it: ``bias``
    for a bias, and an input that is itself named "bias" as ``input 'bias'``, so the two differ."""
    if record.source == "bias" and not record.is_bias:
        return "input 'bias'"
    return record.source


def node_label(value) -> str:
    """``value`` as written inside its node: 3 significant digits, at most 8 characters.

    The circle holds a short label (``-0.0379``, ``126``, ``12346``, ``-0.00123``, ``1.2e-5``,
    ``-2.5e7``); the full value, to the page's digits, is in the node's details, its tooltip
    and its name for screen readers.
    """
    value = float(value)
    if not np.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    size = abs(value)
    if 1e-3 <= size < 1e3:
        text = f"{value:.3g}"
        if "e" not in text:  # 999.7 rounds to 1e+03, written below as 1000
            return text
    if 1e-3 <= size < 1e5:
        return f"{value:.0f}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}e{int(exponent)}"
