"""chainrule.MLPClassifier/MLPRegressor against scikit-learn's, with equal hyperparameters.

Datasets scikit-learn ships (breast cancer, digits, wine, iris: accuracy; diabetes: R²), each
standardised and split 75/25 once (random_state=0); solvers adam and sgd (and lbfgs, for
information); scikit-learn's defaults otherwise (hidden_layer_sizes=(100,), max_iter=200,
tol=1e-4, ...); random_state 0..4. Fit time is wall clock per fit (median over the seeds),
peak memory the largest traced allocation during one fit (tracemalloc, seed 0, a separate
run so tracing does not slow the timed ones). Targets: mean score >= scikit-learn's, fit
time <= 0.5 x scikit-learn's for adam and sgd on every dataset.

    PYTHONPATH=src python benchmarks/sklearn_parity.py [--seeds 5] [--solvers adam,sgd,lbfgs]
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
import warnings

import numpy as np
from sklearn import datasets
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkClassifier
from sklearn.neural_network import MLPRegressor as SkRegressor
from sklearn.preprocessing import StandardScaler

import chainrule

DATASETS = {
    "breast_cancer": (datasets.load_breast_cancer, "classifier"),
    "digits": (datasets.load_digits, "classifier"),
    "wine": (datasets.load_wine, "classifier"),
    "iris": (datasets.load_iris, "classifier"),
    "diabetes": (datasets.load_diabetes, "regressor"),
}


def data(name):
    load, kind = DATASETS[name]
    X, y = load(return_X_y=True)
    if kind == "regressor":
        y = (y - y.mean()) / y.std()
    stratify = y if kind == "classifier" else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=stratify
    )
    scaler = StandardScaler().fit(X_train)
    return kind, scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


def estimator(library, kind, solver, seed):
    classes = {
        ("chainrule", "classifier"): chainrule.MLPClassifier,
        ("chainrule", "regressor"): chainrule.MLPRegressor,
        ("sklearn", "classifier"): SkClassifier,
        ("sklearn", "regressor"): SkRegressor,
    }
    return classes[library, kind](solver=solver, random_state=seed)


def fit_once(library, kind, solver, seed, X, y, trace=False):
    model = estimator(library, kind, solver, seed)
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    model.fit(X, y)
    seconds = time.perf_counter() - start
    peak = 0
    if trace:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return model, seconds, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--solvers", default="adam,sgd,lbfgs")
    args = parser.parse_args()
    warnings.simplefilter("ignore", ConvergenceWarning)
    header = f"{'dataset':14} {'solver':6} {'score cr':>9} {'score sk':>9} {'fit s cr':>9} {'fit s sk':>9} {'time ×':>7} {'MiB cr':>7} {'MiB sk':>7}  targets"
    print(header)
    print("-" * len(header))
    for name in DATASETS:
        kind, X_train, X_test, y_train, y_test = data(name)
        for solver in args.solvers.split(","):
            scores, times, peaks = {}, {}, {}
            for library in ("chainrule", "sklearn"):
                fit_once(library, kind, solver, 0, X_train[:20], y_train[:20])  # warm-up (imports, caches)
                results = [
                    fit_once(library, kind, solver, seed, X_train, y_train) for seed in range(args.seeds)
                ]
                scores[library] = statistics.mean(model.score(X_test, y_test) for model, _, _ in results)
                times[library] = statistics.median(seconds for _, seconds, _ in results)
                peaks[library] = fit_once(library, kind, solver, 0, X_train, y_train, trace=True)[2] / 2**20
            ratio = times["chainrule"] / times["sklearn"]
            met = scores["chainrule"] >= scores["sklearn"] and (solver == "lbfgs" or ratio <= 0.5)
            verdict = "met" if met else "NOT MET"
            print(
                f"{name:14} {solver:6} {scores['chainrule']:9.4f} {scores['sklearn']:9.4f} "
                f"{times['chainrule']:9.3f} {times['sklearn']:9.3f} {ratio:7.2f} "
                f"{peaks['chainrule']:7.2f} {peaks['sklearn']:7.2f}  {verdict}",
                flush=True,
            )


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
