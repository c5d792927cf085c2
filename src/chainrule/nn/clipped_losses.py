"""scikit-learn's log losses, the ones its MLP trains on and reports (``loss_``, ``loss_curve_``,
the stopping rule, the L-BFGS objective).

scikit-learn computes the log loss from probabilities clipped to [ε, 1 - ε], ε the machine
epsilon of their dtype (``sklearn.neural_network._base.log_loss`` and ``binary_log_loss``);
chainrule's own cross-entropies compute it exactly from the node inputs. The two agree until
the network is confidently wrong (a probability below ε, a logit beyond about ±36 in
float64), where scikit-learn's value stops growing. The stopping rule and L-BFGS read that
value, so parity needs the clipped one.

The slope is scikit-learn's too: dL/dz = (a - y) / n, the slope of the exact loss, which the
fused ``output_delta`` of the classes below inherits. Where clipping bites it is not the
slope of the clipped value (as in scikit-learn), so ``gradcheck`` and ``explain`` keep the
exact loss.
"""

from __future__ import annotations

import numpy as np

from .losses import BinaryCrossEntropySum, CrossEntropy


def clipped(a: np.ndarray) -> np.ndarray:
    """The probabilities ``a`` clipped to [ε, 1 - ε], ε = ``np.finfo(a.dtype).eps``."""
    eps = np.finfo(a.dtype).eps
    return np.clip(a, eps, 1 - eps)


class SklearnLogLoss(CrossEntropy):
    """L = -Σ y log p / n, p = clip(a, ε, 1 - ε), on softmax outputs a ``(n, k)``
    (scikit-learn's multi-class ``log_loss``); dL/dz = (a - y) / n."""

    name = "sklearn_log_loss"

    def per_sample(self, z, a, y):
        return -(y * np.log(clipped(a))).sum(axis=1) / a.shape[0]

    def value(self, z, a, y):
        return float(self.per_sample(z, a, y).sum())


class SklearnBinaryLogLoss(BinaryCrossEntropySum):
    """L = -Σ [y log p + (1 - y) log(1 - p)] / n, p = clip(a, ε, 1 - ε), on sigmoid outputs
    a ``(n, k)``, summed over the k outputs (scikit-learn's ``binary_log_loss``, binary and
    multi-label); dL/dz = (a - y) / n."""

    name = "sklearn_binary_log_loss"

    def per_sample(self, z, a, y):
        p = clipped(a)
        return -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=1) / a.shape[0]

    def value(self, z, a, y):
        return float(self.per_sample(z, a, y).sum())
