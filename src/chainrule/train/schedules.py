"""Learning-rate schedules, applied at the end of every epoch.

Each schedule keeps the initial learning rate ``lr0`` and returns the learning rate
for the next epoch from ``step(epoch, loss)``, where ``epoch`` counts finished
epochs (1 after the first) and ``loss`` is the monitored loss of that epoch.
"""

from __future__ import annotations

import math

from .._registry import Registry
from .._validation import fraction, non_negative_number, positive_number, whole_number

__all__ = [
    "Schedule",
    "Constant",
    "StepDecay",
    "ExponentialDecay",
    "InverseScaling",
    "ReduceOnPlateau",
    "get_schedule",
]


class Schedule:
    name = "schedule"

    def start(self, lr0: float) -> None:
        self.lr0 = float(lr0)
        self.lr = float(lr0)

    def step(self, epoch: int, loss: float) -> float:
        raise NotImplementedError

    def state(self) -> dict:
        """Plain data to save in a checkpoint and restore with ``load_state``."""
        return {"lr0": self.lr0, "lr": self.lr}

    def load_state(self, state: dict) -> None:
        self.lr0, self.lr = float(state["lr0"]), float(state["lr"])

    def config(self) -> dict:
        return {
            "name": self.name,
            **{k: v for k, v in vars(self).items() if k not in ("lr0", "lr", "best", "wait")},
        }


class Constant(Schedule):
    """lr stays lr0."""

    name = "constant"

    def step(self, epoch, loss):
        return self.lr


class StepDecay(Schedule):
    """lr = lr0 × gamma^floor(epoch / step_size); step_size is a whole number of epochs."""

    name = "step"

    def __init__(self, step_size: int = 10, gamma: float = 0.5):
        self.step_size = whole_number(step_size, "step_size", minimum=1)
        self.gamma = fraction(gamma, "gamma", low_open=True, high_open=False)

    def step(self, epoch, loss):
        self.lr = self.lr0 * self.gamma ** (epoch // self.step_size)
        return self.lr


class ExponentialDecay(Schedule):
    """lr = lr0 × gamma^epoch."""

    name = "exponential"

    def __init__(self, gamma: float = 0.95):
        self.gamma = fraction(gamma, "gamma", low_open=True, high_open=False)

    def step(self, epoch, loss):
        self.lr = self.lr0 * self.gamma**epoch
        return self.lr


class InverseScaling(Schedule):
    """lr = lr0 / (epoch + 1)^power_t (scikit-learn's "invscaling", counted in epochs)."""

    name = "invscaling"

    def __init__(self, power_t: float = 0.5):
        self.power_t = positive_number(power_t, "power_t")

    def step(self, epoch, loss):
        self.lr = self.lr0 / (epoch + 1) ** self.power_t
        return self.lr


class ReduceOnPlateau(Schedule):
    """Multiply lr by ``factor`` when the loss has not improved by more than ``min_delta``
    for more than ``patience`` epochs; never below ``min_lr``.

    factor is in (0, 1), patience a whole number >= 0, min_delta and min_lr finite and >= 0.
    """

    name = "plateau"

    def __init__(self, factor: float = 0.1, patience: int = 10, min_delta: float = 1e-4, min_lr: float = 0.0):
        self.factor = fraction(factor, "factor", low_open=True)
        self.patience = whole_number(patience, "patience", minimum=0)
        self.min_delta = non_negative_number(min_delta, "min_delta")
        self.min_lr = non_negative_number(min_lr, "min_lr")

    def start(self, lr0):
        super().start(lr0)
        self.best = math.inf
        self.wait = 0

    def step(self, epoch, loss):
        if loss < self.best - self.min_delta:
            self.best, self.wait = loss, 0
        else:
            self.wait += 1
            if self.wait > self.patience:
                self.lr = max(self.lr * self.factor, self.min_lr)
                self.wait = 0
        return self.lr

    def state(self):
        return {**super().state(), "best": self.best, "wait": self.wait}

    def load_state(self, state):
        super().load_state(state)
        self.best, self.wait = float(state["best"]), int(state["wait"])


SCHEDULES = Registry(
    "schedule",
    {
        "constant": Constant,
        "step": StepDecay,
        "exponential": ExponentialDecay,
        "invscaling": InverseScaling,
        "plateau": ReduceOnPlateau,
    },
)


def get_schedule(schedule: str | Schedule | None) -> Schedule:
    if schedule is None:
        return Constant()
    if isinstance(schedule, Schedule):
        return schedule
    return SCHEDULES.resolve(schedule, "schedule")()
