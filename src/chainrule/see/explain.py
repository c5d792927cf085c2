"""The chain rule laid out for one sample: every weight's slope as a product of three numbers.

For the weight from node i into node j (the course's three factors):

    slope = node_value (a_i, the value feeding in)
          × activation_slope (f'(z_j), at the node it feeds into)
          × loss_slope (dL/da_j, the slope of the loss with respect to that node's output)

and each node's own slope is the sum over the weights coming out of it,
dL/da_i = Σ_j W_ij · f'(z_j) · dL/da_j. With a softmax output (or a
cross-entropy fused with its sigmoid), the output nodes' two slopes are
reported combined: ``activation_slope`` is 1 and ``loss_slope`` is dL/dz, and
``combined`` says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from .names import node_name, source_label

__all__ = ["WeightRecord", "NodeRecord", "Explanation", "explain", "node_name"]


@dataclass(frozen=True)
class WeightRecord:
    """One weight (or bias: ``is_bias``, source ``"bias"`` and node value 1) and its slope.

    ``is_bias`` tells a bias from the weight of an input that is itself named "bias";
    ``fixed`` a weight that is not trained (see ``explain``'s ``fixed``)."""

    layer: int
    source: str
    target: str
    weight: float
    node_value: float
    activation_slope: float
    loss_slope: float
    slope: float
    combined: bool = False
    is_bias: bool = False
    #: A weight that is not a parameter: 0, and never trained (between two networks an
    #: ensemble holds side by side); its slope is 0, whatever the three factors give.
    fixed: bool = False


@dataclass(frozen=True)
class NodeRecord:
    """One node: its input z (None for input nodes), its value a and its slope dL/da."""

    name: str
    layer: int  # -1 for input nodes, then 0, 1, ... (the last is the output layer)
    node_input: float | None
    value: float
    slope: float | None


@dataclass
class Explanation:
    """The result of ``Network.explain``: records for every weight and every node."""

    weights: list[WeightRecord]
    nodes: list[NodeRecord]
    prediction: np.ndarray
    target: np.ndarray
    loss: float
    loss_name: str

    def to_dict(self) -> dict:
        """Plain data (for JSON, pictures and the interactive page)."""
        return {
            "loss": self.loss,
            "loss_name": self.loss_name,
            "prediction": self.prediction.tolist(),
            "target": self.target.tolist(),
            "weights": [asdict(record) for record in self.weights],
            "nodes": [asdict(record) for record in self.nodes],
        }

    def _repr_html_(self) -> str:
        """Jupyter shows the picture of this step above the factor table."""
        from .notebook import explanation_html

        return explanation_html(self)

    def __str__(self) -> str:
        lines = [
            f"prediction {_fmt_vector(self.prediction)}, target {_fmt_vector(self.target)}, "
            f"{self.loss_name} loss {self.loss:.6g}",
            "",
            "slope of each weight = node value × activation slope × loss slope",
        ]
        header = ("layer", "weight", "value", "node value", "act. slope", "loss slope", "slope")
        rows = [
            (
                str(r.layer),
                f"{source_label(r)} → {r.target}",
                _fmt(r.weight),
                _fmt(r.node_value),
                _fmt(r.activation_slope) + ("*" if r.combined else ""),
                _fmt(r.loss_slope),
                _fmt(r.slope),
            )
            for r in self.weights
            if not r.fixed
        ]
        lines += _table(header, rows)
        fixed = sum(r.fixed for r in self.weights)
        if fixed:
            lines.append(
                f"{fixed} weights between the networks averaged side by side are 0 and never trained: not listed"
            )
        if any(r.combined for r in self.weights):
            lines.append("* output slopes combined: loss slope is dL/dz (activation and loss together)")
        lines += [
            "",
            "slope of each node value = Σ over its outgoing weights of weight × slope at the node fed",
        ]
        node_rows = [
            (
                n.name,
                _fmt(n.node_input) if n.node_input is not None else "",
                _fmt(n.value),
                "" if n.slope is None else _fmt(n.slope),
            )
            for n in self.nodes
        ]
        lines += _table(("node", "input z", "value a", "slope dL/da"), node_rows)
        return "\n".join(lines)


def explain(network, x, y, loss="mse", input_names=None, fixed=None) -> Explanation:
    """Backpropagate one sample and lay out each weight's slope as the chain rule builds it.

    ``fixed``: per layer, None or a boolean ``(n_in, n_out)`` array marking the weights that
    are not parameters (``workflow.ensemble.fixed_weights``: between two networks held side
    by side, always 0); their records say so and have slope 0, as training leaves them."""
    loss_fn = network.loss_function(loss)
    if input_names is not None and len(input_names) != network.n_inputs:
        raise ValueError(
            f"input_names has {len(input_names)} names, the network has {network.n_inputs} inputs"
        )
    X, _ = network.inputs(x, "x")
    if X.shape[0] != 1:
        raise ValueError(f"x must be one sample, got {X.shape[0]} rows; explain one row at a time")
    shapes = [layer.weight.shape for layer in network.layers]
    if fixed is not None and (
        len(fixed) != len(shapes) or any(f is not None and np.shape(f) != s for f, s in zip(fixed, shapes))
    ):
        raise ValueError(f"fixed must hold one mask (or None) per layer, shaped as its weights {shapes}")
    X = X.astype(np.float64)
    net = network.astype(np.float64) if network.dtype != np.float64 else network
    targets = net.targets(y, 1, loss_fn)
    trace, slopes = net.backprop(X, targets, loss_fn)
    layers = net.layers
    n_layers, n_outputs = len(layers), net.n_outputs

    # The output layer's slopes: apart (activation slope and loss slope) when the
    # activation acts node by node and the loss gives dL/da; combined (dL/dz) otherwise.
    activation_slopes, loss_slopes = [], []
    for index, layer in enumerate(layers):
        z, a = trace.node_inputs[index], trace.node_outputs[index]
        dL_da = slopes.node_values[index]
        if dL_da is None:
            dL_da = _loss_slope(loss_fn, a, targets)
            slopes.node_values[index] = dL_da
        combined = index == n_layers - 1 and (not layer.activation.elementwise or dL_da is None)
        if combined:
            activation_slopes.append(None)
            loss_slopes.append(slopes.node_inputs[index][0])
        else:
            activation_slopes.append(layer.activation.slope(z, a)[0])
            loss_slopes.append(dL_da[0])

    records = []
    for index, layer in enumerate(layers):
        combined = activation_slopes[index] is None
        act = np.ones(layer.n_outputs) if combined else activation_slopes[index]
        values = trace.inputs[index][0]
        dW, db = slopes.weights[index]
        frozen = fixed[index] if fixed is not None and fixed[index] is not None else None
        if frozen is not None:
            dW = np.where(frozen, 0.0, dW)
        for i in range(layer.n_inputs):
            for j in range(layer.n_outputs):
                records.append(
                    WeightRecord(
                        layer=index,
                        source=node_name(index - 1, i, n_layers, n_outputs, input_names),
                        target=node_name(index, j, n_layers, n_outputs),
                        weight=float(layer.weight[i, j]),
                        node_value=float(values[i]),
                        activation_slope=float(act[j]),
                        loss_slope=float(loss_slopes[index][j]),
                        slope=float(dW[i, j]),
                        combined=combined,
                        fixed=bool(frozen is not None and frozen[i, j]),
                    )
                )
        if layer.bias is not None:
            for j in range(layer.n_outputs):
                records.append(
                    WeightRecord(
                        layer=index,
                        source="bias",
                        target=node_name(index, j, n_layers, n_outputs),
                        weight=float(layer.bias[j]),
                        node_value=1.0,
                        activation_slope=float(act[j]),
                        loss_slope=float(loss_slopes[index][j]),
                        slope=float(db[j]),
                        combined=combined,
                        is_bias=True,
                    )
                )

    input_slopes = layers[0].input_slopes(slopes.node_inputs[0])[0]
    nodes = [
        NodeRecord(
            node_name(-1, i, n_layers, n_outputs, input_names),
            -1,
            None,
            float(X[0, i]),
            float(input_slopes[i]),
        )
        for i in range(net.n_inputs)
    ]
    for index, layer in enumerate(layers):
        dL_da = slopes.node_values[index]
        for j in range(layer.n_outputs):
            nodes.append(
                NodeRecord(
                    name=node_name(index, j, n_layers, n_outputs),
                    layer=index,
                    node_input=float(trace.node_inputs[index][0, j]),
                    value=float(trace.node_outputs[index][0, j]),
                    slope=None if dL_da is None else float(dL_da[0, j]),
                )
            )
    loss_value = loss_fn.value(trace.node_inputs[-1], trace.output, targets)
    return Explanation(records, nodes, trace.output[0].copy(), targets[0].copy(), loss_value, loss_fn.name)


def _loss_slope(loss_fn, a: np.ndarray, targets: np.ndarray) -> np.ndarray | None:
    """dL/da where it is finite (a cross-entropy's is not where a sigmoid saturates)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        dL_da = loss_fn.slope(a, targets)
    return dL_da if np.isfinite(dL_da).all() else None


def _fmt(value: float) -> str:
    return f"{value + 0.0:.6g}"


def _fmt_vector(values: np.ndarray) -> str:
    return "[" + " ".join(_fmt(float(v)) for v in np.ravel(values)) + "]"


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(h), *(len(r[c]) for r in rows)) if rows else len(h) for c, h in enumerate(header)]
    line = "  ".join(h.rjust(w) for h, w in zip(header, widths))
    out = [line, "-" * len(line)]
    out += ["  ".join(cell.rjust(w) for cell, w in zip(row, widths)) for row in rows]
    return out
