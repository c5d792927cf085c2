"""The course's graduate-admissions training runs, done by chainrule's Network.fit.

Run it from the project root with ``python examples/admissions.py [path/to/binary.csv]``
(default: the course's data in ``../shared/data/binary.csv``). It prints what the
course's scripts print:

1. "Implementing Backpropagation": 6 inputs, 2 sigmoid hidden units, 1 sigmoid
   output, no biases, 900 epochs of full-batch gradient descent at learnrate
   0.005, starting from the course's weights (``np.random.seed(21)``).
   Prediction accuracy: 0.725.
2. "Implementing with NumPy": the 6 inputs straight into 1 sigmoid output, 1000
   epochs at learnrate 0.5, from ``np.random.seed(42)``.

The course's weight step is learnrate × error term × input, averaged over the
records, with error = target - output. The slope of chainrule's "mse" (the mean
of the squared errors) is 2 × (output - target) / n, twice as large, so the
course's learnrate is chainrule's ``lr`` × 2: lr=0.0025 for 0.005, lr=0.25 for 0.5.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from chainrule import Network
from chainrule.course import admissions, course_initial_weights

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "binary.csv"


def print_loss(loss: float, last_loss: float | None) -> None:
    """One of the course's loss lines, with its warning when the loss went up."""
    if last_loss and last_loss < loss:
        print("Train loss: ", loss, " WARNING - Loss Increasing")
    else:
        print("Train loss: ", loss)


def every(n_epochs: int, report):
    """A callback calling ``report()`` where the course prints: ``e % n_epochs == 0``,
    counting epochs from 0 (chainrule counts them from 1)."""
    state = {"last": None}

    def callback(epoch, logs):
        if (epoch - 1) % n_epochs == 0:
            loss = report()
            print_loss(loss, state["last"])
            state["last"] = loss

    return callback


def accuracy(net: Network, features, targets) -> float:
    predictions = net.predict(features)[:, 0] > 0.5
    return float(np.mean(predictions == targets))


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEFAULT_DATA
    if not path.exists():
        print(f"admissions.py: no data at {path}; pass the path to binary.csv", file=sys.stderr)
        return 2
    data = admissions(path)
    features, targets = data.features, data.targets

    print("Two-layer network: 6 inputs, 2 sigmoid hidden units, 1 sigmoid output (900 epochs)")
    net = Network.from_weights(course_initial_weights(), activation="sigmoid", output_activation="sigmoid")

    # The course's printed "train loss" feeds only the last training record forward
    # (its loop variable x) and compares that one output with every target.
    def last_record_loss():
        output = net.predict(features[-1])[0]
        return float(np.mean((output - targets) ** 2))

    net.fit(
        features,
        targets,
        loss="mse",
        lr=0.0025,
        epochs=900,
        verbose=0,
        callbacks=[every(90, last_record_loss)],
    )
    print(f"Prediction accuracy: {accuracy(net, data.features_test, data.targets_test):.3f}")

    print()
    print("Single-layer network: 6 inputs, 1 sigmoid output (1000 epochs)")
    # The course draws these after data_prep, from np.random.seed(42).
    weights = np.random.RandomState(42).normal(scale=1 / features.shape[1] ** 0.5, size=features.shape[1])
    single = Network.from_weights([weights], activation=[], output_activation="sigmoid")
    single.fit(
        features,
        targets,
        loss="mse",
        lr=0.25,
        epochs=1000,
        verbose=0,
        callbacks=[every(100, lambda: single.loss(features, targets, "mse"))],
    )
    print(f"Prediction accuracy: {accuracy(single, data.features_test, data.targets_test):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
