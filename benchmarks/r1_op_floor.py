"""The fewest NumPy calls one epoch of the course network can take: R1's floor.

The course network (6-2-1 sigmoid, no biases, 360 rows, full batch) is so small that
each NumPy call costs far more than its arithmetic, so its floor is not the matrix
products (as for R3) but the calls themselves. This script runs, with every buffer
preallocated and no Python structure around it, the 24 calls one epoch needs:

    forward   z1 = X @ W1; a1 = 1 / (1 + exp(-z1)); the same for layer 2     (10 calls)
    loss      e = a2 - y; L = e·e; e ×= 2 lr / n                               (3)
    backward  δ2 = e ⊙ a2 (1 - a2); dW2 = a1.T @ δ2; δ1 = δ2 @ W2.T ⊙ a1 (1 - a1);
              dW1 = X.T @ δ1                                                   (9)
    update    check the gradient's norm; w ← w - g                             (2)

and checks that it ends at the same weights as ``Network.fit``. The time it takes is
what chainrule's fit would take with zero Python overhead; the course's per-record
loop time divided by it bounds the speed-up any NumPy implementation can reach.

    python benchmarks/r1_op_floor.py [path/to/binary.csv] [--runs 10]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from chainrule import Network
from chainrule.course import admissions, course_initial_weights

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "binary.csv"
EPOCHS = 900
LR = 0.0025  # chainrule's mse learning rate for the course's learnrate 0.005


def op_floor(X: np.ndarray, y: np.ndarray, W1: np.ndarray, W2: np.ndarray) -> np.ndarray:
    """900 epochs of the 24 calls; returns the final weights, flat."""
    n = X.shape[0]
    flat = np.concatenate([W1.ravel(), W2.ravel()])
    w1, w2 = flat[: W1.size].reshape(W1.shape), flat[W1.size :].reshape(W2.shape)
    g = np.empty_like(flat)
    dW1, dW2 = g[: W1.size].reshape(W1.shape), g[W1.size :].reshape(W2.shape)
    z1, a1, d1, t1 = (np.empty((n, W1.shape[1])) for _ in range(4))
    z2, a2, d2, t2 = (np.empty((n, 1)) for _ in range(4))
    scale = 2 * LR / n
    dot, neg, exp, add, rec = np.dot, np.negative, np.exp, np.add, np.reciprocal
    sub, mul, vdot = np.subtract, np.multiply, np.vdot
    for _ in range(EPOCHS):
        dot(X, w1, z1)
        neg(z1, a1)
        exp(a1, a1)
        add(a1, 1.0, a1)
        rec(a1, a1)
        dot(a1, w2, z2)
        neg(z2, a2)
        exp(a2, a2)
        add(a2, 1.0, a2)
        rec(a2, a2)
        sub(a2, y, d2)
        float(vdot(d2, d2))
        mul(d2, scale, d2)
        sub(1.0, a2, t2)
        mul(t2, a2, t2)
        mul(t2, d2, t2)
        dot(a1.T, t2, dW2)
        dot(t2, w2.T, d1)
        sub(1.0, a1, t1)
        mul(t1, a1, t1)
        mul(t1, d1, t1)
        dot(X.T, t1, dW1)
        float(vdot(g, g))
        sub(flat, g, flat)
    return flat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA))
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    data = admissions(args.data)
    X = np.ascontiguousarray(data.features, dtype=np.float64)
    y = np.asarray(data.targets, np.float64).reshape(-1, 1)
    W1, W2 = course_initial_weights()
    W2 = W2.reshape(-1, 1)

    floor_times, fit_times = [], []
    with np.errstate(over="ignore"):
        for _ in range(args.runs):
            start = time.perf_counter()
            floor_weights = op_floor(X, y, W1, W2)
            floor_times.append(time.perf_counter() - start)
    for _ in range(args.runs):
        net = Network.from_weights([W1, W2], activation="sigmoid", output_activation="sigmoid")
        start = time.perf_counter()
        net.fit(X, y, loss="mse", lr=LR, epochs=EPOCHS, verbose=0)
        fit_times.append(time.perf_counter() - start)
    difference = np.max(np.abs(net.flat_parameters() - floor_weights))
    assert difference <= 1e-10, f"the op floor ends at other weights (max difference {difference:.2e})"
    print(f"op floor (min of {args.runs}):      {min(floor_times) * 1e3:.2f} ms")
    print(f"Network.fit (min of {args.runs}):   {min(fit_times) * 1e3:.2f} ms")
    print(f"Python overhead of fit:   {(min(fit_times) / min(floor_times) - 1):.0%}")
    print(f"same final weights: max |difference| = {difference:.1e}")


if __name__ == "__main__":
    main()
