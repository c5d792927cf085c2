"""scikit-learn's end-of-epoch rules, as a chainrule Callback.

After every epoch scikit-learn records the loss, counts epochs without improvement
(training loss not below ``best_loss_ - tol``, or with ``early_stopping=True`` validation
score not above ``best_validation_score_ + tol``), and once that count exceeds
``n_iter_no_change`` it stops, or with ``learning_rate="adaptive"`` (sgd) divides the
learning rate by 5 and goes on, stopping once it is 1e-6 or less. ``learning_rate=
"invscaling"`` (sgd) sets it to ``learning_rate_init / (t_ + 1) ** power_t`` after each
epoch, ``t_`` counting samples seen (``schedules.InverseScaling`` stepped with ``t_``).

The numbers all come from ``fit`` (the epoch's loss), the schedule and the estimator's
own ``score``; this class only keeps count.
"""

from __future__ import annotations

import numpy as np

from ..train.callbacks import Callback
from ..train.schedules import Schedule


class SklearnEpochs(Callback):
    """Bookkeeping of one ``fit``/``partial_fit`` call in scikit-learn's terms.

    estimator: the MLP being trained (its ``loss_curve_``, ``best_loss_``, ``t_``, ... are updated);
    optimizer, schedule: the run's (a Constant schedule whose lr this class may lower);
    decay: an InverseScaling schedule stepped with ``t_``, or None;
    validation: ``(X_val, Y_val, sample_weight_val, y_val)`` (targets as trained, as scored) scored each epoch when early_stopping=True.
    """

    def __init__(self, estimator, network, optimizer, schedule, decay, n_samples, validation=None):
        self.estimator, self.network = estimator, network
        self.optimizer, self.schedule, self.decay = optimizer, schedule, decay
        self.n_samples = n_samples
        self.validation = validation
        self.converged = False  # stopped by the rule, not by running out of epochs

    def _set_lr(self, lr: float) -> None:
        self.optimizer.lr = lr
        self.schedule.lr = lr  # a Constant schedule hands it back every epoch

    def on_epoch_end(self, epoch, logs):
        est = self.estimator
        est.n_iter_ += 1
        est.t_ += self.n_samples
        est.loss_ = logs["loss"]
        est.loss_curve_.append(est.loss_)
        if "val_loss" in logs:
            est.validation_loss_curve_.append(logs["val_loss"])
        if est.verbose:
            print(f"Iteration {est.n_iter_}, loss = {est.loss_:.8f}")
        self.count_no_improvement(est)
        if self.decay is not None:
            self._set_lr(self.decay.step(est.t_, est.loss_))
        if est._no_improvement_count <= est.n_iter_no_change:
            return False
        what = "Validation score" if est.early_stopping is True else "Training loss"
        message = (
            f"{what} did not improve more than tol={est.tol:f} for {est.n_iter_no_change} consecutive epochs."
        )
        if est.learning_rate == "adaptive" and est.solver == "sgd":
            if self.optimizer.lr > 1e-6:
                self._set_lr(self.optimizer.lr / 5.0)
                est._no_improvement_count = 0
                if est.verbose:
                    print(f"{message} Setting learning rate to {self.optimizer.lr:f}")
                return False
            message += " Learning rate too small."
        if est.verbose:
            print(f"{message} Stopping.")
        self.converged = True
        return True

    def count_no_improvement(self, est) -> None:
        if est.early_stopping is True:
            X_val, _, weight_val, y_val = self.validation
            score = est._score(X_val, y_val, weight_val)
            self.record_score(score)
            return
        if est.early_stopping == "loss":  # chainrule's EarlyStopping watches the validation loss
            est.best_loss_ = min(est.best_loss_, est.loss_)
            return
        if est.loss_ > est.best_loss_ - est.tol:
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        est.best_loss_ = min(est.best_loss_, est.loss_)

    def record_score(self, score: float) -> None:
        est = self.estimator
        est.validation_scores_.append(score)
        if est.verbose:
            print(f"Validation score: {score:f}")
        if not score >= est.best_validation_score_ + est.tol:  # NaN counts as no improvement
            est._no_improvement_count += 1
        else:
            est._no_improvement_count = 0
        if score > est.best_validation_score_:
            est.best_validation_score_ = score
            est._best_parameters = self.network.flat_parameters().copy()

    def restore_best(self) -> None:
        """Give the network back the parameters of its best validation score (early_stopping=True)."""
        best = self.estimator._best_parameters
        if self.estimator.early_stopping is True and best is not None:
            np.copyto(self.network.flat_parameters(), best)


class CarriedSchedule(Schedule):
    """A learning-rate schedule carried from one ``partial_fit`` call to the next, as one
    ``fit`` carries it from epoch to epoch: started once (its lr and, for "plateau", its best
    loss and wait kept), and each call's epochs counted on from the calls before
    (``epochs_before``), so "step" decays every ``step_size`` calls of one epoch."""

    def __init__(self, schedule: Schedule):
        self.inner, self.started, self.epochs_before = schedule, False, 0
        self.name = schedule.name

    def start(self, lr0: float) -> None:
        if not self.started:
            self.inner.start(lr0)
            self.started = True
        self.lr0, self.lr = self.inner.lr0, self.inner.lr

    def step(self, epoch: int, loss: float) -> float:
        self.lr = self.inner.step(self.epochs_before + epoch, loss)
        return self.lr

    def state(self) -> dict:
        return self.inner.state()

    def load_state(self, state: dict) -> None:
        self.inner.load_state(state)

    def config(self) -> dict:
        return self.inner.config()
