"""Check backpropagation against finite differences, so users can verify slopes themselves."""

from __future__ import annotations

import numpy as np

__all__ = ["gradcheck", "numerical_gradients"]


def numerical_gradients(network, X, y, loss="mse", step: float = 1e-3) -> list[np.ndarray]:
    """Central finite differences of the loss for every parameter, in float64.

    Uses the fourth-order central stencil
    dL/dw ≈ [-L(w+2h) + 8 L(w+h) - 8 L(w-h) + L(w-2h)] / (12 h),
    whose error is O(h⁴), with ``h = step × max(1, |w|)``. Returns one array per
    parameter, in the order of ``network.parameters()``.
    """
    net = network.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    result = []
    for param in net.parameters():
        numerical = np.zeros_like(param)
        flat, out = param.reshape(-1), numerical.reshape(-1)
        for index in range(flat.size):
            original = flat[index]
            h = step * max(1.0, abs(original))
            values = []
            for shift in (2 * h, h, -h, -2 * h):
                flat[index] = original + shift
                values.append(net.loss(X, y, loss))
            flat[index] = original
            out[index] = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
        result.append(numerical)
    return result


def gradcheck(network, X, y, loss="mse", step: float = 1e-3) -> float:
    """Largest relative difference between backpropagation and finite differences (float64).

    For each parameter p the difference is |bp - fd| / max(|bp|, |fd|, floor), where
    ``floor = 1e-6 × max(1, largest |fd| of all parameters)`` keeps slopes that are
    zero in exact arithmetic (such as those through a ReLU that is off) from
    dividing rounding noise by almost nothing. Values near 1e-10 mean agreement to
    the precision of float64; a wrong slope gives values near 1.
    """
    net = network.astype(np.float64)
    analytic = []
    for dW, db in net.gradients(X, y, loss):
        analytic.append(dW)
        if db is not None:
            analytic.append(db)
    numerical = numerical_gradients(net, X, y, loss, step)
    scale = max([1.0] + [float(np.abs(n).max()) for n in numerical])
    floor = 1e-6 * scale
    worst = 0.0
    for bp, fd in zip(analytic, numerical):
        denominator = np.maximum(np.maximum(np.abs(bp), np.abs(fd)), floor)
        worst = max(worst, float((np.abs(bp - fd) / denominator).max()))
    return worst
