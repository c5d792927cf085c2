"""Applying a trained model to the rows of a table: evaluate, predict, explain one row.

Each uses the preprocessing stored with the model (``network.preprocessor``), so
columns are matched by name and predictions come back as the original labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..nn.network import Network
from ..see.explain import Explanation, explain
from ..tables import metrics
from ..tables.fills import fill_notes
from ..tables.infer import where
from ..tables.preprocess import Preprocessor
from ..tables.read import DataError, Table
from .ensemble import fixed_weights, members_of

__all__ = ["RowExample", "evaluate_table", "predict_table", "explain_row", "row_example", "targets_for"]


def targets_for(network: Network, pre: Preprocessor, encoded: np.ndarray) -> np.ndarray:
    """Encoded targets in the shape the network's loss wants."""
    if pre.task == "classification" and network.n_outputs > 1:
        return np.eye(network.n_outputs, dtype=network.dtype)[encoded]
    return encoded.astype(network.dtype)


def evaluate_table(network: Network, table: Table) -> dict:
    """Loss and metrics of a trained model on a table that has the target column."""
    pre = _preprocessor(network)
    pre.check_columns(table, need_target=True)
    pre.reject_missing(table, with_target=True)
    X = pre.transform(table, network.dtype)
    encoded = pre.encode_target(table, network.dtype)
    loss = network.info.get("loss") or ("mse" if pre.task == "regression" else "cross_entropy")
    outputs = _outputs(network, pre, table, X)
    result = {
        "rows": len(table),
        "loss": network.astype(np.float64).loss(X, targets_for(network, pre, encoded), loss),
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


def predict_table(network: Network, table: Table) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """(predictions, class probabilities ``(n, n_classes)`` or None, notes).

    Predictions are the original labels (a NumPy text array) for classification and values
    in the target's units (floats) for regression.
    """
    pre = _preprocessor(network)
    unexpected = pre.check_columns(table)
    notes = (
        [
            f"ignoring columns the model does not use (not in training, or left out there): {', '.join(unexpected)}"
        ]
        if unexpected
        else []
    )
    pre.reject_missing(table, with_target=False)
    X = pre.transform(table, network.dtype)
    notes += fill_notes(pre, table)
    outputs = _outputs(network, pre, table, X)
    if pre.task == "classification":
        probabilities = (
            np.column_stack([1 - outputs[:, 0], outputs[:, 0]]) if outputs.shape[1] == 1 else outputs
        )
        return np.array(pre.labels)[_classes(outputs)], probabilities, notes
    return pre.decode_regression(outputs), None, notes


def _outputs(network: Network, pre: Preprocessor, table: Table, X: np.ndarray) -> np.ndarray:
    """The network's outputs for ``X`` ``(n, n_inputs)`` in float64; DataError at the first
    row whose output is not finite, naming the input furthest from the training data (a value
    many standard deviations out can overflow the sums of a layer), never NaN passed on."""
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        outputs = network.predict(X).astype(np.float64)
    bad = ~np.isfinite(outputs).all(axis=1)
    if bad.any():
        row = int(np.argmax(bad))
        far = int(np.argmax(np.abs(X[row])))
        name = pre.input_names[far]
        place = where(table, row, name) if name in pre.numeric else table.place(row)
        raise DataError(
            f"{place}: the network's output is not finite in {network.dtype.name} for this row, "
            f"whose input {name!r} is {abs(float(X[row, far])):.3g} training standard deviations "
            "from its training mean; check the value"
        )
    return outputs


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


@dataclass
class RowExample:
    """One data row as the network sees it: inputs ``x`` (standardised / one-hot, float64),
    target ``y`` in the loss's shape, the loss, the input names, and where the row is."""

    x: np.ndarray
    y: np.ndarray
    loss: str
    input_names: list[str]
    note: str
    #: The weights that are not trained (an ensemble's, between its networks), for explain.
    fixed: list | None = None


def row_example(network: Network, table: Table, row: int) -> RowExample:
    """Data row ``row`` (1 = the first row below the header) of a table that has the target."""
    pre = _preprocessor(network)
    if (
        isinstance(row, (bool, np.bool_))
        or not isinstance(row, (int, np.integer))
        or not 1 <= row <= len(table)
    ):
        raise ValueError(f"row must be a whole number from 1 to {len(table)} (the table's rows), got {row!r}")
    pre.check_columns(table, need_target=True)
    single = table.select_rows([row - 1])
    pre.reject_missing(single, with_target=True)
    _outputs(network, pre, single, pre.transform(single, network.dtype))  # predict's refusals too
    x = pre.transform(single, np.float64)
    y = targets_for(network, pre, pre.encode_target(single, np.float64))
    line = single.line(0)  # "line 7" of a text file; a Parquet file's row number is the row's own
    found = f" ({line} of {table.source})" if line.startswith("line") else f" of {table.source}"
    note = f"row {row}{found}; inputs are standardised/one-hot as in training"
    members = members_of(network)
    if members > 1:
        note += (
            f"; the model is {members} networks side by side, their outputs averaged: the weights "
            "between them are 0 and never trained"
        )
    fixed = fixed_weights(network, members)
    return RowExample(x[0], y[0], network.info.get("loss", "mse"), list(pre.input_names), note, fixed)


def explain_row(network: Network, table: Table, row: int) -> tuple[Explanation, RowExample]:
    """The chain rule for data row ``row`` on the inputs the network sees, with that example."""
    example = row_example(network, table, row)
    explanation = explain(network, example.x, example.y, example.loss, example.input_names, example.fixed)
    pre = _preprocessor(network)
    if pre.task == "regression":  # the numbers are standardised: say what they are in the target's units
        to_units = pre.decode_regression
        prediction, target = (
            float(to_units(np.asarray(v, np.float64))[0])
            for v in (explanation.prediction, explanation.target)
        )
        example.note += (
            f"; the target {pre.target!r} is standardised too, (value − {pre.target_mean:.6g}) / "
            f"{pre.target_std:.6g}: the prediction is {prediction:.6g} and the target {target:.6g} in its units"
        )
    else:
        example.note += "; " + _classes_of_outputs(pre, network.n_outputs, explanation.target)
    return explanation, example


def _classes_of_outputs(pre, n_outputs: int, target) -> str:
    """Which class each output node stands for, and the row's class, in words."""
    labels = list(pre.labels)
    if n_outputs == 1:  # one sigmoid output: the probability of the second class
        row_class = labels[round(float(np.ravel(target)[0]))]
        return (
            f"the target {pre.target!r} is class {row_class!r}: the output is the probability of "
            f"class {labels[1]!r} (target 1), against {labels[0]!r} (target 0)"
        )
    row_class = labels[int(np.argmax(target))]
    outputs = ", ".join(f"output_{j} {label!r}" for j, label in enumerate(labels))
    return f"the target {pre.target!r} is class {row_class!r}; the outputs are the classes: {outputs}"
