"""From a table to a trained, evaluated model: what ``chainrule train`` and friends do.

The command line only parses options and prints; the work is here, usable from
Python too: ``train_table`` splits the rows (stratified for classification),
learns the preprocessing on the training rows (the category names on all rows),
builds and trains a network and measures it; ``evaluate_table`` and
``predict_table`` apply a trained model to new rows, using the preprocessing
stored with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..nn.network import Network
from ..tables import metrics
from ..tables.preprocess import Preprocessor, _label, category_names
from ..tables.read import DataError, Table
from ..train.callbacks import EarlyStopping, History

__all__ = ["TrainConfig", "TrainResult", "train_table", "evaluate_table", "predict_table", "split_rows"]


@dataclass
class TrainConfig:
    target: str
    task: str | None = None
    hidden: tuple[int, ...] = (16, 16)
    activation: str = "relu"
    loss: str | None = None
    optimizer: str = "adam"
    lr: float = 0.001
    epochs: int = 200
    batch_size: int | None = 32
    seed: int = 0
    test_size: float = 0.2
    early_stopping: bool = False
    patience: int = 10
    validation_split: float = 0.1
    dtype: str = "float32"
    impute: str | None = None
    drop_missing: bool = False
    categorical: tuple[str, ...] = ()
    weight_decay: float = 0.0
    verbose: int = 1
    #: Called as on_start(notes, network, loss) once the data has been checked and just
    #: before training starts (the command line prints its notes there, so an error in
    #: the data is the only thing it prints).
    on_start: Callable[[list[str], Network, str], None] | None = None


@dataclass
class TrainResult:
    network: Network
    history: History
    metrics: dict
    notes: list[str] = field(default_factory=list)


def split_rows(
    table: Table, target: str, task: str, test_size: float, seed: int
) -> tuple[list[int], list[int]]:
    """Train and test row indices; stratified by class for classification."""
    rng = np.random.default_rng(seed)
    n = len(table)
    if test_size == 0:
        return list(range(n)), []
    if task == "classification":
        groups: dict[str, list[int]] = {}
        for i, text in enumerate(table.column(target)):
            groups.setdefault(_label(text), []).append(i)
        test: list[int] = []
        for label in sorted(groups):
            members = np.array(groups[label])
            count = round(len(members) * test_size)
            if len(members) >= 2:
                count = min(max(count, 1), len(members) - 1)
            else:
                count = 0
            test += rng.permutation(members)[:count].tolist()
    else:
        count = round(n * test_size)
        test = rng.permutation(n)[:count].tolist()
    if len(test) == 0 or len(test) >= n:
        raise DataError(
            f"{table.source}: {n} rows are too few to hold out test_size={test_size}; add rows or lower --test-size"
        )
    chosen = set(test)
    return [i for i in range(n) if i not in chosen], sorted(test)


def _output(task: str, n_classes: int, loss: str | None) -> tuple[int, str, str]:
    """(n_outputs, output activation, loss) for the task."""
    if task == "regression":
        loss = loss or "mse"
        if loss not in ("mse", "mae", "sse"):
            raise ValueError(f"--loss {loss} is for classification; regression takes mse, mae or sse")
        return 1, "identity", loss
    if loss in (None, "binary_cross_entropy", "bce") and n_classes == 2:
        return 1, "sigmoid", "binary_cross_entropy"
    if loss in (None, "cross_entropy"):
        return n_classes, "softmax", "cross_entropy"
    if loss in ("binary_cross_entropy", "bce"):
        raise ValueError(
            f"--loss binary_cross_entropy needs two classes, the target has {n_classes}; use cross_entropy"
        )
    if loss in ("mse", "mae", "sse"):
        return (1, "sigmoid", loss) if n_classes == 2 else (n_classes, "softmax", loss)
    raise ValueError(
        f"--loss must be one of mse, mae, sse, binary_cross_entropy, cross_entropy; got {loss!r}"
    )


def _targets_for(network: Network, pre: Preprocessor, encoded: np.ndarray) -> np.ndarray:
    """Encoded targets in the shape the network's loss wants."""
    if pre.task == "classification" and network.n_outputs > 1:
        return np.eye(network.n_outputs, dtype=network.dtype)[encoded]
    return encoded.astype(network.dtype)


def train_table(table: Table, config: TrainConfig) -> TrainResult:
    """Split, preprocess, train and evaluate; the network carries its preprocessing and info."""
    notes = []
    if config.target not in table.columns:
        raise DataError(
            f"{table.source}: no column {config.target!r}; columns are {', '.join(table.columns)}; "
            "pass --target with one of them"
        )
    # A provisional preprocessor (on all rows) settles the task and finds missing values.
    probe, probe_notes = Preprocessor.fit(
        table, config.target, config.task, config.categorical, config.impute
    )
    notes += probe_notes
    task = probe.task
    if config.drop_missing:
        bad = set(probe.missing_rows(table, with_target=True))
        if bad:
            notes.append(f"dropped {len(bad)} rows with missing values")
            table = table.select_rows([i for i in range(len(table)) if i not in bad])
            if len(table) < 2:
                raise DataError(
                    f"{table.source}: fewer than 2 rows remain after dropping rows with missing values"
                )
    else:
        probe.reject_missing(table, with_target=True)
    train_rows, test_rows = split_rows(table, config.target, task, config.test_size, config.seed)
    train, test = table.select_rows(train_rows), table.select_rows(test_rows)
    # Category names from every row, so a category only in test rows still has its one-hot
    # input (all zeros in training); the statistics come from the training rows alone.
    vocabulary = category_names(table, probe.categorical)
    pre, _ = Preprocessor.fit(
        train, config.target, task, config.categorical, config.impute, categories=vocabulary
    )
    if pre.task == "classification" and probe.labels != pre.labels:
        missing = sorted(set(probe.labels) - set(pre.labels))
        raise DataError(
            f"{table.source}: class {missing[0]!r} has too few rows to appear in the training split; add rows of it"
        )
    dtype = np.dtype(config.dtype)
    X_train = pre.transform(train, dtype)
    n_classes = len(pre.labels) if pre.labels else 0
    n_outputs, output_activation, loss = _output(task, n_classes, config.loss)
    init = "he_normal" if config.activation in ("relu", "leaky_relu") else "glorot_uniform"
    network = Network(
        [X_train.shape[1], *config.hidden, n_outputs],
        activation=config.activation,
        output_activation=output_activation,
        init=init,
        seed=config.seed,
        dtype=config.dtype,
    )
    network.preprocessor = pre
    y_train = _targets_for(network, pre, pre.encode_target(train, dtype))
    early = EarlyStopping(patience=config.patience) if config.early_stopping else None
    if config.on_start is not None:
        config.on_start(notes, network, loss)
    history = network.fit(
        X_train,
        y_train,
        loss=loss,
        optimizer=config.optimizer,
        lr=config.lr,
        epochs=config.epochs,
        batch_size=config.batch_size,
        seed=config.seed,
        validation_split=config.validation_split if config.early_stopping else 0.0,
        early_stopping=early,
        verbose=config.verbose,
        weight_decay=config.weight_decay,
    )
    network.info = {"task": task, "loss": loss, "target": config.target}
    results = {"task": task, "loss_name": loss, "epochs_run": len(history.epoch)}
    if history.best_epoch is not None:
        results["best_epoch"] = history.best_epoch
    results["train"] = evaluate_table(network, train)
    if test_rows:
        results["test"] = evaluate_table(network, test)
    results["rows"] = {"train": len(train_rows), "test": len(test_rows)}
    network.info["metrics"] = results
    return TrainResult(network, history, results, notes)


def evaluate_table(network: Network, table: Table) -> dict:
    """Loss and metrics of a trained model on a table that has the target column."""
    pre = _preprocessor(network)
    pre.check_columns(table, need_target=True)
    pre.reject_missing(table, with_target=True)
    X = pre.transform(table, network.dtype)
    encoded = pre.encode_target(table, network.dtype)
    loss = network.info.get("loss") or ("mse" if pre.task == "regression" else "cross_entropy")
    with np.errstate(over="ignore", under="ignore"):
        outputs = network.predict(X).astype(np.float64)
    result = {
        "rows": len(table),
        "loss": network.astype(np.float64).loss(X, _targets_for(network, pre, encoded), loss),
    }
    if pre.task == "classification":
        predicted = _classes(outputs)
        result["accuracy"] = metrics.accuracy(encoded, predicted)
        result["per_class"] = metrics.class_report(encoded, predicted, pre.labels)
    else:
        true = pre.decode_regression(encoded.astype(np.float64))
        values = pre.decode_regression(outputs)
        result["r2"] = metrics.r2_score(true, values)
        result["mae"] = metrics.mean_absolute_error(true, values)
        result["mse"] = metrics.mean_squared_error(true, values)
    return result


def predict_table(network: Network, table: Table) -> tuple[list[str], np.ndarray | None, list[str]]:
    """(predictions as original labels or values, class probabilities or None, notes)."""
    pre = _preprocessor(network)
    unexpected = pre.check_columns(table)
    notes = [f"ignoring columns not seen in training: {', '.join(unexpected)}"] if unexpected else []
    pre.reject_missing(table, with_target=False)
    X = pre.transform(table, network.dtype)
    outputs = network.predict(X).astype(np.float64)
    if pre.task == "classification":
        probabilities = (
            np.column_stack([1 - outputs[:, 0], outputs[:, 0]]) if outputs.shape[1] == 1 else outputs
        )
        return [pre.labels[i] for i in _classes(outputs)], probabilities, notes
    return [repr(float(v)) for v in pre.decode_regression(outputs)], None, notes


def _classes(outputs: np.ndarray) -> np.ndarray:
    if outputs.shape[1] == 1:
        return (outputs[:, 0] > 0.5).astype(np.intp)
    return outputs.argmax(axis=1)


def _preprocessor(network: Network) -> Preprocessor:
    if network.preprocessor is None:
        raise DataError(
            "this model has no stored preprocessing (it was not trained by chainrule train); use the Python API"
        )
    return network.preprocessor
