"""Several networks averaged, as one network: their layers side by side.

k networks of the same inputs and outputs average their output layers' inputs (the
logits; for regression, the predictions) when they are placed side by side:

- first layer: the members' weights next to each other, ``[W₁ | W₂ | … | W_k]``, so every
  member's nodes see the same inputs;
- every later hidden layer: block diagonal, so a member's nodes see only its own nodes;
- output layer: the members' weights stacked and divided by k, the biases averaged:
  ``z = (1/k) Σ_m (h_m W_m + b_m)``, the mean of the members' logits.

The result is a plain ``Network``, so one model file holds the ensemble and every command
(``predict``, ``evaluate``, ``explain``, ``info``, ``export``) reads it like any other.
``train_table`` trains each member from ``member_seed`` and lets each hold out its own
validation rows for early stopping, so together the members learn from every training row
(as bagging's members see different rows), and member 0 is the one-network run itself.

Why averaging helps regression in particular: for squared error, the mean prediction's
loss is the members' mean loss less the spread of their predictions (the ambiguity
decomposition), so averaging always gains on regression; an accuracy changes only where
the averaged logits cross a decision boundary. Measured in benchmarks/README.md ("The
linear start and the ensemble"): 5 members, on regression only.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

from ..nn.layers import Dense
from ..nn.network import Network

__all__ = [
    "side_by_side",
    "side_by_side_sizes",
    "member_sizes",
    "trained_parameters",
    "members_of",
    "fixed_weights",
    "member_seed",
    "REGRESSION_MEMBERS",
]

#: Networks averaged by default for regression (classification: 1). See the module docstring.
REGRESSION_MEMBERS = 5


def member_seed(seed: int, member: int) -> int:
    """The seed of ensemble member ``member`` of a run seeded ``seed``: member 0 is the run's own
    seed (so a one-member ensemble is the plain run); the others are drawn from
    ``SeedSequence([seed, member])``, independent of each other and of other runs' seeds."""
    if member == 0:
        return seed
    return int(np.random.SeedSequence([seed, member]).generate_state(1, np.uint32)[0])


def side_by_side_sizes(sizes: Sequence[int], members: int) -> list[int]:
    """The sizes of ``members`` networks of ``sizes`` side by side: every hidden width times
    ``members`` (its later layers are block diagonal, so they hold ``members`` × the square)."""
    return [sizes[0], *(members * width for width in sizes[1:-1]), sizes[-1]]


def member_sizes(sizes: Sequence[int], members: int) -> list[int]:
    """The sizes of each of ``members`` networks a side-by-side network of ``sizes`` holds
    (``side_by_side_sizes`` undone); ValueError when its widths do not divide."""
    if members < 1 or any(width % members for width in sizes[1:-1]):
        raise ValueError(f"a network of sizes {list(sizes)} does not hold {members} networks side by side")
    return [sizes[0], *(width // members for width in sizes[1:-1]), sizes[-1]]


def trained_parameters(sizes: Sequence[int], members: int, bias: bool = True) -> int:
    """The weights and biases ``members`` networks side by side (of ``sizes`` together) were
    trained with: the members' own, without the weights between two members, which are 0 and
    stay 0; the output layer's, shared once its members' are averaged, counted once."""
    one = member_sizes(sizes, members)
    layers = list(pairwise(one))
    hidden = sum(n_in * n_out + (n_out if bias else 0) for n_in, n_out in layers[:-1])
    n_in, n_out = layers[-1]
    return members * (hidden + n_in * n_out) + (n_out if bias else 0)


def members_of(network: Network) -> int:
    """How many networks ``network`` holds side by side, from what ``chainrule train`` recorded
    in it (1 for one network, the linear model kept, or a record it cannot read; 1 too without
    hidden layers, where the average of linear models is one linear model, nothing between)."""
    if len(network.layers) == 1:
        return 1
    metrics = network.info.get("metrics") if isinstance(network.info, dict) else None
    ensemble = metrics.get("ensemble") if isinstance(metrics, dict) else None
    members = (
        ensemble.get("members") if isinstance(ensemble, dict) and metrics.get("model") != "linear" else 1
    )
    if not isinstance(members, int) or isinstance(members, bool) or members < 1:
        return 1
    try:
        member_sizes(network.sizes, members)
    except ValueError:
        return 1
    return members


def fixed_weights(network: Network, members: int) -> list[np.ndarray | None] | None:
    """Per layer, where ``members`` networks side by side have a weight that is not a
    parameter: in the layers between the first and the output, every weight joining two
    members (off the diagonal blocks), 0 and never trained. None for one network."""
    if members == 1:
        return None
    masks = []
    for index, layer in enumerate(network.layers):
        if index == 0 or index == len(network.layers) - 1:
            masks.append(None)
            continue
        n_in, n_out = layer.weight.shape
        rows, cols = np.arange(n_in) // (n_in // members), np.arange(n_out) // (n_out // members)
        masks.append(rows[:, None] != cols[None, :])
    return masks


def side_by_side(networks: Sequence[Network]) -> Network:
    """One network that outputs the mean of ``networks``' output-layer inputs.

    Every member must have the same inputs, outputs, number of layers, activations and
    dtype; widths may differ. Sizes ``[n, Σ h1, …, Σ hL, k_out]``. The first member's
    preprocessor, info, init and seed are kept.
    """
    networks = list(networks)
    if not networks:
        raise ValueError("side_by_side needs at least one network")
    first = networks[0]
    if len(networks) == 1:
        return first
    shapes = {(n.n_inputs, n.n_outputs, len(n.layers), n.dtype.name) for n in networks}
    activations = {tuple(layer.activation.name for layer in n.layers) for n in networks}
    if len(shapes) > 1 or len(activations) > 1 or not first.has_bias:
        raise ValueError(
            "side_by_side needs networks of the same inputs, outputs, depth, activations and dtype, with biases"
        )
    dtype, k = first.dtype, len(networks)
    depth = len(first.layers)
    layers = []
    for index in range(depth):
        members = [n.layers[index] for n in networks]
        activation = members[0].activation
        if depth == 1:  # linear models: their weights averaged
            weight = np.mean([m.weight for m in members], axis=0)
            bias = np.mean([m.bias for m in members], axis=0)
        elif index == depth - 1:  # the output layer: the members' logits averaged
            weight = np.vstack([m.weight for m in members]) / k
            bias = np.mean([m.bias for m in members], axis=0)
        elif index == 0:
            weight = np.hstack([m.weight for m in members])
            bias = np.concatenate([m.bias for m in members])
        else:
            rows = sum(m.weight.shape[0] for m in members)
            cols = sum(m.weight.shape[1] for m in members)
            weight = np.zeros((rows, cols), dtype)
            r = c = 0
            for m in members:
                weight[r : r + m.weight.shape[0], c : c + m.weight.shape[1]] = m.weight
                r, c = r + m.weight.shape[0], c + m.weight.shape[1]
            bias = np.concatenate([m.bias for m in members])
        layers.append(Dense(np.ascontiguousarray(weight, dtype), np.asarray(bias, dtype), activation))
    return Network.from_layers(
        layers, init=first.init, seed=first.seed, preprocessor=first.preprocessor, info=first.info
    )
