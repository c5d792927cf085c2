"""What a training run records and how it decides to stop: History, Callback, EarlyStopping, ProgressBar.

The loop knows only the Callback hooks; early stopping, the progress bar and
checkpoints (``train.checkpoint.Checkpoint``) are callbacks like any other and ask
the loop to stop by returning True from ``on_epoch_end``.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field

import numpy as np

from .._validation import non_negative_number, real_number, whole_number

__all__ = ["Callback", "EarlyStopping", "History", "ProgressBar", "as_callback", "as_early_stopping"]


@dataclass
class History:
    """Per-epoch records of a ``fit`` run.

    ``history["loss"]`` holds the training loss of each epoch (the mean of the
    batch losses seen during the epoch, before each update; the sum for "sse"),
    ``history["val_loss"]`` the validation loss after each epoch when there is
    validation data, and ``"accuracy"`` / ``"val_accuracy"`` for classification
    losses. ``epoch`` numbers the epochs from 1; ``stopped_early`` says whether early
    stopping ended the run, and ``best_epoch`` which epoch's weights it restored.
    """

    history: dict[str, list[float]] = field(default_factory=dict)
    epoch: list[int] = field(default_factory=list)
    params: dict = field(default_factory=dict)
    stopped_early: bool = False
    best_epoch: int | None = None

    def record(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))

    def plot(self, path=None, ax=None, title: str | None = None):
        """Loss (and validation loss) against epoch, like the course's plot.

        Saves to ``path`` when given; returns the matplotlib Axes. Needs the
        ``plot`` extra (matplotlib).
        """
        from ..see.history import plot_history

        return plot_history(self, path=path, ax=ax, title=title)

    def _repr_png_(self) -> bytes | None:
        """Jupyter shows a History as its loss curves."""
        from ..see.notebook import history_png

        return history_png(self)

    def to_dict(self) -> dict:
        return {
            "history": self.history,
            "epoch": self.epoch,
            "params": self.params,
            "stopped_early": self.stopped_early,
            "best_epoch": self.best_epoch,
        }

    @classmethod
    def from_dict(cls, data: dict) -> History:
        return cls(
            history={k: [float(v) for v in values] for k, values in data["history"].items()},
            epoch=[int(e) for e in data["epoch"]],
            params=dict(data.get("params", {})),
            stopped_early=bool(data.get("stopped_early", False)),
            best_epoch=data.get("best_epoch"),
        )


class Callback:
    """Hooks called by ``fit``. Return True from ``on_epoch_end`` to stop training."""

    def on_train_begin(self, network, history: History) -> None:
        pass

    def on_batch_end(self, batch: int, loss: float) -> None:
        """After each update (``batch`` counts from 1 within the epoch; ``loss`` before it).
        Only callbacks that override this are called, so the others cost nothing per step."""

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool | None:
        return None

    def on_train_end(self, network, history: History) -> None:
        pass

    def close(self) -> None:
        """Release what the callback holds (a progress bar); called however the run ends."""


class FunctionCallback(Callback):
    """A function ``(epoch, logs) -> bool`` used as a callback: True stops training."""

    def __init__(self, function):
        self.function = function

    def on_epoch_end(self, epoch, logs):
        return self.function(epoch, logs)


def as_callback(callback) -> Callback:
    """A Callback as it is, a function wrapped; anything else is refused naming ``callbacks``."""
    if isinstance(callback, Callback):
        return callback
    if callable(callback):
        return FunctionCallback(callback)
    raise ValueError(f"callbacks must be Callback objects or functions (epoch, logs), got {callback!r}")


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by more than ``min_delta`` for ``patience`` epochs.

    With ``restore_best`` the network gets back the weights of its best epoch: those at its
    end, or ``scored`` when the loop says the value belongs to others (full-batch training
    without validation data: the weights before the epoch's one update). With minibatches the
    training loss is the epoch's average over its batches, measured as they trained (Keras).
    ``monitor`` is "val_loss" by default; without validation data, "loss" is used. Any
    other name must be one the run logs ("loss", "accuracy", "val_accuracy", ...), or the
    first epoch raises ValueError. ``mode`` "min" or "max" says which way is better; "auto"
    maximises accuracies and minimises the rest.
    patience is a whole number >= 0, min_delta a finite number >= 0. Each ``fit`` starts the
    watch afresh (a checkpoint's resumed run continues the one it saved).
    ``baseline``, when given, is the monitored value of the starting weights: they count as
    epoch 0, an epoch must beat them, and when none does they are what is restored
    (``best_epoch`` 0).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 10,
        min_delta: float = 0.0,
        restore_best: bool = True,
        baseline: float | None = None,
        mode: str = "auto",
    ):
        if not (isinstance(monitor, str) and monitor):
            raise ValueError(
                f"monitor must name a logged value such as 'val_loss' or 'loss', got {monitor!r}"
            )
        self.monitor = monitor
        self.patience = whole_number(patience, "patience", minimum=0)
        self.min_delta = non_negative_number(min_delta, "min_delta")
        self.restore_best = bool(restore_best)
        if baseline is not None:
            baseline = real_number(baseline, "baseline")
            if not math.isfinite(baseline):
                raise ValueError(f"baseline must be a finite number or None, got {baseline!r}")
        self.baseline = baseline
        if mode not in ("auto", "min", "max"):
            raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.mode = mode
        self.sign = -1.0 if mode == "max" or (mode == "auto" and monitor.endswith("accuracy")) else 1.0
        self.reset()

    def on_train_begin(self, network, history: History) -> None:
        self._params = [network.flat_parameters()]
        self._history = history
        if self.baseline is not None and self.best_epoch is None:  # a fresh run: the start is epoch 0
            self.best, self.best_epoch = self.sign * self.baseline, 0
            history.params["start_" + self.monitor] = self.baseline  # so the curves can show it
            if self.restore_best:
                self.best_weights = [p.copy() for p in self._params]

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> bool:
        stop = self.update(epoch, logs, self.scored or self._params)
        if stop:
            self._history.stopped_early = True
        return stop

    def on_train_end(self, network, history: History) -> None:
        self.restore(self._params)
        history.best_epoch = self.best_epoch

    #: The weights the epoch's monitored value belongs to, when not the network's current ones
    #: (set by the training loop: in full-batch training the training loss is that of the
    #: weights before the epoch's one update).
    scored: list[np.ndarray] | None = None

    def reset(self) -> None:
        """Forget every epoch seen: a new run starts here."""
        self.best = math.inf  # of sign × the monitored value, so that lower is always better
        self.best_epoch: int | None = None
        self.wait = 0
        self.best_weights: list[np.ndarray] | None = None

    def config(self) -> dict:
        """The settings (``baseline`` only when given, so earlier checkpoints still match)."""
        config = {
            "monitor": self.monitor,
            "patience": self.patience,
            "min_delta": self.min_delta,
            "restore_best": self.restore_best,
        }
        if self.baseline is not None:
            config["baseline"] = self.baseline
        if self.mode != "auto":
            config["mode"] = self.mode
        return config

    def update(self, epoch: int, logs: dict[str, float], params: list[np.ndarray]) -> bool:
        """Record this epoch; return True when training should stop."""
        value = logs[self.watched(logs)] * self.sign
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, epoch, 0
            if self.restore_best:
                if self.best_weights is None:
                    self.best_weights = [p.copy() for p in params]
                else:
                    for saved, param in zip(self.best_weights, params):
                        np.copyto(saved, param)
            return False
        self.wait += 1
        return self.wait > self.patience

    def watched(self, logs: dict[str, float]) -> str:
        """The name of the logged value watched: ``monitor``, or "loss" for "val_loss" without
        validation data."""
        if self.monitor in logs:
            return self.monitor
        if self.monitor == "val_loss":  # no validation data: the training loss
            return "loss"
        raise ValueError(
            f"early stopping's monitor {self.monitor!r} is not logged by this run; it logs {', '.join(logs)}"
        )

    def restore(self, params: list[np.ndarray]) -> None:
        if self.restore_best and self.best_weights is not None:
            for param, saved in zip(params, self.best_weights):
                np.copyto(param, saved)

    def state(self) -> dict:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait}

    def load_state(self, state: dict, best_weights: list[np.ndarray] | None) -> None:
        self.best = float(state["best"])
        self.best_epoch = state["best_epoch"]
        self.wait = int(state["wait"])
        self.best_weights = best_weights


class ProgressBar(Callback):
    """A tqdm bar over the run's steps, on stderr."""

    def __init__(self, total_steps: int, always: bool = False):
        from tqdm.auto import tqdm

        self.bar = tqdm(
            total=total_steps,
            unit="step",
            desc="training",
            delay=0 if always else 0.5,
            dynamic_ncols=True,
            leave=always,
            file=sys.stderr,
        )

    @classmethod
    def for_verbosity(cls, verbose: int, total_steps: int) -> ProgressBar | None:
        """verbose 0: none; 1: a bar when stderr is a terminal (and tqdm is installed); 2: always."""
        if not verbose or (verbose == 1 and not sys.stderr.isatty()):
            return None
        try:
            import tqdm  # noqa: F401
        except ImportError:
            if verbose >= 2:
                raise ImportError("progress bars need tqdm: pip install 'chainrule[progress]'") from None
            return None
        return cls(total_steps, always=verbose >= 2)

    def on_train_begin(self, network, history):
        done = len(history.epoch)  # a resumed run starts where it stopped
        if done:
            self.bar.update(done * (self.bar.total // max(1, history.params.get("epochs", 1))))

    def on_batch_end(self, batch, loss):
        self.bar.update(1)

    def set_total(self, total_steps: int) -> None:
        """The run's step count, once it is known (a streamed run learns it in its first epoch)."""
        self.bar.total = total_steps
        self.bar.refresh()

    def on_epoch_end(self, epoch, logs):
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)

    def close(self):
        self.bar.close()


def as_early_stopping(early_stopping) -> EarlyStopping | None:
    """None/False: off; True: the defaults; an int: that patience; or an EarlyStopping."""
    if early_stopping is None or early_stopping is False:
        return None
    if early_stopping is True:
        return EarlyStopping()
    if isinstance(early_stopping, EarlyStopping):
        return early_stopping
    if isinstance(early_stopping, int):
        return EarlyStopping(patience=early_stopping)
    if isinstance(early_stopping, dict):
        return EarlyStopping(**early_stopping)
    raise ValueError(
        f"early_stopping must be None, True, a patience or an EarlyStopping, got {early_stopping!r}"
    )
