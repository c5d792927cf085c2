"""scikit-learn estimators backed by chainrule: ``MLPClassifier`` and ``MLPRegressor``.

Adapters only: they translate scikit-learn's parameters and attributes (see ``_params``)
and call ``Network`` and ``fit``. Importing this package imports scikit-learn.
"""

from ._file import estimator_from
from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "estimator_from"]

#: Checks of ``sklearn.utils.estimator_checks`` these estimators are known to fail, and why.
EXPECTED_FAILURES: dict[str, dict[str, str]] = {"MLPClassifier": {}, "MLPRegressor": {}}
