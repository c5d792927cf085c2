"""scikit-learn estimators backed by chainrule: ``MLPClassifier`` and ``MLPRegressor``.

Adapters only: they translate scikit-learn's parameters and attributes (see ``_params``)
and call ``Network`` and ``fit``. Importing this package imports scikit-learn (and SciPy, which
scikit-learn needs); without them it raises an ImportError naming the extra to install.
"""

import numpy as np

try:
    import scipy.sparse  # noqa: F401
    from sklearn.preprocessing import LabelBinarizer
except ModuleNotFoundError as missing:
    raise ImportError(
        f"chainrule's scikit-learn estimators need {missing.name.split('.')[0]}: "
        "pip install 'chainrule[sklearn]'"
    ) from None

from ..errors import ModelFormatError
from ._file import restore
from ._skl2onnx import register_skl2onnx
from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "estimator_from", "register_skl2onnx"]

#: Checks of ``sklearn.utils.estimator_checks`` these estimators are known to fail, and why.
EXPECTED_FAILURES: dict[str, dict[str, str]] = {"MLPClassifier": {}, "MLPRegressor": {}}


def estimator_from(network, where: str):
    """The estimator saved with ``network`` (see ``save_estimator``)."""
    saved = network.info["sklearn"]
    classes = {"MLPClassifier": MLPClassifier, "MLPRegressor": MLPRegressor}
    try:
        params = restore(dict(saved["params"]))
        for name in saved.get("tuples", []):
            params[name] = tuple(params[name])
        estimator = classes[saved["estimator"]](**params)
        fitted = restore(dict(saved["fitted"]))
        if "classes_" in fitted:
            dtype = np.dtype(fitted.pop("classes_dtype"))
            labels = np.asarray(fitted.pop("classes_"), dtype=dtype)
            binarizer = LabelBinarizer()
            multilabel = fitted.pop("y_type_") == "multilabel-indicator"
            binarizer.fit(np.eye(len(labels), dtype=int) if multilabel else labels)
            estimator._label_binarizer, estimator.classes_ = binarizer, binarizer.classes_
        if "feature_names_in_" in fitted:
            fitted["feature_names_in_"] = np.asarray(fitted["feature_names_in_"], dtype=object)
        for name, value in fitted.items():
            setattr(estimator, name, value)
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFormatError(f"{where}: invalid scikit-learn estimator information ({error})") from None
    estimator._network = network
    estimator._optimizer = None
    estimator._best_parameters = None
    estimator._point_at(network)
    return estimator
