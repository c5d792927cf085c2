"""Start a regression network from the linear model, so training can only add what it misses.

A pair of ReLU nodes carries a number through a hidden layer unchanged::

    relu(z) − relu(−z) = z

``linear_start(network, linear)`` gives every hidden layer of a ReLU ``network`` two more
nodes, the pair that carries the linear model's prediction ``z = x · w + b``:

- first hidden layer: the pair's weights are ``w`` and ``−w``, their biases ``b`` and ``−b``;
- every later hidden layer: the pair takes the pair before with weight 1 (a ReLU of a
  number ≥ 0 is that number), and nothing from the other nodes;
- output layer: weight +1 from the first node of the last pair, −1 from the second, 0 from
  every other node, bias 0.

So before its first update the network predicts exactly what the linear model does, and
the other nodes (drawn as usual) reach the output through weights that start at 0:
gradient descent moves those away from 0 only as far as the training rows' residuals ask.
With early stopping whose ``baseline`` is the start's validation loss, the starting weights
are epoch 0, and they are kept when no epoch does better on the validation rows.

Measured in benchmarks/README.md ("The linear start and the ensemble"): on regression tables it is the
linear model where that is best and a network where that is; on classification the
logistic model's confident logits leave the hidden nodes little slope to learn from
(digits 0.971 against 0.981), so ``train_table`` starts only regression networks this way.
"""

from __future__ import annotations

import numpy as np

from ..nn.layers import Dense
from ..nn.network import Network

__all__ = ["linear_start", "can_start_linear", "starts_linear", "start_as", "START_NOTE"]

#: What ``chainrule train`` says when a network starts as the ridge model.
START_NOTE = (
    "the network starts as the ridge model (2 nodes per hidden layer carry its prediction); "
    "linear_start=False draws every weight"
)


def can_start_linear(network: Network) -> bool:
    """True when ``network`` has hidden layers, all ReLU, and one output (the pair is exact)."""
    hidden = network.layers[:-1]
    return (
        bool(hidden) and network.n_outputs == 1 and all(layer.activation.name == "relu" for layer in hidden)
    )


def starts_linear(asked: bool, network: Network) -> bool:
    """Whether ``network`` starts as the ridge model: ``asked`` (``TrainConfig.linear_start``),
    a regression network (its preprocessor's task), and one ``can_start_linear`` carries."""
    pre = network.preprocessor
    return asked and pre is not None and pre.task == "regression" and can_start_linear(network)


def start_as(network: Network, linear: Network, validation, loss: str) -> tuple[Network, float | None]:
    """(``linear_start(network, linear)``, that start's ``loss`` on the ``validation`` rows
    ``(X, y)``): early stopping's epoch 0, None without validation rows or when not finite."""
    network = linear_start(network, linear)
    if validation is None:
        return network, None
    with np.errstate(over="ignore", under="ignore"):
        start = network.loss(validation[0], validation[1], loss)
    return network, (float(start) if np.isfinite(start) else None)


def linear_start(network: Network, linear: Network) -> Network:
    """``network`` with 2 more nodes per hidden layer that carry ``linear``'s prediction.

    ``network``: sizes ``[n, h1, …, hL, 1]``, ReLU hidden layers; ``linear``: sizes ``[n, 1]``
    (no hidden layer). Returns a new Network of sizes ``[n, h1 + 2, …, hL + 2, 1]`` with the
    same preprocessor, info and dtype, whose prediction equals ``linear``'s (to rounding).
    """
    if not can_start_linear(network):
        raise ValueError("linear_start needs a network with ReLU hidden layers and one output")
    if len(linear.layers) != 1 or linear.sizes != [network.n_inputs, 1]:
        raise ValueError(
            f"linear_start needs a linear model of sizes [{network.n_inputs}, 1], got {linear.sizes}"
        )
    dtype = network.dtype
    w = linear.layers[0].weight.astype(np.float64)  # (n, 1)
    b = linear.layers[0].bias.astype(np.float64)  # (1,)
    first, *middle, output = network.layers
    layers = [
        Dense(
            np.hstack([first.weight, w, -w]).astype(dtype),
            np.concatenate([first.bias, b, -b]).astype(dtype),
            first.activation,
        )
    ]
    for layer in middle:
        n_in, n_out = layer.weight.shape
        weight = np.zeros((n_in + 2, n_out + 2), dtype)
        weight[:n_in, :n_out] = layer.weight
        weight[n_in:, n_out:] = np.eye(2)
        layers.append(Dense(weight, np.concatenate([layer.bias, np.zeros(2, dtype)]), layer.activation))
    weight = np.zeros((output.weight.shape[0] + 2, 1), dtype)
    weight[-2:, 0] = (1.0, -1.0)
    layers.append(Dense(weight, np.zeros(1, dtype), output.activation))
    return Network.from_layers(
        layers,
        init=f"linear start, {network.init}",
        seed=network.seed,
        preprocessor=network.preprocessor,
        info=network.info,
    )
