"""Training on files too large for memory: ``train_files``, what ``chainrule train --chunk-rows`` runs.

The files (a ``tables.stream.FileSet``) are read chunk by chunk, never whole:

1. **The first pass** (``tables.first_pass.FirstPass``) learns the Preprocessor: the
   task, labels, category names, means, standard deviations and fill values, and counts
   the rows. Which rows are test rows and which validate is a hash of each row's global
   index and the seed (``tables.stream.Split``), so it needs no memory.
2. **The validation rows** for early stopping are gathered in memory: ``validation_split``
   of the training rows, at most ``chunk_rows`` of them (chosen by the smallest hashes, a
   uniform sample).
3. **Each epoch** reads the files again: the reading units (Parquet row groups, CSV files)
   in an order drawn from the run's generator, each chunk's training rows in a permutation
   drawn from it too, batch by batch through ``train.loop.run_batches`` in one ``Run`` kept
   across chunks (Adam's moments and the step count carry over); ``end_epoch`` then logs,
   validates and asks early stopping, as ``fit`` does. The same seed gives the same model,
   bit for bit.
4. **The scores** on the training and test rows are added up chunk by chunk
   (``tables.running.RunningScores``).

What a table in memory gets and this does not: the test split is not stratified, and the
network is not compared with a linear model (``linear_fallback``) or the trivial baseline,
which need the training rows in memory. The model file is the same kind: ``predict``,
``evaluate``, ``explain``, ``info`` and ``export`` read it as any other.
"""

from __future__ import annotations

import numpy as np

from ..errors import OptionError
from ..tables.first_pass import FirstPass
from ..tables.read import DataError
from ..tables.running import RunningScores
from ..tables.stream import FileSet, Split
from ..train.batches import Batches
from ..train.callbacks import EarlyStopping, ProgressBar
from ..train.loop import end_epoch, finish, prepare, run_batches
from ..train.threads import blas_threads_for
from .apply import targets_for
from .config import TrainConfig
from .train import TrainResult, network_for

__all__ = ["train_files"]


def train_files(files: FileSet, config: TrainConfig) -> TrainResult:
    """Learn the preprocessing in one pass over ``files``, train epoch by epoch over their
    chunks, and score the model on the training and test rows, chunk by chunk."""
    config = config.checked()
    for name, value, plain in (
        ("decimal", config.decimal, "."),
        ("thousands", config.thousands, None),
        ("percent", config.percent, False),
        ("ignore", config.ignore, ()),
        ("ensemble", config.ensemble if config.ensemble != 1 else None, None),
    ):
        if value != plain:  # the streaming reader parses plain numbers only, and every column
            raise OptionError(
                name,
                "is not read in chunks yet; convert the files (or drop the columns) first, or train in memory",
            )
    source = files.paths[0] if len(files.paths) == 1 else f"{files.paths[0]} and {len(files.paths) - 1} more"
    if config.target is None:
        raise DataError(f"{source}: pass target= with one of the columns: {', '.join(files.columns)}")
    split = Split(config.test_size, config.seed)
    first = FirstPass(
        source, files.columns, config.target, config.task, config.categorical, config.impute,
        config.drop_missing, split, config.validation_split, files.chunk_rows if config.early_stopping else 0,
    )  # fmt: skip
    for chunk in files.chunks():
        first.add(chunk)
    chunk = None  # else the last chunk (its text and parsed cells) stays in memory through training
    pre, notes = first.finish()
    rows = first.rows
    if config.test_size and rows["test"] == 0:
        raise DataError(
            f"{source}: {rows['read']} rows are too few to hold out test_size={config.test_size}; add rows"
        )
    split.validation_below = first.validation_below() if config.early_stopping else None
    if config.early_stopping and split.validation_below is None:
        notes.append(
            f"{rows['train']} training rows are too few to hold out validation rows; no early stopping"
        )
    notes.append(
        "streamed: one network from drawn weights, and no linear model or trivial baseline to compare "
        "with (they need the rows in memory)"
    )

    network, loss = network_for(config, pre, len(pre.labels or ()))
    validation = _validation(files, network, split, config.drop_missing)
    if config.on_start is not None:
        config.on_start(notes, network, loss)
    fit_rows = rows["train"] - (0 if validation is None else len(validation[0]))
    history = _train(files, network, split, validation, loss, config, fit_rows)
    network.info = {"task": pre.task, "loss": loss, "target": config.target}
    results = {"task": pre.task, "loss_name": loss, "epochs_run": len(history.epoch)}
    if history.best_epoch is not None:
        results["best_epoch"] = history.best_epoch
    train_scores, test_scores = _scores(files, network, split, loss, config.drop_missing)
    results["train"] = train_scores.result()
    if test_scores.rows:
        results["test"] = test_scores.result()
    results["rows"] = {"train": rows["train"], "test": rows["test"]}
    results["model"] = "network"
    results["streamed"] = {
        "files": len(files.paths),
        "chunk_rows": files.chunk_rows,
        "rows_read": rows["read"],
        "rows_dropped": rows["dropped"],
        "validation_rows": 0 if validation is None else len(validation[0]),
    }
    network.info["metrics"] = results
    return TrainResult(network, history, results, notes)


def _roles(chunk, pre, split: Split, drop_missing: bool):
    """(fit, validation, test) masks of a chunk's rows; rows with gaps in none when dropped."""
    keep = np.ones(len(chunk.table), dtype=bool)
    if drop_missing:
        keep[pre.missing_rows(chunk.table, with_target=True)] = False
    rows = chunk.rows
    test = split.test(rows) & keep
    validation = split.validation(rows) & keep & ~test
    return keep & ~test & ~validation, validation, test


def _arrays(chunk, network, mask: np.ndarray):
    """(inputs, encoded targets) of the chunk's rows in ``mask``."""
    pre = network.preprocessor
    rows = chunk.table.select_rows(np.flatnonzero(mask))
    return pre.transform(rows, network.dtype), pre.encode_target(rows, network.dtype)


def _validation(files: FileSet, network, split: Split, drop_missing: bool):
    """The validation rows' (inputs, targets), gathered in one pass; None without validation."""
    if split.validation_below is None:
        return None
    pre, inputs, encoded = network.preprocessor, [], []
    for chunk in files.chunks():
        _, validation, _ = _roles(chunk, pre, split, drop_missing)
        if validation.any():
            X, e = _arrays(chunk, network, validation)
            inputs.append(X)
            encoded.append(e)
    return np.concatenate(inputs), targets_for(network, pre, np.concatenate(encoded))


def _train(files: FileSet, network, split: Split, validation, loss: str, config: TrainConfig, fit_rows: int):
    pre = network.preprocessor
    options = config.fit_options()
    batch_size = options.pop("batch_size")  # None: one update per chunk
    early = EarlyStopping(patience=config.patience) if validation is not None else None
    first_X = np.zeros((1, pre.n_inputs), dtype=network.dtype)  # stands in until the first chunk
    first_y = targets_for(network, pre, np.zeros(1, dtype=np.intp))
    run = prepare(network, first_X, first_y, loss=loss, seed=config.seed, validation_data=validation,
                  early_stopping=early, verbose=0, **options)  # fmt: skip
    run.sums = run.loss.reduction == "sum"  # "sse" adds up; the others average over the epoch's rows
    batch_rows = files.chunk_rows if batch_size is None else min(batch_size, files.chunk_rows)
    per_epoch = -(-fit_rows // batch_rows) + len(files.units)  # at most: a chunk may end in a short batch
    bar = ProgressBar.for_verbosity(config.verbose, config.epochs * per_epoch)
    if bar is not None:
        run.callbacks.append(bar)
        run.per_batch.append(bar)
    run.history.params.update(batch_size=batch_size, chunk_rows=files.chunk_rows)
    threads = blas_threads_for(batch_rows, [layer.weight.shape for layer in network.layers])
    try:
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"), threads:
            while run.epoch < run.epochs and not run.stopped:
                epoch, total, correct, n, step = run.epoch + 1, 0.0, 0, 0, 1
                for chunk in files.chunks(run.rng.permutation(len(files.units))):
                    fit, _, _ = _roles(chunk, pre, split, config.drop_missing)
                    if not fit.any():
                        continue
                    X, encoded = _arrays(chunk, network, fit)
                    batch = len(X) if batch_size is None else min(batch_size, len(X))
                    targets = network.targets(targets_for(network, pre, encoded), len(X), run.loss)
                    run.batches = Batches(network.layers, X, targets, batch)
                    order = run.rng.permutation(len(X)) if run.batches.gather else None
                    chunk_total, chunk_correct = run_batches(run, epoch, order, step)
                    step += run.batches.per_epoch
                    total, correct, n = total + chunk_total, correct + chunk_correct, n + len(X)
                if n == 0:
                    raise DataError(
                        f"{files.paths[0]}: no rows left to train on; add rows or lower test_size="
                    )
                run.history.params["samples"] = n
                end_epoch(run, epoch, total, correct, n)
    finally:
        for callback in run.callbacks:
            callback.close()
    return finish(run)


def _scores(files: FileSet, network, split: Split, loss: str, drop_missing: bool):
    """RunningScores of the training rows (validation rows included) and of the test rows."""
    pre = network.preprocessor
    summed = network.loss_function(loss).reduction == "sum"
    exact = network.astype(np.float64)
    train, test = RunningScores(pre, summed), RunningScores(pre, summed)
    for chunk in files.chunks():
        fit, validation, held_out = _roles(chunk, pre, split, drop_missing)
        for scores, mask in ((train, fit | validation), (test, held_out)):
            if not mask.any():
                continue
            X, encoded = _arrays(chunk, network, mask)
            with np.errstate(over="ignore", under="ignore"):
                outputs = network.predict(X)
                value = exact.loss(X, targets_for(network, pre, encoded), loss)
            scores.add(encoded, outputs, value)
    return train, test
