"""Mechanisms tried against the defaults' remaining gaps, measured on the same splits as defaults.py.

For each table and seed, ``train_table`` with the defaults (fallback off) gives the default
network, trained on 90 % of the training rows with early stopping on the other 10 %. Then
5-fold cross-validation on the training rows (folds drawn per class) trains one network per
fold with the default settings, early-stopped on its fold, and the linear model on the
other folds. The columns are test scores (accuracy, or R²):

- ``net``: the default network alone; ``linear``: the linear model on all training rows;
- ``cv refit``: a network of the default shape retrained on all training rows for the mean
  of the folds' best epoch counts;
- ``cv refit/linear``: the same, or the linear model when its pooled out-of-fold loss is lower;
- ``cv ensemble``: the mean of the 5 fold networks' outputs;
- ``net+linear``: the mean of the default network's and the linear model's logits (outputs
  for regression), which one network could hold exactly;
- ``cv choice``: the default network, or the linear model when its pooled out-of-fold loss
  is lower (the fallback decided on every training row instead of 10 %).

    python benchmarks/defaults_variants.py --tables wine,penguins_mass --seeds 0,1,2,3,4
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from defaults import TABLES, has_gaps, load

from chainrule.nn.network import Network
from chainrule.tables import metrics
from chainrule.train.callbacks import EarlyStopping
from chainrule.workflow.apply import targets_for
from chainrule.workflow.baselines import linear_network
from chainrule.workflow.config import TrainConfig
from chainrule.workflow.train import split_rows, train_table

COLUMNS = ["net", "linear", "cv refit", "cv refit/linear", "cv ensemble", "net+linear", "cv choice"]


def folds_of(encoded: np.ndarray, task: str, k: int, seed: int) -> np.ndarray:
    """The fold (0..k-1) of each training row; classes are dealt round the folds in turn."""
    rng = np.random.default_rng([seed, 1])
    fold = np.empty(len(encoded), dtype=np.intp)
    groups = (
        [np.flatnonzero(encoded == c) for c in np.unique(encoded)]
        if task == "classification"
        else [np.arange(len(encoded))]
    )
    offset = 0
    for members in groups:
        fold[rng.permutation(members)] = (np.arange(len(members)) + offset) % k
        offset += len(members)
    return fold


def scores(table, target: str, seed: int, k: int = 5) -> dict[str, float]:
    config = TrainConfig(target=target, seed=seed, verbose=0, linear_fallback=False)
    if has_gaps(table):
        config.impute = "median"
    default = train_table(table, config)
    config = config.checked()
    net, pre = default.network, default.network.preprocessor
    task, loss = pre.task, net.info["loss"]
    train_rows, test_rows = split_rows(table, target, task, config.test_size, seed)
    train, test = table.select_rows(train_rows), table.select_rows(test_rows)
    X, encoded = pre.transform(train, net.dtype), pre.encode_target(train, net.dtype)
    X_test, test_encoded = pre.transform(test, np.float64), pre.encode_target(test, np.float64)
    y = targets_for(net, pre, encoded)
    output = net.output_activation.name

    def fresh() -> Network:
        return Network(
            net.sizes,
            activation="relu",
            output_activation=output,
            init="he_normal",
            seed=seed,
            dtype=config.dtype,
        )

    def logit(p: np.ndarray) -> np.ndarray:
        if task == "regression":
            return p
        p = np.clip(p, 1e-12, 1 - 1e-12)
        return np.log(p / (1 - p)) if p.shape[1] == 1 else np.log(p)

    def score(z: np.ndarray) -> float:  # z: logits (outputs for regression)
        if task == "regression":
            return metrics.r2_score(pre.decode_regression(test_encoded), pre.decode_regression(z))
        predicted = (z[:, 0] > 0).astype(np.intp) if z.shape[1] == 1 else z.argmax(axis=1)
        return metrics.accuracy(test_encoded, predicted)

    fold = folds_of(encoded, task, k, seed)
    best, fold_logits, net_loss, linear_loss = [], [], 0.0, 0.0
    for f in range(k):
        val, fit = fold == f, fold != f
        member = fresh()
        history = member.fit(
            X[fit], y[fit], loss=loss, seed=seed, validation_data=(X[val], y[val]),
            early_stopping=EarlyStopping(patience=config.patience), verbose=0, **config.fit_options(),
        )  # fmt: skip
        best.append(history.best_epoch)
        fold_logits.append(logit(member.astype(np.float64).predict(X_test)))
        linear = linear_network(X[fit], encoded[fit], task, net.n_outputs, np.float64)
        X_val, y_val = X[val].astype(np.float64), y[val].astype(np.float64)
        with np.errstate(over="ignore", under="ignore"):
            net_loss += member.astype(np.float64).loss(X_val, y_val, loss) * val.sum()
            linear_loss += linear.loss(X_val, y_val, loss) * val.sum()
    refit = fresh()
    options = {**config.fit_options(), "epochs": max(1, round(float(np.mean(best))))}
    refit.fit(X, y, loss=loss, seed=seed, verbose=0, **options)
    linear = logit(linear_network(X, encoded, task, net.n_outputs, np.float64).predict(X_test))
    ours, refitted = (
        logit(net.astype(np.float64).predict(X_test)),
        logit(refit.astype(np.float64).predict(X_test)),
    )
    linear_wins = linear_loss < net_loss
    return {
        "net": score(ours),
        "linear": score(linear),
        "cv refit": score(refitted),
        "cv refit/linear": score(linear if linear_wins else refitted),
        "cv ensemble": score(np.mean(fold_logits, axis=0)),
        "net+linear": score((ours + linear) / 2),
        "cv choice": score(linear if linear_wins else ours),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default=",".join(TABLES))
    parser.add_argument("--seeds", default="0,1,2,3,4")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"| table | {' | '.join(COLUMNS)} |\n|---|{'---|' * len(COLUMNS)}")
    for name in args.tables.split(","):
        table, target, _ = load(name)
        runs = [scores(table, target, seed) for seed in seeds]
        means = [f"{statistics.mean(run[c] for run in runs):.4f}" for c in COLUMNS]
        print(f"| {name} | {' | '.join(means)} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
