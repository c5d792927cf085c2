"""Check backpropagation against finite differences, so users can verify slopes themselves.

A finite difference measures a slope only where the loss is smooth over its steps. At a
kink (a ReLU node input at 0, an output equal to its target under ``mae``) the slope
jumps, and a difference whose steps straddle it measures neither side. So each
parameter's steps are halved until no node input (or output under a kinked loss) changes
side of its kink within them; a parameter that straddles one even then (a node input
exactly at the kink) is left out of ``gradcheck``, with a warning that counts it.
"""

from __future__ import annotations

import warnings

import numpy as np

from .._validation import positive_number

__all__ = ["gradcheck", "numerical_gradients"]

_EPS = np.finfo(np.float64).eps
#: How many times a parameter's step is halved to keep its differences off a kink.
HALVINGS = 30


class _Loss:
    """The loss of a float64 network on (X, y), and which side of its kink every node input
    (and, for a kinked loss, every output against its target) lies on."""

    def __init__(self, net, X, y, loss):
        self.net, self.X = net, np.asarray(X, dtype=np.float64)
        self.loss = net.loss_function(loss)
        self.targets = net.targets(y, self.X.shape[0], self.loss)
        self.kinked = [i for i, layer in enumerate(net.layers) if layer.activation.kink is not None]
        self.any_kink = bool(self.kinked) or self.loss.kinked

    def __call__(self) -> tuple[float, bytes]:
        if not self.any_kink:
            return self.net.loss(self.X, self.targets, self.loss), b""
        trace = self.net.forward(self.X)
        z, a = trace.node_inputs, trace.output
        sides = [z[i] > self.net.layers[i].activation.kink for i in self.kinked]
        if self.loss.kinked:
            sides.append(a > self.targets)
        value = self.loss.value(z[-1], a, self.targets)
        return value, b"".join(np.packbits(side).tobytes() for side in sides)


def _central(evaluate: _Loss, flat, index, h) -> tuple[float, float, bool]:
    """Fourth-order central difference of the loss in one parameter, the largest |L| seen,
    and whether the steps straddle a kink.

    dL/dw ≈ [-L(w+2h) + 8 L(w+h) - 8 L(w-h) + L(w-2h)] / (12 h), error O(h⁴).
    """
    original = flat[index]
    values, sides = [], set()
    for shift in (2 * h, h, 0.0, -h, -2 * h):
        flat[index] = original + shift
        value, side = evaluate()
        values.append(value)
        sides.add(side)
    flat[index] = original
    slope = (-values[0] + 8 * values[1] - 8 * values[3] + values[4]) / (12 * h)
    return slope, max(abs(v) for v in values), len(sides) > 1


def _differences(network, X, y, loss, step):
    """(estimates, error bounds, straddled) for every parameter, in the order of ``parameters()``.

    Each slope is taken with steps h = step × max(1, |w|) and h/2 and combined by
    Richardson extrapolation; the bound is |D(h) - D(h/2)| (which exceeds the
    truncation error left) plus the rounding error 2 × 1.5 eps |L| / (h/2). h is halved
    (up to ``HALVINGS`` times) while the steps straddle a kink; ``straddled`` marks the
    parameters whose steps straddle one still.
    """
    step = positive_number(step, "step")
    net = network.astype(np.float64)
    evaluate = _Loss(net, X, y, loss)
    estimates, bounds, straddled = [], [], []
    for param in net.parameters():
        estimate, bound = np.zeros_like(param), np.zeros_like(param)
        across = np.zeros(param.shape, dtype=bool)
        flat = param.reshape(-1)
        for index in range(flat.size):
            h = step * max(1.0, abs(flat[index]))
            for _ in range(HALVINGS + 1):
                coarse, top1, kink1 = _central(evaluate, flat, index, h)
                fine, top2, kink2 = _central(evaluate, flat, index, h / 2)
                if not (kink1 or kink2):
                    break
                h /= 2
            estimate.flat[index] = fine + (fine - coarse) / 15
            bound.flat[index] = abs(fine - coarse) + 3.0 * _EPS * max(top1, top2) / (h / 2)
            across.flat[index] = kink1 or kink2
        estimates.append(estimate)
        bounds.append(bound)
        straddled.append(across)
    return estimates, bounds, straddled


def numerical_gradients(network, X, y, loss="mse", step: float = 1e-3) -> list[np.ndarray]:
    """Central finite differences of the loss for every parameter, in float64.

    Fourth-order central stencils at steps h and h/2 (h = step × max(1, |w|), halved
    while the steps straddle a kink), Richardson-extrapolated. One array per parameter,
    in the order of ``network.parameters()``.
    """
    return _differences(network, X, y, loss, step)[0]


def gradcheck(network, X, y, loss="mse", step: float = 1e-3) -> float:
    """Largest relative difference between backpropagation and finite differences (float64).

    For each parameter the difference is what remains of |bp - fd| beyond the
    finite difference's own error bound, divided by max(|bp|, |fd|, floor) with
    ``floor = 1e-6 × max(1, largest |fd|)``; the floor keeps slopes that are zero in
    exact arithmetic from dividing rounding noise by almost nothing. Around 1e-10
    means agreement to the precision of float64; a wrong slope gives values near 1.
    A parameter whose steps straddle a kink however small they get (a ReLU node input
    exactly at 0) has no slope finite differences can measure: it is left out, with a
    RuntimeWarning that counts such parameters.
    """
    net = network.astype(np.float64)
    analytic = [g for pair in net.gradients(X, y, loss) for g in pair if g is not None]
    numerical, bounds, straddled = _differences(net, X, y, loss, step)
    scale = max([1.0] + [float(np.abs(n).max()) for n in numerical])
    floor = 1e-6 * scale
    worst = 0.0
    for bp, fd, bound, across in zip(analytic, numerical, bounds, straddled):
        excess = np.maximum(np.abs(bp - fd) - bound, 0.0)
        denominator = np.maximum(np.maximum(np.abs(bp), np.abs(fd)), floor)
        ratio = np.where(across, 0.0, excess / denominator)
        if not np.isfinite(ratio).all():  # a NaN must never read as agreement
            raise ValueError(
                "the slopes or their finite differences are not finite here; check the network's "
                "weights, X and y (or use a smaller step)"
            )
        worst = max(worst, float(ratio.max()))
    _warn_straddled(straddled)
    return worst


def _warn_straddled(straddled: list[np.ndarray]) -> None:
    left_out, total = sum(int(a.sum()) for a in straddled), sum(a.size for a in straddled)
    if left_out == total:
        raise ValueError(
            "every parameter's finite differences straddle a kink (node inputs exactly at a ReLU's 0, "
            "or outputs equal to their targets under mae), so no slope can be checked here; "
            "try other weights or inputs"
        )
    if left_out:
        warnings.warn(
            f"gradcheck left out {left_out} of {total} parameters: a node input sits exactly on a kink "
            "(a ReLU's 0, or an output at its target under mae), where the slope jumps and finite "
            "differences measure neither side",
            RuntimeWarning,
            stacklevel=3,
        )
