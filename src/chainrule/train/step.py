"""One step of plain gradient descent, the course's update written out: forward propagation,
backpropagation, then w ← w - learning rate × slope for every weight. ``Network.step`` runs it;
``fit`` runs the same maths for many steps on the fast path."""

from __future__ import annotations

import math

import numpy as np

from .._validation import positive_number
from ..errors import TrainingDiverged
from ..nn import propagation

__all__ = ["step"]


def step(network, X, y, loss="mse", lr: float = 0.01) -> float:
    """One update of plain gradient descent on the batch (X, y): forward, backward,
    w ← w - lr × slope. Returns the loss before the update. An update after which the
    loss on (X, y) is not finite is undone, and TrainingDiverged raised."""
    lr = positive_number(lr, "lr")
    loss_fn = network.loss_function(loss)
    X, _ = network.inputs(X)
    targets = network.targets(y, X.shape[0], loss_fn)
    # As in fit: overflow and NaN are caught by the explicit checks, not NumPy's warnings.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        trace = propagation.forward(network.layers, X)
        slopes = propagation.backward(network.layers, trace, loss_fn, targets)
        value = loss_fn.value(trace.node_inputs[-1], trace.output, targets)
        if not math.isfinite(value):
            raise TrainingDiverged(None, None, None, "non-finite loss")
        grads = [g for pair in slopes.weights for g in pair if g is not None]
        if not math.isfinite(sum(float(np.vdot(g, g)) for g in grads)):
            raise TrainingDiverged(None, None, value, "non-finite slopes")
        params = network.parameters()
        before = [param.copy() for param in params]
        for param, grad in zip(params, grads):
            param -= grad * param.dtype.type(lr)
        # An update that leaves weights, or the loss they give, non-finite is undone.
        after = propagation.forward(network.layers, X)
        if not math.isfinite(loss_fn.value(after.node_inputs[-1], after.output, targets)):
            for param, kept in zip(params, before):
                np.copyto(param, kept)
            raise TrainingDiverged(None, None, value, "non-finite loss after the update")
    return value
