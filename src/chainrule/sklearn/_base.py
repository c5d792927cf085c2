"""What MLPClassifier and MLPRegressor share: building the Network, calling fit, scikit-learn's rules.

The estimator's weights live in ``network_`` (a chainrule Network); ``coefs_[l]`` and
``intercepts_[l]`` are that network's own arrays (``(n_in, n_out)`` and ``(n_out,)``), so
scikit-learn code that reads or writes them reads or writes the network. Every loss value
and slope comes from the Network: see ``_params`` for the name-by-name translation.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from ..errors import TrainingDiverged
from ..nn.memory import available_bytes, network_bytes, size_text
from ..nn.network import Network
from ..train import optim, schedules
from ..train.callbacks import EarlyStopping
from ._epochs import CarriedSchedule, SklearnEpochs
from ._params import (
    CONSTRAINTS,
    OUTPUT_ACTIVATIONS,
    batch_rows,
    hidden_activations,
    hidden_sizes,
)


class BaseMLP(BaseEstimator):
    """Shared machinery; use MLPClassifier or MLPRegressor."""

    _parameter_constraints: dict = CONSTRAINTS

    # ------------------------------------------------------------------ the network
    @property
    def network_(self) -> Network:
        """The fitted chainrule Network (its arrays are ``coefs_`` and ``intercepts_``)."""
        check_is_fitted(self, "coefs_")
        return self._network_in_sync()

    def _network_in_sync(self) -> Network:
        """The Network whose arrays are ``coefs_``/``intercepts_`` and whose hidden layers use
        ``activation``; rebuilt from them when someone assigned new arrays (as scikit-learn's
        own tests do) or set another activation (scikit-learn's MLP reads it at each predict)."""
        net = self.__dict__.get("_network")
        arrays = [a for pair in zip(self.coefs_, self.intercepts_) for a in pair]
        activations = hidden_activations(self.activation, len(self.coefs_) - 1)
        if (
            net is None
            or len(net.parameters()) != len(arrays)
            or any(mine is not theirs for mine, theirs in zip(net.parameters(), arrays))
            or [layer.activation.name for layer in net.layers[:-1]] != activations
        ):
            dtype = np.asarray(self.coefs_[0]).dtype
            net = Network.from_weights(
                self.coefs_,
                self.intercepts_,
                activation=activations,
                output_activation=OUTPUT_ACTIVATIONS[self.out_activation_],
                dtype=dtype.name if dtype.name in ("float32", "float64") else "float64",
            )
            self._network = net
            self._point_at(net)
        return net

    def _point_at(self, net: Network) -> None:
        """Make ``coefs_``/``intercepts_`` the network's own (current) arrays."""
        net.flat_parameters()  # re-packs if an array was replaced
        self.coefs_ = [layer.weight for layer in net.layers]
        self.intercepts_ = [layer.bias for layer in net.layers]

    def _initialize(self, n_features: int, Y: np.ndarray, dtype) -> None:
        hidden = hidden_sizes(self.hidden_layer_sizes)
        self.n_iter_, self.t_ = 0, 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(hidden) + 2
        self.out_activation_ = self._output_activation()
        sizes = [n_features, *hidden, self.n_outputs_]
        _check_memory(sizes, dtype)
        net = Network(
            sizes,
            activation=hidden_activations(self.activation, len(hidden)),
            output_activation=OUTPUT_ACTIVATIONS[self.out_activation_],
            init="scikit_learn",
            seed=self._random_state,  # scikit-learn's own draws for the same random_state
            dtype=np.dtype(dtype).name,
        )
        self._network = net
        self._point_at(net)
        self._optimizer = None
        self.validation_loss_curve_ = [] if self.early_stopping == "loss" else None
        if self.solver in ("sgd", "adam"):
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping is True:
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = [], -np.inf, None
            else:
                self.validation_scores_, self.best_validation_score_, self.best_loss_ = None, None, np.inf

    # ------------------------------------------------------------------ fitting
    def _fit(self, X, y, sample_weight=None, incremental=False):
        hidden_sizes(self.hidden_layer_sizes)
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y = self._validate_input(X, y, incremental, reset=first_pass)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(sample_weight, X, dtype=X.dtype)
        sample_weight = self._weighted(sample_weight, Y, X.dtype)
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(X.shape[1], Y, X.dtype)
        net = self._network_in_sync()
        if self.solver == "lbfgs":
            from ._lbfgs import fit_lbfgs

            if np.any(np.asarray(self.dropout) != 0):
                raise ValueError("dropout needs solver='sgd' or 'adam': lbfgs minimises one fixed loss")

            fit_lbfgs(self, net, X, Y, sample_weight)
        else:
            self._fit_stochastic(net, X, Y, sample_weight, incremental)
        self._point_at(net)
        if not np.isfinite(net.flat_parameters()).all():
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain large values "
                "and need to be preprocessed."
            )
        return self

    def _training_loss(self):
        """The loss ``fit`` and L-BFGS minimise and ``loss_`` reports: scikit-learn's value (the
        classifier's clipped log loss, see ``_losses``); ``explain`` and ``gradcheck`` take
        ``_loss_name()``, the exact loss whose slope backpropagation computes."""
        return self._loss_name()

    def _new_optimizer(self) -> optim.Optimizer:
        if self.solver == "sgd":
            momentum = float(self.momentum)
            return optim.SGD(
                lr=self.learning_rate_init,
                momentum=momentum,
                nesterov=bool(self.nesterovs_momentum) and momentum > 0,
                velocity_lr=True,
            )
        return optim.Adam(
            lr=self.learning_rate_init,
            beta1=self.beta_1,
            beta2=self.beta_2,
            eps=self.epsilon,
            eps_corrected=False,
        )

    def _split(self, X, Y, sample_weight):
        """scikit-learn's validation split (stratified for single-output classification)."""
        stratify = Y if is_classifier(self) and self.n_outputs_ == 1 else None
        arrays = (X, Y) if sample_weight is None else (X, Y, sample_weight)
        parts = train_test_split(
            *arrays, random_state=self._random_state, test_size=self.validation_fraction, stratify=stratify
        )
        if parts[1].shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' or the size of your dataset."
            )
        X_train, X_val, Y_train, Y_val = parts[:4]
        w_train, w_val = (None, None) if sample_weight is None else parts[4:]
        # scored against labels, as scikit-learn does (the indicator matrix for multi-label)
        y_scored = self._label_binarizer.inverse_transform(Y_val) if is_classifier(self) else Y_val
        return X_train, Y_train, w_train, (X_val, Y_val, w_val, y_scored)

    def _fit_stochastic(self, net, X, Y, sample_weight, incremental):
        if self.early_stopping and incremental:
            raise ValueError(
                f"partial_fit does not support early_stopping={self.early_stopping!r}: it holds out "
                "validation data within one call of fit; use fit, or set early_stopping=False"
            )
        if not incremental or getattr(self, "_optimizer", None) is None:
            self._optimizer = self._new_optimizer()
        validation = None
        if self.early_stopping:
            X, Y, sample_weight, validation = self._split(X, Y, sample_weight)
        if self.lr_schedule is not None and self.learning_rate != "constant":
            raise ValueError("lr_schedule replaces learning_rate: leave learning_rate='constant' to use it")
        schedule = schedules.Constant() if self.lr_schedule is None else self._carried_schedule(incremental)
        decay = None
        if self.solver == "sgd" and self.learning_rate == "invscaling":
            decay = schedules.InverseScaling(self.power_t) if self.power_t > 0 else schedules.Constant()
            decay.start(self.learning_rate_init)
        self.n_iter_ = 0
        self._best_parameters = None
        rules = SklearnEpochs(self, net, self._optimizer, schedule, decay, X.shape[0], validation)
        early = None
        options = {}
        if self.early_stopping == "loss":
            patience = self.max_iter if np.isinf(self.n_iter_no_change) else int(self.n_iter_no_change)
            early = EarlyStopping("val_loss", patience=patience, min_delta=self.tol, restore_best=True)
            options["validation_data"] = validation[:2]
        if sample_weight is not None:
            options["sample_weight"] = sample_weight
        options["dropout"] = self.dropout  # fit checks it: one rate in [0, 1), or one per hidden layer
        try:
            net.fit(
                X,
                Y,
                loss=self._training_loss(),
                optimizer=self._optimizer,
                epochs=1 if incremental else self.max_iter,
                batch_size=batch_rows(self.batch_size, X.shape[0]),
                shuffle=_SklearnOrder(self._random_state) if self.shuffle else False,
                seed=0,  # nothing left to draw: the order comes from scikit-learn's own random state
                early_stopping=early,
                callbacks=[rules],
                verbose=2 if self.progress else 0,
                schedule=schedule,
                l2=float(self.alpha),
                **options,
            )
        except TrainingDiverged:
            if self.early_stopping is not True:
                raise ValueError(
                    "Solver produced non-finite parameter weights. The input data may contain large values "
                    "and need to be preprocessed."
                ) from None
            rules.record_score(np.nan)  # as scikit-learn: the diverged epoch scores NaN
        rules.restore_best()
        if not incremental and not rules.converged and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and the optimization "
                "hasn't converged yet.",
                ConvergenceWarning,
                stacklevel=3,
            )

    def _carried_schedule(self, incremental: bool):
        """``lr_schedule`` for this call: a fresh copy for ``fit``; for ``partial_fit``, the one
        the calls before moved on (``CarriedSchedule``), so it decays over the calls as over
        the epochs of one fit (under dask-ml's Incremental, too)."""
        carried = getattr(self, "_lr_schedule_carried", None)
        if not incremental or carried is None:
            carried = CarriedSchedule(copy.deepcopy(schedules.get_schedule(self.lr_schedule)))
            self._lr_schedule_carried = carried
        else:
            carried.epochs_before += 1  # each partial_fit call is one epoch
        return carried

    def _loss_grad_lbfgs(self, packed_coef_inter, X, y, sample_weight, *buffers):
        """scikit-learn's private name for the lbfgs objective (its gradient test calls it):
        ``(loss, gradient)`` at the flat parameters ``packed_coef_inter``; buffers unused."""
        from ._lbfgs import objective

        return objective(self, self._network_in_sync(), X, y, sample_weight)(packed_coef_inter)

    # ------------------------------------------------------------------ predicting
    def _forward(self, X, check_input=True):
        """The network's output ``(n_samples, n_outputs)`` for X (validated unless told not to)."""
        if check_input:
            from sklearn.utils.validation import validate_data

            X = validate_data(
                self, X, accept_sparse=["csr", "csc"], reset=False, dtype=(np.float64, np.float32)
            )
        X = X if sp.issparse(X) else np.asarray(X)  # sparse stays sparse: X @ W is SciPy's product
        net = self._network_in_sync()
        # as scikit-learn's MLP: float64 X through float32 weights computes and gives float64
        wider = np.result_type(X.dtype, net.dtype)
        if wider != net.dtype and wider in (np.float32, np.float64):
            net = net.astype(wider)
        return net.predict(X)

    def _score_with_function(self, X, y, sample_weight, score_function):
        y_pred = self._predict(X, check_input=False)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return score_function(y, y_pred, sample_weight=sample_weight)

    # ------------------------------------------------------------------ additions
    def explain(self, x, y, input_names=None):
        """The chain rule for one sample (``chainrule.Network.explain``) with this estimator's loss.

        ``y`` is the sample's target as ``fit`` takes it (a class label for a classifier).
        """
        check_is_fitted(self, "coefs_")
        if input_names is None and hasattr(self, "feature_names_in_"):
            input_names = list(self.feature_names_in_)
        target = self._targets_for(np.asarray(y).reshape(1, -1) if self.n_outputs_ > 1 else [y])
        return self.network_.explain(x, target[0], loss=self._loss_name(), input_names=input_names)

    def gradcheck(self, X, y) -> float:
        """Backpropagation against finite differences on this estimator's training loss
        (``chainrule.gradcheck``, float64); around 1e-10 means the slopes are right."""
        from ..see.gradcheck import gradcheck

        check_is_fitted(self, "coefs_")
        return gradcheck(
            self.network_, np.asarray(X, dtype=np.float64), self._targets_for(y), self._loss_name()
        )

    def save(self, path) -> None:
        """Write the safe model file; ``chainrule.load(path)`` gives this estimator back."""
        from ._file import save_estimator

        save_estimator(self, path)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class _SklearnOrder:
    """Each epoch's row order as scikit-learn's MLP draws it: the previous epoch's order
    shuffled again by the estimator's RandomState (``sklearn.utils.shuffle``), starting from
    0, 1, ..., n - 1 at each call of fit or partial_fit. With the same initial weights this
    gives scikit-learn's batches for the same ``random_state``."""

    def __init__(self, random_state):
        self.random_state = random_state
        self.order = None

    def __call__(self, epoch: int, n: int) -> np.ndarray:
        if self.order is None or self.order.shape[0] != n:
            self.order = np.arange(n, dtype=int)
        indices = np.arange(n)
        self.random_state.shuffle(indices)
        self.order = self.order[indices]
        return self.order


def _check_memory(sizes: list[int], dtype) -> None:
    """Refuse a network larger than the memory the machine has available, naming this
    estimator's parameter (Network's own check would name its ``sizes=`` and ``max_memory=``)."""
    needed, available = network_bytes(sizes, np.dtype(dtype).itemsize), available_bytes()
    if available is not None and needed > available:
        raise ValueError(
            f"hidden_layer_sizes gives a network of sizes {sizes}, which needs about {size_text(needed)}, "
            f"more than the {size_text(available)} available on this machine; use fewer or smaller layers"
        )
