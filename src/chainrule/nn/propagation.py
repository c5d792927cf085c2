"""Forward and backward propagation through a stack of dense layers, in matrix form.

Forward: each layer turns the node values of the layer before into its own.
Backward: the chain rule, one layer at a time from the output back. For the
weight from node i to node j,

    dL/dW_ij = node value a_i  ×  slope of the activation f'(z_j)  ×  slope of the loss dL/da_j

and the slope of a node value is the sum over the weights leaving it,
dL/da_i = Σ_j W_ij · f'(z_j) · dL/da_j. Whole batches go through at once: no
Python loop over samples or nodes.

Training adds three things, each a plain step of the same chain rule: sample weights
(row i of the output slope times w_i), dropout (a mask between layers, in the Trace, so
its slope is the mask itself) and scikit-learn's L2 penalty on the weights (``add_l2``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .layers import Dense
from .losses import Loss

__all__ = [
    "Slopes",
    "Trace",
    "add_l2",
    "backward",
    "backward_from",
    "dropout_masks",
    "forward",
    "last_layer",
    "loss_and_gradient",
    "row_weights",
]


@dataclass
class Trace:
    """Every value forward propagation computed, layer by layer (0 = first hidden layer).

    ``inputs[l]``: the node values fed into layer l, ``(n, n_in)`` (``inputs[0]`` is X);
    ``node_inputs[l]``: z, the weighted sums flowing into the nodes of layer l;
    ``node_outputs[l]``: a = f(z), the node values after the activation;
    ``masks``: with dropout in training, ``masks[l]`` is 0 for a dropped node of layer l and
    1 / (1 - rate) for a kept one, and ``inputs[l + 1] = node_outputs[l] × masks[l]``.
    """

    inputs: list[np.ndarray] = field(default_factory=list)
    node_inputs: list[np.ndarray] = field(default_factory=list)
    node_outputs: list[np.ndarray] = field(default_factory=list)
    masks: list[np.ndarray | None] | None = None

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


def forward(layers: list[Dense], X: np.ndarray, masks: list[np.ndarray | None] | None = None) -> Trace:
    """Propagate X ``(n, n_inputs)`` through every layer and keep each step.

    ``masks`` (dropout in training, see ``dropout_masks``): layer l hands on a × masks[l].
    """
    trace = Trace(masks=masks)
    x = X
    for index, layer in enumerate(layers):
        z, a = layer.forward(x)
        trace.inputs.append(x)
        trace.node_inputs.append(z)
        trace.node_outputs.append(a)
        x = a if masks is None or masks[index] is None else a * masks[index]
    return trace


#: Values (rows × nodes) one block of rows may hold in a layer during ``last_layer``.
BLOCK_VALUES = 1 << 20


def last_layer(layers: list[Dense], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The output layer's node inputs z and outputs a for X ``(n, n_inputs)``, row by row the
    numbers of ``forward``'s last step, for predictions and losses, which need no slopes.

    Only one layer's values are kept at a time, for blocks of rows small enough that a layer
    holds about ``BLOCK_VALUES`` numbers: scoring many rows through wide layers (an
    ensemble side by side) then needs memory for a block, not for every row."""
    widest = max(layer.n_outputs for layer in layers)
    block = max(1024, BLOCK_VALUES // widest)
    if X.shape[0] <= block:
        return _last_layer(layers, X)
    parts = [_last_layer(layers, X[start : start + block]) for start in range(0, X.shape[0], block)]
    return np.concatenate([z for z, _ in parts]), np.concatenate([a for _, a in parts])


def _last_layer(layers: list[Dense], X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z, a = layers[0].forward(X)
    for layer in layers[1:]:
        z, a = layer.forward(a)
    return z, a


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
        dL_da = layer.input_slopes(dL_dz)
        if trace.masks is not None and trace.masks[index - 1] is not None:
            dL_da = dL_da * trace.masks[index - 1]  # × slope of the dropout: the mask itself
        slopes.dL_da[index - 1] = dL_da
        # × slope of the activation at the node: dL/dz = dL/da ⊙ f'(z)
        before = layers[index - 1]
        dL_dz = before.activation.backward(trace.node_inputs[index - 1], trace.node_outputs[index - 1], dL_da)
    return slopes


def backward(
    layers: list[Dense], trace: Trace, loss: Loss, y: np.ndarray, weights: np.ndarray | None = None
) -> Slopes:
    """Backpropagate the loss of ``trace.output`` against targets y ``(n, n_outputs)``.

    Starts at the output layer: dL/dz = slope of the loss × slope of the output
    activation (one fused step for the cross-entropies, where dL/da is not formed).
    ``weights`` ``(n,)`` (see ``row_weights``) backpropagate ``loss.weighted_value``: row i
    of the first slope formed, dL/da (or the fused dL/dz), is multiplied by w_i.
    """
    z, a = trace.node_inputs[-1], trace.output
    activation = layers[-1].activation
    rows = None if weights is None else weights[:, None].astype(a.dtype, copy=False)
    if loss.fused:
        dL_da, dL_dz = None, loss.output_delta(activation, z, a, y)
        if rows is not None:
            dL_dz = dL_dz * rows
    else:
        dL_da = loss.slope(a, y)
        if rows is not None:
            dL_da = dL_da * rows
        dL_dz = activation.backward(z, a, dL_da)
    slopes = backward_from(layers, trace, dL_dz)
    slopes.dL_da[-1] = dL_da
    return slopes


def row_weights(sample_weight: np.ndarray | None, n: int) -> tuple[np.ndarray | None, float]:
    """Checked sample weights ``(n,)`` as row weights w_i × n / Σ w (mean 1, so Σ_i w_i l_i
    is the weighted mean of the per-sample losses), and Σ w; ``(None, n)`` without sample
    weights. Weights all 0 give rows of 0 (the batch counts for nothing), Σ w taken as n."""
    if sample_weight is None:
        return None, float(n)
    total = float(sample_weight.sum())
    if total == 0:
        return np.zeros(n), float(n)
    return sample_weight * (n / total), total


def dropout_masks(rng: np.random.Generator, layers: list[Dense], n: int, rates) -> list[np.ndarray | None]:
    """Inverted dropout for one batch of n rows: each node of hidden layer l is kept with
    probability 1 - rates[l] and then scaled by 1 / (1 - rates[l]), so its expected value
    is unchanged and prediction needs no dropout. The output layer never drops."""
    masks: list[np.ndarray | None] = []
    for layer, rate in zip(layers[:-1], rates):
        if not rate:
            masks.append(None)
            continue
        keep = rng.random((n, layer.n_outputs)) >= rate
        masks.append(keep * layer.weight.dtype.type(1.0 / (1.0 - rate)))
    return [*masks, None]


def add_l2(layers: list[Dense], slopes: Slopes, strength: float, total_weight: float) -> float:
    """scikit-learn's L2 penalty on the weights (not the biases):
    P = strength × Σ_l ‖W_l‖² / (2 × total_weight), total_weight = Σ sample weights (n
    without). Replaces each dL/dW in ``slopes`` by dL/dW + strength / total_weight × W and
    returns P."""
    factor = strength / total_weight
    squares = 0.0
    for index, layer in enumerate(layers):
        dL_dW, dL_db = slopes.weights[index]
        squares += float(np.vdot(layer.weight, layer.weight))
        slopes.weights[index] = (dL_dW + layer.weight * dL_dW.dtype.type(factor), dL_db)
    return 0.5 * factor * squares


def loss_and_gradient(
    layers: list[Dense], X: np.ndarray, y: np.ndarray, loss: Loss, sample_weight=None, *, l2: float = 0.0
) -> tuple[float, np.ndarray]:
    """The loss (the weighted mean of the per-sample losses with ``sample_weight``, see
    ``row_weights``) plus the L2 penalty (``add_l2``), and its gradient as one flat vector:
    every layer's dL/dW then dL/db, in the order of ``Network.flat_parameters()``."""
    weights, total_weight = row_weights(sample_weight, X.shape[0])
    trace = forward(layers, X)
    slopes = backward(layers, trace, loss, y, weights)
    value = loss.weighted_value(trace.node_inputs[-1], trace.output, y, weights)
    if l2:
        value += add_l2(layers, slopes, l2, total_weight)
    gradient = np.concatenate([g.ravel() for pair in slopes.weights for g in pair if g is not None])
    return value, gradient
