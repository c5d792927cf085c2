"""Weight initialisation schemes, all drawn from a NumPy Generator (no global state).

Each scheme returns a weight matrix of shape ``(n_in, n_out)``; biases start at 0.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .._registry import Registry

__all__ = ["INITIALIZERS", "get_initializer", "normal", "glorot_uniform", "he_normal"]


def normal(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """The course's choice: normal(0, 1/sqrt(n_in)), small enough to keep sigmoids linear."""
    return rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))


def glorot_uniform(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """Glorot/Xavier: uniform(-l, l) with l = sqrt(6 / (n_in + n_out))."""
    limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, size=(n_in, n_out))


def he_normal(rng: np.random.Generator, n_in: int, n_out: int) -> np.ndarray:
    """He: normal(0, sqrt(2 / n_in)), for ReLU layers."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))


INITIALIZERS = Registry(
    "init",
    {"normal": normal, "glorot_uniform": glorot_uniform, "he_normal": he_normal},
    aliases={"xavier": "glorot_uniform", "xavier_uniform": "glorot_uniform", "he": "he_normal"},
)


def get_initializer(init: str) -> Callable[[np.random.Generator, int, int], np.ndarray]:
    return INITIALIZERS.resolve(init, "init")
