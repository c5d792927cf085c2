"""chainrule.MLPClassifier: scikit-learn's MLPClassifier, trained by chainrule.

Binary and multi-label targets get sigmoid outputs and the binary cross-entropy
(``out_activation_ = "logistic"``), multi-class targets a softmax and the cross-entropy.
Both are scikit-learn's log loss: -Σ_k [y log p + (1 - y) log(1 - p)] per sample
(resp. -Σ_k y log p), p the probabilities clipped to [ε, 1 - ε] as scikit-learn clips them
(``nn.clipped_losses``), averaged over samples with their weights; ``loss_`` adds the L2 penalty
0.5 × alpha × Σ‖W‖² / Σ sample weights.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.metrics import accuracy_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d, validate_data

from ..nn.clipped_losses import SklearnBinaryLogLoss, SklearnLogLoss
from ._base import BaseMLP
from ._class_weight import BALANCED_IN_PARTIAL_FIT, class_sample_weights


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier with scikit-learn's parameters, defaults and attributes.

    See ``sklearn.neural_network.MLPClassifier`` for every scikit-learn parameter. Additions
    (defaults keep scikit-learn's behaviour):

    activation : a name, or a list with one name per hidden layer
    early_stopping : False, True (scikit-learn's validation-accuracy rule) or "loss" (stop on
        the validation loss and restore the best weights; ``validation_loss_curve_``)
    dropout : a rate in [0, 1) for every hidden layer, or a list with one per layer
        (inverted dropout, training only)
    class_weight : None, "balanced" (fit only) or {label: weight}; for multi-label y a list
        of one {0: w0, 1: w1} per label column; multiplies ``sample_weight`` (``_class_weight``)
    lr_schedule : None, "step", "exponential", "plateau" or a chainrule Schedule (sgd and adam)
    progress : True for a progress bar over the training steps
    """

    _parameter_constraints: ClassVar[dict] = {
        **BaseMLP._parameter_constraints,
        "class_weight": [None, dict, list, StrOptions({"balanced"})],
    }

    def __init__(
        self,
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
        class_weight=None,
        lr_schedule=None,
        progress=False,
    ):
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
        self.class_weight = class_weight
        self.lr_schedule = lr_schedule
        self.progress = progress

    # ------------------------------------------------------- scikit-learn's contract
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train on X ``(n_samples, n_features)`` and labels y ``(n_samples,)`` or an indicator
        matrix ``(n_samples, n_labels)``; returns self."""
        return self._fit(X, y, sample_weight=sample_weight, incremental=False)

    def _stochastic(self):
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is not stochastic."
            )
        return True

    @available_if(_stochastic)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """One epoch over (X, y); the first call needs ``classes`` (every label there will be)."""
        if self.class_weight == "balanced":
            raise ValueError(BALANCED_IN_PARTIAL_FIT)
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, sample_weight=sample_weight, incremental=True)

    def _validate_input(self, X, y, incremental, reset):
        X, y = validate_data(
            self,
            X,
            y,
            accept_sparse=["csr", "csc"],
            multi_output=True,
            dtype=(np.float64, np.float32),
            reset=reset,
        )
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if (not hasattr(self, "classes_")) or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the previous call "
                        f"to fit. Previously got {self.classes_}, `y` has {classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has {self.classes_}. 'y' has {classes}."
                )
        self._y_labels = y
        return X, self._label_binarizer.transform(y).astype(
            bool
        )  # as scikit-learn (its split errors name True/False)

    def _weighted(self, sample_weight, Y, dtype):
        """``sample_weight`` × the class weights (None when both are absent)."""
        if self.class_weight is None:
            return sample_weight
        multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
        class_weight = class_sample_weights(self.class_weight, self._y_labels, self.classes_, multilabel)
        class_weight = class_weight.astype(dtype)
        return class_weight if sample_weight is None else sample_weight * class_weight

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _loss_name(self) -> str:
        return "cross_entropy" if self.out_activation_ == "softmax" else "binary_cross_entropy_sum"

    def _training_loss(self):
        return SklearnLogLoss() if self.out_activation_ == "softmax" else SklearnBinaryLogLoss()

    def _targets_for(self, y) -> np.ndarray:
        """The output targets of labels ``y``; a label not in ``classes_`` is a ValueError
        (the binarizer alone would give it all zeros, the first class's target)."""
        if self._label_binarizer.y_type_ != "multilabel-indicator":
            known = set(self.classes_.tolist())
            unknown = [label for label in np.asarray(y, dtype=object).ravel() if label not in known]
            if unknown:
                raise ValueError(
                    f"y holds {unknown[0]!r}, which is not one of the classes this model was "
                    f"fitted on: {self.classes_.tolist()}"
                )
        return self._label_binarizer.transform(y).astype(np.float64)

    def _score(self, X, y, sample_weight=None):
        return self._score_with_function(X, y, sample_weight, accuracy_score)

    def predict(self, X):
        """Class labels ``(n_samples,)``, or an indicator matrix for multi-label targets."""
        check_is_fitted(self)
        return self._predict(X)

    def _predict(self, X, check_input=True):
        y_pred = self._forward(X, check_input)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def predict_proba(self, X):
        """Probabilities ``(n_samples, n_classes)`` in the order of ``classes_``."""
        check_is_fitted(self)
        y_pred = self._forward(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        if y_pred.ndim == 1:
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def predict_log_proba(self, X):
        """log(predict_proba(X))."""
        y_prob = self.predict_proba(X)
        with np.errstate(divide="ignore"):
            return np.log(y_prob, out=y_prob)

    def to_onnx(self, path) -> None:
        """Write the fitted classifier as ONNX, with skl2onnx's inputs and outputs ("label",
        "probabilities"; see ``chainrule.files.onnx.estimator_model``; needs chainrule[onnx])."""
        from ..files.onnx import save

        save(self.onnx_model(), path)

    def onnx_model(self):
        """The graph ``to_onnx`` writes, as an ``onnx.ModelProto`` (also what skl2onnx converts
        once ``chainrule.sklearn.register_skl2onnx()`` has run)."""
        return self._onnx_model_for(self.network_)  # NotFittedError before fit

    def _onnx_model_for(self, network):
        """``onnx_model()`` of ``network`` (the fitted one, or a float64 copy for skl2onnx)."""
        from ..files.onnx import estimator_model

        multilabel = self._label_binarizer.y_type_ == "multilabel-indicator"
        return estimator_model(network, kind="classifier", classes=self.classes_, multilabel=multilabel)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags
