"""Forward and backward propagation through a stack of dense layers, in matrix form.

Forward: each layer turns the node values of the layer before into its own.
Backward: the chain rule, one layer at a time from the output back. For the
weight from node i to node j,

    dL/dW_ij = node value a_i  ×  slope of the activation f'(z_j)  ×  slope of the loss dL/da_j

and the slope of a node value is the sum over the weights leaving it,
dL/da_i = Σ_j W_ij · f'(z_j) · dL/da_j. Whole batches go through at once: no
Python loop over samples or nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .layers import Dense
from .losses import Loss

__all__ = ["Slopes", "Trace", "Workspace", "backward", "backward_from", "forward", "output_slopes"]


@dataclass
class Trace:
    """Every value forward propagation computed, layer by layer (0 = first hidden layer).

    ``inputs[l]``: the node values fed into layer l, ``(n, n_in)`` (``inputs[0]`` is X);
    ``node_inputs[l]``: z, the weighted sums flowing into the nodes of layer l;
    ``node_outputs[l]``: a = f(z), the node values after the activation.
    """

    inputs: list[np.ndarray] = field(default_factory=list)
    node_inputs: list[np.ndarray] = field(default_factory=list)
    node_outputs: list[np.ndarray] = field(default_factory=list)

    @property
    def output(self) -> np.ndarray:
        """The network's predictions, ``(n, n_outputs)``."""
        return self.node_outputs[-1]


@dataclass
class Slopes:
    """What backpropagation computed, layer by layer.

    ``weights[l]`` is ``(dL/dW, dL/db)`` for layer l (dL/db is None without bias);
    ``node_values[l]`` is dL/da, the slope of the loss with respect to each node's output;
    ``node_inputs[l]`` is dL/dz, the slope with respect to each node's input.
    """

    weights: list[tuple[np.ndarray, np.ndarray | None]]
    node_values: list[np.ndarray | None]
    node_inputs: list[np.ndarray]


class Workspace:
    """Preallocated arrays for one batch size, reused by every training step.

    Holds z and a for every layer (the Trace) and dL/da, dL/dz, dL/dW, dL/db (the
    Slopes), so forward and backward propagation write with ``out=`` instead of
    allocating. Build one per batch size with ``Workspace(layers, n)``.
    """

    def __init__(self, layers: list[Dense], n_samples: int):
        dtype = layers[0].weight.dtype
        self.n_samples = n_samples
        shapes = [(n_samples, layer.n_outputs) for layer in layers]
        self.node_inputs = [np.empty(shape, dtype) for shape in shapes]
        self.node_outputs = [np.empty(shape, dtype) for shape in shapes]
        self.dL_da = [np.empty(shape, dtype) for shape in shapes]
        self.dL_dz = [np.empty(shape, dtype) for shape in shapes]
        # Every weight slope is a view into one flat vector laid out like the network's
        # parameters, so the update and the divergence check are one operation each.
        sizes = [p.size for layer in layers for p in (layer.weight, layer.bias) if p is not None]
        self.flat_gradient = np.empty(sum(sizes), dtype)
        self.dL_dW, self.dL_db = [], []
        offset = 0
        for layer in layers:
            size = layer.weight.size
            self.dL_dW.append(self.flat_gradient[offset : offset + size].reshape(layer.weight.shape))
            offset += size
            if layer.bias is None:
                self.dL_db.append(None)
                continue
            self.dL_db.append(self.flat_gradient[offset : offset + layer.bias.size])
            offset += layer.bias.size
        #: A row of ones: the bias slope Σ_samples dL/dz is the product ones @ dL/dz.
        self.ones = np.ones(n_samples, dtype)
        # The Trace and Slopes handed out are reused too: each step refills their lists.
        n_layers = len(layers)
        self.trace = Trace([None] * n_layers, [None] * n_layers, [None] * n_layers)
        self.slopes = Slopes([None] * n_layers, [None] * n_layers, [None] * n_layers)


def forward(
    layers: list[Dense], X: np.ndarray, workspace: Workspace | None = None, silenced: bool = False
) -> Trace:
    """Propagate X ``(n, n_inputs)`` through every layer and keep each step.

    With a workspace, z and a are written into its buffers and the Trace returned is the
    workspace's own (refilled by the next call). ``silenced``: the caller has turned
    NumPy's overflow warnings off (training does), so activations may skip their own guards.
    """
    if workspace is not None:
        trace, z_out, a_out = workspace.trace, workspace.node_inputs, workspace.node_outputs
    else:
        n_layers = len(layers)
        trace = Trace([None] * n_layers, [None] * n_layers, [None] * n_layers)
        z_out = a_out = [None] * n_layers
    inputs, node_inputs, node_outputs = trace.inputs, trace.node_inputs, trace.node_outputs
    x = X
    for index, layer in enumerate(layers):
        inputs[index] = x
        node_inputs[index], x = layer.forward(x, z_out[index], a_out[index], silenced)
        node_outputs[index] = x
    return trace


def output_slopes(
    layers: list[Dense],
    trace: Trace,
    loss: Loss,
    y: np.ndarray,
    workspace: Workspace | None = None,
    scale: float | None = None,
):
    """Where backpropagation starts: ``(loss value, dL/da, dL/dz)`` at the output layer.

    dL/dz = slope of the loss × slope of the output activation (one fused step for
    sigmoid or softmax with cross-entropy, where dL/da is None). ``scale`` multiplies
    the slopes: training folds the learning rate in here, so every weight slope
    backpropagation then finds is already lr × dL/dW.
    """
    slope_out = delta_out = None
    if workspace is not None:
        slope_out, delta_out = workspace.dL_da[-1], workspace.dL_dz[-1]
    z, a = trace.node_inputs[-1], trace.node_outputs[-1]
    return loss.evaluate(layers[-1].activation, z, a, y, slope_out, delta_out, scale)


def backward_from(
    layers: list[Dense], trace: Trace, dL_dz: np.ndarray, workspace: Workspace | None = None
) -> Slopes:
    """The chain rule from the output layer's dL/dz back to the first layer.

    With a workspace, every slope is written into its buffers and the Slopes returned is
    the workspace's own (refilled by the next call).
    """
    n_layers = len(layers)
    ws = workspace
    if ws is not None:
        slopes = ws.slopes
        dW_out, db_out, da_out, dz_out, ones = ws.dL_dW, ws.dL_db, ws.dL_da, ws.dL_dz, ws.ones
    else:
        slopes = Slopes([None] * n_layers, [None] * n_layers, [None] * n_layers)
        dW_out = db_out = da_out = dz_out = [None] * n_layers
        ones = None
    weights, node_values, node_inputs = slopes.weights, slopes.node_values, slopes.node_inputs
    node_values[-1] = None
    for index in range(n_layers - 1, -1, -1):
        layer = layers[index]
        node_inputs[index] = dL_dz
        # × node value feeding in: dL/dW = x.T @ dL/dz (and dL/db = Σ_samples dL/dz)
        weights[index] = layer.weight_slopes(trace.inputs[index], dL_dz, dW_out[index], db_out[index], ones)
        if index == 0:
            break
        # Σ over outgoing weights of weight × slope: dL/da = dL/dz @ W.T
        dL_da = node_values[index - 1] = layer.input_slopes(dL_dz, da_out[index - 1])
        # × slope of the activation at the node: dL/dz = dL/da ⊙ f'(z)
        dL_dz = layers[index - 1].activation.backward(
            trace.node_inputs[index - 1], trace.node_outputs[index - 1], dL_da, dz_out[index - 1]
        )
    return slopes


def backward(
    layers: list[Dense], trace: Trace, loss: Loss, y: np.ndarray, workspace: Workspace | None = None
) -> Slopes:
    """Backpropagate the loss of ``trace.output`` against targets y ``(n, n_outputs)``."""
    _, dL_da, dL_dz = output_slopes(layers, trace, loss, y, workspace)
    slopes = backward_from(layers, trace, dL_dz, workspace)
    slopes.node_values[-1] = dL_da
    return slopes
