"""The choices ``train_table`` makes when they are left to it: widths, validation rows, the model kept.

- **Widths scaled to the data** (``hidden`` unset): two hidden layers of ``2 × inputs``
  nodes, rounded up to a power of two and kept within 16 to 128. A table with 5 inputs
  gets 16,16, the 64-pixel digits 128,128. The members of an averaged regression ensemble
  (the default for a number) are twice as wide, ``4 × inputs`` within 32 to 256: averaging
  takes away the variance that wider networks add and keeps the bias they take away
  (measured in benchmarks/README.md, "Round 6": better over 30 seeds, where one network
  of that width was not, and classification ensembles were not).
- **Validation rows** for early stopping (and the choice below): ``validation_split`` of
  the training rows, and at least ``MIN_CHOICE_ROWS`` of them when that is no more than a
  quarter (``MAX_SMALL_SHARE``), so the choice below is made on small tables too (150
  training rows: 20, not 15); drawn per class for classification so every class is
  watched, from a generator seeded by ``seed``. Too few training rows to spare one: no
  validation.
- **The model kept** (``linear_fallback``): the network is compared with the linear model
  (``workflow.baselines``) fitted on the same training rows outside the validation rows,
  row by row on the validation rows, by the one-standard-error rule: with d_i = network's
  loss − linear model's loss on row i, the network is kept only when mean(d) + SE(d) < 0,
  SE(d) = sd(d) / √m over the m rows, i.e. when it is better by more than the noise of the
  comparison; otherwise the simpler model is. Then the linear model, refitted on all
  training rows, is the model saved: a network with no hidden layer, which every command
  reads like any other. Fewer than ``MIN_CHOICE_ROWS`` validation rows (a table of under
  about 100 rows) cannot show the network better, so the linear model is kept there too
  (measured on 52 such classification tables in benchmarks/README.md, "Round 10": the
  network kept on them tested 0.033 ± 0.014 below logistic regression, worse on 32 tables
  and better on 14). A network that started as the linear model
  (``workflow.linear_start``) had this choice made by early stopping, whose epoch 0 is
  that start, so ``train_table`` does not make it twice. (Measured against choosing by the lower mean
  loss in benchmarks/README.md, "Round 3": as good on seeds 0-4, better on fresh seeds.)
"""

from __future__ import annotations

import numpy as np

from ..nn import propagation
from .apply import evaluate_table, targets_for
from .baselines import linear_network, score_of, trivial_baseline, verdict

__all__ = [
    "auto_batch",
    "batch_for",
    "auto_widths",
    "validation_rows",
    "compare_models",
    "choose",
    "compared_on_test",
    "row_losses",
    "linear_is_kept",
    "MIN_CHOICE_ROWS",
]

MIN_CHOICE_ROWS = 20
#: The rule metrics.json names for a network that started as the linear model.
LINEAR_START_RULE = "linear start: early stopping's epoch 0 is the ridge model"
#: The rule metrics.json names (before a colon and the count) for too few validation rows.
TOO_FEW_RULE = "too few rows, keep the linear model"
#: The rule metrics.json names for a network without hidden layers: a linear model itself.
NO_HIDDEN_RULE = "none: the network has no hidden layer, a linear model itself, and is kept"
#: Small tables hold out MIN_CHOICE_ROWS validation rows when that is at most this share of them.
MAX_SMALL_SHARE = 0.25


#: The minibatch of a table, and the training rows from which it grows with them.
BATCH, BATCH_GROWS_FROM, LARGEST_BATCH = 32, 25_600, 1024


def auto_batch(n_rows: int) -> int:
    """``batch_size='auto'``: 32 rows, and from ``BATCH_GROWS_FROM`` training rows on the power
    of two at most ``n_rows / 400``, up to 1024. An epoch then stays 400 to 800 updates, so
    early stopping's patience (in epochs) is as many updates on 100,000 rows as on 10,000, and
    a large table trains in a third of the time at the same score (benchmarks/README.md,
    "Round 7"); tables under 25,600 training rows train as before."""
    batch = BATCH
    while batch < LARGEST_BATCH and 2 * batch * 400 <= n_rows:
        batch *= 2
    return batch


def batch_for(setting, n_rows: int) -> int | None:
    """The rows per update that ``batch_size=setting`` means for ``n_rows`` training rows:
    ``auto_batch`` for "auto", else the setting (a number, or None for full-batch)."""
    return auto_batch(n_rows) if setting == "auto" else setting


def auto_widths(n_inputs: int, averaged: bool = False) -> tuple[int, int]:
    """Two hidden layers of 2 × n_inputs nodes, rounded up to a power of two, within 16..128;
    ``averaged`` (a member of an averaged regression ensemble): 4 × n_inputs, within 32..256."""
    factor, width, widest = (4, 32, 256) if averaged else (2, 16, 128)
    while width < factor * n_inputs and width < widest:
        width *= 2
    return (width, width)


def validation_rows(encoded: np.ndarray, task: str, fraction: float, seed: int) -> np.ndarray | None:
    """Sorted indices of the training rows held out for validation (None when none can be).

    The fraction is at least ``MIN_CHOICE_ROWS / n`` when that is at most ``MAX_SMALL_SHARE``.
    Classification draws ``round(fraction × count)`` rows of each class (none of a class
    with a single row); when classes are so small that this holds out fewer than
    ``MIN_CHOICE_ROWS`` (or fewer than the fraction of all rows, if that is less), more are
    drawn at random from the classes that can spare them. Regression draws
    ``round(fraction × n)`` rows. At least one training row of each class, and one
    validation row, must remain.
    """
    rng = np.random.default_rng([seed, 1])  # its own stream: the split of the table uses [seed]
    n = len(encoded)
    if n and MIN_CHOICE_ROWS / n <= MAX_SMALL_SHARE:
        fraction = max(fraction, MIN_CHOICE_ROWS / n)
    if task == "classification":
        chosen = []
        for label in np.unique(encoded):
            members = np.flatnonzero(encoded == label)
            count = round(len(members) * fraction) if len(members) >= 2 else 0
            chosen.append(rng.permutation(members)[: min(count, len(members) - 1)])
        rows = np.concatenate(chosen)
        wanted = min(round(n * fraction), MIN_CHOICE_ROWS)
        if len(rows) < wanted:  # many small classes: their shares round to nothing
            spare = np.concatenate(
                [np.setdiff1d(np.flatnonzero(encoded == label), rows)[1:] for label in np.unique(encoded)]
            )  # every class keeps its first unchosen row for training
            rows = np.concatenate([rows, rng.permutation(spare)[: wanted - len(rows)]])
    else:
        rows = rng.permutation(n)[: round(n * fraction)]
    if len(rows) == 0 or len(rows) >= n:
        return None
    return np.sort(rows)


def compare_models(
    network, train, test, X_train, encoded, fit, val, fallback: bool, judged=None, started_linear=False
) -> tuple:
    """(the model to keep, what the comparison found) for a network trained on ``X_train[fit]``.

    ``judged`` is the network whose validation losses decide (default ``network``): for an
    ensemble, its member 0, since the other members trained on some of these rows.
    ``started_linear``: the network started as the linear model (see ``choose``).

    ``encoded`` are the training rows' targets (class indices or standardised values), ``val``
    the validation rows or None, ``test`` the test Table (maybe empty). The comparison holds
    "model" ("network" or "linear"), "choice" (the validation losses, when there are
    validation rows), and with test rows "baselines" (the trivial and the linear model's test
    scores) and "verdict", the line that says whether the network beats them.
    """
    pre, info = network.preprocessor, network.info
    n_outputs = network.n_outputs
    linear = linear_network(X_train, encoded, pre.task, n_outputs, network.dtype)
    linear.preprocessor, linear.info = pre, dict(info)
    kept, compared = network, {"model": "network"}
    if val is not None:
        on_fit = linear_network(X_train[fit], encoded[fit], pre.task, n_outputs, np.float64)
        keep_linear, compared["choice"] = choose(
            judged or network, on_fit, X_train[val], encoded[val], pre, info["loss"], fallback, started_linear
        )
        if judged is not None and judged is not network:
            compared["choice"]["judged"] = "member 0 (the other members trained on some of these rows)"
        if keep_linear:
            kept, compared["model"] = linear, "linear"
    if len(test):
        trivial = trivial_baseline(pre.task, encoded, pre.encode_target(test), pre)
        linear_test, network_test = evaluate_table(linear, test), evaluate_table(network, test)
        compared.update(
            compared_on_test(
                network_test,
                linear_test,
                trivial,
                compared["model"],
                choice=compared.get("choice"),
                hidden=len(network.layers) > 1,
            )
        )
    return kept, compared


def compared_on_test(
    network_test: dict,
    linear_test: dict,
    trivial: dict,
    model: str,
    linear_name=None,
    choice=None,
    hidden=True,
) -> dict:
    """metrics.json's "baselines", "network_test" and "verdict" from the test scores of the
    network, the linear model (named ``linear_name``, by default after the task) and the
    trivial baseline; ``model`` is the one saved ("network" or "linear"), ``choice`` how it
    was chosen (metrics.json's "choice", None without validation rows)."""
    name, _ = score_of(linear_test)
    key = "accuracy" if name == "accuracy" else "r2"
    linear_name = linear_name or _linear_name("classification" if key == "accuracy" else "regression")
    return {
        "baselines": {
            "trivial": trivial,
            "linear": {"model": linear_name, key: linear_test[key], "loss": linear_test["loss"]},
        },
        "network_test": {key: network_test[key], "loss": network_test["loss"]},
        "verdict": verdict(network_test, linear_test, trivial, model, kept_because(choice), hidden),
    }


def choose(
    network, linear, X_val, encoded_val, pre, loss: str, fallback: bool, started_linear: bool = False
) -> tuple[bool, dict]:
    """(keep the linear model?, the comparison for metrics.json): ``network`` against
    ``linear`` (both fitted without these rows) by their ``loss`` row by row on the
    validation rows ``X_val`` ``(m, n)``, whose targets ``pre`` encoded as ``encoded_val``
    ``(m,)``, by the one-standard-error rule; fewer than ``MIN_CHOICE_ROWS`` rows cannot
    show the network better, and keep the linear model. With ``fallback`` off the network
    is kept; so it is when it ``started_linear``: early stopping's epoch 0 was the linear
    model, and the choice is not made twice."""
    X_val = np.asarray(X_val, np.float64)
    y_val = targets_for(linear, pre, encoded_val).astype(np.float64)
    with np.errstate(over="ignore", under="ignore"):
        rows = (
            row_losses(network.astype(np.float64), X_val, y_val, loss),
            row_losses(linear.astype(np.float64), X_val, y_val, loss),
        )
    difference = rows[0] - rows[1]
    choice = {
        "validation_rows": len(X_val),
        "network_val_loss": _finite(rows[0].mean()),
        "linear_val_loss": _finite(rows[1].mean()),
        "standard_error": _finite(_standard_error(difference)),
        "rule": _rule(started_linear, fallback, len(X_val), len(network.layers) > 1),
    }
    fallback = fallback and not started_linear and len(network.layers) > 1
    return fallback and (len(X_val) < MIN_CHOICE_ROWS or linear_is_kept(difference)), choice


def verdict_at_start(compared: dict, hidden: bool) -> str:
    """The verdict of a run whose networks all kept their start, the ridge model (epoch 0):
    not "the network was kept ... try no hidden layer", since that is what it already is."""
    baselines = compared["baselines"]
    return verdict(
        compared["network_test"],
        baselines["linear"],
        baselines["trivial"],
        compared["model"],
        None,
        hidden,
        True,
    )


def _rule(started_linear: bool, fallback: bool, m: int, hidden: bool = True) -> str:
    """How the choice between the network and the linear model was made (metrics.json)."""
    if started_linear:
        return LINEAR_START_RULE
    if not hidden:
        return NO_HIDDEN_RULE
    if not fallback:
        return "none: linear_fallback=False keeps the network"
    if m < MIN_CHOICE_ROWS:
        return f"{TOO_FEW_RULE}: {m} validation rows, fewer than the {MIN_CHOICE_ROWS} that could show the network better"
    return "one standard error"


def kept_because(choice: dict | None) -> str | None:
    """Why the saved model was kept other than by the one-standard-error rule (None when that
    rule chose it), from the ``choice`` metrics.json records."""
    if choice is None:
        return "kept without validation rows to choose on"
    rule = choice.get("rule")
    if rule == LINEAR_START_RULE:
        return (
            "started as the ridge model, and early stopping kept what it learned beyond it on the "
            "validation rows"
        )
    if rule == NO_HIDDEN_RULE:
        return "kept as asked: without hidden layers it is a linear model itself"
    if isinstance(rule, str) and rule.startswith("none: linear_fallback"):
        return "kept as asked (linear_fallback=False)"
    if isinstance(rule, str) and rule.startswith(TOO_FEW_RULE):
        return (
            f"its {choice.get('validation_rows')} validation rows were too few to show the network better "
            f"than the linear model (that takes {MIN_CHOICE_ROWS})"
        )
    return None


def row_losses(network, X, y, loss: str) -> np.ndarray:
    """Each row's loss ``(m,)``: their mean is ``network.loss(X, y, loss)``."""
    loss_fn = network.loss_function(loss)
    X, _ = network.inputs(X)
    z, output = propagation.last_layer(network.layers, X)
    targets = network.targets(y, X.shape[0], loss_fn)
    return loss_fn.per_sample(z, output, targets) * X.shape[0]


def linear_is_kept(difference: np.ndarray) -> bool:
    """The one-standard-error rule on d = network's − linear model's row losses: the network
    only when mean(d) + sd(d) / √m < 0 (NaN, a diverged network, keeps the linear model)."""
    return not float(difference.mean()) + _standard_error(difference) < 0


def _finite(value) -> float | None:
    """A number for metrics.json, or None where it is not finite (JSON has no NaN)."""
    value = float(value)
    return value if np.isfinite(value) else None


def _standard_error(difference: np.ndarray) -> float:
    m = len(difference)
    return float(difference.std(ddof=1) / np.sqrt(m)) if m > 1 else 0.0


def _linear_name(task: str) -> str:
    return "ridge regression (alpha 1)" if task == "regression" else "logistic regression (L2, C 1)"
