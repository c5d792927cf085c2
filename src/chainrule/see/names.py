"""Node names in the course's style, shared by ``explain`` and the pictures."""

from __future__ import annotations

__all__ = ["node_name", "short_name", "source_label"]

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


def source_label(record) -> str:
    """A weight record's source (``explain.WeightRecord``) as a reader should see it: ``bias``
    for a bias, and an input that is itself named "bias" as ``input 'bias'``, so the two differ."""
    if record.source == "bias" and not record.is_bias:
        return "input 'bias'"
    return record.source
