"""``fit``'s arguments, checked and made into the run's parts: the validation rows (given,
or split off), the optimizer, early stopping watched afresh, the value it watches, and a
``shuffle=`` function's row order. Each refusal is a ValueError naming the argument."""

from __future__ import annotations

import numpy as np

from .._validation import fraction, positive_number
from .callbacks import EarlyStopping
from .optim import Optimizer, get_optimizer

__all__ = ["afresh", "check_monitor", "checked_order", "optimizer_for", "split_validation"]


def check_monitor(early: EarlyStopping | None, classify: bool, validated: bool) -> None:
    """The value early stopping watches must be one the run logs ("loss", and "accuracy" when
    it ``classify``s, each also as "val_" when ``validated``): a typo would otherwise be found
    only after the first epoch's training."""
    if early is None or early.monitor == "val_loss":  # without validation data: "loss"
        return
    logged = ["loss", *(["accuracy"] if classify else [])]
    if validated:
        logged += ["val_" + name for name in logged]
    if early.monitor not in logged:
        raise ValueError(
            f"early_stopping's monitor {early.monitor!r} is not logged by this run; it logs {', '.join(logged)}"
        )


def checked_order(order, n: int) -> np.ndarray:
    """A ``shuffle=`` function's row order: every row index 0..n-1 once (O(n) to check)."""
    order = np.asarray(order)
    if (
        order.shape != (n,)
        or order.dtype.kind not in "iu"
        or not (
            order.size == 0
            or (order.min() >= 0 and order.max() < n and np.bincount(order, minlength=n).max() == 1)
        )
    ):
        raise ValueError(
            f"shuffle's function must return an order of the {n} rows: each whole number 0..{n - 1} once, "
            f"got {order.dtype} of shape {order.shape}"
        )
    return order


def afresh(early: EarlyStopping | None) -> EarlyStopping | None:
    """``early`` with nothing remembered of an earlier run (an object given to two fits would
    otherwise hand the second network the first one's best weights)."""
    if early is not None:
        early.reset()
    return early


def optimizer_for(optimizer, lr, weight_decay, options) -> Optimizer:
    if isinstance(optimizer, Optimizer):
        if options or weight_decay:
            raise ValueError("momentum, nesterov and weight_decay go into the Optimizer object you passed")
        return optimizer
    lr = positive_number(lr, "lr")  # None is no learning rate, not the optimizer's default
    if options and str(optimizer).lower() != "sgd":
        raise ValueError(f"momentum and nesterov apply to optimizer='sgd', not {optimizer!r}")
    return get_optimizer(optimizer, lr=lr, weight_decay=weight_decay, **options)


def split_validation(network, X, targets, loss_fn, validation_data, validation_split, rng):
    """Training arrays and the validation pair (or None); a split draws its rows with ``rng``."""
    if validation_data is not None:
        if not (isinstance(validation_data, (tuple, list)) and len(validation_data) == 2):
            raise ValueError("validation_data must be a pair (X_val, y_val)")
        if validation_split:
            raise ValueError("pass validation_data or validation_split, not both")
        X_val, _ = network.inputs(validation_data[0], "validation_data X")
        y_val = network.targets(validation_data[1], X_val.shape[0], loss_fn)
        return X, targets, (X_val, y_val)
    validation_split = fraction(validation_split, "validation_split")
    if validation_split == 0:
        return X, targets, None
    n = X.shape[0]
    n_val = round(n * validation_split)
    if n_val < 1 or n_val >= n:
        raise ValueError(
            f"validation_split={validation_split} of {n} rows leaves {n_val} for validation and {n - n_val} "
            "for training; both need at least one"
        )
    order = rng.permutation(n)
    val_rows, train_rows = np.sort(order[:n_val]), np.sort(order[n_val:])
    return X[train_rows], targets[train_rows], (X[val_rows], targets[val_rows])
