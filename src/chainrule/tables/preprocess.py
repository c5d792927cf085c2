"""Everything training learns about the data, so prediction can apply it again.

A ``Preprocessor`` is fitted on the training rows of a Table and remembers:
which columns are features and in what order (later tables are matched by
name), which are numbers (standardised with the training mean and standard
deviation) and which are categories (one-hot encoded, one input per category
name found in any row of the training file; a category never seen is an
error), how missing values are handled, and the target: class labels for
classification (predictions come back as the original labels), or the mean and
standard deviation it was standardised with for regression. It is stored in the
model file as plain JSON.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import numpy as np

from .._validation import finite_number, positive_number, shown
from .read import MISSING, DataError, Table, parse_number

__all__ = ["Preprocessor", "infer_task", "class_labels", "category_names"]

MAX_CLASSES_INFERRED = 20


def _is_missing_text(text: str) -> bool:
    return text.strip().lower() in MISSING


def _numbers(table: Table, name: str) -> tuple[np.ndarray, list[int]]:
    """The column as floats (NaN where missing or not finite) and the rows that are not numbers."""
    values = np.empty(len(table), dtype=np.float64)
    bad = []
    for i, text in enumerate(table.column(name)):
        number = parse_number(text)
        if number is None:
            bad.append(i)
            values[i] = math.nan
        else:
            values[i] = number
    return values, bad


def _where(table: Table, row: int, name: str, value: str) -> str:
    return f"{table.source}:{table.lines[row]}: column {name!r}, value {value!r}"


def category_names(table: Table, columns) -> dict[str, list[str]]:
    """Each column's sorted distinct values over every row of ``table``: its one-hot vocabulary.

    Only the set of names is taken, no statistic and nothing of the target, so taking it from
    all rows of a file (test rows included) leaks nothing a model could fit, as with
    scikit-learn's ``OneHotEncoder(categories=...)``.
    """
    return {
        name: sorted({text.strip() for text in table.column(name) if not _is_missing_text(text)})
        for name in columns
    }


def infer_task(table: Table, target: str) -> tuple[str, str]:
    """("classification" or "regression", the reason) from the target column's values."""
    texts = [t.strip() for t in table.column(target) if not _is_missing_text(t)]
    numbers = [parse_number(t) for t in texts]
    if any(n is None for n in numbers):
        return "classification", f"target {target!r} holds text labels"
    distinct = set(numbers)
    if all(float(n).is_integer() for n in distinct) and len(distinct) <= MAX_CLASSES_INFERRED:
        return "classification", f"target {target!r} has {len(distinct)} distinct whole-number values"
    return "regression", f"target {target!r} holds {len(distinct)} distinct numbers"


def label_text(text: str) -> str:
    """A canonical label: '1.0' and '1' are the same class."""
    stripped = text.strip()
    number = parse_number(stripped)
    if number is not None and math.isfinite(number) and float(number).is_integer():
        return str(int(number))
    return stripped


def class_labels(texts: list[str]) -> list[str]:
    """Sorted distinct labels: numerically when all are numbers, else as text."""
    labels = sorted({label_text(t) for t in texts})
    numbers = [parse_number(label) for label in labels]
    if all(n is not None and math.isfinite(n) for n in numbers):
        labels.sort(key=lambda label: float(label))
    return labels


def _distinct_texts(value, field: str, at_least: int = 1) -> list[str]:
    """``value`` as a list of distinct strings, at least ``at_least`` of them, or ValueError naming ``field``."""
    if not (
        isinstance(value, list)
        and len(value) >= at_least
        and all(isinstance(v, str) for v in value)
        and len(set(value)) == len(value)
    ):
        raise ValueError(
            f"{field} must be a list of at least {at_least} distinct strings, got {shown(value)}"
        )
    return list(value)


def _object(value, field: str) -> dict:
    """``value`` when it is a JSON object, else ValueError naming ``field``."""
    if not isinstance(value, dict):
        raise ValueError(f"{field} must be an object, got {shown(value)}")
    return value


def _column_stats(stats, field: str) -> dict[str, float]:
    """A numeric column's ``{"mean", "std"[, "fill"]}``: finite numbers, std > 0."""
    _object(stats, field)
    checked = {
        "mean": finite_number(stats.get("mean"), f"{field}.mean"),
        "std": positive_number(stats.get("std"), f"{field}.std"),
    }
    if "fill" in stats:
        checked["fill"] = finite_number(stats["fill"], f"{field}.fill")
    return checked


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
    ) -> tuple[Preprocessor, list[str]]:
        """Learn the preprocessing from the training rows; returns it and notes for the user.

        ``categories`` maps a column to category names known beforehand (``category_names`` of
        every row of the file, test rows included): each gets a one-hot input even when no row
        of ``table`` holds it, and the column is categorical. Means, standard deviations, fill
        values and labels are learned from ``table`` alone.
        """
        categories = categories or {}
        notes = []
        if target not in table.columns:
            raise DataError(
                f"{table.source}: no column {target!r}; columns are {', '.join(table.columns)}; pass target= with one of them"
            )
        for name in categorical:
            if name not in table.columns:
                raise DataError(f"{table.source}: categorical= names {name!r}, which is not a column")
        if impute not in (None, "mean", "median"):
            raise ValueError(f"impute must be 'mean' or 'median', got {impute!r}")
        if all(_is_missing_text(text) for text in table.column(target)):
            raise DataError(
                f"{table.source}: target column {target!r} has no values in its {len(table)} rows; "
                "fill in the target, or pass target= with the column to predict"
            )
        if task is None:
            task, reason = infer_task(table, target)
            notes.append(f"task: {task} (inferred: {reason}; pass task= to choose)")
        elif task not in ("classification", "regression"):
            raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
        features = [c for c in table.columns if c != target]
        if not features:
            raise DataError(
                f"{table.source}: the only column is the target {target!r}; there are no features"
            )
        pre = cls(features=features, target=target, task=task, impute=impute)
        for name in features:
            values, bad = _numbers(table, name)
            texts = table.column(name)
            present = [i for i, t in enumerate(texts) if not _is_missing_text(t)]
            if name in categorical or name in categories or (present and len(bad) == len(present)):
                seen = {texts[i].strip() for i in present}
                if not seen:
                    raise DataError(f"{table.source}: column {name!r} has no values")
                pre.categorical[name] = sorted(seen.union(categories.get(name, ())))
                continue
            if bad:
                first = bad[0]
                raise DataError(
                    f"{_where(table, first, name, texts[first])} is not a number "
                    f"({len(present) - len(bad)} other values in the column are); fix the value, "
                    f"or pass categorical={name!r} to treat the column as categories"
                )
            finite = values[np.isfinite(values)]
            if finite.size == 0:
                raise DataError(f"{table.source}: column {name!r} has no finite numbers")
            fill = None
            if impute == "mean":
                fill = float(finite.mean())
            elif impute == "median":
                fill = float(np.median(finite))
            mean, std = float(finite.mean()), float(finite.std())
            if std == 0:
                notes.append(f"column {name!r} is constant in the training data")
                std = 1.0
            pre.numeric[name] = {"mean": mean, "std": std, **({"fill": fill} if fill is not None else {})}
        if task == "classification":
            targets = [t for t in table.column(target) if not _is_missing_text(t)]
            pre.labels = class_labels(targets)
            if len(pre.labels) < 2:
                raise DataError(
                    f"{table.source}: target {target!r} has a single class {pre.labels[0]!r} in "
                    f"{len(targets)} rows; classification needs at least two classes"
                )
        else:
            y, bad = _numbers(table, target)
            if bad:
                first = bad[0]
                raise DataError(
                    f"{_where(table, first, target, table.rows[first][table.columns.index(target)])} "
                    "is not a number, but regression needs a numeric target; fix it or pass task='classification'"
                )
            finite = y[np.isfinite(y)]
            pre.target_mean = float(finite.mean())
            pre.target_std = float(finite.std()) or 1.0
        for name in pre.categorical:
            if impute is not None:
                counts: dict[str, int] = {}
                for text in table.column(name):
                    if not _is_missing_text(text):
                        counts[text.strip()] = counts.get(text.strip(), 0) + 1
                pre.categorical_fill[name] = max(sorted(counts), key=counts.get)
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
        missing = [c for c in needed if c not in table.columns]
        unexpected = [c for c in table.columns if c not in self.features and c != self.target]
        if missing:
            extra = f"; unexpected columns: {', '.join(unexpected)}" if unexpected else ""
            raise DataError(
                f"{table.source}: missing columns the model needs: {', '.join(missing)}{extra}; "
                "give the columns the model was trained with"
            )
        return unexpected

    def missing_rows(self, table: Table, with_target: bool) -> list[int]:
        """Rows with a missing or non-finite value in a feature (or the target)."""
        columns = self.features + ([self.target] if with_target else [])
        indices = [table.columns.index(c) for c in columns]
        bad = []
        for r, row in enumerate(table.rows):
            for i in indices:
                text = row[i]
                number = parse_number(text) if table.columns[i] in self.numeric else None
                if _is_missing_text(text) or (number is not None and not math.isfinite(number)):
                    bad.append(r)
                    break
        return bad

    def reject_missing(self, table: Table, with_target: bool) -> None:
        """DataError with the count and first place of missing/non-finite values, when not imputing."""
        columns = self.features + ([self.target] if with_target else [])
        if self.impute is not None:
            columns = [self.target] if with_target else []
        count, first = 0, None
        for c in columns:
            index = table.columns.index(c)
            for r, row in enumerate(table.rows):
                text = row[index]
                number = parse_number(text)
                if _is_missing_text(text) or (
                    number is not None and not math.isfinite(number) and c in self.numeric
                ):
                    count += 1
                    if first is None or (table.lines[r], index) < first[0]:
                        first = ((table.lines[r], index), c, text)
        if count:
            (line, _), name, text = first
            advice = (
                "pass impute='mean'|'median' or drop_missing=True"
                if self.impute is None
                else "drop those rows (drop_missing=True) or fill in the target"
            )
            raise DataError(
                f"{table.source}: {count} missing or non-finite value{'s' if count > 1 else ''} "
                f"(first at line {line}, column {name!r}, value {text!r}); {advice}"
            )

    def transform(self, table: Table, dtype=np.float64) -> np.ndarray:
        """The feature matrix ``(n, n_inputs)``: standardised numbers and one-hot categories."""
        self.check_columns(table)
        blocks = []
        for name in self.features:
            texts = table.column(name)
            if name in self.categorical:
                categories = self.categorical[name]
                lookup = {value: j for j, value in enumerate(categories)}
                block = np.zeros((len(table), len(categories)), dtype=dtype)
                for r, text in enumerate(texts):
                    value = text.strip()
                    if _is_missing_text(text) and name in self.categorical_fill:
                        value = self.categorical_fill[name]
                    if value not in lookup:
                        shown = ", ".join(categories[:10]) + (", ..." if len(categories) > 10 else "")
                        raise DataError(
                            f"{_where(table, r, name, text)}: category not seen in training (known: {shown}); "
                            "fix the value or retrain with it"
                        )
                    block[r, lookup[value]] = 1
                blocks.append(block)
                continue
            stats = self.numeric[name]
            values, bad = _numbers(table, name)
            if bad:
                first = bad[0]
                raise DataError(f"{_where(table, first, name, texts[first])} is not a number; fix the value")
            holes = ~np.isfinite(values)
            if holes.any():
                if "fill" not in stats:
                    first = int(np.argmax(holes))
                    raise DataError(
                        f"{_where(table, first, name, texts[first])} is missing or not finite; "
                        "pass impute='mean'|'median' or drop_missing=True"
                    )
                values[holes] = stats["fill"]
            blocks.append(((values - stats["mean"]) / stats["std"])[:, None].astype(dtype))
        return np.hstack(blocks)

    def encode_target(self, table: Table, dtype=np.float64) -> np.ndarray:
        """Class indices ``(n,)`` for classification, standardised values ``(n,)`` for regression."""
        if self.target not in table.columns:
            raise DataError(f"{table.source}: no target column {self.target!r}; evaluation needs it")
        texts = table.column(self.target)
        if self.task == "classification":
            lookup = {label: j for j, label in enumerate(self.labels)}
            indices = np.empty(len(texts), dtype=np.intp)
            for r, text in enumerate(texts):
                label = label_text(text)
                if label not in lookup:
                    raise DataError(
                        f"{_where(table, r, self.target, text)}: class not seen in training "
                        f"(known: {', '.join(self.labels[:10])})"
                    )
                indices[r] = lookup[label]
            return indices
        values, bad = _numbers(table, self.target)
        if bad or not np.isfinite(values).all():
            first = bad[0] if bad else int(np.argmax(~np.isfinite(values)))
            raise DataError(f"{_where(table, first, self.target, texts[first])} is not a finite number")
        return ((values - self.target_mean) / self.target_std).astype(dtype)

    def decode_regression(self, outputs: np.ndarray) -> np.ndarray:
        return outputs.reshape(-1) * self.target_std + self.target_mean

    # ------------------------------------------------------------ persisting
    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Preprocessor:
        """Rebuild from a model file's JSON, checking every field as ``fit`` would have made it.

        Numbers are finite (standard deviations > 0), classification has two or more distinct
        labels, regression none; a ValueError names the field and the value.
        """
        if not isinstance(data, dict):
            raise ValueError(f"preprocessing must be an object, got {shown(data)}")
        features = _distinct_texts(data.get("features"), "features")
        task = data.get("task")
        if task not in ("classification", "regression"):
            raise ValueError(f"task must be 'classification' or 'regression', got {shown(task)}")
        numeric = {
            name: _column_stats(stats, f"numeric[{name!r}]")
            for name, stats in _object(data.get("numeric", {}), "numeric").items()
        }
        categorical = {
            name: _distinct_texts(values, f"categorical[{name!r}]")
            for name, values in _object(data.get("categorical", {}), "categorical").items()
        }
        if set(features) != set(numeric) | set(categorical) or set(numeric) & set(categorical):
            raise ValueError("numeric and categorical must describe every feature, each once")
        target = data.get("target", "")
        if not isinstance(target, str) or target in features:
            raise ValueError(
                f"target must be the name of a column that is not a feature, got {shown(target)}"
            )
        if task == "classification":
            labels = _distinct_texts(data.get("labels"), "labels", at_least=2)
        elif data.get("labels") is not None:
            raise ValueError(f"labels must be null for regression, got {shown(data['labels'])}")
        else:
            labels = None
        impute = data.get("impute")
        if impute not in (None, "mean", "median"):
            raise ValueError(f"impute must be null, 'mean' or 'median', got {shown(impute)}")
        fills = _object(data.get("categorical_fill", {}), "categorical_fill")
        for name, value in fills.items():
            if value not in categorical.get(name, ()):
                raise ValueError(
                    f"categorical_fill[{name!r}] must be one of the column's categories, got {shown(value)}"
                )
        return cls(
            features=features,
            target=target,
            task=task,
            numeric=numeric,
            categorical=categorical,
            labels=labels,
            target_mean=finite_number(data.get("target_mean", 0.0), "target_mean"),
            target_std=positive_number(data.get("target_std", 1.0), "target_std"),
            impute=impute,
            categorical_fill=dict(fills),
        )

    @property
    def n_inputs(self) -> int:
        return len(self.input_names)
