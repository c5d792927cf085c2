"""Exceptions chainrule raises on purpose, each with a message that says what to do."""

from __future__ import annotations

__all__ = ["ChainruleError", "UserError", "OptionError", "TrainingDiverged", "ModelFormatError"]


class ChainruleError(Exception):
    """Base class of chainrule's own errors."""


class UserError(ChainruleError):
    """A mistake in what the user gave (data, options, files), not in chainrule itself.

    The command line reports it in one line with exit code 2; anything else that
    escapes is an internal error (exit code 1).
    """


class OptionError(UserError, ValueError):
    """A setting with a value it cannot take. ``option`` is the Python parameter's name
    (the command line shows it as its flag); ``problem`` says what is wrong with it."""

    def __init__(self, option: str, problem: str):
        self.option, self.problem = option, problem
        super().__init__(f"{option} {problem}")


class TrainingDiverged(UserError, FloatingPointError):
    """Training met a non-finite loss or weight. The network keeps the last weights whose loss
    (and so whose predictions) on their batch was finite: an update that makes the next loss
    non-finite is rolled back."""

    def __init__(self, epoch: int | None, step: int | None, last_loss: float | None, detail: str = ""):
        """``epoch`` and ``step`` None: a step on its own (``Network.step``), not part of a run."""
        self.epoch, self.step, self.last_loss = epoch, step, last_loss
        last = "none yet" if last_loss is None else f"{last_loss:.6g}"
        where = "" if epoch is None else f" at epoch {epoch}, step {step}"
        message = (
            f"training diverged{where} ({detail or 'non-finite loss'}); "
            f"last finite loss {last}. The network keeps its last finite weights: "
            "lower the learning rate or scale the inputs"
        )
        super().__init__(message)


class ModelFormatError(UserError, ValueError):
    """A model or checkpoint file is not a valid chainrule file (corrupt, truncated or foreign)."""
