"""Training on files too large for memory: ``train_files``, what ``chainrule train --chunk-rows`` runs.

The files (a ``tables.stream.FileSet``) are read chunk by chunk, never whole:

1. **The first pass** (``tables.first_pass.FirstPass``) learns the Preprocessor: the
   task, labels, category names, means, standard deviations and fill values, and counts
   the rows. Which rows are test rows and which validate is a hash of each row's global
   index and the seed (``tables.stream.Split``), so it needs no memory.
2. **The gathering pass** collects the validation rows for early stopping in memory:
   ``validation_split`` of the training rows, at most ``chunk_rows`` of them (chosen by the
   smallest hashes, a uniform sample); and, in the same pass, what the linear model and
   the trivial baseline need (``workflow.stream_baselines``): exact sums for ridge
   regression, a uniform sample of the rows that train for logistic regression.
3. **As in memory**, a regression network with ReLU hidden layers starts as the ridge model
   (``linear_start``; the start is early stopping's epoch 0), and otherwise the linear
   model replaces a network that is not clearly better on the validation rows
   (``linear_fallback``, ``select.choose``).
4. **Each epoch** reads the files again: the reading units (Parquet row groups, CSV files)
   in an order drawn from the run's generator, each chunk's training rows in a permutation
   drawn from it too, batch by batch through ``train.loop.run_batches`` in one ``Run`` kept
   across chunks (Adam's moments and the step count carry over); ``end_epoch`` then logs,
   validates and asks early stopping, as ``fit`` does. The same seed gives the same model,
   bit for bit.
5. **The scores** of the saved model on the training and test rows, and of the network, the
   linear model and the trivial baseline on the test rows, are added up chunk by chunk
   (``tables.running.RunningScores``): ``metrics.json`` has the same ``baselines`` and
   ``verdict`` as a run in memory.

What a table in memory gets and this does not: the test split is not stratified, and no
ensemble is trained (``--ensemble``). The model file is the same kind: ``predict``,
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
from .linear_start import START_NOTE, start_as, starts_linear
from .select import batch_for, choose, compared_on_test
from .stream_baselines import MAX_INPUTS, Yardsticks, sample_rows
from .train import TrainResult, network_for

__all__ = ["train_files"]


def train_files(files: FileSet, config: TrainConfig) -> TrainResult:
    """Learn the preprocessing in one pass over ``files``, train epoch by epoch over their
    chunks, and score the model on the training and test rows, chunk by chunk."""
    config = config.checked()
    reading = "is not read in chunks yet; convert the files first, or train in memory"
    for name, value, plain, why in (
        ("decimal", config.decimal, ".", reading),
        ("thousands", config.thousands, None, reading),
        ("percent", config.percent, False, reading),
        (
            "ensemble",
            config.ensemble if config.ensemble != 1 else None,
            None,
            "is not trained in chunks yet: a streamed run trains one network; train in memory for more",
        ),
    ):
        if value != plain:  # the streaming reader parses plain numbers only
            raise OptionError(name, why)
    source = files.paths[0] if len(files.paths) == 1 else f"{files.paths[0]} and {len(files.paths) - 1} more"
    if config.target is None:
        raise DataError(f"{source}: pass target= with one of the columns: {', '.join(files.columns)}")
    split = Split(config.test_size, config.seed)
    first = FirstPass(
        source, files.columns, config.target, config.task, config.categorical, config.impute,
        config.drop_missing, split, config.validation_split, files.chunk_rows if config.early_stopping else 0,
        config.ignore, config.dtype,
    )  # fmt: skip
    for chunk in files.chunks():
        first.add(chunk)
    chunk = None  # else the last chunk (its text and parsed cells) stays in memory through training
    pre, notes = first.finish()
    rows = first.rows  # at least 2 rows kept, 1 training (``FirstPass.finish``)
    if config.test_size and rows["test"] == 0:
        raise DataError(
            f"{source}: {rows['read']} rows are too few to hold out test_size={config.test_size}; "
            "add rows or lower test_size="
        )
    split.validation_below = first.validation_below() if config.early_stopping else None
    if config.early_stopping and split.validation_below is None:
        notes.append(
            f"{rows['train']} training rows are too few to hold out validation rows; no early stopping"
        )
    if pre.task == "classification":  # logistic regression's sample of the rows that train
        share = 0.0 if split.validation_below is None else float(split.validation_below) / 2.0**64
        split.sample_fraction(share + sample_rows(pre.n_inputs, files.chunk_rows) / rows["train"])

    network, loss = network_for(config, pre, len(pre.labels or ()))
    gathered = _gather(files, network, split, config.drop_missing)
    validation, yardsticks = gathered["validation"], gathered.pop("yardsticks")
    validating = 0 if validation is None else len(validation[0])
    fitted = None if yardsticks is None else yardsticks.fit(config.dtype, validating)
    yardsticks = None  # the sample and the validation rows' copies are no longer needed
    if fitted is None:
        notes.append(
            f"{pre.n_inputs} inputs are too many for the linear model's sums (at most {MAX_INPUTS}): "
            "no linear model or trivial baseline to compare with"
        )
    elif fitted.note:
        notes.append(fitted.note)
    network, started_linear, start = _start(network, fitted, validation, loss, config, notes)
    if config.on_start is not None:
        config.on_start(notes, network, loss)
    history = _train(
        files, network, split, validation, loss, config, rows["train"] - validating, start, rows["read"]
    )
    network.info = {"task": pre.task, "loss": loss, "target": config.target}
    results = {"task": pre.task, "loss_name": loss, "epochs_run": len(history.epoch)}
    results["start"] = "linear model" if started_linear else "random"
    if history.best_epoch is not None:
        results["best_epoch"] = history.best_epoch
    kept, compared = network, {"model": "network"}
    if fitted is not None:
        fitted.on_training.preprocessor, fitted.on_training.info = pre, dict(network.info)
        if validation is not None and fitted.on_fit is not None:
            keep_linear, compared["choice"] = choose(
                network, fitted.on_fit, validation[0], gathered["validation_encoded"], pre, loss,
                config.linear_fallback, started_linear,
            )  # fmt: skip
            if keep_linear:
                kept, compared["model"] = fitted.on_training, "linear"
    on_test = {"network": network}
    if fitted is not None:
        on_test["linear"] = fitted.on_training
    constant = None if fitted is None else fitted.constant
    train_scores, test_scores, trivial_scores = _scores(
        files, split, config.drop_missing, loss, kept, on_test, constant
    )
    results["train"] = train_scores.result()
    if test_scores["network"].rows:
        results["test"] = test_scores[compared["model"]].result()
    results["rows"] = {"train": rows["train"], "test": rows["test"]}
    results.update(compared)
    if fitted is not None and test_scores["network"].rows:
        trivial = {"model": fitted.trivial_name, **_score(trivial_scores.result())}
        network_test, linear_test = test_scores["network"].result(), test_scores["linear"].result()
        results.update(
            compared_on_test(
                network_test,
                linear_test,
                trivial,
                compared["model"],
                fitted.linear_name,
                compared.get("choice"),
                len(network.layers) > 1,
            )
        )
    results["streamed"] = {
        "files": len(files.paths),
        "chunk_rows": files.chunk_rows,
        "rows_read": rows["read"],
        "rows_dropped": rows["dropped"],
        "validation_rows": validating,
    }
    if first.filled:
        results["filled"] = first.filled
    kept.info["metrics"] = results
    return TrainResult(kept, history, results, notes)


def _score(result: dict) -> dict:
    """The score that ranks models, under its metrics.json key."""
    return {"accuracy": result["accuracy"]} if "accuracy" in result else {"r2": result["r2"]}


def _start(network, fitted, validation, loss: str, config: TrainConfig, notes: list):
    """(the network to train, whether it started as the linear model, that start's validation
    loss or None): a regression network with ReLU hidden layers starts as the ridge model of
    the rows that train (``linear_start``), and that start's loss on the validation rows is
    early stopping's epoch 0."""
    if fitted is None or fitted.on_fit is None or not starts_linear(config.linear_start, network):
        return network, False, None
    network, start = start_as(network, fitted.on_fit, validation, loss)
    notes.append(START_NOTE)
    return network, True, start


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
    """(inputs, encoded targets) of the chunk's rows in ``mask`` (maybe none)."""
    pre = network.preprocessor
    if not mask.any():  # no rows: empty arrays of the right widths
        empty = np.zeros(0, np.float64 if pre.task == "regression" else np.intp)
        return np.zeros((0, pre.n_inputs), network.dtype), empty
    rows = chunk.table.select_rows(np.flatnonzero(mask))
    return pre.transform(rows, network.dtype), pre.encode_target(rows, network.dtype)


def _gather(files: FileSet, network, split: Split, drop_missing: bool) -> dict:
    """One pass: the validation rows' inputs, targets for ``network`` and encoded targets
    (None without validation), and the ``Yardsticks`` (None with more than MAX_INPUTS inputs)."""
    pre = network.preprocessor
    yardsticks = Yardsticks(pre, network.n_outputs) if pre.n_inputs <= MAX_INPUTS else None
    gathered = {"validation": None, "validation_encoded": None, "yardsticks": yardsticks}
    if split.validation_below is None and yardsticks is None:
        return gathered
    inputs, encoded = [], []
    for chunk in files.chunks():
        fit, validation, _ = _roles(chunk, pre, split, drop_missing)
        X_val, e_val = _arrays(chunk, network, validation)
        if validation.any():
            inputs.append(X_val)
            encoded.append(e_val)
        if yardsticks is not None:
            X_fit, e_fit = _arrays(chunk, network, fit)
            yardsticks.add(X_fit, e_fit, split.in_sample(chunk.rows[fit]), X_val, e_val)
    if split.validation_below is not None and inputs:
        e_val = np.concatenate(encoded)
        gathered["validation"] = (np.concatenate(inputs), targets_for(network, pre, e_val))
        gathered["validation_encoded"] = e_val
    return gathered


def _train(
    files: FileSet,
    network,
    split: Split,
    validation,
    loss: str,
    config: TrainConfig,
    fit_rows: int,
    start,
    read_rows: int,
):
    """Train ``network`` epoch by epoch over the files' chunks; ``start`` is the starting
    weights' validation loss when they count as epoch 0 (a linear start), else None;
    ``read_rows`` all the rows of the files, for the progress bar's count of chunks."""
    pre = network.preprocessor
    options = config.fit_options()
    batch_size = batch_for(options.pop("batch_size"), fit_rows)  # None: one update per chunk
    early = EarlyStopping(patience=config.patience, baseline=start) if validation is not None else None
    first_X = np.zeros((1, pre.n_inputs), dtype=network.dtype)  # stands in until the first chunk
    first_y = targets_for(network, pre, np.zeros(1, dtype=np.intp))
    run = prepare(network, first_X, first_y, loss=loss, seed=config.seed, validation_data=validation,
                  early_stopping=early, verbose=0, **options)  # fmt: skip
    run.sums = run.loss.reduction == "sum"  # "sse" adds up; the others average over the epoch's rows
    batch_rows = files.chunk_rows if batch_size is None else min(batch_size, files.chunk_rows)
    chunks = -(-read_rows // files.chunk_rows) + len(files.units)  # at most: a unit may end in a short chunk
    per_epoch = -(-fit_rows // batch_rows) + chunks  # at most: each chunk may end in a short batch
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
                if bar is not None and epoch == 1:  # every epoch takes the first one's steps
                    bar.set_total((step - 1) * run.epochs)
                end_epoch(run, epoch, total, correct, n)
    finally:
        for callback in run.callbacks:
            callback.close()
    return finish(run)


def _scores(files: FileSet, split: Split, drop_missing: bool, loss: str, kept, on_test: dict, constant):
    """RunningScores of the saved model ``kept`` on the training rows (validation rows
    included); of each model in ``on_test`` (name: Network) on the test rows; and of the
    trivial baseline's ``constant`` output ``(1, k)`` on the test rows (None: not scored)."""
    pre = kept.preprocessor
    summed = kept.loss_function(loss).reduction == "sum"
    exact = {id(model): model.astype(np.float64) for model in (kept, *on_test.values())}
    train = RunningScores(pre, summed)
    test = {name: RunningScores(pre, summed) for name in on_test}
    trivial = RunningScores(pre, summed)
    for chunk in files.chunks():
        fit, validation, held_out = _roles(chunk, pre, split, drop_missing)
        for mask, models in ((fit | validation, {"train": kept}), (held_out, on_test)):
            if not mask.any():
                continue
            X, encoded = _arrays(chunk, kept, mask)
            for name, model in models.items():
                with np.errstate(over="ignore", under="ignore"):
                    outputs = model.predict(X)
                    value = exact[id(model)].loss(X, targets_for(model, pre, encoded), loss)
                (train if name == "train" else test[name]).add(encoded, outputs, value)
            if models is on_test and constant is not None:
                trivial.add(encoded, np.repeat(constant, len(encoded), axis=0), 0.0)
    return train, test, trivial
