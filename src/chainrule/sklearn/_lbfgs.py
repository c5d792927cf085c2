"""solver="lbfgs": SciPy's L-BFGS-B minimising the estimator's training loss with the Network's slopes.

The objective of the flat parameter vector θ (``Network.flat_parameters()``, layer by
layer: weights then bias) is ``Network.loss_and_gradient(X, Y, loss, sample_weight, l2=alpha)``
with the estimator's ``_training_loss()`` (for the classifier scikit-learn's log loss of
clipped probabilities, see ``_losses``): the weighted mean loss plus
0.5 × alpha × Σ‖W‖² / Σ w, and its gradient from backpropagation.
As scikit-learn: ``maxiter=max_iter``, ``maxfun=max_fun``, ``gtol=tol``; a run that stops
on either limit warns with ConvergenceWarning.
"""

from __future__ import annotations

import numpy as np
import scipy.optimize
from sklearn.utils.fixes import _get_additional_lbfgs_options_dict
from sklearn.utils.optimize import _check_optimize_result

from ..train.threads import blas_threads_for


def objective(estimator, network, X, Y, sample_weight):
    """θ ↦ (loss, dloss/dθ) in float64, as SciPy wants, writing θ into the network."""
    flat = network.flat_parameters()
    loss = estimator._training_loss()

    def value_and_slope(theta):
        np.copyto(flat, theta)
        value, gradient = network.loss_and_gradient(
            X, Y, loss, sample_weight=sample_weight, l2=estimator.alpha
        )
        return value, gradient.astype(np.float64)

    return value_and_slope


def fit_lbfgs(estimator, network, X, Y, sample_weight) -> None:
    """Train ``network`` in place; sets ``n_iter_`` and ``loss_`` on the estimator."""
    iprint = 1 if estimator.verbose is True or estimator.verbose >= 1 else -1

    flat = network.flat_parameters()
    # as fit does: small matrix products run faster on one BLAS thread than split across several
    with blas_threads_for(X.shape[0], [layer.weight.shape for layer in network.layers]):
        result = _minimize(estimator, network, X, Y, sample_weight, flat, iprint)
    estimator.n_iter_ = _check_optimize_result("lbfgs", result, estimator.max_iter)
    estimator.loss_ = float(result.fun)
    np.copyto(flat, result.x)


def _minimize(estimator, network, X, Y, sample_weight, flat, iprint):
    return scipy.optimize.minimize(
        objective(estimator, network, X, Y, sample_weight),
        flat.astype(np.float64),
        method="L-BFGS-B",
        jac=True,
        options={
            "maxfun": estimator.max_fun,
            "maxiter": estimator.max_iter,
            "gtol": estimator.tol,
            **_get_additional_lbfgs_options_dict("iprint", iprint),
        },
    )
