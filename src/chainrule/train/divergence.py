"""Divergence rolls back: the weights a diverged run leaves are the last whose loss was finite.

The loop checks each step's loss before its update, so an update that makes the weights
(or the predictions they give) overflow is seen one step later. Before every update the
loop copies the flat parameter vector into ``run.before_update`` (one ``np.copyto`` into
a buffer allocated once), and ``diverged`` puts that copy back when the step after finds
a non-finite loss. The run's last update has no step after it: ``check_last_update``
looks at it when the run finishes.

A run can also diverge without overflowing in the epochs it has: ``warn_if_growing``
warns when the training loss ends a thousand times above where it started.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from ..errors import TrainingDiverged
from . import _fastpath

__all__ = ["check_last_update", "diverged", "warn_if_growing"]

#: How many times its first epoch's (and its lowest) the last epoch's training loss may
#: be before ``warn_if_growing`` says the run is diverging.
GROWTH = 1e3


def diverged(run, epoch: int, step_index: int, detail: str, roll_back: bool):
    """Raise TrainingDiverged, first putting back the weights from before the latest update
    (the last whose loss and predictions were finite) when ``roll_back`` and there was one."""
    if roll_back and run.updated:
        np.copyto(run.parameters, run.before_update)
        run.updated = False
    raise TrainingDiverged(epoch, step_index, run.last_loss, detail)


def check_last_update(run) -> None:
    """The latest update is checked by the step after it; the run's last update has no step
    after it, so check here that its weights are finite and give a finite loss on its batch."""
    if not run.updated:
        return
    xb, yb, workspace = run.last_batch
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        finite = bool(np.isfinite(run.parameters).all())
        if finite:
            trace = _fastpath.forward(run.network.layers, xb, workspace)
            finite = math.isfinite(run.loss.value(trace.node_inputs[-1], trace.output, yb))
    if not finite:
        diverged(run, run.epoch, run.batches.per_epoch, "non-finite loss after the last update", True)
    run.last_batch = None


def warn_if_growing(history) -> None:
    """RuntimeWarning when the last epoch's training loss is ``GROWTH`` times the first
    epoch's and the lowest: the updates overshoot, and more epochs would overflow."""
    losses = history.history.get("loss", [])
    if len(losses) < 2 or not all(math.isfinite(loss) for loss in losses):
        return
    first, last = losses[0], losses[-1]
    if last > GROWTH * first and last > GROWTH * min(losses):
        warnings.warn(
            f"the training loss grew from {first:.4g} (epoch {history.epoch[0]}) to {last:.4g} "
            f"(epoch {history.epoch[-1]}): training is diverging; lower the learning rate or "
            "scale the inputs",
            RuntimeWarning,
            stacklevel=5,
        )
