"""The course's own training loop, kept word for word as the baseline the benchmarks time.

Only the benchmarks and the tests use it, so it lives here, not in the library.
"""

from __future__ import annotations

import numpy as np

__all__ = ["course_loop"]


def course_loop(
    features: np.ndarray,
    targets: np.ndarray,
    weights_input_hidden: np.ndarray,
    weights_hidden_output: np.ndarray,
    epochs: int = 900,
    learnrate: float = 0.005,
) -> tuple[np.ndarray, np.ndarray]:
    """The course's training loop ("Implementing Backpropagation"), one record at a time.

    Kept as the course wrote it, as the baseline the benchmarks time ``Network.fit``
    against. ``weights_input_hidden`` is ``(n_features, n_hidden)``,
    ``weights_hidden_output`` ``(n_hidden,)``; returns both after training (copies).
    Its error term y - output makes ``learnrate`` twice chainrule's mse ``lr``.
    """

    def sigmoid(x):
        return 1 / (1 + np.exp(-x))

    weights_input_hidden = weights_input_hidden.copy()
    weights_hidden_output = weights_hidden_output.copy()
    n_records = features.shape[0]
    for _ in range(epochs):
        del_w_input_hidden = np.zeros(weights_input_hidden.shape)
        del_w_hidden_output = np.zeros(weights_hidden_output.shape)
        for x, y in zip(features, targets):
            hidden_input = np.dot(x, weights_input_hidden)
            hidden_output = sigmoid(hidden_input)
            output = sigmoid(np.dot(hidden_output, weights_hidden_output))
            error = y - output
            output_error_term = error * output * (1 - output)
            hidden_error = np.dot(output_error_term, weights_hidden_output)
            hidden_error_term = hidden_error * hidden_output * (1 - hidden_output)
            del_w_hidden_output += output_error_term * hidden_output
            del_w_input_hidden += hidden_error_term * x[:, None]
        weights_input_hidden += learnrate * del_w_input_hidden / n_records
        weights_hidden_output += learnrate * del_w_hidden_output / n_records
    return weights_input_hidden, weights_hidden_output
