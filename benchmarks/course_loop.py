"""How much faster is Network.fit than the course's per-record loop?

Times the course's two-layer admissions run (6 inputs, 2 sigmoid hidden units,
1 sigmoid output, no biases, 900 epochs of full-batch gradient descent at the
course's learnrate 0.005, i.e. chainrule's lr 0.0025) both ways on the same data
and the same initial weights, checks that the final weights agree to 1e-10, and
prints the median times and the speed-up.

    python benchmarks/course_loop.py [path/to/binary.csv] [--fit-runs 5] [--loop-runs 3]

The course's loop is copied from "Implementing Backpropagation" (seed 003); only
``features.values`` became the NumPy array ``chainrule.course.admissions`` returns.
Timings are wall-clock medians on whatever else the machine is doing.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from pathlib import Path

import numpy as np
from course_baseline import course_loop

from chainrule import Network, __version__
from chainrule.course import admissions, course_initial_weights

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "binary.csv"
EPOCHS = 900
LEARNRATE = 0.005  # the course's; chainrule's mse slope is twice its error term, so lr = LEARNRATE / 2


def chainrule_fit(features, targets, initial):
    net = Network.from_weights(initial, activation="sigmoid", output_activation="sigmoid")
    net.fit(features, targets, loss="mse", lr=LEARNRATE / 2, epochs=EPOCHS, verbose=0)
    return net.layers[0].weight, net.layers[1].weight[:, 0]


def timed(function, runs: int):
    """(median seconds, every time, last result) of ``runs`` calls."""
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", nargs="?", default=str(DEFAULT_DATA), help="the course's binary.csv")
    parser.add_argument("--fit-runs", type=int, default=5, help="timed Network.fit runs (at least 5)")
    parser.add_argument("--loop-runs", type=int, default=3, help="timed course-loop runs (at least 3)")
    args = parser.parse_args()
    if args.fit_runs < 5 or args.loop_runs < 3:
        parser.error("--fit-runs must be >= 5 and --loop-runs >= 3")
    if not Path(args.data).exists():
        parser.error(f"no data at {args.data}; pass the path to the course's binary.csv")

    data = admissions(args.data)
    features, targets = data.features, data.targets
    initial = course_initial_weights()

    chainrule_fit(features, targets, initial)  # warm-up: imports, first allocations
    fit_median, fit_times, (w_ih, w_ho) = timed(
        lambda: chainrule_fit(features, targets, initial), args.fit_runs
    )
    loop_median, loop_times, (c_ih, c_ho) = timed(
        lambda: course_loop(features, targets, initial[0], initial[1][:, 0], EPOCHS, LEARNRATE),
        args.loop_runs,
    )

    difference = max(np.max(np.abs(w_ih - c_ih)), np.max(np.abs(w_ho - c_ho)))
    if not difference <= 1e-10:
        print(f"FAIL: the final weights differ by {difference:.3g} (more than 1e-10)")
        return 1

    print(f"chainrule {__version__}, NumPy {np.__version__}, Python {platform.python_version()}")
    print(f"{features.shape[0]} records, {EPOCHS} epochs, full batch, sizes [6, 2, 1]")
    print(
        f"course loop (median of {args.loop_runs}):   {loop_median:9.4f} s   "
        f"[{', '.join(f'{t:.3f}' for t in loop_times)}]"
    )
    print(
        f"Network.fit (median of {args.fit_runs}):   {fit_median:9.4f} s   "
        f"[{', '.join(f'{t:.4f}' for t in fit_times)}]"
    )
    print(f"speed-up: {loop_median / fit_median:.0f}x")
    print(f"final weights agree: max |difference| = {difference:.3g} (<= 1e-10)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
