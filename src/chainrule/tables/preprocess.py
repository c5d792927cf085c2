"""Everything training learns about the data, so prediction can apply it again.

A ``Preprocessor`` is fitted on the training rows of a Table and remembers:
which columns are features and in what order (later tables are matched by
name), which are numbers (standardised with the training mean and standard
deviation) and which are categories (one-hot encoded, one input per category
name found in any row of the training file; a category never seen is an
error), how missing values are handled, and the target: class labels for
classification (predictions come back as the original labels), or the mean and
standard deviation it was standardised with for regression. It is stored in the
model file as plain JSON (checked on loading by ``tables.stored``).

Fitting and applying work on whole columns (``Table.cells``): a mean is one NumPy
reduction, a one-hot block one scatter, and a bad cell is looked for (by mask) only
once a column-wide check has failed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .cells import category_codes, distinct
from .fills import reject_missing
from .formats import format_key
from .infer import (
    category_names,
    check_options,
    checked_labels,
    class_labels,
    infer_task,
    label_codes,
    label_text,
    same_number,
    where,
)
from .left_out import (
    empty_column,
    empty_columns,
    empty_left_out,
    is_row_index,
    mostly_text,
    parquet_index,
    row_index,
    text_with_numbers,
    unusable_categories,
)
from .number_checks import (
    check_magnitudes,
    check_spread,
    check_standardised,
    check_written_otherwise,
    not_a_number,
)
from .percent import check_percent_form, written_as_percent
from .read import DataError, Table
from .stored import checked_fields

__all__ = ["Preprocessor", "infer_task", "class_labels", "category_names", "label_text"]


def _first(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


@dataclass
class Preprocessor:
    features: list[str]
    target: str
    task: str
    numeric: dict[str, dict[str, float]] = field(default_factory=dict)
    categorical: dict[str, list[str]] = field(default_factory=dict)
    labels: list[str] | None = None
    target_mean: float = 0.0
    target_std: float = 1.0
    impute: str | None = None
    categorical_fill: dict[str, str] = field(default_factory=dict)
    #: How the numbers are written (``tables.formats``): {} for plainly, else e.g. {"decimal": ","}.
    number_format: dict = field(default_factory=dict)
    #: With percent=True, the numeric columns (and target) written with % signs (``tables.percent``).
    percent_columns: list[str] | None = None

    # ---------------------------------------------------------------- fitting
    @classmethod
    def fit(
        cls,
        table: Table,
        target: str,
        task: str | None = None,
        categorical: tuple[str, ...] = (),
        impute: str | None = None,
        categories: dict[str, list[str]] | None = None,
        number_format: dict | None = None,
        ignore: tuple[str, ...] = (),
        dtype=np.float64,
    ) -> tuple[Preprocessor, list[str]]:
        """Learn the preprocessing from the training rows; returns it and notes for the user.

        ``categories`` maps a column to category names known beforehand (``category_names`` of
        every row of the file, test rows included): each gets a one-hot input even when no row
        of ``table`` holds it, and the column is categorical. Means, standard deviations, fill
        values and labels are learned from ``table`` alone.

        ``number_format`` reads numbers written other ways (``tables.formats``); without it a
        column of such numbers is refused. A column that cannot be a feature (an ID, free text,
        dates, numbers with a unit, the row numbers: ``tables.left_out``) is left out with a
        note, unless ``categorical`` names it. Numbers too large for ``dtype`` are refused.
        """
        categories = categories or {}
        fmt = dict(format_key(number_format))
        notes = []
        if target not in table.columns:
            raise DataError(
                f"{table.source}: no column {target!r}; columns are {', '.join(table.columns)}; pass target= with one of them"
            )
        check_options(table.source, table.columns, target, categorical, ignore)
        if impute not in (None, "mean", "median"):
            raise ValueError(f"impute must be 'mean' or 'median', got {impute!r}")
        table.parse([target, *(name for name in table.columns if name not in ignore)], fmt)
        if not table.cells(target, fmt).present.any():
            raise DataError(
                f"{table.source}: target column {target!r} has no values in its {len(table)} rows; "
                "fill in the target, or pass target= with the column to predict"
            )
        if task != "classification":
            advice = "task='classification' to keep them as class labels"
            check_written_otherwise(table, target, table.cells(target, fmt), fmt, advice)
        inferred = task is None  # so a message can name task= as a way out
        if inferred:
            task, reason = infer_task(table, target, fmt)
            notes.append(f"task: {task} (inferred: {reason}; pass task= to choose)")
        elif task not in ("classification", "regression"):
            raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
        features = [c for c in table.columns if c != target and c not in ignore]
        if not features:
            raise DataError(
                f"{table.source}: the only column is the target {target!r}; there are no features"
            )
        pre = cls(features=features, target=target, task=task, impute=impute, number_format=fmt)
        pre.percent_columns = []
        left_out, empty = [], []  # columns that cannot be features (each named in a note); with no value
        for name in features:
            chosen = name in categorical or name in categories
            if not chosen and (index := parquet_index(table, name)):  # whatever it holds
                left_out.append(name)
                notes.append(index)
                continue
            cells = table.cells(name, fmt)
            present, texts = int(cells.present.sum()), int(cells.text.sum())
            if not chosen:
                check_written_otherwise(table, name, cells, fmt)
            if not present and not chosen:  # nothing to learn, nothing to fill with
                if impute is None:
                    empty.append(name)  # refused below, every such column at once
                else:
                    left_out.append(name)
                    notes.append(empty_left_out(name, len(table)))
                continue
            if chosen or (present and (texts == present or mostly_text(texts, present))):
                seen = distinct(table.trimmed(name), cells.present)
                if not seen:
                    raise DataError(f"{table.source}: {empty_column(name, 0, len(table))}")
                problem = None if chosen else unusable_categories(table, name, cells.present)
                if problem:
                    left_out.append(name)
                    notes.append(problem)
                    continue
                if not chosen and texts < present:
                    notes.append(text_with_numbers(table, name, cells, texts, present))
                pre.categorical[name] = sorted(set(seen).union(categories.get(name, ())))
                continue
            if texts:
                raise not_a_number(
                    table,
                    name,
                    cells,
                    fmt,
                    f"{present - texts} other values in the column are numbers; fix the value",
                    f"categorical={name!r} to treat the column as categories",
                )
            if not chosen and is_row_index(name, cells.numbers, cells.missing):
                left_out.append(name)
                notes.append(row_index(name, len(table)))
                continue
            check_magnitudes(table, name, cells.numbers, dtype)
            finite = cells.numbers[np.isfinite(cells.numbers)]
            if finite.size == 0:
                raise DataError(f"{table.source}: {empty_column(name, present, len(table))}")
            fill = None
            if impute == "mean":
                fill = float(finite.mean())
            elif impute == "median":
                fill = float(np.median(finite))
            mean, std = float(finite.mean()), float(finite.std())
            check_spread(table.source, name, std)
            if std == 0:
                notes.append(f"column {name!r} is constant in the training data")
                std = 1.0
            pre.numeric[name] = {"mean": mean, "std": std, **({"fill": fill} if fill is not None else {})}
            pre.percent_columns += [name] if written_as_percent(table, name, cells) else []
        if empty:
            target_gaps = int((~table.cells(target, fmt).present).sum())
            raise DataError(f"{table.source}: {empty_columns(empty, len(table), target_gaps)}")
        if left_out:
            pre.features = [name for name in features if name not in left_out]
            if not pre.features:
                raise DataError(
                    f"{table.source}: no column can be a feature: {'; '.join(notes[-len(left_out) :])}"
                )
        cells = table.cells(target, fmt)
        if task == "classification":
            pre.labels = class_labels(distinct(table.trimmed(target), cells.present))
            notes += checked_labels(table.source, target, pre.labels, int(cells.present.sum()), inferred)
        else:
            if cells.text.any():
                raise DataError(
                    f"{where(table, _first(cells.text), target)} "
                    "is not a number, but regression needs a numeric target; write it as a plain number "
                    "(no unit or separators) or pass task='classification'"
                )
            check_magnitudes(table, target, cells.numbers, dtype)
            pre.percent_columns += [target] if written_as_percent(table, target, cells) else []
            finite = cells.numbers[np.isfinite(cells.numbers)]
            pre.target_mean = float(finite.mean())
            pre.target_std = float(finite.std()) or 1.0
            check_spread(table.source, target, pre.target_std, target=True)
        if impute is not None:
            for name, names in pre.categorical.items():
                codes = category_codes(table.trimmed(name), names)
                counts = np.bincount(codes[codes >= 0], minlength=len(names))
                pre.categorical_fill[name] = names[int(np.argmax(counts))]
        return pre, notes

    # -------------------------------------------------------------- applying
    @property
    def input_names(self) -> list[str]:
        """The network's input nodes: numeric columns, then one per category as ``col=value``."""
        names = []
        for name in self.features:
            if name in self.categorical:
                names += [f"{name}={value}" for value in self.categorical[name]]
            else:
                names.append(name)
        return names

    def check_columns(self, table: Table, need_target: bool = False) -> list[str]:
        """Raise DataError listing missing columns; return the unexpected ones."""
        needed = self.features + ([self.target] if need_target else [])
        present = set(table.columns)
        known = {*self.features, self.target}
        missing = [c for c in needed if c not in present]
        unexpected = [c for c in table.columns if c not in known]
        if missing:
            extra = f"; unexpected columns: {', '.join(unexpected)}" if unexpected else ""
            raise DataError(
                f"{table.source}: missing columns the model needs: {', '.join(missing)}{extra}; "
                "give the columns the model was trained with"
            )
        return unexpected

    def _cells(self, table: Table, name: str):
        """A column's cells, numbers read as in training (``number_format``)."""
        return table.cells(name, self.number_format)

    def gaps(self, table: Table, name: str) -> np.ndarray:
        """Cells of a column that are missing, or numbers that are not finite in a numeric column
        or a regression target."""
        cells = self._cells(table, name)
        if name in self.numeric or (name == self.target and self.task == "regression"):
            return cells.missing | (~np.isfinite(cells.numbers) & ~cells.text)
        return cells.missing

    def missing_rows(self, table: Table, with_target: bool) -> np.ndarray:
        """Rows with a missing or non-finite value ``impute`` does not fill: in a feature when
        there is no ``impute``, and in the target (``with_target``), which nothing fills."""
        bad = np.zeros(len(table), dtype=bool)
        for name in (self.features if self.impute is None else []) + ([self.target] if with_target else []):
            bad |= self.gaps(table, name)
        return np.flatnonzero(bad)

    def reject_missing(self, table: Table, with_target: bool, at_training: bool = False) -> None:
        """DataError with the count and first place of missing/non-finite values, when not
        imputing; the advice is for training (``at_training``) or for a trained model's use."""
        reject_missing(self, table, with_target, at_training)

    def transform(self, table: Table, dtype=np.float64) -> np.ndarray:
        """The feature matrix ``(n, n_inputs)``: standardised numbers and one-hot categories."""
        self.check_columns(table)
        table.parse(self.features, self.number_format)
        n = len(table)
        X = np.zeros((n, self.n_inputs), dtype=dtype)
        column = 0
        for name in self.features:
            if name in self.categorical:
                categories = self.categorical[name]
                codes = category_codes(table.trimmed(name), categories)
                if name in self.categorical_fill:
                    codes[self._cells(table, name).missing] = categories.index(self.categorical_fill[name])
                unseen = codes < 0
                if unseen.any():
                    shown = ", ".join(map(repr, categories[:10])) + (", ..." if len(categories) > 10 else "")
                    raise DataError(
                        f"{where(table, _first(unseen), name)}: category not seen in training (known: {shown}); "
                        "fix the value or retrain with it"
                    )
                X[np.arange(n), column + codes] = 1
                column += len(categories)
                continue
            stats = self.numeric[name]
            cells = self._cells(table, name)
            if cells.text.any():
                advice = (
                    "write it as the training file wrote its numbers"
                    if self.number_format
                    else "fix the value"
                )
                raise not_a_number(table, name, cells, self.number_format, advice)
            check_percent_form(table, name, cells, self.percent_columns)
            check_magnitudes(table, name, cells.numbers, dtype)
            values = cells.numbers
            holes = ~np.isfinite(values)
            if holes.any():
                if "fill" not in stats:
                    raise DataError(
                        f"{where(table, _first(holes), name)} is missing or not finite, and the model "
                        "was trained without impute=, so it fills no gaps; fill in the value, or retrain "
                        "with impute='median'"
                    )
                values = np.where(holes, stats["fill"], values)
            standardised = (values - stats["mean"]) / stats["std"]
            check_standardised(table, name, standardised, dtype)
            X[:, column] = standardised
            column += 1
        return X

    def encode_target(self, table: Table, dtype=np.float64) -> np.ndarray:
        """Class indices ``(n,)`` for classification, standardised values ``(n,)`` for regression."""
        if self.target not in table.columns:
            raise DataError(f"{table.source}: no target column {self.target!r}; evaluation needs it")
        if self.task == "classification":
            _, indices = label_codes(table, self.target, self.labels)
            unseen = indices < 0
            if unseen.any():
                row = _first(unseen)
                twice = same_number([*self.labels, label_text(table.text(row, self.target))])
                hint = f"; labels are compared as written: write it {twice[0]!r}" if twice else ""
                raise DataError(
                    f"{where(table, row, self.target)}: class not seen in training "
                    f"(known: {', '.join(map(repr, self.labels[:10]))}{', ...' if len(self.labels) > 10 else ''}){hint}"
                )
            return indices
        cells = self._cells(table, self.target)
        bad = cells.text if cells.text.any() else ~np.isfinite(cells.numbers)
        if bad.any():
            raise DataError(f"{where(table, _first(bad), self.target)} is not a finite number")
        check_percent_form(table, self.target, cells, self.percent_columns)
        check_magnitudes(table, self.target, cells.numbers, dtype)
        return ((cells.numbers - self.target_mean) / self.target_std).astype(dtype)

    def decode_regression(self, outputs: np.ndarray) -> np.ndarray:
        return outputs.reshape(-1) * self.target_std + self.target_mean

    # ------------------------------------------------------------ persisting
    def to_dict(self) -> dict:
        """The plain JSON stored in a model file; ``number_format`` only when numbers are not
        written plainly, and ``percent_columns`` only with percent=True, so such files are as
        they always were."""
        data = asdict(self)
        if not data["number_format"]:
            del data["number_format"]
        if data["percent_columns"] is None or not self.number_format.get("percent"):
            del data["percent_columns"]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> Preprocessor:
        """Rebuild from a model file's JSON, checking every field as ``fit`` would have made it.

        Numbers are finite (standard deviations > 0), classification has two or more distinct
        labels, regression none; a ValueError names the field and the value.
        """
        return cls(**checked_fields(data))

    @property
    def n_inputs(self) -> int:
        return len(self.features) - len(self.categorical) + sum(map(len, self.categorical.values()))
