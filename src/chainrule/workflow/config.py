"""The settings of a training run on a table: one field each, with its default, help and limits.

``TrainConfig`` is the single source of truth for ``chainrule train``: the command
line builds its options, choices, help and ``--config`` TOML keys from these fields,
and ``TrainConfig.checked()`` enforces every limit, naming the Python parameter
(the command line shows the flag instead). Adding a training option is one field here.

Values may come as Python values or as the text typed on a command line: ``"0.01"``
is read as the number 0.01, ``"16,16"`` as the widths (16, 16).
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass, field

from .._validation import shown
from ..errors import OptionError
from ..nn.activations import HIDDEN_ACTIVATIONS
from ..nn.losses import LOSSES
from ..train.optim import OPTIMIZERS

__all__ = ["Spec", "TrainConfig", "check_setting", "option_specs"]

TASKS = ("classification", "regression")
DTYPES = ("float32", "float64")
IMPUTERS = ("mean", "median")
DECIMALS = (".", ",")
THOUSANDS = (",", ".", "'", " ")
#: The losses a table takes: every loss but poisson, which needs raw counts through an exp
#: output (``train.output_layer`` refuses it with that reason; a table's number is standardised).
TABLE_LOSSES = tuple(name for name in LOSSES.names if name != "poisson")


@dataclass(frozen=True)
class Spec:
    """What a setting may be. ``kind`` is one of:

    ``text``, ``choice`` (one of ``choices``), ``whole`` (an integer), ``number`` (a
    finite real), ``bool``, ``widths`` (hidden layer widths), ``columns`` (column
    names) or ``batch`` (a whole number, or ``"full"`` for full-batch).
    ``low``/``high`` bound numbers, open (excluded) where ``low_open``/``high_open`` say.
    """

    help: str
    kind: str
    choices: tuple[str, ...] = ()
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    metavar: str | None = None
    fit: bool = False  # passed on to Network.fit under the same name


def option(default, help: str, kind: str, **limits) -> dataclasses.Field:
    return field(default=default, metadata={"spec": Spec(help, kind, **limits)})


@dataclass
class TrainConfig:
    """How ``train_table`` splits, preprocesses, builds and trains. See each field's help."""

    target: str | None = option(None, "the column to predict", "text", metavar="COL")
    task: str | None = option(
        None, "classification or regression; inferred from the target", "choice", choices=TASKS
    )
    hidden: tuple[int, ...] | None = option(
        None,
        "hidden layer widths, e.g. 16,16 (0 for none); default: two layers of 2 × inputs nodes, "
        "rounded up to a power of two from 16 to 128, for each network of a regression ensemble "
        "4 × inputs from 32 to 256 (a linear-started network adds 2 to each)",
        "widths",
        metavar="WIDTHS",
    )
    activation: str = option("relu", "activation of the hidden layers", "choice", choices=HIDDEN_ACTIVATIONS)
    loss: str | None = option(
        None,
        "loss function; default mse for a number, cross-entropy for classes (a number also takes "
        "mae, sse, half_mse, huber)",
        "choice",
        choices=TABLE_LOSSES,
    )
    optimizer: str = option("adam", "optimizer", "choice", choices=OPTIMIZERS.names, fit=True)
    lr: float = option(0.001, "learning rate", "number", low=0, low_open=True, fit=True)
    epochs: int = option(1000, "most passes through the training data", "whole", low=1, fit=True)
    batch_size: int | str | None = option(
        "auto",
        "rows per update; 'full' for full-batch; 'auto': 32, and from 25,600 training rows on the "
        "largest power of two at most rows / 400, up to 1024 (an epoch stays 400 to 800 updates)",
        "batch",
        low=1,
        metavar="ROWS",
        fit=True,
    )
    seed: int = option(0, "seed for initialisation, shuffling and splits", "whole", low=0)
    test_size: float = option(
        0.2, "fraction of rows held out for testing", "number", low=0, high=1, high_open=True
    )
    early_stopping: bool = option(
        True, "stop when the validation loss stops improving, keeping the best epoch's weights", "bool"
    )
    patience: int = option(20, "epochs without improvement before early stopping", "whole", low=0)
    validation_split: float = option(
        0.1,
        "fraction of training rows held out for early stopping (per class); in memory, at least "
        "20 rows when that is at most a quarter of them",
        "number",
        low=0,
        high=1,
        low_open=True,
        high_open=True,
    )
    weight_decay: float = option(0.001, "L2 weight decay", "number", low=0, fit=True)
    clip_norm: float | None = option(
        None,
        "scale each update's slopes down to this Euclidean norm when larger",
        "number",
        low=0,
        low_open=True,
        fit=True,
    )
    linear_fallback: bool = option(
        True,
        "keep the linear model (no hidden layer) instead unless the network's loss on the "
        "validation rows is lower by more than one standard error (fewer than 20 validation rows "
        "cannot show that: the linear model is kept; a linear-started network had this choice "
        "made by early stopping)",
        "bool",
    )
    linear_start: bool = option(
        True,
        "regression with ReLU hidden layers: start the network from the ridge model, carried "
        "through 2 more nodes per hidden layer (relu(z) - relu(-z) = z) with the other nodes' "
        "output weights at 0, so early stopping keeps the linear model unless training beats it",
        "bool",
    )
    ensemble: int | None = option(
        None,
        "networks trained from different seeds, each holding out its own validation rows, and "
        "averaged, side by side in one model; default: 5 for regression, 1 for classification "
        "(in-memory runs)",
        "whole",
        low=1,
        metavar="K",
    )
    dtype: str = option("float32", "float32, or float64 for exact arithmetic", "choice", choices=DTYPES)
    max_memory: float | None = option(
        None,
        "bytes the network and its training may take, e.g. 8e9; default: what the machine has available",
        "number",
        low=0,
        low_open=True,
        metavar="BYTES",
        fit=True,
    )
    impute: str | None = option(
        None,
        "fill missing values (and inf) with the training mean or median, a category with the most "
        "frequent, instead of refusing them; the fills are counted in the output",
        "choice",
        choices=IMPUTERS,
    )
    drop_missing: bool = option(
        False, "drop rows with missing values (with --impute, only the rows missing the target)", "bool"
    )
    categorical: tuple[str, ...] = option(
        (), "columns to one-hot encode even if numeric", "columns", metavar="COLS"
    )
    chunk_rows: int | None = option(
        None,
        "read DATA in chunks of this many rows instead of whole (Parquet or CSV files, or a glob "
        "like 'data/*.parquet'); the table need not fit in memory",
        "whole",
        low=1,
        metavar="ROWS",
    )
    ignore: tuple[str, ...] = option(
        (), "columns to leave out, such as an ID column", "columns", metavar="COLS"
    )
    decimal: str = option(
        ".",
        "the decimal mark of numbers in the data, '.' or ',': ',' reads 0,5 as 0.5",
        "choice",
        choices=DECIMALS,
        metavar="MARK",
    )
    thousands: str | None = option(
        None,
        "the thousands separator of numbers in the data, ',' '.' \"'\" or ' ' (a space, or a no-break "
        "space): ',' reads 12,345 as 12345",
        "choice",
        choices=THOUSANDS,
        metavar="MARK",
    )
    percent: bool = option(
        False, "read numbers like 50% as 0.5; a column must write all its numbers with % or none", "bool"
    )
    #: 0 silent, 1 a progress bar in a terminal, 2 a progress bar always (not a saved setting).
    verbose: int = 1
    #: Called as on_start(notes, network, loss) once the data has been checked and just
    #: before training starts (the command line prints its notes there, so an error in
    #: the data is the only thing it prints).
    on_start: Callable | None = None

    def checked(self) -> TrainConfig:
        """A copy with every setting converted and checked; OptionError names the first bad one."""
        values = {}
        for spec_field, spec in option_specs():
            value = getattr(self, spec_field.name)
            if value is None and spec_field.default is None:
                values[spec_field.name] = None  # unset: the workflow chooses
            else:
                values[spec_field.name] = _convert(spec_field.name, value, spec)
        if values["thousands"] is not None and values["thousands"] == values["decimal"]:
            raise OptionError("thousands", f"must differ from decimal={values['decimal']!r}")
        return dataclasses.replace(self, **values)

    def number_format(self) -> dict:
        """How the data writes its numbers, for ``Preprocessor.fit`` (``tables.formats``)."""
        return {"decimal": self.decimal, "thousands": self.thousands, "percent": self.percent}

    def fit_options(self) -> dict:
        """The settings that go to ``Network.fit`` as they are (fields marked ``fit=True``)."""
        return {f.name: getattr(self, f.name) for f, spec in option_specs() if spec.fit}

    def settings(self) -> dict:
        """The saved settings (every option field), as plain values."""
        return {spec_field.name: getattr(self, spec_field.name) for spec_field, _ in option_specs()}


def option_specs() -> list[tuple[dataclasses.Field, Spec]]:
    """Every TrainConfig field that is a setting, with its Spec, in declaration order."""
    return [(f, f.metadata["spec"]) for f in dataclasses.fields(TrainConfig) if "spec" in f.metadata]


def check_setting(name: str, value):
    """``value`` converted and checked as the setting ``name`` (None for an unset one that
    has no default); OptionError names the setting."""
    for spec_field, spec in option_specs():
        if spec_field.name == name:
            if value is None and spec_field.default is None:
                return None
            return _convert(name, value, spec)
    raise OptionError(name, "is not a setting")


def _convert(name: str, value, spec: Spec):
    return _KINDS[spec.kind](name, value, spec)


def _text(name, value, spec):
    if not isinstance(value, str) or not value:
        raise OptionError(name, f"must be a non-empty text, got {shown(value)}")
    return value


def _choice(name, value, spec):
    if spec.choices is THOUSANDS and value in ("\u00a0", "\u202f", "\u2019"):  # no-break spaces, ’
        return " " if value != "\u2019" else "'"
    if isinstance(value, str) and value.lower() in spec.choices:
        return value.lower()
    if spec.choices is TABLE_LOSSES and isinstance(value, str) and value.lower() in LOSSES:
        return LOSSES.canonical(value)
    listed = spec.choices if all(c.isalnum() or "_" in c for c in spec.choices) else map(repr, spec.choices)
    raise OptionError(name, f"must be one of {', '.join(listed)}, got {shown(value)}")


def _bool(name, value, spec):
    if isinstance(value, bool):
        return value
    raise OptionError(name, f"must be true or false, got {shown(value)}")


def _whole(name, value, spec):
    number = value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        number = int(value.strip())
    if isinstance(number, bool) or not isinstance(number, numbers.Integral):
        raise OptionError(name, f"must be a whole number, got {shown(value)}")
    return int(_within(name, int(number), value, spec))


def _number(name, value, spec):
    number = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            raise OptionError(name, f"must be a number, got {shown(value)}") from None
    if isinstance(number, bool) or not isinstance(number, numbers.Real):
        raise OptionError(name, f"must be a number, got {shown(value)}")
    if not math.isfinite(number):
        raise OptionError(name, f"must be finite, got {shown(value)}")
    return float(_within(name, float(number), value, spec))


def _within(name, number, value, spec):
    if spec.low is not None and (number < spec.low or (spec.low_open and number == spec.low)):
        raise OptionError(name, f"must be {'>' if spec.low_open else '>='} {spec.low:g}, got {shown(value)}")
    if spec.high is not None and (number > spec.high or (spec.high_open and number == spec.high)):
        raise OptionError(
            name, f"must be {'<' if spec.high_open else '<='} {spec.high:g}, got {shown(value)}"
        )
    return number


def _batch(name, value, spec):
    if value is None or (isinstance(value, str) and value.strip().lower() in ("full", "none")):
        return None
    if isinstance(value, str) and value.strip().lower() == "auto":
        return "auto"
    return _whole(name, value, spec)


def _widths(name, value, spec):
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",")]
        if len(parts) > 1 and "" in parts:
            raise OptionError(name, f"has an empty width between commas, got {shown(value)}; e.g. 16,16")
        parts = [part for part in parts if part]
    elif isinstance(value, (list, tuple)):
        parts = list(value)
    else:
        parts = [value]
    if parts in (["0"], [0]):
        return ()
    if parts == ["auto"]:
        return None  # scaled to the data (workflow.select.auto_widths)
    widths = []
    for part in parts:
        text = str(part)
        if (
            isinstance(part, bool)
            or not (isinstance(part, numbers.Integral) or text.isdigit())
            or int(text) < 1
        ):
            raise OptionError(name, f"must list positive widths like 16,16, got {shown(value)}")
        widths.append(int(text))
    return tuple(widths)


def _columns(name, value, spec):
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, (list, tuple)) and all(isinstance(part, str) for part in value):
        return tuple(value)
    raise OptionError(name, f"must list column names, got {shown(value)}")


_KINDS = {
    "text": _text,
    "choice": _choice,
    "bool": _bool,
    "whole": _whole,
    "number": _number,
    "batch": _batch,
    "widths": _widths,
    "columns": _columns,
}
