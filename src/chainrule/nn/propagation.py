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

__all__ = ["Slopes", "Trace", "backward", "backward_from", "forward"]


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

    ``weights[l]`` is ``(dL_dW, dL_db)`` for layer l (dL_db is None without bias);
    ``dL_da[l]`` is the slope of the loss with respect to each node's output a;
    ``dL_dz[l]`` is the slope with respect to each node's input z. (``dL_da`` of the
    output layer is None when a cross-entropy goes straight to dL/dz.)
    """

    weights: list[tuple[np.ndarray, np.ndarray | None]]
    dL_da: list[np.ndarray | None]
    dL_dz: list[np.ndarray]

    @property
    def node_values(self) -> list[np.ndarray | None]:
        """The earlier name of ``dL_da``."""
        return self.dL_da

    @property
    def node_inputs(self) -> list[np.ndarray]:
        """The earlier name of ``dL_dz``."""
        return self.dL_dz


def forward(layers: list[Dense], X: np.ndarray) -> Trace:
    """Propagate X ``(n, n_inputs)`` through every layer and keep each step."""
    trace = Trace()
    x = X
    for layer in layers:
        z, a = layer.forward(x)
        trace.inputs.append(x)
        trace.node_inputs.append(z)
        trace.node_outputs.append(a)
        x = a
    return trace


def backward_from(layers: list[Dense], trace: Trace, dL_dz: np.ndarray) -> Slopes:
    """The chain rule from the output layer's dL/dz back to the first layer."""
    n_layers = len(layers)
    slopes = Slopes([None] * n_layers, [None] * n_layers, [None] * n_layers)
    for index in range(n_layers - 1, -1, -1):
        layer = layers[index]
        slopes.dL_dz[index] = dL_dz
        # × node value feeding in: dL/dW = xᵀ @ dL/dz (and dL/db = 1ᵀ @ dL/dz)
        slopes.weights[index] = layer.weight_slopes(trace.inputs[index], dL_dz)
        if index == 0:
            break
        # Σ over outgoing weights of weight × slope: dL/da = dL/dz @ Wᵀ
        dL_da = slopes.dL_da[index - 1] = layer.input_slopes(dL_dz)
        # × slope of the activation at the node: dL/dz = dL/da ⊙ f'(z)
        before = layers[index - 1]
        dL_dz = before.activation.backward(trace.node_inputs[index - 1], trace.node_outputs[index - 1], dL_da)
    return slopes


def backward(layers: list[Dense], trace: Trace, loss: Loss, y: np.ndarray) -> Slopes:
    """Backpropagate the loss of ``trace.output`` against targets y ``(n, n_outputs)``.

    Starts at the output layer: dL/dz = slope of the loss × slope of the output
    activation (one fused step for the cross-entropies, where dL/da is not formed).
    """
    z, a = trace.node_inputs[-1], trace.output
    activation = layers[-1].activation
    if loss.fused:
        dL_da, dL_dz = None, loss.output_delta(activation, z, a, y)
    else:
        dL_da = loss.slope(a, y)
        dL_dz = activation.backward(z, a, dL_da)
    slopes = backward_from(layers, trace, dL_dz)
    slopes.dL_da[-1] = dL_da
    return slopes
