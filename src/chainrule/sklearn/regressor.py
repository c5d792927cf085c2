"""chainrule.MLPRegressor: scikit-learn's MLPRegressor, trained by chainrule.

Losses (n samples with weights w, k outputs, a = prediction; ``loss_`` adds the L2 penalty
0.5 × alpha × Σ‖W‖² / Σ w):

=================  ====================================================  ==========
``loss``           per sample and output, averaged over samples (w) and outputs   output
=================  ====================================================  ==========
squared_error      0.5 (a - y)²   (scikit-learn's value)                 identity
absolute_error     |a - y|                                               identity
huber              0.5 r² if |r| <= 1 else |r| - 0.5, r = a - y          identity
poisson            a - y log a (+ y log y - y: scikit-learn's deviance)  exp
=================  ====================================================  ==========

The slope is the slope of exactly that value. scikit-learn averages its squared-error
value over outputs but not its slope, which is n_outputs times too large for
multi-output targets; here slope and value agree (so with k outputs an SGD step is k
times smaller than scikit-learn's, and for one output they are the same).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ._base import BaseMLP

#: The regressor's ``loss`` → chainrule's loss.
LOSSES = {"squared_error": "half_mse", "absolute_error": "mae", "huber": "huber", "poisson": "poisson"}


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor with scikit-learn's parameters, defaults and attributes.

    See ``sklearn.neural_network.MLPRegressor`` for every scikit-learn parameter. Additions
    (defaults keep scikit-learn's behaviour): ``loss`` also takes "absolute_error" and
    "huber"; ``activation`` a list; ``early_stopping="loss"``; ``dropout``; ``lr_schedule``;
    ``progress`` (see MLPClassifier).
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions(set(LOSSES))],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        dropout=0.0,
        lr_schedule=None,
        progress=False,
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.dropout = dropout
        self.lr_schedule = lr_schedule
        self.progress = progress

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train on X ``(n_samples, n_features)`` and y ``(n_samples,)`` or ``(n_samples, n_outputs)``."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _stochastic(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is not stochastic."
            )
        return True

    @available_if(_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """One epoch over (X, y)."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            y_numeric=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError("loss='poisson' needs y >= 0")
        Y = y.reshape(-1, 1) if y.ndim == 1 else y
        return X, Y.astype(X.dtype, copy=False)

    def _weighted(self, sample_weight, Y, dtype):
        return sample_weight

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _loss_name(self) -> str:
        return LOSSES[self.loss]

    def _targets_for(self, y) -> np.ndarray:
        y = np.asarray(y, dtype=np.float64)
        return y.reshape(-1, 1) if y.ndim == 1 else y

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, r2_score)

    def predict(self, X):
        """Predictions ``(n_samples,)``, or ``(n_samples, n_outputs)`` for multi-output targets."""
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward(X, check_input)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def to_onnx(self, path) -> None:
        """Write the fitted regressor as ONNX, with skl2onnx's input and output ("variable",
        ``(n, n_outputs)``; see ``chainrule.files.onnx.estimator_model``; needs chainrule[onnx])."""
        from ..files.onnx import save

        save(self.onnx_model(), path)

    def onnx_model(self):
        """The graph ``to_onnx`` writes, as an ``onnx.ModelProto`` (also what skl2onnx converts
        once ``chainrule.sklearn.register_skl2onnx()`` has run)."""
        return self._onnx_model_for(self.network_)

    def _onnx_model_for(self, network):
        """``onnx_model()`` of ``network`` (the fitted one, or a float64 copy for skl2onnx)."""
        from ..files.onnx import estimator_model

        return estimator_model(network, kind="regressor")
