"""Checking preprocessing read back from a model file, field by field.

``Preprocessor.from_dict`` calls ``checked_fields``: every field is checked as ``fit``
would have made it, and a ValueError names the field and the value. The format is the
plain JSON of ``Preprocessor.to_dict``; it has only grown since the first model files:
``number_format`` (absent: numbers written plainly) came later, and ``percent_columns``
(absent: not recorded) after it. Names and categories are given in NFC (``tables.nfc``).
"""

from __future__ import annotations

from .._validation import finite_number, positive_number, shown
from .nfc import nfc_name

__all__ = ["checked_fields"]


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


def _number_format(value) -> dict:
    """``{"decimal": ",", "thousands": "." | "," | "'" | " ", "percent": true}``, each key optional."""
    allowed = {"decimal": (",",), "thousands": (",", ".", "'", " "), "percent": (True,)}
    for key, setting in _object(value, "number_format").items():
        if key not in allowed or not any(
            setting is a or (setting == a and isinstance(setting, str)) for a in allowed[key]
        ):
            raise ValueError(f"number_format[{key!r}] is not a number format setting, got {shown(setting)}")
    if value.get("decimal", ".") == value.get("thousands"):
        raise ValueError("number_format: decimal and thousands must differ")
    return dict(value)


def _percent_columns(data: dict, number_format: dict, numeric: dict) -> list[str] | None:
    """The columns written with % signs (``tables.percent``): numeric features or the target, only
    with percent=True; None when the file does not say."""
    value = data.get("percent_columns")
    if value is None:
        return None
    if not number_format.get("percent"):
        raise ValueError("percent_columns needs number_format['percent'] to be true")
    names = _distinct_texts(value, "percent_columns", at_least=0)
    for name in names:
        if name not in numeric and not (name == data.get("target") and data.get("task") == "regression"):
            raise ValueError(f"percent_columns names {shown(name)}, which is not a numeric column")
    return names


def checked_fields(data) -> dict:
    """The keyword arguments of a Preprocessor, from a model file's JSON, every one checked.

    Numbers are finite (standard deviations > 0), classification has two or more distinct
    labels, regression none.
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
        raise ValueError(f"target must be the name of a column that is not a feature, got {shown(target)}")
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
    number_format = _number_format(data.get("number_format", {}))
    return _in_nfc(
        {
            "number_format": number_format,
            "percent_columns": _percent_columns(data, number_format, numeric),
            "features": features,
            "target": target,
            "task": task,
            "numeric": numeric,
            "categorical": categorical,
            "labels": labels,
            "target_mean": finite_number(data.get("target_mean", 0.0), "target_mean"),
            "target_std": positive_number(data.get("target_std", 1.0), "target_std"),
            "impute": impute,
            "categorical_fill": dict(fills),
        }
    )


def _nfc(value):
    """Every text in ``value`` (keys of objects too) in NFC."""
    if isinstance(value, str):
        return nfc_name(value)
    if isinstance(value, list):
        return [_nfc(v) for v in value]
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    return value


def _in_nfc(fields: dict) -> dict:
    """The names, categories and labels in NFC, as tables are read (``tables.nfc``), so a model
    file written before they were reads new rows alike; as written when that would make two
    of them one."""
    normal = _nfc(fields)
    if normal == fields:
        return fields
    try:
        return checked_fields(normal)
    except ValueError:
        return fields
