"""The yardsticks a trained network is measured against: a trivial model and a linear one.

``chainrule train`` fits both on the same preprocessed training rows as the network and
scores them on the same test rows, so the user sees at once whether the network earns its
keep:

- the trivial baseline predicts the majority class of the training rows (classification) or
  their mean (regression), whatever the inputs;
- the linear model is a network with no hidden layer, fitted to its optimum rather than by
  gradient descent steps: ridge regression in closed form for regression,
  ``(XᵀX + αI) w = Xᵀy`` on centred data with the bias unpenalised; logistic regression
  (a sigmoid output for two classes, softmax for more) minimising
  ``Σ cross-entropy + (α/2) Σ w²`` by L-BFGS for classification. α = 1, as in
  scikit-learn's ``Ridge()`` and ``LogisticRegression()``: on the same standardised inputs
  they find the same model. Being a ``Network``, it is saved, explained and exported like
  any other.

Only NumPy is used, so the command line's core path needs nothing more.
"""

from __future__ import annotations

import numpy as np

from ..nn.network import Network

__all__ = ["linear_network", "solve_ridge", "trivial_baseline", "score_of", "printed", "verdict", "ALPHA"]

#: The L2 strength of the linear model, as scikit-learn's defaults (Ridge alpha=1, LogisticRegression C=1).
ALPHA = 1.0


def linear_network(X: np.ndarray, encoded: np.ndarray, task: str, n_outputs: int, dtype) -> Network:
    """The linear model of ``X`` ``(n, d)`` for targets ``encoded`` (standardised values for
    regression, class indices for classification) as a Network with no hidden layer and
    ``n_outputs`` outputs, as the network it is compared with: one sigmoid output for two
    classes, or a softmax output per class (two classes included)."""
    X = np.asarray(X, dtype=np.float64)
    if task == "regression":
        weight, bias = _ridge(X, np.asarray(encoded, dtype=np.float64), ALPHA)
        output = "identity"
    else:
        weight, bias = _logistic(X, np.asarray(encoded, dtype=np.intp), n_outputs, ALPHA)
        output = "sigmoid" if n_outputs == 1 else "softmax"
    return Network.from_weights([weight], [bias], output_activation=output, dtype=np.dtype(dtype).name)


def _ridge(X: np.ndarray, y: np.ndarray, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """argmin ||X w + b - y||² + α ||w||²: centre, then solve (XcᵀXc + αI) w = Xcᵀ yc."""
    x_mean, y_mean = X.mean(axis=0), y.mean()
    Xc = X - x_mean
    return solve_ridge(Xc.T @ Xc, Xc.T @ (y - y_mean), x_mean, y_mean, alpha)


def solve_ridge(gram, moment, x_mean, y_mean: float, alpha: float) -> tuple[np.ndarray, np.ndarray]:
    """Ridge's weights ``(d, 1)`` and bias ``(1,)`` from the centred sums ``gram`` = XcᵀXc
    ``(d, d)`` and ``moment`` = Xcᵀyc ``(d,)`` and the means ``x_mean`` ``(d,)`` and ``y_mean``:
    w = (XcᵀXc + αI)⁻¹ Xcᵀyc, b = ȳ − x̄ · w (the bias unpenalised)."""
    w = np.linalg.solve(gram + alpha * np.eye(len(gram)), moment)
    return w[:, None], np.array([y_mean - x_mean @ w])


def _logistic(X: np.ndarray, classes: np.ndarray, n_outputs: int, alpha: float):
    """Weights ``(d, n_outputs)`` and biases minimising Σ cross-entropy + (α/2)||W||² (L-BFGS)."""
    n, d = X.shape
    Y = classes[:, None].astype(np.float64) if n_outputs == 1 else np.eye(n_outputs)[classes]
    X1 = np.hstack([X, np.ones((n, 1))])  # the bias as a last input of 1, not penalised
    penalty = np.ones((d + 1, n_outputs))
    penalty[-1] = 0.0
    rows = np.arange(n)

    def objective(flat: np.ndarray) -> tuple[float, np.ndarray]:
        W = flat.reshape(d + 1, n_outputs)
        Z = X1 @ W
        if n_outputs == 1:
            # cross-entropy of a sigmoid: log(1 + e^z) - y z, computed without overflow
            value = float(np.sum(np.logaddexp(0.0, Z) - Y * Z))
            P = np.exp(-np.logaddexp(0.0, -Z))
        else:
            log_norm = _logsumexp(Z)
            value = float(np.sum(log_norm[:, 0] - Z[rows, classes]))  # the true class's z, one-hot
            P = np.exp(Z - log_norm)
        value += 0.5 * alpha * float(np.sum(penalty * W * W))
        gradient = X1.T @ (P - Y) + alpha * penalty * W  # dL/dz = p - y, the fused fast path
        return value, gradient.ravel()

    flat = _lbfgs(objective, np.zeros((d + 1) * n_outputs))
    W = flat.reshape(d + 1, n_outputs)
    return W[:-1], W[-1]


def _logsumexp(Z: np.ndarray) -> np.ndarray:
    """log Σ_k e^{z_k} of each row ``(n, 1)``. Over a few columns, a NumPy operation per
    column is far faster than a reduction along rows of a few numbers."""
    top = Z[:, 0].copy()
    for k in range(1, Z.shape[1]):
        np.maximum(top, Z[:, k], out=top)
    total = np.zeros_like(top)
    for k in range(Z.shape[1]):
        total += np.exp(Z[:, k] - top)
    return (top + np.log(total))[:, None]


def _lbfgs(objective, x: np.ndarray, memory: int = 10, iterations: int = 500, tol: float = 1e-6):
    """Minimise a smooth convex ``objective(x) -> (value, gradient)`` by L-BFGS with a
    backtracking (Armijo) line search; stops when ||gradient||∞ < tol × max(1, |value|)."""
    value, gradient = objective(x)
    steps: list[tuple[np.ndarray, np.ndarray, float]] = []
    for _ in range(iterations):
        if np.max(np.abs(gradient)) < tol * max(1.0, abs(value)):
            break
        direction = -_two_loop(gradient, steps)
        slope = float(direction @ gradient)
        if slope >= 0:  # not a descent direction: start again from steepest descent
            steps.clear()
            direction, slope = -gradient, -float(gradient @ gradient)
        size = 1.0 if steps else 1.0 / max(1.0, float(np.linalg.norm(gradient)))
        while True:
            candidate = x + size * direction
            new_value, new_gradient = objective(candidate)
            if new_value <= value + 1e-4 * size * slope or size < 1e-12:
                break
            size *= 0.5
        s, y = candidate - x, new_gradient - gradient
        sy = float(s @ y)
        if sy > 1e-12:
            steps.append((s, y, 1.0 / sy))
            del steps[:-memory]
        if abs(value - new_value) <= 1e-12 * max(1.0, abs(value)):
            x, value, gradient = candidate, new_value, new_gradient
            break
        x, value, gradient = candidate, new_value, new_gradient
    return x


def _two_loop(gradient: np.ndarray, steps) -> np.ndarray:
    """H × gradient for the L-BFGS estimate H of the inverse Hessian (Nocedal and Wright, alg. 7.4)."""
    q = gradient.copy()
    alphas = []
    for s, y, rho in reversed(steps):
        a = rho * float(s @ q)
        q -= a * y
        alphas.append(a)
    if steps:
        s, y, _ = steps[-1]
        q *= float(s @ y) / float(y @ y)
    for (s, y, rho), a in zip(steps, reversed(alphas)):
        q += s * (a - rho * float(y @ q))
    return q


def trivial_baseline(task: str, train_encoded: np.ndarray, test_encoded: np.ndarray, pre) -> dict:
    """The test score of predicting the training rows' majority class, or their mean."""
    if task == "classification":
        counts = np.bincount(np.asarray(train_encoded, dtype=np.intp), minlength=len(pre.labels))
        majority = int(np.argmax(counts))
        accuracy = float(np.mean(np.asarray(test_encoded) == majority))
        return {"model": f"majority class {pre.labels[majority]!r}", "accuracy": accuracy}
    from ..tables import metrics

    true = pre.decode_regression(np.asarray(test_encoded, dtype=np.float64))
    guess = np.full_like(true, float(pre.decode_regression(np.array([np.mean(train_encoded)]))[0]))
    return {"model": "mean of the training targets", "r2": metrics.r2_score(true, guess)}


#: A test score (accuracy or R²) from which the linear model counts as perfect.
PERFECT = 0.9999


def _nothing_found(trivial: dict) -> str:
    """What to check when no model does better than the trivial baseline."""
    target = (
        "the target (an ID, outliers, or a placeholder such as 999 for unknown)"
        if "r2" in trivial
        else "the target"
    )
    return f"check {target} and the columns; the inputs may tell nothing about it"


def printed(score: float) -> float:
    """A test score as the verdict prints it, to 4 decimals (0.99020 and 0.99019 both 0.9902):
    scores that print the same are a tie, so the verdict never ranks what the reader sees as equal."""
    return float(f"{score:.4f}")


def score_of(result: dict) -> tuple[str, float]:
    """(name, value) of the score that ranks models: accuracy, or R² for regression."""
    return ("accuracy", result["accuracy"]) if "accuracy" in result else ("R²", result["r2"])


def verdict(
    network: dict,
    linear: dict,
    trivial: dict,
    chosen: str = "network",
    why: str | None = None,
    hidden: bool = True,
    at_start: bool = False,
) -> str:
    """One line: does the network beat the trivial baseline and the linear model on the test
    rows, and if not, what to try; ``why`` the saved model was kept other than by the
    one-standard-error rule (see ``select.kept_because``), said where it needs saying; ``hidden``: the
    network has hidden layers (without, no hidden layer is not advised); ``at_start``: early
    stopping kept the network's start, the ridge model fitted without the validation rows.
    The scores are ranked as printed (``printed``): a difference the line does not show is a tie."""
    name, ours = score_of(network)
    _, line = score_of(linear)
    _, floor = score_of(trivial)
    if None in (ours, line, floor):
        return f"test {name} is not defined on one test row, so the models are not compared; use more rows"
    scores = f"test {name}: network {ours:.4f}, linear {line:.4f}, {trivial['model']} {floor:.4f}"
    ours, line, floor = printed(ours), printed(line), printed(floor)  # ranked as the line shows them
    nothing = _nothing_found(trivial)
    perfect = (
        "the linear model is already perfect on the test rows, so a network has nothing to add: "
        "check that no column gives the target away (a copy, a recoding) before trusting either"
    )
    if chosen == "linear":
        reason = why or (
            "on the validation rows the network was not clearly better than the linear model "
            "(by one standard error)"
        )
        saved = f"{scores}; {reason}, so the linear model is the saved model (no hidden layer)"
        if line <= floor:
            return f"{saved}, and it does no better than {trivial['model']}: {nothing}"
        if line >= PERFECT:
            return f"{saved}; {perfect}"
        return f"{saved}; for a network anyway, pass linear_fallback=False, or add rows"
    if ours <= floor:
        return f"{scores}; the network does no better than {trivial['model']}: {nothing}"
    if ours <= line:
        if line >= PERFECT:
            return f"{scores}; {perfect}"
        if at_start:  # the saved model is a ridge model already, on fewer rows than the baseline's
            return (
                f"{scores}; early stopping kept the network's start (epoch 0), the ridge model fitted "
                "without the validation rows, as nothing it learned beat that there: the data may be too "
                "few or nearly linear; more rows may help"
            )
        kept = f" (the network was {why})" if why else ""
        beaten = (
            "the network only ties the linear model" if ours == line else "the linear model beats the network"
        )
        advice = "weight_decay=0.01, hidden=0, or more rows" if hidden else "weight_decay=0.01 or more rows"
        return f"{scores}; {beaten}{kept}: the data may be too few or nearly linear; try {advice}"
    if ours >= PERFECT:
        return (
            f"{scores}; the network beats both baselines, and perfectly: check that no column gives "
            "the target away (a copy, a recoding, a group that holds one class) before trusting it"
        )
    return f"{scores}; the network beats both baselines"
