"""Training: the course's recipe as a loop people can rely on.

Start at some weights; for each batch, forward propagation, backpropagation, and
subtract learning rate × slope; one pass through the training data is an epoch.
``batch_size=None`` is full-batch gradient descent (one update per epoch), 1 is
online learning, k is minibatch stochastic gradient descent.

The loop works on whole batches in matrix form, gathers each batch into a
reused buffer and writes every intermediate into a preallocated Workspace.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from .._validation import positive_number, whole_number
from ..errors import TrainingDiverged
from ..nn import propagation
from ..nn.losses import BinaryCrossEntropy, CrossEntropy, Loss
from .callbacks import Callback, EarlyStopping, History, as_early_stopping
from .optim import Optimizer, get_optimizer
from .schedules import Schedule, get_schedule
from .threads import blas_threads_for

__all__ = ["fit", "step"]


@dataclass
class Run:
    """Everything a run carries from epoch to epoch (and a checkpoint saves)."""

    optimizer: Optimizer
    schedule: Schedule
    early: EarlyStopping | None
    rng: np.random.Generator
    history: History
    epoch: int = 0  # epochs finished
    last_loss: float | None = None
    stopped: bool = False  # early stopping or a callback ended the run after ``epoch``


def step(network, X, y, loss="mse", lr: float = 0.01) -> float:
    """One update of plain gradient descent on the batch (X, y): forward, backward,
    w ← w - lr × slope. Returns the loss before the update."""
    lr = positive_number(lr, "lr")
    loss_fn = network.loss_function(loss)
    X, _ = network.inputs(X)
    targets = network.targets(y, X.shape[0], loss_fn)
    # As in fit: overflow and NaN are caught by the explicit checks, not NumPy's warnings.
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        trace = propagation.forward(network.layers, X, silenced=True)
        slopes = propagation.backward(network.layers, trace, loss_fn, targets)
        value = loss_fn.value(trace.node_inputs[-1], trace.output, targets)
        if not math.isfinite(value):
            raise TrainingDiverged(1, 1, None, "non-finite loss")
        grads = [g for pair in slopes.weights for g in pair if g is not None]
        _check_gradients(grads, 1, 1, value)
        for param, grad in zip(network.parameters(), grads):
            param -= grad * param.dtype.type(lr)
    return value


def fit(
    network,
    X,
    y,
    loss="mse",
    optimizer="sgd",
    lr=0.01,
    epochs=10,
    batch_size=None,
    shuffle=True,
    seed=None,
    validation_data=None,
    validation_split=0.0,
    early_stopping=None,
    callbacks=(),
    checkpoint=None,
    checkpoint_every=1,
    resume=False,
    verbose=1,
    *,
    momentum=0.0,
    nesterov=False,
    weight_decay=0.0,
    clip_norm=None,
    schedule=None,
) -> History:
    """Train ``network`` in place; see ``Network.fit`` for the arguments."""
    loss_fn = network.loss_function(loss)
    X, _ = network.inputs(X)
    targets = network.targets(y, X.shape[0], loss_fn)
    epochs = whole_number(epochs, "epochs", minimum=1)
    checkpoint_every = whole_number(checkpoint_every, "checkpoint_every", minimum=1)
    if batch_size is not None:
        batch_size = whole_number(batch_size, "batch_size", minimum=1)
    if clip_norm is not None:
        clip_norm = positive_number(clip_norm, "clip_norm")
    if resume and checkpoint is None:
        raise ValueError("resume=True needs checkpoint=PATH to resume from")
    callbacks = list(callbacks)
    for callback in callbacks:
        if not (isinstance(callback, Callback) or callable(callback)):
            raise ValueError(
                f"callbacks must be Callback objects or functions (epoch, logs), got {callback!r}"
            )

    rng = np.random.default_rng(seed if seed is not None else network.seed)
    X, targets, X_val, y_val = _split(network, X, targets, loss_fn, validation_data, validation_split, rng)
    options = {"momentum": momentum, "nesterov": nesterov} if momentum or nesterov else {}
    run = Run(
        optimizer=_optimizer(optimizer, lr, weight_decay, options),
        schedule=get_schedule(schedule),
        early=as_early_stopping(early_stopping),
        rng=rng,
        history=History(),
    )
    run.schedule.start(run.optimizer.lr)
    n = X.shape[0]
    batch = n if batch_size is None else min(batch_size, n)
    run.history.params = {
        "loss": loss_fn.name,
        "optimizer": run.optimizer.config(),
        "epochs": epochs,
        "batch_size": batch,
        "samples": n,
        "validation_samples": 0 if X_val is None else X_val.shape[0],
    }

    fingerprint = None
    if checkpoint is not None:
        from .checkpoint import fingerprint as make_fingerprint
        from .checkpoint import restore

        config = {
            "loss": loss_fn.name,
            "optimizer": run.optimizer.config(),
            "batch_size": batch,
            "shuffle": bool(shuffle),
            "seed": seed,
            "validation_split": float(validation_split),
            "early_stopping": None if run.early is None else run.early.config(),
            "clip_norm": clip_norm,
            "schedule": run.schedule.config(),
        }
        fingerprint = make_fingerprint(network, config, X, targets, X_val, y_val)
        if resume and os.path.exists(checkpoint):
            restore(checkpoint, network, run, fingerprint)

    # The optimizer sees all weights and biases as one flat vector (their arrays are views
    # into it) and all slopes as one flat gradient, so each update is one operation.
    parameters = network.flat_parameters()
    params = [parameters]
    classify = isinstance(loss_fn, (BinaryCrossEntropy, CrossEntropy))
    sums = loss_fn.reduction == "sum"  # the epoch's loss adds the batches' ("sse") or averages them
    batches = Batches(network.layers, X, targets, batch)
    bar = _progress(verbose, epochs, run.epoch, batches.per_epoch)
    for callback in callbacks:
        if isinstance(callback, Callback):
            callback.on_train_begin(network, run.history)

    # Overflow and NaN are caught by the explicit checks of every step, which stop
    # training with TrainingDiverged; NumPy's own warnings would only add noise.
    silenced = np.errstate(over="ignore", divide="ignore", invalid="ignore")
    # Small matrix products run faster on one BLAS thread than split across several.
    threads = blas_threads_for(batch, [layer.weight.shape for layer in network.layers])
    try:
        with silenced, threads:
            while run.epoch < epochs and not run.stopped:  # a resumed run that had stopped trains no more
                epoch = run.epoch + 1
                order = run.rng.permutation(n) if (shuffle and batches.gather) else None
                total, correct = 0.0, 0
                for index, (xb, yb, workspace) in enumerate(batches.epoch(order)):
                    value, output = _train_step(
                        network.layers,
                        loss_fn,
                        xb,
                        yb,
                        workspace,
                        run,
                        parameters,
                        clip_norm,
                        epoch,
                        index + 1,
                    )
                    total += value if sums else value * workspace.n_samples
                    if classify:
                        correct += _correct(output, yb)
                    if bar is not None:
                        bar.update(1)
                logs = {"loss": total if sums else total / n}
                if classify:
                    logs["accuracy"] = correct / n
                if X_val is not None:
                    logs["val_loss"] = network.loss(X_val, y_val, loss_fn)
                    if classify:
                        logs["val_accuracy"] = _correct(network.predict(X_val), y_val) / X_val.shape[0]
                stop = _end_epoch(run, epoch, logs, params, callbacks)
                if bar is not None:
                    bar.set_postfix({k: f"{v:.4g}" for k, v in logs.items()}, refresh=False)
                # A stopped run is saved whatever checkpoint_every says, so a resume knows it is over.
                if checkpoint is not None and (epoch % checkpoint_every == 0 or epoch == epochs or stop):
                    from .checkpoint import save

                    save(checkpoint, network, run, fingerprint)
    finally:
        if bar is not None:
            bar.close()

    if run.early is not None:
        run.early.restore(params)
        run.history.best_epoch = run.early.best_epoch
    for callback in callbacks:
        if isinstance(callback, Callback):
            callback.on_train_end(network, run.history)
    return run.history


class Batches:
    """The training data cut into batches of ``batch`` rows, each with the Workspace of its size.

    With several batches per epoch each one is gathered into a reused buffer (in the
    shuffled ``order`` when given), never a fresh copy; a single full batch is X itself.
    """

    def __init__(self, layers, X: np.ndarray, targets: np.ndarray, batch: int):
        self.layers, self.X, self.targets, self.batch = layers, X, targets, batch
        self.n = X.shape[0]
        self.per_epoch = -(-self.n // batch)
        self.gather = batch < self.n
        self.x_buffer = np.empty((batch, X.shape[1]), X.dtype) if self.gather else X
        self.y_buffer = np.empty((batch, targets.shape[1]), targets.dtype) if self.gather else targets
        self.workspaces: dict[int, propagation.Workspace] = {}
        self.full: list | None = None

    def workspace(self, size: int) -> propagation.Workspace:
        if size not in self.workspaces:
            self.workspaces[size] = propagation.Workspace(self.layers, size)
        return self.workspaces[size]

    def epoch(self, order: np.ndarray | None):
        """``(x, y, workspace)`` for every batch of one epoch."""
        if not self.gather:  # full batch: the same one every epoch
            if self.full is None:
                self.full = [(self.X, self.targets, self.workspace(self.n))]
            return self.full
        return self._gathered(order)

    def _gathered(self, order: np.ndarray | None):
        batch, n = self.batch, self.n
        for start in range(0, n, batch):
            rows = order[start : start + batch] if order is not None else slice(start, start + batch)
            size = min(batch, n - start)
            xb = _take(self.X, rows, self.x_buffer, size)
            yb = _take(self.targets, rows, self.y_buffer, size)
            yield xb, yb, self.workspace(size)


def _end_epoch(run: Run, epoch: int, logs: dict, params, callbacks) -> bool:
    """Record the epoch, move the schedule, ask early stopping and the callbacks; True to stop."""
    run.epoch = epoch
    run.last_loss = logs["loss"]
    run.history.record(epoch, logs)
    run.optimizer.lr = run.schedule.step(epoch, logs.get("val_loss", logs["loss"]))
    stop = run.early is not None and run.early.update(epoch, logs, params)
    for callback in callbacks:
        result = (
            callback.on_epoch_end(epoch, logs) if isinstance(callback, Callback) else callback(epoch, logs)
        )
        stop = stop or bool(result)
    if stop:
        run.stopped = True
        run.history.stopped_early = run.early is not None and run.early.wait > run.early.patience
    return stop


def _train_step(layers, loss_fn: Loss, xb, yb, workspace, run: Run, parameters, clip_norm, epoch, step_index):
    """Forward, loss, backward, update for one batch; returns (loss, predictions).

    ``parameters`` is the network's flat parameter vector (every weight and bias is a
    view into it), updated in place.
    """
    optimizer = run.optimizer
    # Plain gradient descent folds the learning rate into the output slope, so every
    # weight slope comes out as lr × dL/dW and each update is one subtraction.
    fold = clip_norm is None and optimizer.plain
    trace = propagation.forward(layers, xb, workspace, silenced=True)
    value, _, dL_dz = propagation.output_slopes(
        layers, trace, loss_fn, yb, workspace, optimizer.lr if fold else None
    )
    if not math.isfinite(value):
        raise TrainingDiverged(epoch, step_index, run.last_loss, "non-finite loss")
    propagation.backward_from(layers, trace, dL_dz, workspace)
    # Every slope lives in one flat vector laid out like the flat parameters: one check
    # of its norm catches divergence, one subtraction updates every weight and bias.
    gradient = workspace.flat_gradient
    squared = float(np.vdot(gradient, gradient))
    if not math.isfinite(squared):
        raise TrainingDiverged(epoch, step_index, run.last_loss, "non-finite slopes")
    if fold:
        optimizer.steps += 1
        np.subtract(parameters, gradient, parameters)  # w ← w - (lr × dL/dw)
    else:
        norm = math.sqrt(squared)
        if clip_norm is not None and norm > clip_norm:
            gradient *= gradient.dtype.type(clip_norm / norm)
        optimizer.update([parameters], [gradient])
    run.last_loss = value
    return value, trace.output


def _check_gradients(grads, epoch, step_index, last_loss) -> float:
    """The gradient's Euclidean norm; a non-finite one means divergence (weights untouched)."""
    squared = 0.0
    for grad in grads:
        squared += float(np.vdot(grad, grad))
    if not math.isfinite(squared):
        raise TrainingDiverged(epoch, step_index, last_loss, "non-finite slopes")
    return math.sqrt(squared)


def _take(source: np.ndarray, rows, buffer: np.ndarray, size: int) -> np.ndarray:
    """Rows of ``source`` gathered into the reused ``buffer`` (no new array per batch)."""
    out = buffer[:size]
    if isinstance(rows, slice):
        return source[rows]
    source.take(rows, axis=0, out=out)
    return out


def _correct(output: np.ndarray, targets: np.ndarray) -> int:
    if output.shape[1] == 1:
        return int(np.count_nonzero((output[:, 0] > 0.5) == (targets[:, 0] > 0.5)))
    return int(np.count_nonzero(output.argmax(axis=1) == targets.argmax(axis=1)))


def _optimizer(optimizer, lr, weight_decay, options) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if options or weight_decay:
            raise ValueError("momentum, nesterov and weight_decay go into the Optimizer object you passed")
        return optimizer
    if options and str(optimizer).lower() != "sgd":
        raise ValueError(f"momentum and nesterov apply to optimizer='sgd', not {optimizer!r}")
    return get_optimizer(optimizer, lr=lr, weight_decay=weight_decay, **options)


def _split(network, X, targets, loss_fn, validation_data, validation_split, rng):
    """Training and validation arrays; a validation split draws its rows with ``rng``."""
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        X_val, _ = network.inputs(validation_data[0], "validation_data X")
        y_val = network.targets(validation_data[1], X_val.shape[0], loss_fn)
        return X, targets, X_val, y_val
    if not (isinstance(validation_split, (int, float)) and 0 <= validation_split < 1):
        raise ValueError(f"validation_split must be in [0, 1), got {validation_split!r}")
    if validation_split == 0:
        return X, targets, None, None
    n = X.shape[0]
    n_val = round(n * validation_split)
    if n_val < 1 or n_val >= n:
        raise ValueError(
            f"validation_split={validation_split} of {n} rows leaves {n_val} for validation and {n - n_val} "
            "for training; both need at least one"
        )
    order = rng.permutation(n)
    val_rows, train_rows = np.sort(order[:n_val]), np.sort(order[n_val:])
    return X[train_rows], targets[train_rows], X[val_rows], targets[val_rows]


def _progress(verbose, epochs, done, steps_per_epoch):
    """A tqdm bar over the run's steps in a terminal (verbose=1), always with verbose=2."""
    import sys

    if not verbose or (verbose == 1 and not sys.stderr.isatty()):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        if verbose >= 2:
            raise ImportError("progress bars need tqdm: pip install 'chainrule[progress]'") from None
        return None
    return tqdm(
        total=epochs * steps_per_epoch,
        initial=done * steps_per_epoch,
        unit="step",
        desc="training",
        delay=0.5 if verbose == 1 else 0,
        dynamic_ncols=True,
        leave=verbose >= 2,
        file=sys.stderr,
    )
