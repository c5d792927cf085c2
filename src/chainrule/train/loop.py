"""Training: the course's recipe as a loop people can rely on.

Start at some weights; for each batch, forward propagation, backpropagation, and
subtract learning rate × slope; one pass through the training data is an epoch.
``batch_size=None`` is full-batch gradient descent (one update per epoch), 1 is
online learning, k is minibatch stochastic gradient descent.

``fit`` is three steps: ``prepare`` checks the arguments and builds the ``Run``
(optimizer, schedule, data in batches, callbacks, a restored checkpoint),
``run_epoch`` trains one epoch and asks the callbacks whether to stop, and
``finish`` lets the callbacks end the run (early stopping restores its best
weights). Each step runs on the training fast path (``_fastpath``): reused
buffers, the learning rate folded in for plain gradient descent.
"""

from __future__ import annotations

import difflib
import inspect
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .._validation import (
    dropout_rates,
    non_negative_number,
    positive_number,
    sample_weights,
    seed_value,
    whole_number,
)
from ..nn import propagation
from ..nn.losses import BinaryCrossEntropy, CrossEntropy, Loss
from ..nn.memory import check_memory, training_bytes
from . import _fastpath
from .arguments import afresh, check_monitor, checked_order, optimizer_for, split_validation
from .batches import Batches
from .callbacks import Callback, EarlyStopping, History, ProgressBar, as_callback, as_early_stopping
from .divergence import check_last_update, diverged, warn_if_growing
from .optim import Optimizer
from .schedules import Schedule, get_schedule
from .threads import blas_threads_for

__all__ = ["Run", "fit", "prepare", "run_epoch", "run_batches", "end_epoch", "finish"]


@dataclass
class Run:
    """Everything a run carries from epoch to epoch (and a checkpoint saves)."""

    network: object
    loss: Loss
    optimizer: Optimizer
    schedule: Schedule
    early: EarlyStopping | None
    rng: np.random.Generator
    history: History
    batches: Batches
    epochs: int
    shuffle: object = True  # True, False, or a function (epoch, n) -> the epoch's row order
    clip_norm: float | None = None
    validation: tuple[np.ndarray, np.ndarray] | None = None
    callbacks: list[Callback] = field(default_factory=list)
    per_batch: list[Callback] = field(default_factory=list)  # the callbacks that listen to every batch
    parameters: np.ndarray | None = None  # the network's flat parameter vector
    l2: float = 0.0  # scikit-learn's alpha: see propagation.add_l2
    dropout: list[float] | None = None  # one rate per hidden layer, or None

    # The parameters as they were before the latest update (they gave a finite loss), and
    # whether an update has happened since they were copied: what divergence rolls back to.
    before_update: np.ndarray | None = None
    updated: bool = False
    last_batch: tuple | None = None  # (X, y, workspace) of the latest step, checked by finish
    epoch: int = 0  # epochs finished
    last_loss: float | None = None
    stopped: bool = False  # early stopping or a callback ended the run after ``epoch``

    def __post_init__(self):
        #: Whether epochs log accuracy, and whether the epoch's loss adds the batches' ("sse")
        #: or is its one full batch's (exactly, not × n / n) rather than their average; fixed
        #: for the run, so worked out once.
        self.classify = isinstance(self.loss, (BinaryCrossEntropy, CrossEntropy))
        self.labels = isinstance(self.loss, BinaryCrossEntropy)  # each output a label of its own
        self.sums = self.loss.reduction == "sum" or self.batches.per_epoch == 1


def fit(network, X, y, **options) -> History:
    """Train ``network`` in place; see ``prepare`` (and ``Network.fit``) for the options."""
    check_options(options)
    run = prepare(network, X, y, **options)
    # Overflow and NaN are caught by the explicit checks of every step, which stop
    # training with TrainingDiverged; NumPy's own warnings would only add noise.
    silenced = np.errstate(over="ignore", divide="ignore", invalid="ignore")
    # Small matrix products run faster on one BLAS thread than split across several.
    threads = blas_threads_for(run.batches.batch, [layer.weight.shape for layer in network.layers])
    try:
        with silenced, threads:
            while run.epoch < run.epochs and not run.stopped:  # a resumed run that had stopped trains no more
                run_epoch(run)
    finally:
        for callback in run.callbacks:
            callback.close()
    return finish(run)


#: Names other libraries give to fit's options, and the option each means here.
OTHER_NAMES = {
    "learning_rate": "lr",
    "learning_rate_init": "lr",
    "max_iter": "epochs",
    "n_epochs": "epochs",
    "alpha": "l2",
    "batch": "batch_size",
    "validation_fraction": "validation_split",
}


def check_options(options: dict) -> None:
    """TypeError naming ``fit`` (not ``prepare``) for an option it does not take, with the
    option meant where that is clear."""
    known = inspect.signature(prepare).parameters
    for name in options:
        if name not in known or name in ("network", "X", "y"):
            meant = OTHER_NAMES.get(name) or next(iter(difflib.get_close_matches(name, known, 1)), None)
            hint = f"; did you mean {meant!r}?" if meant else "; see help(Network.fit) for the options"
            raise TypeError(f"fit() got an unexpected keyword argument {name!r}{hint}")


def prepare(
    network,
    X,
    y,
    *,
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
    momentum=0.0,
    nesterov=False,
    weight_decay=0.0,
    clip_norm=None,
    schedule=None,
    sample_weight=None,
    l2=0.0,
    dropout=None,
    max_memory=None,
) -> Run:
    """Check the arguments and build the Run (restoring ``checkpoint`` when resuming).

    ``sample_weight`` ``(n,)``: each batch's loss is the weighted mean of its samples' losses.
    ``l2``: scikit-learn's L2 penalty (its ``alpha``), l2 × Σ‖W‖² / (2 Σ weights) added to
    each batch's loss, over the weights and not the biases (``weight_decay`` is the
    optimizer's, on every parameter). ``dropout``: inverted dropout, a rate per hidden
    layer or one for all, masks drawn from the run's generator; off at predict.
    """
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
    l2 = non_negative_number(l2, "l2")
    weights = sample_weights(sample_weight, X.shape[0])
    if weights is not None and validation_split:
        raise ValueError("sample_weight with validation_split: pass validation_data=(X_val, y_val) instead")
    rates = dropout_rates(dropout, len(network.layers) - 1)
    if checkpoint is not None and not (resume and os.path.isfile(checkpoint)):
        from .checkpoint import check_new_path

        check_new_path(checkpoint)  # before any epoch: a run that cannot save stops here
    if isinstance(callbacks, (str, bytes, Callback)) or not isinstance(callbacks, Iterable):
        raise ValueError(f"callbacks must be a list of Callback objects or functions, got {callbacks!r}")
    user_callbacks = [as_callback(callback) for callback in callbacks]

    seed = seed_value(seed)
    rng = np.random.default_rng(seed if seed is not None else network.seed)
    X, targets, validation = split_validation(
        network, X, targets, loss_fn, validation_data, validation_split, rng
    )
    options = {"momentum": momentum, "nesterov": nesterov} if momentum or nesterov else {}
    n = X.shape[0]
    batch = n if batch_size is None else min(batch_size, n)
    optimizer = optimizer_for(optimizer, lr, weight_decay, options)
    state = len(optimizer.state_arrays()) or {"adam": 2, "sgd": 1 if options.get("momentum") else 0}.get(
        optimizer.name, 2
    )
    needed = training_bytes(network.sizes, network.dtype.itemsize, batch, state)
    check_memory(needed, f"training with batches of {batch} rows", max_memory)
    run = Run(
        network=network,
        loss=loss_fn,
        optimizer=optimizer,
        schedule=get_schedule(schedule),
        early=afresh(as_early_stopping(early_stopping)),
        rng=rng,
        history=History(),
        batches=Batches(network.layers, X, targets, batch, weights),
        epochs=epochs,
        shuffle=shuffle if callable(shuffle) else bool(shuffle),
        clip_norm=clip_norm,
        validation=validation,
        l2=l2,
        dropout=rates,
    )
    check_monitor(run.early, run.classify, run.validation is not None)
    run.schedule.start(run.optimizer.lr)
    run.history.params = {
        "loss": loss_fn.name,
        "optimizer": run.optimizer.config(),
        "epochs": epochs,
        "batch_size": batch,
        "samples": n,
        "validation_samples": 0 if validation is None else validation[0].shape[0],
    }
    run.callbacks = [*([run.early] if run.early is not None else []), *user_callbacks]
    if isinstance(verbose, (bool, np.bool_)) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
    bar = ProgressBar.for_verbosity(verbose, epochs * run.batches.per_epoch)
    if bar is not None:
        run.callbacks.append(bar)
    if checkpoint is not None:
        from .checkpoint import Checkpoint

        settings = {
            "loss": loss_fn.name,
            "optimizer": run.optimizer.config(),
            "batch_size": batch,
            "shuffle": "given order" if callable(shuffle) else bool(shuffle),
            "seed": seed,
            "validation_split": float(validation_split),
            "early_stopping": None if run.early is None else run.early.config(),
            "clip_norm": clip_norm,
            "schedule": run.schedule.config(),
            "l2": l2,
            "dropout": rates,
        }
        saver = Checkpoint(checkpoint, run, settings, every=checkpoint_every)
        if resume and os.path.exists(checkpoint):
            saver.restore()
        run.callbacks.append(saver)  # last: it records whether the callbacks before it stopped the run
    run.per_batch = [c for c in run.callbacks if type(c).on_batch_end is not Callback.on_batch_end]
    # The optimizer sees all weights and biases as one flat vector (their arrays are views
    # into it) and all slopes as one flat gradient, so each update is one operation.
    run.parameters = network.flat_parameters()
    for array in run.optimizer.state_arrays():  # an Optimizer object passed on from another fit
        if array.shape != run.parameters.shape or array.dtype != run.parameters.dtype:
            raise ValueError(
                f"optimizer holds the state of another network ({array.size} {array.dtype} parameters, "
                f"this one has {run.parameters.size} {run.parameters.dtype}); pass a new optimizer or its name"
            )
    run.before_update = np.empty_like(run.parameters)
    for callback in run.callbacks:
        callback.on_train_begin(network, run.history)
    return run


def run_epoch(run: Run) -> dict:
    """Train one epoch, record it, move the schedule and ask the callbacks whether to stop."""
    epoch = run.epoch + 1
    if callable(run.shuffle):  # the caller's own order (the scikit-learn estimators use scikit-learn's)
        order = checked_order(run.shuffle(epoch, run.batches.n), run.batches.n)
        order = order if run.batches.gather else None
    else:
        order = run.rng.permutation(run.batches.n) if (run.shuffle and run.batches.gather) else None
    total, correct = run_batches(run, epoch, order)
    return end_epoch(run, epoch, total, correct, run.batches.n)


def run_batches(run: Run, epoch: int, order: np.ndarray | None, first_step: int = 1) -> tuple[float, int]:
    """Train on every batch of ``run.batches`` (rows in ``order``, or as they are).

    Returns (the loss summed as the epoch's log adds it, the rows classified correctly).
    A streamed epoch calls this once per chunk, with ``run.batches`` set to the chunk's and
    ``first_step`` counting on from the chunks before, then ``end_epoch`` once.
    """
    sums, classify, per_batch, parameters = run.sums, run.classify, run.per_batch, run.parameters
    total, correct = 0.0, 0
    for index, (xb, yb, wb, workspace) in enumerate(run.batches.epoch(order)):
        value, output = _train_step(run, xb, yb, wb, workspace, parameters, epoch, first_step + index)
        total += value if sums else value * workspace.n_samples
        if classify:
            correct += _correct(output, yb, run.labels)
        for callback in per_batch:
            callback.on_batch_end(first_step + index, value)
    return total, correct


def end_epoch(run: Run, epoch: int, total: float, correct: int, n: int) -> dict:
    """Record epoch ``epoch`` of ``n`` rows, validate, move the schedule, ask the callbacks."""
    network = run.network
    logs = {"loss": total if run.sums else total / n}
    if run.classify:
        logs["accuracy"] = correct / n
    if run.validation is not None:
        X_val, y_val = run.validation
        logs["val_loss"] = network.loss(X_val, y_val, run.loss)
        if run.classify:
            logs["val_accuracy"] = _correct(network.predict(X_val), y_val, run.labels) / X_val.shape[0]
    run.epoch, run.last_loss = epoch, logs["loss"]
    run.history.record(epoch, logs)
    run.optimizer.lr = run.schedule.step(epoch, logs.get("val_loss", logs["loss"]))
    if run.early is not None:  # full batch: the training loss and accuracy are the weights' before the update
        one_step = run.batches.per_epoch == 1 and run.batches.n == n and run.updated  # not a streamed chunk
        run.early.scored = (
            [run.before_update] if one_step and not run.early.watched(logs).startswith("val_") else None
        )
    for callback in run.callbacks:  # every callback hears of every epoch, even after one said stop
        if callback.on_epoch_end(epoch, logs):
            run.stopped = True
    return logs


def finish(run: Run) -> History:
    """Check the weights of the last update, then let every callback end the run (early
    stopping restores its best weights first)."""
    check_last_update(run)
    warn_if_growing(run.history)
    for callback in run.callbacks:
        callback.on_train_end(run.network, run.history)
    return run.history


def _train_step(run: Run, xb, yb, wb, workspace, parameters, epoch: int, step_index: int):
    """Forward, loss, backward, update for one batch; returns (loss, predictions).

    ``parameters`` is the network's flat parameter vector (every weight and bias is a
    view into it), updated in place. ``wb``: the batch's sample weights, or None.
    """
    layers, optimizer = run.network.layers, run.optimizer
    # Plain gradient descent folds the learning rate into the output slope, so every
    # weight slope comes out as lr × dL/dW and the update is one subtraction.
    fold = run.clip_norm is None and optimizer.plain and not run.l2
    weights, total_weight = propagation.row_weights(wb, workspace.n_samples)
    masks = None
    if run.dropout is not None:
        masks = propagation.dropout_masks(run.rng, layers, workspace.n_samples, run.dropout)
    trace = _fastpath.forward(layers, xb, workspace, masks)
    value, dL_dz = _fastpath.output_slopes(
        run.loss, layers, trace, yb, workspace, optimizer.lr if fold else None, weights
    )
    if not math.isfinite(value):
        diverged(run, epoch, step_index, "non-finite loss", roll_back=True)
    _fastpath.backward_from(layers, trace, dL_dz, workspace)
    if run.l2:
        value += _fastpath.add_l2(layers, workspace, run.l2, total_weight)
    # Every slope lives in one flat vector laid out like the flat parameters: one check
    # of its norm catches divergence, one update changes every weight and bias.
    gradient = workspace.flat_gradient
    squared = float(np.vdot(gradient, gradient))
    if not math.isfinite(squared):  # the weights gave a finite loss; roll back only if they are not finite
        run.last_loss = value
        what = "learning rate × slopes overflowed" if fold else "non-finite slopes"
        diverged(run, epoch, step_index, what, roll_back=not np.isfinite(parameters).all())
    np.copyto(run.before_update, parameters)
    run.updated, run.last_batch = True, (xb, yb, workspace)
    if fold:
        optimizer.descend_prescaled(parameters, gradient)  # w ← w - (lr × dL/dw)
    else:
        norm = math.sqrt(squared)
        if run.clip_norm is not None and norm > run.clip_norm:
            gradient *= gradient.dtype.type(run.clip_norm / norm)
        optimizer.update([parameters], [gradient])
    run.last_loss = value
    return value, trace.output


def _correct(output: np.ndarray, targets: np.ndarray, labels: bool) -> int:
    """Rows classified right: with sigmoid outputs (``labels``: each output a yes/no label, the
    binary cross-entropies) a row whose every label is on the right side of 0.5, as
    scikit-learn's accuracy counts multi-label rows; otherwise the row's largest output is its
    target's class."""
    if labels or output.shape[1] == 1:
        return int(np.count_nonzero(((output > 0.5) == (targets > 0.5)).all(axis=1)))
    return int(np.count_nonzero(output.argmax(axis=1) == targets.argmax(axis=1)))
