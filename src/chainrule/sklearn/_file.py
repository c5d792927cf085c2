"""An estimator in chainrule's safe model file: the network's tensors, plus the estimator's
parameters and fitted attributes as JSON in the file's ``info["sklearn"]``.

``chainrule.load`` sees that key and gives the estimator back. Nothing is unpickled, so a
file from a stranger can at worst be refused; pickle and joblib run code when they load.
Parameters that are not plain data (a Schedule object, a RandomState) are saved as None.
"""

from __future__ import annotations

import numpy as np

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
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        items = [_plain(item) for item in value]
        return None if any(item is _UNSAVED for item in items) else items
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return _UNSAVED


_UNSAVED = object()


def save_estimator(estimator, path) -> None:
    network = estimator.network_
    params = {}
    for name, value in estimator.get_params().items():
        plain = _plain(value)
        params[name] = None if plain is _UNSAVED else plain
    fitted = {name: _plain(getattr(estimator, name)) for name in _FITTED if hasattr(estimator, name)}
    if hasattr(estimator, "feature_names_in_"):
        fitted["feature_names_in_"] = [str(name) for name in estimator.feature_names_in_]
    if hasattr(estimator, "classes_"):
        fitted["classes_"] = np.asarray(estimator.classes_).tolist()
        fitted["classes_dtype"] = np.asarray(estimator.classes_).dtype.str
        fitted["y_type_"] = estimator._label_binarizer.y_type_
    tuples = [name for name, value in estimator.get_params().items() if isinstance(value, tuple)]
    network.info["sklearn"] = {
        "estimator": type(estimator).__name__,
        "params": params,
        "tuples": tuples,  # JSON has lists only; these parameters were tuples
        "fitted": fitted,
    }
    network.save(path)
