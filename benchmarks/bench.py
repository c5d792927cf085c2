"""Side-by-side training benchmarks: chainrule against PyTorch, JAX and scikit-learn.

Every system trains the same network on the same data from the same initial weights,
with the same batches (in order, the last partial batch dropped so JAX's scan sees one
shape), learning rate and number of updates. Each measurement runs in its own process,
the systems interleaved round by round; the report gives medians, the ratio
peer time / chainrule time, the final loss each system reached, chainrule's achieved
GFLOP/s and every process's peak memory. Warm-up and compilation happen before the
clock starts and are reported separately. Peers that are not installed are skipped:
they are benchmark extras (``pip install torch==2.13.0 jax scikit-learn``), never
dependencies of chainrule.

Scenarios:
  R1  the course network: 6-2-1 sigmoid, no biases, 360 rows, 900 full-batch epochs, float64
  R2  tabular: 20,000×50, 50-128-128-1 relu, MSE, minibatch 64, 5 epochs, float32
  R3  wide: 60,000×784, 784-1024-1024-10 relu, softmax cross-entropy, batch 512, 1 epoch, float32
  floor  NumPy's matrix-multiply time for exactly the products of every step (R2 and R3)
  scaling  chainrule's time per epoch over 4 sizes of R2 (fitted exponent) and its memory

Run ``python benchmarks/compare.py``; ``--quick`` shrinks everything
to a smoke test that checks the machinery, not the speed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["SCENARIOS", "main"]


@dataclass(frozen=True)
class Scenario:
    name: str
    sizes: tuple[int, ...]
    hidden_activation: str
    output_activation: str
    loss: str
    bias: bool
    rows: int
    batch: int | None  # None: full batch
    epochs: int
    lr: float
    dtype: str

    @property
    def steps_per_epoch(self) -> int:
        return 1 if self.batch is None else self.rows // self.batch

    @property
    def used_rows(self) -> int:
        return self.rows if self.batch is None else self.steps_per_epoch * self.batch

    def flops_per_epoch(self) -> float:
        """Multiply-adds ×2 of the matrix products: forward, dW and (past the first layer) dX."""
        batch = self.used_rows if self.batch is None else self.batch
        pairs = list(zip(self.sizes[:-1], self.sizes[1:]))
        per_step = sum(2 * batch * i * o for i, o in pairs) * 2 + sum(2 * batch * i * o for i, o in pairs[1:])
        return per_step * self.steps_per_epoch


SCENARIOS = {
    "R1": Scenario("R1", (6, 2, 1), "sigmoid", "sigmoid", "mse", False, 360, None, 900, 0.0025, "float64"),
    "R2": Scenario("R2", (50, 128, 128, 1), "relu", "identity", "mse", True, 20_000, 64, 5, 0.01, "float32"),
    "R3": Scenario(
        "R3", (784, 1024, 1024, 10), "relu", "softmax", "cross_entropy", True, 60_000, 512, 1, 0.01, "float32"
    ),
}

QUICK = {
    "R1": Scenario("R1", (6, 2, 1), "sigmoid", "sigmoid", "mse", False, 360, None, 30, 0.0025, "float64"),
    "R2": Scenario("R2", (50, 32, 32, 1), "relu", "identity", "mse", True, 2_000, 64, 1, 0.01, "float32"),
    "R3": Scenario(
        "R3", (784, 64, 64, 10), "relu", "softmax", "cross_entropy", True, 2_048, 512, 1, 0.01, "float32"
    ),
}


# ---------------------------------------------------------------- shared inputs
def make_data(s: Scenario) -> tuple[np.ndarray, np.ndarray]:
    """The scenario's data, identical in every process: (X, y) with y one-hot for R3."""
    dtype = np.dtype(s.dtype)
    if s.name == "R1":
        csv = Path(__file__).resolve().parents[2] / "shared" / "data" / "binary.csv"
        if csv.exists():
            from chainrule.course import admissions

            data = admissions(csv)
            return data.features.astype(dtype), data.targets[:, None].astype(dtype)
        rng = np.random.default_rng(21)
        X = rng.normal(size=(s.rows, s.sizes[0]))
        return X.astype(dtype), (rng.random((s.rows, 1)) < 0.3).astype(dtype)
    rng = np.random.default_rng(7)
    if s.name == "R2":
        X = rng.standard_normal((s.used_rows, s.sizes[0]), dtype=np.float32)
        teacher = rng.standard_normal((s.sizes[0], 1), dtype=np.float32) / np.sqrt(s.sizes[0])
        y = np.tanh(X @ teacher) + 0.1 * rng.standard_normal((s.used_rows, 1), dtype=np.float32)
        return X.astype(dtype, copy=False), y.astype(dtype)
    X = rng.random((s.used_rows, s.sizes[0]), dtype=np.float32)
    teacher = rng.standard_normal((s.sizes[0], s.sizes[-1]), dtype=np.float32)
    labels = np.argmax((X - 0.5) @ teacher, axis=1)
    return X, np.eye(s.sizes[-1], dtype=dtype)[labels]


def initial_weights(s: Scenario) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """The same starting weights for every system (the course's for R1, He normal otherwise)."""
    dtype = np.dtype(s.dtype)
    if s.name == "R1" and s.sizes == (6, 2, 1):
        from chainrule.course import course_initial_weights

        return [w.astype(dtype) for w in course_initial_weights()], None
    rng = np.random.default_rng(11)
    weights = [
        (rng.standard_normal((i, o)) * np.sqrt(2.0 / i)).astype(dtype)
        for i, o in zip(s.sizes[:-1], s.sizes[1:])
    ]
    biases = [np.zeros(o, dtype) for o in s.sizes[1:]] if s.bias else None
    return weights, biases


def reference_loss(s: Scenario, weights, biases, X, y) -> float:
    """The final loss in float64 NumPy from a system's final weights, so all compare alike."""
    a = X.astype(np.float64)
    for index, W in enumerate(weights):
        z = a @ np.asarray(W, np.float64)
        if biases is not None:
            z = z + np.asarray(biases[index], np.float64)
        last = index == len(weights) - 1
        activation = s.output_activation if last else s.hidden_activation
        if activation == "sigmoid":
            a = 1 / (1 + np.exp(-z))
        elif activation == "relu":
            a = np.maximum(z, 0)
        elif activation == "softmax":
            shifted = z - z.max(axis=1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
            return float(-(y * log_p).sum() / len(y))
        else:
            a = z
    return float(np.mean((a - y) ** 2))


def _reset_peak() -> None:
    """Start the peak-memory count afresh (Linux: writing 5 to clear_refs resets VmHWM), so
    the temporaries of making the data are not counted as training's."""
    try:
        with open("/proc/self/clear_refs", "w") as file:
            file.write("5")
    except OSError:
        pass


def _peak_mb() -> float:
    """The process's peak resident memory since the last reset (VmHWM), in MB."""
    try:
        with open("/proc/self/status") as file:
            for line in file:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as file:
            return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1024**2
    except OSError:
        return _peak_mb()


# ---------------------------------------------------------------- the systems
def run_chainrule(s: Scenario, X, y, weights, biases):
    from chainrule import Network

    activations = [s.hidden_activation] * (len(s.sizes) - 2)
    settings = dict(loss=s.loss, optimizer="sgd", lr=s.lr, batch_size=s.batch, shuffle=False, verbose=0)

    # Warm-up, as the peers get theirs: one epoch of two batches on a throwaway copy
    # (first calls into NumPy and BLAS, lazy imports, the BLAS thread controller).
    warm_rows = len(X) if s.batch is None else 2 * s.batch
    warm = time.perf_counter()
    spare = Network.from_weights(weights, biases, activations, s.output_activation, dtype=s.dtype)
    spare.fit(X[:warm_rows], y[:warm_rows], epochs=1, **settings)
    warmup = time.perf_counter() - warm

    net = Network.from_weights(weights, biases, activations, s.output_activation, dtype=s.dtype)
    start = time.perf_counter()
    net.fit(X, y, epochs=s.epochs, **settings)
    elapsed = time.perf_counter() - start
    return (
        elapsed,
        warmup,
        [layer.weight for layer in net.layers],
        None if biases is None else [layer.bias for layer in net.layers],
    )


def run_course(s: Scenario, X, y, weights, biases):
    """The course's per-record loop (seed 003), with its error-term convention (lr × 2)."""
    from course_baseline import course_loop

    start = time.perf_counter()
    w_ih, w_ho = course_loop(X, y[:, 0], weights[0], weights[1][:, 0], s.epochs, learnrate=s.lr * 2)
    return time.perf_counter() - start, 0.0, [w_ih, w_ho[:, None]], None


def run_torch(s: Scenario, X, y, weights, biases):
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    dtype = torch.float64 if s.dtype == "float64" else torch.float32
    params = [torch.tensor(w, dtype=dtype, requires_grad=True) for w in weights]
    bs = [torch.tensor(b, dtype=dtype, requires_grad=True) for b in biases] if biases is not None else None
    optimizer = torch.optim.SGD(params + (bs or []), lr=s.lr)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    batch = len(X) if s.batch is None else s.batch
    labels = yt.argmax(dim=1) if s.loss == "cross_entropy" else None

    def forward(xb):
        a = xb
        for index, W in enumerate(params):
            z = a @ W
            if bs is not None:
                z = z + bs[index]
            last = index == len(params) - 1
            kind = s.output_activation if last else s.hidden_activation
            if kind == "sigmoid":
                a = torch.sigmoid(z)
            elif kind == "relu":
                a = torch.relu(z)
            else:  # identity, or softmax folded into the cross-entropy below
                a = z
        return a

    def step(start):
        xb = Xt[start : start + batch]
        optimizer.zero_grad(set_to_none=True)
        out = forward(xb)
        if s.loss == "cross_entropy":
            loss = torch.nn.functional.cross_entropy(out, labels[start : start + batch])
        else:
            loss = torch.nn.functional.mse_loss(out, yt[start : start + batch])
        loss.backward()
        optimizer.step()

    # Warm-up on a copy of the state, then restore the initial weights.
    saved = [p.detach().clone() for p in params + (bs or [])]
    warm = time.perf_counter()
    step(0)
    warmup = time.perf_counter() - warm
    with torch.no_grad():
        for p, v in zip(params + (bs or []), saved):
            p.copy_(v)
    start_time = time.perf_counter()
    for _ in range(s.epochs):
        for start in range(0, len(X) - batch + 1, batch):
            step(start)
    elapsed = time.perf_counter() - start_time
    return (
        elapsed,
        warmup,
        [p.detach().numpy() for p in params],
        None if bs is None else [b.detach().numpy() for b in bs],
    )


def _jax_setup(s: Scenario):
    import jax

    if s.dtype == "float64":
        jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    def loss_fn(params, xb, yb):
        a = xb
        for index, (W, b) in enumerate(params):
            z = a @ W
            if b is not None:
                z = z + b
            last = index == len(params) - 1
            kind = s.output_activation if last else s.hidden_activation
            if kind == "sigmoid":
                a = jax.nn.sigmoid(z)
            elif kind == "relu":
                a = jax.nn.relu(z)
            elif kind == "softmax":
                return -jnp.mean(jnp.sum(yb * jax.nn.log_softmax(z), axis=1))
            else:
                a = z
        return jnp.mean((a - yb) ** 2)

    def update(params, xb, yb):
        grads = jax.grad(loss_fn)(params, xb, yb)
        return [
            (W - s.lr * gW, None if b is None else b - s.lr * gb) for (W, b), (gW, gb) in zip(params, grads)
        ]

    return jax, jnp, update


def _jax_params(jnp, weights, biases):
    return [
        (jnp.asarray(w), None if biases is None else jnp.asarray(biases[i])) for i, w in enumerate(weights)
    ]


def _jax_timed(jax, warm_up, train, params, biases):
    """(seconds, warm-up seconds, weights, biases): ``warm_up(params)`` compiles, then
    ``train(params)`` is timed to the last result (JAX runs asynchronously)."""
    warm = time.perf_counter()
    jax.block_until_ready(warm_up(params))
    warmup = time.perf_counter() - warm
    start = time.perf_counter()
    params = jax.block_until_ready(train(params))
    elapsed = time.perf_counter() - start
    return (
        elapsed,
        warmup,
        [np.asarray(W) for W, _ in params],
        None if biases is None else [np.asarray(b) for _, b in params],
    )


def run_jax_step(s: Scenario, X, y, weights, biases):
    jax, jnp, update = _jax_setup(s)
    step = jax.jit(update)
    batch = len(X) if s.batch is None else s.batch
    Xj, yj = jnp.asarray(X), jnp.asarray(y)
    batches = [(Xj[i : i + batch], yj[i : i + batch]) for i in range(0, len(X) - batch + 1, batch)]

    def train(params):
        for _ in range(s.epochs):
            for xb, yb in batches:
                params = step(params, xb, yb)
        return params

    return _jax_timed(
        jax, lambda params: step(params, *batches[0]), train, _jax_params(jnp, weights, biases), biases
    )


def run_jax_scan(s: Scenario, X, y, weights, biases):
    jax, jnp, update = _jax_setup(s)
    batch = len(X) if s.batch is None else s.batch
    steps = len(X) // batch
    Xb = jnp.asarray(X[: steps * batch].reshape(steps, batch, -1))
    yb = jnp.asarray(y[: steps * batch].reshape(steps, batch, -1))
    if s.batch is None:  # full batch: one scan over all the epochs' steps
        body_steps, outer = s.epochs, 1

        @jax.jit
        def run(params):
            return jax.lax.scan(
                lambda p, _: (update(p, Xb[0], yb[0]), None), params, None, length=body_steps
            )[0]
    else:  # one compiled scan per epoch over its batches
        outer = s.epochs

        @jax.jit
        def run(params):
            return jax.lax.scan(lambda p, xy: (update(p, *xy), None), params, (Xb, yb))[0]

    def train(params):
        for _ in range(outer):
            params = run(params)
        return params

    return _jax_timed(jax, run, train, _jax_params(jnp, weights, biases), biases)


def run_sklearn(s: Scenario, X, y, weights, biases):
    """scikit-learn's MLP with the closest settings (it always has biases and its own
    initialisation and output layer), timed but not held to the same final loss."""
    import warnings

    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    activation = {"sigmoid": "logistic", "relu": "relu"}[s.hidden_activation]
    common = dict(
        hidden_layer_sizes=s.sizes[1:-1], activation=activation, solver="sgd", alpha=0.0,
        batch_size=len(X) if s.batch is None else s.batch, learning_rate_init=s.lr, max_iter=s.epochs,
        shuffle=False, momentum=0.0, nesterovs_momentum=False, tol=0.0, n_iter_no_change=10**9, random_state=0,
    )  # fmt: skip
    if s.loss == "cross_entropy":
        model, target = MLPClassifier(**common), y.argmax(axis=1)
    else:
        model, target = MLPRegressor(**common), y[:, 0]
    warm_rows = len(X) if s.batch is None else 2 * s.batch
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warm = time.perf_counter()  # warm-up on a throwaway copy, as for the others
        clone(model).set_params(max_iter=1).fit(X[:warm_rows], target[:warm_rows])
        warmup = time.perf_counter() - warm
        start = time.perf_counter()
        model.fit(X, target)
        elapsed = time.perf_counter() - start
    return elapsed, warmup, None, None


def run_floor(s: Scenario, X, y, weights, biases):
    """NumPy matrix products of exactly one training step each, for every step: the floor."""
    batch = s.batch or len(X)
    acts = [np.empty((batch, n), X.dtype) for n in s.sizes]
    acts[0][...] = X[:batch]
    grads = [np.empty_like(w) for w in weights]
    from chainrule.train.threads import blas_threads_for

    with blas_threads_for(batch, [w.shape for w in weights]):  # the same thread choice as fit
        start = time.perf_counter()
        for _ in range(s.epochs * s.steps_per_epoch):
            for index, W in enumerate(weights):  # forward: a_l = a_{l-1} @ W_l
                np.dot(acts[index], W, out=acts[index + 1])
            for index in range(len(weights) - 1, -1, -1):  # dW_l = a_{l-1}.T @ δ_l; δ_{l-1} = δ_l @ W_l.T
                np.dot(acts[index].T, acts[index + 1], out=grads[index])
                if index:
                    np.dot(acts[index + 1], weights[index].T, out=acts[index])
        elapsed = time.perf_counter() - start
    return elapsed, 0.0, None, None


SYSTEMS = {
    "chainrule": run_chainrule,
    "course": run_course,
    "torch": run_torch,
    "jax_step": run_jax_step,
    "jax_scan": run_jax_scan,
    "sklearn": run_sklearn,
    "floor": run_floor,
}
PEER_MODULES = {"torch": "torch", "jax_step": "jax", "jax_scan": "jax", "sklearn": "sklearn"}


def worker(system: str, scenario: Scenario) -> dict:
    """One measurement in this process; returns the JSON-able result."""
    X, y = make_data(scenario)
    weights, biases = initial_weights(scenario)
    data_mb = (X.nbytes + y.nbytes) / 1024**2
    _reset_peak()
    baseline = _rss_mb()
    elapsed, warmup, final_w, final_b = SYSTEMS[system](scenario, X, y, weights, biases)
    peak = _peak_mb()  # before the reference loss below, which makes float64 copies
    result = {
        "system": system,
        "scenario": scenario.name,
        "seconds": elapsed,
        "warmup": warmup,
        "peak_mb": peak,
        "baseline_mb": baseline,
        "data_mb": data_mb,
    }
    if final_w is not None:
        result["final_loss"] = reference_loss(scenario, final_w, final_b, X, y)
    return result


# ---------------------------------------------------------------- the driver
def _available(system: str) -> bool:
    module = PEER_MODULES.get(system)
    if module is None:
        return True
    import importlib.util

    return importlib.util.find_spec(module) is not None


def _spawn(system: str, scenario: str, quick: bool) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--worker", system, scenario] + (
        ["--quick"] if quick else []
    )
    env = dict(os.environ, PYTHONWARNINGS="ignore", TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=3600)
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"system": system, "scenario": scenario, "error": tail}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _systems_for(scenario: str) -> list[str]:
    systems = ["chainrule", "torch", "jax_step", "jax_scan", "sklearn"]
    if scenario == "R1":
        systems.append("course")
    if scenario in ("R2", "R3"):  # R3's floor is a target; R2's shows how close NumPy can get
        systems.append("floor")
    return systems


def run_benchmarks(scenarios, repeats: int, quick: bool, log=print, only=None) -> dict:
    table = QUICK if quick else SCENARIOS
    results: dict = {}
    for name in scenarios:
        systems = [s for s in _systems_for(name) if _available(s) and (only is None or s in only)]
        skipped = [s for s in _systems_for(name) if not _available(s)]
        runs: dict[str, list[dict]] = {s: [] for s in systems}
        for round_index in range(repeats):
            for system in systems:
                if system == "course" and round_index >= 3:
                    continue
                result = _spawn(system, name, quick)
                runs[system].append(result)
                if "error" in result:
                    log(f"  {name} {system}: failed: {result['error']}")
        results[name] = {"scenario": vars(table[name]), "runs": runs, "skipped": skipped}
    return results


def summarize(results: dict, quick: bool) -> str:
    table = QUICK if quick else SCENARIOS
    lines = []
    for name, data in results.items():
        s = table[name]
        runs = {k: [r for r in v if "error" not in r] for k, v in data["runs"].items()}
        medians = {k: statistics.median(r["seconds"] for r in v) for k, v in runs.items() if v}
        ours = medians.get("chainrule")
        lines.append(
            f"\n{name}: sizes {list(s.sizes)}, {s.hidden_activation}/{s.output_activation}, {s.loss}, "
            f"{s.used_rows} rows, batch {s.batch or 'full'}, {s.epochs} epochs, {s.dtype}"
        )
        lines.append(
            f"{'system':<10}{'median s':>10}{'ratio':>8}{'warm-up s':>11}{'final loss':>14}{'peak MB':>9}{'runs':>6}"
        )
        for system, v in runs.items():
            if not v:
                lines.append(f"{system:<10}{'failed':>10}")
                continue
            median = medians[system]
            ratio = f"{median / ours:.2f}" if ours else "-"
            losses = [r["final_loss"] for r in v if "final_loss" in r]
            loss = f"{statistics.median(losses):.8g}" if losses else "-"
            warm = statistics.median(r["warmup"] for r in v)
            peak = max(r["peak_mb"] for r in v)
            lines.append(
                f"{system:<10}{median:>10.4f}{ratio:>8}{warm:>11.3f}{loss:>14}{peak:>9.0f}{len(v):>6}"
            )
        if ours:
            gflops = s.flops_per_epoch() * s.epochs / ours / 1e9
            lines.append(f"chainrule: {gflops:.2f} GFLOP/s achieved")
            theirs = [r for r in runs["chainrule"]]
            over = max(r["peak_mb"] - r["baseline_mb"] for r in theirs)
            lines.append(f"chainrule: peak memory {max(r['peak_mb'] for r in theirs):.0f} MB, "
                         f"{over:.0f} MB above the process with its data loaded ({theirs[0]['data_mb']:.0f} MB of data)")  # fmt: skip
        if "floor" in medians and ours:
            rate = s.used_rows * s.epochs / medians["floor"]
            lines.append(
                f"matmul floor: {rate:,.0f} samples/s; chainrule reaches {medians['floor'] / ours:.0%} of it"
            )
        reference = [
            statistics.median(r["final_loss"] for r in v)
            for k, v in runs.items()
            if v and k not in ("sklearn", "floor") and "final_loss" in v[0]
        ]
        if len(reference) > 1:
            spread = (max(reference) - min(reference)) / max(abs(min(reference)), 1e-300)
            lines.append(f"final losses agree to {spread:.1e} relative (scikit-learn aside)")
        if data["skipped"]:
            lines.append(f"not installed, skipped: {', '.join(data['skipped'])}")
        if not quick and ours:
            lines += _targets(name, medians, runs["chainrule"])
    return "\n".join(lines)


#: The speed targets of the issue, as (peer, lowest acceptable peer time / chainrule time);
#: for "floor" the ratio is the share of the matrix-multiply floor chainrule reaches.
TARGETS = {
    "R1": [("jax_step", 1.0), ("torch", 10.0), ("sklearn", 5.0), ("course", 250.0)],
    "R2": [("jax_scan", 1.0), ("torch", 3.0), ("sklearn", 3.0)],
    "R3": [("torch", 1.0), ("floor", 0.85)],
}
#: R3's memory target: peak at most the data + this many MB.
MEMORY_TARGET_MB = {"R3": 60}


def _targets(name: str, medians: dict, ours: list[dict]) -> list[str]:
    """One line per target: the ratio reached, the ratio wanted, met or not."""
    lines = []
    for peer, wanted in TARGETS.get(name, []):
        if peer not in medians:
            lines.append(f"target {peer} ≥ {wanted:g}×: not measured")
            continue
        ratio = medians[peer] / medians["chainrule"]
        lines.append(f"target {peer} ≥ {wanted:g}×: {ratio:.2f}× {'met' if ratio >= wanted else 'NOT MET'}")
    if name in MEMORY_TARGET_MB:
        over = max(r["peak_mb"] - r["baseline_mb"] for r in ours)
        limit = MEMORY_TARGET_MB[name]
        lines.append(
            f"target peak ≤ data + {limit} MB: data + {over:.0f} MB {'met' if over <= limit else 'NOT MET'}"
        )
    return lines


def scaling(quick: bool, log=print) -> str:
    """Time per epoch over 4 row counts for the R2 network (fitted exponent) and memory."""
    base = QUICK["R2"] if quick else SCENARIOS["R2"]
    sizes = [base.rows // 2, base.rows, base.rows * 2, base.rows * 4]
    rows = []
    for n in sizes:
        scenario = Scenario("R2", base.sizes, base.hidden_activation, base.output_activation, base.loss,
                            base.bias, n, base.batch, 2, base.lr, base.dtype)  # fmt: skip
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--scale-worker",
            json.dumps(vars(scenario)),
        ]
        done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
        if done.returncode != 0:
            return f"scaling: failed ({(done.stderr.strip().splitlines() or ['?'])[-1]})"
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    exponent = float(np.polyfit(np.log(sizes), np.log([r["seconds"] for r in rows]), 1)[0])
    lines = ["\nscaling (R2 network, 2 epochs): rows, seconds per epoch, MB above the loaded data"]
    lines += [
        f"  {n:>7} {r['seconds'] / 2:.4f} {r['peak_mb'] - r['baseline_mb']:.1f}" for n, r in zip(sizes, rows)
    ]
    lines.append(f"time per epoch grows as rows^{exponent:.2f} (1.00 is linear)")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="benchmarks/compare.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default="R1,R2,R3", help="comma-separated: R1,R2,R3")
    parser.add_argument("--repeats", type=int, default=3, help="runs per system (median of them)")
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test of the machinery")
    parser.add_argument(
        "--systems", help=f"comma-separated subset of {','.join(SYSTEMS)} (default: all that are installed)"
    )
    parser.add_argument("--no-scaling", action="store_true", help="skip the row-scaling measurement")
    parser.add_argument("--json", help="also write all results to this JSON file")
    parser.add_argument("--worker", nargs=2, metavar=("SYSTEM", "SCENARIO"), help=argparse.SUPPRESS)
    parser.add_argument("--scale-worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        system, name = args.worker
        table = QUICK if args.quick else SCENARIOS
        print(json.dumps(worker(system, table[name])))
        return 0
    if args.scale_worker:
        s = Scenario(
            **{k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(args.scale_worker).items()}
        )
        print(json.dumps(worker("chainrule", s)))
        return 0
    scenarios = [name.strip().upper() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in scenarios if name not in SCENARIOS]
    if unknown or args.repeats < 1:
        print(
            f"bench: error: unknown scenario {unknown[0]!r}" if unknown else "--repeats must be >= 1",
            file=sys.stderr,
        )
        return 2
    print(f"bench: {os.cpu_count()} CPUs, NumPy {np.__version__}, {time.strftime('%Y-%m-%d')}")
    only = None if not args.systems else {name.strip() for name in args.systems.split(",")}
    if only is not None and not only <= set(SYSTEMS):
        print(f"bench: error: unknown system in --systems {args.systems!r}", file=sys.stderr)
        return 2
    results = run_benchmarks(scenarios, args.repeats, args.quick, only=only)
    print(summarize(results, args.quick))
    if not args.no_scaling:
        print(scaling(args.quick))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
