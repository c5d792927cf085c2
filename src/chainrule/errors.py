"""Exceptions chainrule raises on purpose, each with a message that says what to do."""

from __future__ import annotations

__all__ = ["ChainruleError", "TrainingDiverged", "ModelFormatError"]


class ChainruleError(Exception):
    """Base class of chainrule's own errors."""


class TrainingDiverged(ChainruleError, FloatingPointError):
    """Training met a non-finite loss or weight; the network keeps its last finite weights."""

    def __init__(self, epoch: int, step: int, last_loss: float | None, detail: str = ""):
        self.epoch, self.step, self.last_loss = epoch, step, last_loss
        last = "none yet" if last_loss is None else f"{last_loss:.6g}"
        message = (
            f"training diverged at epoch {epoch}, step {step} ({detail or 'non-finite loss'}); "
            f"last finite loss {last}. The network keeps its last finite weights: "
            "lower the learning rate or scale the inputs"
        )
        super().__init__(message)


class ModelFormatError(ChainruleError, ValueError):
    """A model or checkpoint file is not a valid chainrule file (corrupt, truncated or foreign)."""
