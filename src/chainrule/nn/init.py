"""Weight initialisation schemes, all drawn from a NumPy Generator (no global state).

Each scheme returns a weight matrix of shape ``(n_in, n_out)``; biases start at 0, except
with ``scikit_learn``, which draws them too (``initial_layers`` knows which is which).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np

from .._registry import Registry

__all__ = [
    "INITIALIZERS",
    "get_initializer",
    "initial_layers",
    "normal",
    "glorot_uniform",
    "he_normal",
    "scikit_learn",
]


def normal(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """normal(0, 1/sqrt(n_in)), small enough to keep sigmoids linear: the course's rule for the
    first layer (it scales the second by 1/sqrt(n_features) too; see course.course_initial_weights)."""
    return rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))


def glorot_uniform(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """Glorot/Xavier: uniform(-l, l) with l = sqrt(6 / (n_in + n_out))."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def he_normal(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """He: normal(0, sqrt(2 / n_in)), for ReLU layers."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


def scikit_learn(rng, n_in: int, n_out: int, logistic: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's MLP: the weights, then the biases, uniform(-l, l) with
    l = sqrt(f / (n_in + n_out)), f = 2 when the hidden layers are logistic and 6 otherwise.
    ``rng`` may be a NumPy RandomState: the same one scikit-learn draws from gives its weights.
    Returns ``(weight (n_in, n_out), bias (n_out,))``."""
    limit = np.sqrt((2.0 if logistic else 6.0) / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)), rng.uniform(-limit, limit, n_out)


INITIALIZERS = Registry(
    "init",
    {
        "normal": normal,
        "glorot_uniform": glorot_uniform,
        "he_normal": he_normal,
        "scikit_learn": scikit_learn,
    },
    aliases={"xavier": "glorot_uniform", "xavier_uniform": "glorot_uniform", "he": "he_normal"},
)


def get_initializer(init: str) -> Callable[[np.random.Generator, int, int], np.ndarray]:
    return INITIALIZERS.resolve(init, "init")


def initial_layers(init: str, seed, sizes, hidden: list[str]) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(weight, bias)`` for every layer of a network of ``sizes`` whose hidden layers use the
    activations named in ``hidden``. ``seed`` is an int or None (a new Generator is seeded),
    or a Generator or RandomState of the caller's, which draws the weights itself."""
    draw = get_initializer(init)
    drawn_by_caller = isinstance(seed, (np.random.Generator, np.random.RandomState))
    rng = seed if drawn_by_caller else np.random.default_rng(seed)
    logistic = bool(hidden) and all(name == "sigmoid" for name in hidden)
    layers = []
    for n_in, n_out in itertools.pairwise(sizes):
        if draw is scikit_learn:
            layers.append(scikit_learn(rng, n_in, n_out, logistic))
        else:
            layers.append((draw(rng, n_in, n_out), np.zeros(n_out)))
    return layers
