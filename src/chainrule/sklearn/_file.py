"""An estimator in chainrule's safe model file: the network's tensors, plus the estimator's
parameters and fitted attributes as JSON in the file's ``info["sklearn"]``.

``chainrule.load`` sees that key and gives the estimator back. Nothing is unpickled, so a
file from a stranger can at worst be refused; pickle and joblib run code when they load.

JSON has strings for keys, lists for arrays and no infinity, so three kinds of value are
written tagged and given back as they were: a dict (``class_weight={0: 1, 1: 3}``) as its
``{"__pairs__": [[key, value], ...]}``, a non-finite float (``n_iter_no_change=np.inf``) as
``{"__float__": "inf"}``, a NumPy array of numbers (``hidden_layer_sizes=np.array([4])``) as
``{"__array__": [...], "dtype": "<i8"}``. A parameter that is not data at all (a Schedule
object, a RandomState) is refused at save, naming it: giving back None would silently change
the estimator (``clone(loaded).fit`` would train another model).
"""

from __future__ import annotations

import json
import math

import numpy as np

from .._validation import shown

_FITTED = (
    "n_features_in_",
    "n_outputs_",
    "n_layers_",
    "out_activation_",
    "n_iter_",
    "t_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "validation_scores_",
    "best_validation_score_",
    "validation_loss_curve_",
    "_no_improvement_count",
)


def _plain(value):
    """``value`` as JSON data (tagged where JSON would change it), or _UNSAVED."""
    if isinstance(value, (np.bool_, np.integer, np.floating)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return {"__float__": repr(value)}  # 'inf', '-inf' or 'nan'
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        return {"__array__": [_plain(item) for item in value.tolist()], "dtype": value.dtype.str}
    if isinstance(value, (list, tuple)):
        items = [_plain(item) for item in value]
        return _UNSAVED if any(item is _UNSAVED for item in items) else items
    if isinstance(value, dict):
        pairs = [[_plain(k), _plain(v)] for k, v in value.items()]
        return _UNSAVED if any(item is _UNSAVED for pair in pairs for item in pair) else {"__pairs__": pairs}
    return _UNSAVED


_UNSAVED = object()

#: What to give instead of an object, for the parameters that take one.
_instead = {
    "random_state": "an int (RandomState(0) → random_state=0)",
    "lr_schedule": "a schedule's name ('step', 'exponential', 'plateau') or None",
}


def restore(value):
    """The value ``_plain`` wrote (a file saved before the tags had plain dicts: kept as they are)."""
    if isinstance(value, list):
        return [restore(item) for item in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"__pairs__"}:
        return {_hashable(restore(k)): restore(v) for k, v in value["__pairs__"]}
    if set(value) == {"__float__"}:
        if value["__float__"] not in ("inf", "-inf", "nan"):
            raise ValueError(f"{value['__float__']!r} is not inf, -inf or nan")
        return float(value["__float__"])
    if set(value) == {"__array__", "dtype"}:
        dtype = np.dtype(value["dtype"])
        if dtype.kind not in "biuf":
            raise ValueError(f"an array of {dtype} is not saved as numbers")
        return np.asarray(restore(value["__array__"]), dtype=dtype)
    return {k: restore(v) for k, v in value.items()}


def _hashable(key):
    return tuple(_hashable(item) for item in key) if isinstance(key, list) else key


def _labels(classes: np.ndarray) -> list:
    """The class labels as JSON data: dates and times as their ISO text, which NumPy reads back."""
    if classes.dtype.kind in "mM":
        return classes.astype(str).tolist()
    return classes.tolist()


def save_estimator(estimator, path) -> None:
    network = estimator.network_
    params = {}
    for name, value in estimator.get_params().items():
        plain = _plain(value)
        if plain is _UNSAVED:
            raise ValueError(
                f"{name}={shown(value)} cannot be stored in a model file, which holds only data; set "
                f"{name} to {_instead.get(name, 'numbers, text or None')} before saving, or save with pickle or joblib"
            )
        params[name] = plain
    fitted = {}
    for name in _FITTED:
        if hasattr(estimator, name):
            plain = _plain(getattr(estimator, name))
            fitted[name] = None if plain is _UNSAVED else plain
    if hasattr(estimator, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(name) for name in estimator.feature_names_in_]
    if hasattr(estimator, "classes_"):
        fitted["classes_"] = _labels(np.asarray(estimator.classes_))
        fitted["classes_dtype"] = np.asarray(estimator.classes_).dtype.str
        fitted["y_type_"] = estimator._label_binarizer.y_type_
    tuples = [name for name, value in estimator.get_params().items() if isinstance(value, tuple)]
    saved = {
        "estimator": type(estimator).__name__,
        "params": params,
        "tuples": tuples,  # JSON has lists only; these parameters were tuples
        "fitted": fitted,
    }
    try:
        json.dumps(saved, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(
            f"this estimator cannot be saved in a model file ({error}): the class labels must be "
            "numbers, text, booleans or dates; pickle or joblib can save it"
        ) from None
    network.info["sklearn"] = saved
    network.save(path)
