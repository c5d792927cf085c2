"""Check backpropagation against finite differences, so users can verify slopes themselves."""

from __future__ import annotations

import numpy as np

from .._validation import positive_number

__all__ = ["gradcheck", "numerical_gradients"]

_EPS = np.finfo(np.float64).eps


def _central(net, X, y, loss, flat, index, h) -> tuple[float, float]:
    """Fourth-order central difference of the loss in one parameter, and the largest |L| seen.

    dL/dw ≈ [-L(w+2h) + 8 L(w+h) - 8 L(w-h) + L(w-2h)] / (12 h), error O(h⁴).
    """
    original = flat[index]
    values = []
    for shift in (2 * h, h, -h, -2 * h):
        flat[index] = original + shift
        values.append(net.loss(X, y, loss))
    flat[index] = original
    slope = (-values[0] + 8 * values[1] - 8 * values[2] + values[3]) / (12 * h)
    return slope, max(abs(v) for v in values)


def _differences(network, X, y, loss, step):
    """(estimates, error bounds) for every parameter, in the order of ``parameters()``.

    Each slope is taken with steps h = step × max(1, |w|) and h/2 and combined by
    Richardson extrapolation; the bound is |D(h) - D(h/2)| (which exceeds the
    truncation error left) plus the rounding error 2 × 1.5 eps |L| / (h/2).
    """
    step = positive_number(step, "step")
    net = network.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    estimates, bounds = [], []
    for param in net.parameters():
        estimate, bound = np.zeros_like(param), np.zeros_like(param)
        flat = param.reshape(-1)
        for index in range(flat.size):
            h = step * max(1.0, abs(flat[index]))
            coarse, top1 = _central(net, X, y, loss, flat, index, h)
            fine, top2 = _central(net, X, y, loss, flat, index, h / 2)
            estimate.flat[index] = fine + (fine - coarse) / 15
            bound.flat[index] = abs(fine - coarse) + 3.0 * _EPS * max(top1, top2) / (h / 2)
        estimates.append(estimate)
        bounds.append(bound)
    return estimates, bounds


def numerical_gradients(network, X, y, loss="mse", step: float = 1e-3) -> list[np.ndarray]:
    """Central finite differences of the loss for every parameter, in float64.

    Fourth-order central stencils at steps h and h/2 (h = step × max(1, |w|)),
    Richardson-extrapolated. One array per parameter, in the order of
    ``network.parameters()``.
    """
    return _differences(network, X, y, loss, step)[0]


def gradcheck(network, X, y, loss="mse", step: float = 1e-3) -> float:
    """Largest relative difference between backpropagation and finite differences (float64).

    For each parameter the difference is what remains of |bp - fd| beyond the
    finite difference's own error bound, divided by max(|bp|, |fd|, floor) with
    ``floor = 1e-6 × max(1, largest |fd|)``; the floor keeps slopes that are zero in
    exact arithmetic from dividing rounding noise by almost nothing. Around 1e-10
    means agreement to the precision of float64; a wrong slope gives values near 1.
    """
    net = network.astype(np.float64)
    analytic = [g for pair in net.gradients(X, y, loss) for g in pair if g is not None]
    numerical, bounds = _differences(net, X, y, loss, step)
    scale = max([1.0] + [float(np.abs(n).max()) for n in numerical])
    floor = 1e-6 * scale
    worst = 0.0
    for bp, fd, bound in zip(analytic, numerical, bounds):
        excess = np.maximum(np.abs(bp - fd) - bound, 0.0)
        denominator = np.maximum(np.maximum(np.abs(bp), np.abs(fd)), floor)
        ratio = excess / denominator
        if not np.isfinite(ratio).all():  # a NaN must never read as agreement
            raise ValueError(
                "the slopes or their finite differences are not finite here; check the network's "
                "weights, X and y (or use a smaller step)"
            )
        worst = max(worst, float(ratio.max()))
    return worst
