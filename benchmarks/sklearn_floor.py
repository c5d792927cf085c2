"""How fast can NumPy run scikit-learn's MLP step on digits? The floor under sklearn_parity.py.

    PYTHONPATH=src python benchmarks/sklearn_floor.py [--runs 5] [--threads 1]

Digits is the one dataset where chainrule's adam and sgd fits are above 0.5× scikit-learn's
time. This benchmark times, on the same training rows (75 % of digits, standardised):

- **floor**: the fewest NumPy calls for the same training: 64-100-10 relu/softmax,
  cross-entropy, L2 1e-4, batches of 200 in a new order each epoch, adam (or sgd with
  Nesterov momentum 0.9), for the number of epochs scikit-learn's fit ran. No checks, no
  divergence guard, no accuracy: only the forward pass, the batch's loss (for the loss
  curve), the slopes and the update,
  written into preallocated arrays on one BLAS thread, each row's max read at its argmax
  (chainrule's trick: a reduction over rows of 10 numbers is slow);
- **chainrule**: ``chainrule.MLPClassifier(solver=...)`` with scikit-learn's defaults;
- **scikit-learn**: ``sklearn.neural_network.MLPClassifier(solver=...)``.

Each is timed whole (wall clock), median of ``--runs`` after one warm-up. If the floor
itself is above 0.5× scikit-learn's time, no NumPy implementation of the step meets the
time target on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings
from functools import partial

import numpy as np


def digits():
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_digits(return_X_y=True)
    X_train, _, y_train, _ = train_test_split(X, y, test_size=0.25, random_state=0)
    return StandardScaler().fit(X_train).transform(X_train), y_train


def floor_fit(X, y, solver: str, epochs: int, threads: int, hidden=100, batch=200, alpha=1e-4) -> float:
    """The training loop with the fewest NumPy calls (see the module docstring); the last loss."""
    from threadpoolctl import threadpool_limits

    rng = np.random.RandomState(0)
    n, d = X.shape
    k = int(y.max()) + 1
    Y = np.eye(k)[y]
    sizes = [d * hidden, hidden, hidden * k, k]
    P = rng.normal(size=sum(sizes)) * 0.1
    G = np.empty_like(P)
    cut = np.cumsum(sizes)[:-1]
    W0, b0, W1, b1 = np.split(P, cut)
    gW0, gb0, gW1, gb1 = np.split(G, cut)
    W0, W1, gW0, gW1 = (
        W0.reshape(d, hidden),
        W1.reshape(hidden, k),
        gW0.reshape(d, hidden),
        gW1.reshape(hidden, k),
    )
    m, v, s = np.zeros_like(P), np.zeros_like(P), np.empty_like(P)
    buffers: dict[int, list[np.ndarray]] = {}
    step = 0
    with threadpool_limits(threads, user_api="blas"):
        for _ in range(epochs):
            order = rng.permutation(n)
            for start in range(0, n, batch):
                rows = order[start : start + batch]
                nb = len(rows)
                if nb not in buffers:
                    shapes = {"xb": (nb, d), "yb": (nb, k), "z0": (nb, hidden), "a0": (nb, hidden)}
                    shapes |= {"z1": (nb, k), "a1": (nb, k), "d0": (nb, hidden), "dz0": (nb, hidden)}
                    shapes |= {"row_max": (nb, 1), "sums": (nb, 1), "l2W0": (d, hidden), "l2W1": (hidden, k)}
                    buffers[nb] = {name: np.empty(shape) for name, shape in shapes.items()}
                    buffers[nb] |= {"ones": np.ones(nb), "row_starts": np.arange(nb)[:, None] * k}
                b = buffers[nb]
                xb, yb, z0, a0, z1, a1, d0, dz0 = (
                    b[key] for key in ("xb", "yb", "z0", "a0", "z1", "a1", "d0", "dz0")
                )
                row_max, sums, l2W0, l2W1, ones, row_starts = (
                    b[key] for key in ("row_max", "sums", "l2W0", "l2W1", "ones", "row_starts")
                )
                X.take(rows, axis=0, out=xb)
                Y.take(rows, axis=0, out=yb)
                np.dot(xb, W0, out=z0)
                z0 += b0
                np.maximum(z0, 0.0, out=a0)
                np.dot(a0, W1, out=z1)
                z1 += b1
                np.take(z1, row_starts + z1.argmax(axis=1)[:, None], out=row_max)  # faster than max(axis=1)
                z1 -= row_max
                np.exp(z1, out=a1)
                np.add.reduce(a1, axis=1, keepdims=True, out=sums)
                a1 /= sums
                loss = -np.vdot(yb, z1 - np.log(sums)) / nb  # the loss curve needs it
                loss += 0.5 * alpha * (np.vdot(W0, W0) + np.vdot(W1, W1)) / nb
                a1 -= yb  # dL/dz = (a - y) / n
                a1 *= 1.0 / nb
                np.dot(a0.T, a1, out=gW1)
                np.dot(ones, a1, out=gb1)
                np.dot(a1, W1.T, out=d0)
                np.multiply(d0, z0 > 0, out=dz0)
                np.dot(xb.T, dz0, out=gW0)
                np.dot(ones, dz0, out=gb0)
                gW0 += np.multiply(W0, alpha / nb, out=l2W0)
                gW1 += np.multiply(W1, alpha / nb, out=l2W1)
                step += 1
                if solver == "adam":
                    m *= 0.9
                    m += np.multiply(G, 0.1, out=s)
                    v *= 0.999
                    np.square(G, out=s)
                    s *= 0.001
                    v += s
                    np.sqrt(v, out=s)
                    s += 1e-8
                    np.divide(m, s, out=s)
                    s *= 0.001 * np.sqrt(1 - 0.999**step) / (1 - 0.9**step)
                    P -= s
                else:  # Nesterov momentum 0.9, lr 0.001
                    m *= 0.9
                    m += G
                    np.multiply(m, 0.9, out=s)
                    s += G
                    s *= 0.001
                    P -= s
    return loss


def timed(fit) -> float:
    start = time.perf_counter()
    fit()
    return time.perf_counter() - start


def main() -> None:
    import sklearn.neural_network as sk

    import chainrule

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1, help="BLAS threads of the floor loop")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    X, y = digits()
    print(
        f"{'solver':7} {'epochs':>6} {'floor s':>8} {'chainrule s':>11} {'sklearn s':>9} {'floor ×':>7} {'chainrule ×':>11}"
    )
    for solver in ("adam", "sgd"):
        reference = sk.MLPClassifier(solver=solver, random_state=0).fit(X, y)
        epochs = reference.n_iter_
        fits = {
            "floor": partial(floor_fit, X, y, solver, epochs, args.threads),
            "chainrule": partial(chainrule.MLPClassifier(solver=solver, random_state=0).fit, X, y),
            "sklearn": partial(sk.MLPClassifier(solver=solver, random_state=0).fit, X, y),
        }
        times = {name: [] for name in fits}
        for fit in fits.values():
            fit()  # warm-up
        for _ in range(args.runs):  # interleaved, so a drift of the machine hits all three
            for name, fit in fits.items():
                times[name].append(timed(fit))
        floor, ours, theirs = (statistics.median(times[name]) for name in fits)
        print(
            f"{solver:7} {epochs:6d} {floor:8.3f} {ours:11.3f} {theirs:9.3f} "
            f"{floor / theirs:7.2f} {ours / theirs:11.2f}"
        )


if __name__ == "__main__":
    main()
