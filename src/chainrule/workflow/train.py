"""From a table to a trained, evaluated model: what ``chainrule train`` and friends do.

The command line only parses options and prints; the work is here, usable from
Python too: ``train_table`` splits the rows (stratified for classification),
learns the preprocessing on the training rows (the category names on all rows),
builds and trains a network and measures it (``workflow.apply`` applies a
trained model to new rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..errors import OptionError
from ..nn.losses import REGRESSION_LOSSES
from ..nn.memory import available_bytes, check_memory, network_bytes, size_text
from ..nn.network import Network
from ..tables.fills import dropped_note, fill_counts, fill_notes, refuse_too_few_kept
from ..tables.infer import class_counts, constant_target, label_codes, unlearnable_classes
from ..tables.leaks import leak_notes
from ..tables.preprocess import Preprocessor, category_names
from ..tables.read import DataError, Table
from ..train.callbacks import EarlyStopping, History
from .apply import evaluate_table, targets_for
from .baselines import linear_network
from .config import TrainConfig
from .ensemble import REGRESSION_MEMBERS, member_seed, side_by_side, side_by_side_sizes
from .linear_start import START_NOTE, start_as, starts_linear
from .select import auto_widths, batch_for, compare_models, validation_rows, verdict_at_start

__all__ = ["Member", "TrainConfig", "TrainResult", "network_for", "train_table", "split_rows"]


@dataclass
class Member:
    """One network of an ensemble, before the members are placed side by side."""

    network: Network
    history: History
    validation_rows: np.ndarray | None  # indices into the training rows
    started_linear: bool = False  # began as the ridge model (workflow.linear_start)


@dataclass
class TrainResult:
    network: Network
    history: History  # member 0's
    metrics: dict
    notes: list[str] = field(default_factory=list)
    members: list[Member] = field(default_factory=list)


#: The losses a numeric target trains with (REGRESSION_LOSSES and the two halves of a
#: squared error that scikit-learn and robust regression use).
TABLE_REGRESSION_LOSSES = (*REGRESSION_LOSSES, "half_mse", "huber")


def _numbers(labels) -> bool:
    """Whether every label reads as a number (a target that may have been meant as one)."""
    try:
        [float(label) for label in labels]
    except ValueError:
        return False
    return len(labels) > 0


def split_rows(
    table: Table, target: str, task: str, test_size: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Train and test row indices; stratified by class for classification.

    Classes are taken in the order of their labels' text; each class's rows are shuffled by
    one draw of ``rng.permutation``, so the split depends only on the labels and the seed.
    """
    rng = np.random.default_rng(seed)
    n = len(table)
    if test_size == 0:
        return np.arange(n), np.zeros(0, dtype=np.int64)
    if task == "classification":
        labels, codes = label_codes(table, target)
        groups = [np.flatnonzero(codes == j) for j in range(len(labels))]
        if (codes < 0).any():  # rows without a label form a group of their own, keyed ''
            groups.insert(0, np.flatnonzero(codes < 0))
        test_parts = []
        for members in groups:
            count = round(len(members) * test_size)
            if len(members) >= 2:
                count = min(max(count, 1), len(members) - 1)
            else:
                count = 0
            test_parts.append(rng.permutation(members)[:count])
        test = np.concatenate(test_parts) if test_parts else np.zeros(0, dtype=np.int64)
        if len(test) == 0 and all(len(members) < 2 for members in groups) and _numbers(labels):
            raise DataError(
                f"{table.source}: the target {target!r}, read as {len(labels)} classes, has no class "
                "with 2 rows to split between training and testing; add rows, or pass task='regression' "
                "if it is a number to predict"
            )
    else:
        count = round(n * test_size)
        test = rng.permutation(n)[:count]
    if len(test) == 0 or len(test) >= n:
        raise DataError(
            f"{table.source}: {n} rows are too few to hold out test_size={test_size}; add rows or lower test_size="
        )
    chosen = np.zeros(n, dtype=bool)
    chosen[test] = True
    return np.flatnonzero(~chosen), np.flatnonzero(chosen)


def _check_target(table: Table, target: str, pre: Preprocessor) -> None:
    """DataError for a target nothing can be learned from, judged on every row kept: most rows
    a class of their own (``infer.unlearnable_classes``), or one number in every row."""
    cells = table.cells(target, pre.number_format)
    if pre.task == "classification":
        problem = unlearnable_classes(target, *class_counts(table.trimmed(target), cells.present))
    else:
        finite = cells.numbers[np.isfinite(cells.numbers)]
        same = finite.size > 1 and finite.min() == finite.max()
        problem = constant_target(target, finite[0], f"{finite.size} rows with a value") if same else None
    if problem:
        raise DataError(f"{table.source}: {problem}")


def _split_note(table: Table, target: str, tested: int, test_size: float) -> list[str]:
    """A note when the stratified split's test rows are far from ``test_size`` of the rows,
    saying why from the rows of each class: a class of one row only trains, a class of two
    tests one of them, and otherwise each class's share is rounded."""
    rows = len(table)
    wanted = round(rows * test_size)
    if abs(tested - wanted) <= max(1, 0.1 * wanted):
        return []  # (a regression split is never off)
    start = f"the test rows are {tested} of {rows}, not {wanted} (test_size={test_size}): the split keeps each class's share"
    sizes = np.bincount(label_codes(table, target)[1] + 1)[1:]  # rows of each class
    if sizes.size and sizes.min() > 2:
        size = int(np.bincount(sizes).argmax())  # the most common class size, as the example
        return [
            f"{start}, rounded class by class ({len(sizes)} classes; a class of {size} rows tests "
            f"round({size} × {test_size}) = {round(size * test_size)} of them)"
        ]
    return [f"{start}, and a class of one row only trains, while one of two tests half its rows"]


def output_layer(task: str, n_classes: int, loss: str | None) -> tuple[int, str, str]:
    """(n_outputs, output activation, loss) for the task; ``loss`` None picks the usual one.

    A numeric target (standardised) goes through an identity output with any loss of
    ``TABLE_REGRESSION_LOSSES``; classes through sigmoid or softmax with a cross-entropy, or
    with a distance loss as the course's networks do."""
    if loss == "poisson":
        raise OptionError(
            "loss",
            "poisson is not offered for tables: it needs raw counts through an exp output, and a "
            "numeric target is standardised; use mse or huber (chainrule.MLPRegressor in Python offers poisson)",
        )
    if task == "regression":
        loss = loss or "mse"
        if loss not in TABLE_REGRESSION_LOSSES:
            raise OptionError(
                "loss", f"{loss} is for classification; regression takes {', '.join(TABLE_REGRESSION_LOSSES)}"
            )
        return 1, "identity", loss
    if loss in (None, "binary_cross_entropy", "binary_cross_entropy_sum") and n_classes == 2:
        return 1, "sigmoid", loss or "binary_cross_entropy"
    if loss in (None, "cross_entropy"):
        return n_classes, "softmax", "cross_entropy"
    if loss in ("binary_cross_entropy", "binary_cross_entropy_sum"):  # one sigmoid output
        raise OptionError("loss", f"{loss} needs two classes, the target has {n_classes}; use cross_entropy")
    return (1, "sigmoid", loss) if n_classes == 2 else (n_classes, "softmax", loss)


def network_for(
    config: TrainConfig, pre: Preprocessor, n_classes: int, members: int = 1
) -> tuple[Network, str]:
    """The network ``config`` asks for on the inputs ``pre`` gives (widths scaled to them when
    ``hidden`` is unset, wider for one of ``members`` > 1 averaged regression networks; He
    initialisation for ReLUs, Glorot otherwise), with ``pre`` stored in it, and the loss it
    trains with."""
    n_outputs, output_activation, loss = output_layer(pre.task, n_classes, config.loss)
    averaged = pre.task == "regression" and members > 1
    hidden = auto_widths(pre.n_inputs, averaged) if config.hidden is None else config.hidden
    sizes = [pre.n_inputs, *hidden, n_outputs]
    # Checked here first, so a refusal names hidden= (the command line's --hidden), not sizes=.
    check_memory(
        network_bytes(sizes, np.dtype(config.dtype).itemsize),
        f"a network of sizes {sizes}",
        config.max_memory,
    )
    network = Network(
        sizes,
        activation=config.activation,
        output_activation=output_activation,
        init="he_normal" if config.activation in ("relu", "leaky_relu") else "glorot_uniform",
        seed=config.seed,
        dtype=config.dtype,
        max_memory=config.max_memory,
    )
    network.preprocessor = pre
    return network, loss


def train_table(table: Table, config: TrainConfig) -> TrainResult:
    """Split, preprocess, train and evaluate; the network carries its preprocessing and info."""
    config = config.checked()
    notes = []
    if config.target not in table.columns:
        raise DataError(
            f"{table.source}: no column {config.target!r}; columns are {', '.join(table.columns)}; "
            "pass target= with one of them"
        )
    # A provisional preprocessor (on all rows) settles the task and finds missing values.
    reading = {"number_format": config.number_format(), "ignore": config.ignore, "dtype": config.dtype}
    probe, probe_notes = Preprocessor.fit(
        table, config.target, config.task, config.categorical, config.impute, **reading
    )
    notes += probe_notes
    task = probe.task
    # The columns left out (an ID, dates, ...; each named in a note) stay out of every later fit.
    reading["ignore"] = (*config.ignore, *_left_out(table, config, probe))
    whole = table  # every row of the file, the dropped ones too: the categories' names
    if config.drop_missing:
        bad = probe.missing_rows(table, with_target=True)
        refuse_too_few_kept(table, probe, bad.size, config.impute)
        if bad.size:
            notes.append(dropped_note(bad.size, config.impute))
            table = table.select_rows(np.setdiff1d(np.arange(len(table)), bad))
            if len(table) < 2:
                raise DataError(
                    f"{table.source}: fewer than 2 rows remain after dropping rows with missing values"
                )
            probe, kept_notes = (
                Preprocessor.fit(  # what the rows kept hold (a class only in dropped rows is gone)
                    table, config.target, task, config.categorical, config.impute, **reading
                )
            )
            emptied = _left_out(table, config, probe, also=reading["ignore"])  # e.g. empty in the rows kept
            notes += [
                n for n in kept_notes if any(n.startswith(f"column {c!r} is left out") for c in emptied)
            ]
            reading["ignore"] = (*reading["ignore"], *emptied)
    else:
        probe.reject_missing(table, with_target=True, at_training=True)
    _check_target(table, config.target, probe)  # on every row kept: a split would leave classes of one row
    filled = fill_counts(probe, table)
    notes += fill_notes(probe, table, filled)  # every gap impute= fills is counted, never filled silently
    train_rows, test_rows = split_rows(table, config.target, task, config.test_size, config.seed)
    notes += _split_note(table, config.target, len(test_rows), config.test_size)
    train, test = table.select_rows(train_rows), table.select_rows(test_rows)
    # Category names from every row, so a category only in test rows (or only in rows dropped
    # for a gap) still has its one-hot input (all zeros in training), and predict takes the
    # file back; the statistics come from the training rows alone.
    vocabulary = category_names(whole, probe.categorical)
    pre, _ = Preprocessor.fit(
        train, config.target, task, config.categorical, config.impute, categories=vocabulary, **reading
    )
    if pre.task == "classification" and probe.labels != pre.labels:
        missing = sorted(set(probe.labels) - set(pre.labels))
        raise DataError(
            f"{table.source}: class {missing[0]!r} has too few rows to appear in the training split; add rows of it"
        )
    dtype = np.dtype(config.dtype)
    X_train = pre.transform(train, dtype)
    n_classes = len(pre.labels) if pre.labels else 0
    encoded = pre.encode_target(train, dtype)
    notes += leak_notes(pre, X_train, encoded)
    # Early stopping watches validation rows drawn from the training rows (per class).
    val = (
        validation_rows(encoded, task, config.validation_split, config.seed)
        if config.early_stopping
        else None
    )
    if config.early_stopping and val is None:
        notes.append(
            f"{len(train_rows)} training rows are too few to hold out validation rows; no early stopping"
        )
    fit = np.setdiff1d(np.arange(len(encoded)), val) if val is not None else slice(None)
    n_members = config.ensemble or (REGRESSION_MEMBERS if task == "regression" else 1)
    rows = Rows(X_train, encoded, fit, val)
    trained = [_train_member(config, pre, n_classes, rows, m, n_members, notes) for m in range(n_members)]
    members, loss = [member for member, _ in trained], trained[0][1]
    networks, histories = [m.network for m in members], [m.history for m in members]
    history, started_linear = histories[0], members[0].started_linear
    network = side_by_side(networks)
    network.info = {"task": task, "loss": loss, "target": config.target}
    results = {"task": task, "loss_name": loss, "epochs_run": len(history.epoch)}
    results["batch_size"] = batch_for(config.batch_size, len(rows.encoded[fit])) or "full"
    results["start"] = "linear model" if started_linear else "random"
    if history.best_epoch is not None:
        results["best_epoch"] = history.best_epoch
    if n_members > 1:
        results["ensemble"] = {
            "members": n_members,
            "epochs_run": [len(h.epoch) for h in histories],
            "best_epochs": [h.best_epoch for h in histories],
        }
    # The trivial baseline and the linear model on the same rows; the linear one is kept
    # instead when it does better on the validation rows (linear_fallback). A network that
    # started as the linear model had that choice made by early stopping (epoch 0).
    # An ensemble's other members trained on some of member 0's validation rows, so member 0
    # alone is compared with the linear model there.
    network, compared = compare_models(
        network, train, test, X_train, encoded, fit, val, config.linear_fallback, networks[0], started_linear
    )
    if started_linear and "verdict" in compared and all(h.best_epoch == 0 for h in histories):
        compared["verdict"] = verdict_at_start(compared, hidden=len(network.layers) > 1)
    results["train"] = evaluate_table(network, train)
    if len(test_rows):
        results["test"] = evaluate_table(network, test)
    results["rows"] = {"train": len(train_rows), "test": len(test_rows)}
    if filled:
        results["filled"] = filled
    results.update(compared)
    network.info["metrics"] = results
    return TrainResult(network, history, results, notes, members)


@dataclass
class Rows:
    """The preprocessed training rows, their encoded targets, and which train and validate."""

    X: np.ndarray
    encoded: np.ndarray
    fit: np.ndarray | slice
    val: np.ndarray | None


def _left_out(table: Table, config: TrainConfig, pre: Preprocessor, also=()) -> list[str]:
    """The columns of ``table`` that ``pre`` left out (an ID, dates, ...; each in a note),
    neither the target nor ignored by ``config`` nor in ``also``."""
    skipped = {config.target, *config.ignore, *also}
    return [c for c in table.columns if c not in skipped and c not in pre.features]


def _train_member(config, pre, n_classes: int, rows: Rows, member: int, members: int, notes: list):
    """(Member, loss) for ensemble member ``member``: member 0 has the run's own seed and
    validation rows, every other member its own (so together they learn from every row).

    A regression network with ReLU hidden layers starts as the ridge model (``linear_start``),
    and its start is early stopping's epoch 0."""
    seed = member_seed(config.seed, member)
    network, loss = network_for(replace(config, seed=seed), pre, n_classes, members)
    task, fit, val = pre.task, rows.fit, rows.val
    if member > 0 and val is not None:  # its own validation rows: together they learn from every row
        val = validation_rows(rows.encoded, task, config.validation_split, seed)
        fit = np.setdiff1d(np.arange(len(rows.encoded)), val)
    y = targets_for(network, pre, rows.encoded)
    baseline = None  # the start's validation loss: early stopping's epoch 0
    started_linear = starts_linear(config.linear_start, network)
    if started_linear:
        ridge = linear_network(rows.X[fit], rows.encoded[fit], task, 1, config.dtype)
        network, baseline = start_as(network, ridge, None if val is None else (rows.X[val], y[val]), loss)
        if member == 0:
            notes.append(START_NOTE)
    if member == 0:
        if members > 1:
            _check_ensemble(network, members, config.max_memory)
            notes.append(
                f"{members} networks of the sizes below train from different seeds and are averaged "
                "(side by side in one model); ensemble=1 trains one"
            )
        if config.on_start is not None:
            config.on_start(notes, network, loss)
    early = EarlyStopping(patience=config.patience, baseline=baseline) if val is not None else None
    options = config.fit_options()
    options["batch_size"] = batch_for(options["batch_size"], len(y[fit]))
    history = network.fit(
        rows.X[fit],
        y[fit],
        loss=loss,
        seed=seed,
        validation_data=None if val is None else (rows.X[val], y[val]),
        early_stopping=early,
        verbose=config.verbose,
        **options,
    )
    return Member(network, history, val, started_linear), loss


def _check_ensemble(network: Network, members: int, max_memory: float | None) -> None:
    """Refuse, before any member trains, an ensemble whose members side by side would not fit."""
    sizes = side_by_side_sizes(network.sizes, members)
    needed = network_bytes(sizes, network.dtype.itemsize)
    limit = max_memory or available_bytes()
    if limit is not None and needed > limit:
        raise OptionError(
            "ensemble",
            f"is {members}: side by side, sizes {sizes}, they need about {size_text(needed)}, more than the "
            f"{size_text(limit)} {'max_memory= allows' if max_memory else 'available'}; ask for fewer networks",
        )
