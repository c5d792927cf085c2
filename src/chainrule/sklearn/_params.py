"""scikit-learn's MLP parameters and what each becomes in chainrule: the adapter's table of names.

=========================  =============================================================
scikit-learn               chainrule
=========================  =============================================================
``hidden_layer_sizes``     ``Network(sizes=[n_features, *hidden_layer_sizes, n_outputs])``
``activation``             ``Network(activation=...)`` ("logistic" is "sigmoid"); a list
                           gives one per hidden layer (an addition)
output layer               "logistic" → "sigmoid" (binary, multi-label), "softmax"
                           (multi-class), "identity" (regression), "exp" (poisson)
``solver``                 "sgd" → ``optim.SGD``, "adam" → ``optim.Adam``, "lbfgs" →
                           SciPy's L-BFGS-B on ``Network.loss_and_gradient``
``alpha``                  ``l2``: penalty 0.5 × alpha × Σ‖W‖² / Σ sample weights
``batch_size``             ``batch_size`` ("auto" is min(200, n_samples))
``learning_rate_init``     ``lr``
``learning_rate``          "constant"; "invscaling" → ``schedules.InverseScaling(power_t,
                           per_epoch=n_samples)``; "adaptive" → lr / 5 on a plateau
``power_t``                ``InverseScaling(power_t)``
``momentum``               ``SGD(momentum)``
``nesterovs_momentum``     ``SGD(nesterov)`` (only when momentum > 0)
``beta_1, beta_2``         ``Adam(beta1, beta2)``
``epsilon``                ``Adam(eps)``
``max_iter``               ``epochs`` (lbfgs: ``maxiter``)
``max_fun``                lbfgs: ``maxfun``
``shuffle``                ``shuffle``
``random_state``           ``Network(seed)`` and ``fit(seed)``, both drawn from it
``tol``, ``n_iter_no_change``  scikit-learn's stopping rule (lbfgs: ``gtol``)
``early_stopping``         True: scikit-learn's validation score rule;
                           "loss": ``EarlyStopping(monitor="val_loss", restore_best=True)``
``validation_fraction``    the held-out share for either kind of early stopping
``verbose``                scikit-learn's printed lines; ``progress`` → ``fit(verbose=2)``
``sample_weight``          ``fit(sample_weight=...)``; ``class_weight`` multiplies it
``dropout``                ``fit(dropout=...)`` (inverted dropout on hidden layers)
=========================  =============================================================
"""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, Options, StrOptions

from ..train import schedules

HIDDEN_ACTIVATIONS = {"identity", "logistic", "tanh", "relu"}

#: scikit-learn's constraints, plus the additions (dropout, progress, lr_schedule, early_stopping="loss").
CONSTRAINTS: dict = {
    "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(HIDDEN_ACTIVATIONS), list, tuple],
    "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
    "alpha": [Interval(Real, 0, None, closed="left")],
    "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
    "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "early_stopping": ["boolean", StrOptions({"loss"})],
    "validation_fraction": [Interval(Real, 0, 1, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), Options(Real, {np.inf})],
    "max_fun": [Interval(Integral, 1, None, closed="left")],
    "dropout": [Interval(Real, 0, 1, closed="left"), list, tuple],
    "lr_schedule": [None, StrOptions({"step", "exponential", "plateau"}), schedules.Schedule],
    "progress": ["boolean"],
}

#: The output activation's scikit-learn name (``out_activation_``) → chainrule's.
OUTPUT_ACTIVATIONS = {"logistic": "sigmoid", "softmax": "softmax", "identity": "identity", "exp": "exp"}


def hidden_sizes(hidden_layer_sizes) -> list[int]:
    """``hidden_layer_sizes`` as a list (an int is one hidden layer); scikit-learn's error for <= 0."""
    sizes = list(hidden_layer_sizes) if hasattr(hidden_layer_sizes, "__iter__") else [hidden_layer_sizes]
    if np.any(np.array(sizes) <= 0):
        raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
    return [int(size) for size in sizes]


def hidden_activations(activation, n_hidden: int) -> list[str]:
    """One chainrule activation name per hidden layer."""
    names = [activation] * n_hidden if isinstance(activation, str) else list(activation)
    if len(names) != n_hidden:
        raise ValueError(f"activation lists {len(names)} activations for {n_hidden} hidden layers")
    for name in names:
        if name not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(HIDDEN_ACTIVATIONS)}, got {name!r}")
    return ["sigmoid" if name == "logistic" else name for name in names]


def batch_rows(batch_size, n_samples: int) -> int:
    """scikit-learn's batch size: "auto" is min(200, n); larger than n warns and is clipped."""
    if batch_size == "auto":
        return min(200, n_samples)
    if batch_size > n_samples:
        import warnings

        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. It is going to be clipped", stacklevel=4
        )
    return int(np.clip(batch_size, 1, n_samples))
