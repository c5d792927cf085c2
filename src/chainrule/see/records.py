"""The numbers a picture or page shows, gathered per layer from ``explain``'s records.

``Numbers.from_explanation`` turns an ``Explanation`` (one record per weight and per
node) back into arrays per column: node values, node inputs, slopes dL/da, and per
layer the weights, their slopes and the two factors at each node fed. Nothing is
recomputed: every number is one ``explain`` (or ``Network.forward``) produced.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .layout import node_names

__all__ = ["Numbers", "numbers"]


@dataclass
class Numbers:
    """Per column c (0 = inputs): ``names[c]``, ``values[c]`` (a), ``node_inputs[c]`` (z),
    ``slopes[c]`` (dL/da, NaN where explain gives none); per layer l (feeding column l + 1):
    ``weights[l]`` (n_in, n_out), ``biases[l]``, ``weight_slopes[l]``, ``bias_slopes[l]``,
    ``activation_slopes[l]`` and ``loss_slopes[l]`` (per node fed), ``combined[l]``."""

    names: list[list[str]]
    weights: list[np.ndarray]
    biases: list[np.ndarray | None]
    activations: list[str] | None = None
    values: list[np.ndarray] | None = None
    node_inputs: list[np.ndarray | None] | None = None
    slopes: list[np.ndarray] | None = None
    weight_slopes: list[np.ndarray] | None = None
    bias_slopes: list[np.ndarray | None] | None = None
    activation_slopes: list[np.ndarray] | None = None
    loss_slopes: list[np.ndarray] | None = None
    combined: list[bool] | None = None
    loss: float | None = None
    loss_name: str | None = None
    prediction: np.ndarray | None = None
    target: np.ndarray | None = None
    #: Per layer, None or where the weights are fixed at 0, never trained (``explain``'s ``fixed``).
    fixed: list[np.ndarray | None] | None = None

    @property
    def sizes(self) -> list[int]:
        return [len(names) for names in self.names]

    def outputs_a_minus_y(self) -> bool:
        """Whether the combined output slopes dL/dz are a − y, node by node (softmax with
        cross-entropy, one sigmoid output with binary cross-entropy); checked on the numbers,
        not assumed from the names: a mean over k outputs, for one, gives (a − y) / k."""
        if not (self.combined and self.combined[-1]) or self.prediction is None or self.target is None:
            return False
        a = np.asarray(self.prediction, dtype=np.float64).ravel()
        y = np.asarray(self.target, dtype=np.float64).ravel()
        if y.size == 1 and a.size > 1:  # a class index
            if y[0] != int(y[0]) or not 0 <= y[0] < a.size:
                return False
            y = np.eye(a.size)[int(y[0])]
        slopes = np.asarray(self.loss_slopes[-1], dtype=np.float64).ravel()
        return y.size == a.size == slopes.size and np.allclose(slopes, a - y, rtol=1e-5, atol=1e-9)

    @classmethod
    def from_explanation(cls, explanation, activations: list[str] | None = None) -> Numbers:
        """Arrays per column and per layer from an Explanation's records."""
        n_layers = max(node.layer for node in explanation.nodes) + 1
        columns = [[n for n in explanation.nodes if n.layer == c - 1] for c in range(n_layers + 1)]
        nan = float("nan")
        out = cls(
            names=[[n.name for n in col] for col in columns],
            weights=[],
            biases=[],
            activations=activations,
            values=[np.array([n.value for n in col]) for col in columns],
            node_inputs=[None] + [np.array([n.node_input for n in col]) for col in columns[1:]],
            slopes=[np.array([nan if n.slope is None else n.slope for n in col]) for col in columns],
            weight_slopes=[],
            bias_slopes=[],
            activation_slopes=[],
            loss_slopes=[],
            combined=[],
            fixed=[],
            loss=explanation.loss,
            loss_name=explanation.loss_name,
            prediction=np.asarray(explanation.prediction),
            target=np.asarray(explanation.target),
        )
        for layer in range(n_layers):
            shape = (len(columns[layer]), len(columns[layer + 1]))
            records = [r for r in explanation.weights if r.layer == layer]
            plain = [r for r in records if not r.is_bias]
            bias = [r for r in records if r.is_bias]
            out.weights.append(np.array([r.weight for r in plain]).reshape(shape))
            out.weight_slopes.append(np.array([r.slope for r in plain]).reshape(shape))
            out.biases.append(np.array([r.weight for r in bias]) if bias else None)
            out.bias_slopes.append(np.array([r.slope for r in bias]) if bias else None)
            firsts = plain[: shape[1]]  # the records from source 0 carry each target's two factors
            out.activation_slopes.append(np.array([r.activation_slope for r in firsts]))
            out.loss_slopes.append(np.array([r.loss_slope for r in firsts]))
            out.combined.append(bool(firsts and firsts[0].combined))
            frozen = np.array([r.fixed for r in plain], dtype=bool).reshape(shape)
            out.fixed.append(frozen if frozen.any() else None)
        return out


def numbers(net, x=None, y=None, loss="mse", input_names=None, fixed=None) -> Numbers:
    """What to draw for ``net``: its weights; with ``x`` the forward values; with ``y`` explain's
    slopes (``fixed``: the weights that are not trained, as ``explain`` takes them)."""
    from .layout import input_names_of

    names = input_names_of(net, input_names)
    activations = [layer.activation.name for layer in net.layers]
    if y is not None:
        if x is None:
            raise ValueError("y needs x: pass the sample x whose target y is")
        return Numbers.from_explanation(net.explain(x, y, loss, input_names=names, fixed=fixed), activations)
    out = Numbers(
        names=node_names(net, names),
        weights=[np.asarray(layer.weight, dtype=np.float64) for layer in net.layers],
        biases=[
            None if layer.bias is None else np.asarray(layer.bias, dtype=np.float64) for layer in net.layers
        ],
        activations=activations,
    )
    if fixed is not None and any(f is not None and np.any(f) for f in fixed):  # not drawn
        out.fixed = [None if f is None or not np.any(f) else np.asarray(f, dtype=bool) for f in fixed]
    if x is not None:
        X, _ = net.inputs(x, "x")
        if X.shape[0] != 1:
            raise ValueError(f"x must be one sample, got {X.shape[0]} rows; draw one row at a time")
        trace = net.forward(X)
        out.values = [np.asarray(X[0], dtype=np.float64)]
        out.values += [np.asarray(a[0], dtype=np.float64) for a in trace.node_outputs]
        out.node_inputs = [None] + [np.asarray(z[0], dtype=np.float64) for z in trace.node_inputs]
        out.prediction = np.asarray(trace.output[0], dtype=np.float64)
    return out
