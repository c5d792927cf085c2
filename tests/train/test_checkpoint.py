"""Checkpoints: a resumed run ends bit-identical to an uninterrupted one, even after SIGKILL;
a checkpoint of another run (hyperparameters, network, data) or a damaged one is refused."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from chainrule import EarlyStopping, ModelFormatError, Network
from chainrule.optim import SGD, Adam
from chainrule.safefile import read_container, write_container
from chainrule.schedules import ReduceOnPlateau, StepDecay


def _weights(net: Network) -> list[np.ndarray]:
    return [p.copy() for p in net.parameters()]


def _assert_bit_identical(a: Network, b: Network) -> None:
    assert a.sizes == b.sizes
    for x, y in zip(a.parameters(), b.parameters()):
        assert x.dtype == y.dtype
        assert np.array_equal(x, y), f"max difference {np.max(np.abs(x - y))}"


@pytest.fixture
def data(rng):
    """Training data and a validation set whose targets are half as large (so early stopping triggers)."""
    X = rng.normal(size=(120, 4))
    w = np.array([1.5, -2.0, 0.5, 1.0])
    y = np.tanh(X @ w) + 0.1 * rng.normal(size=120)
    X_val = rng.normal(size=(40, 4))
    return X, y, X_val, 0.5 * np.tanh(X_val @ w)


# Every scenario is a function of the data giving fresh fit arguments (schedules, early
# stopping and optimizer objects carry state, so each call gets its own).
SCENARIOS = {
    "sgd_momentum_full_batch": lambda d: {"optimizer": "sgd", "lr": 0.05, "momentum": 0.9},
    "sgd_momentum_minibatch": lambda d: {"optimizer": "sgd", "lr": 0.02, "momentum": 0.9, "batch_size": 16},
    "plain_sgd_online": lambda d: {"optimizer": "sgd", "lr": 0.01, "batch_size": 1},
    "nesterov_decay_clip": lambda d: {
        "optimizer": "sgd",
        "lr": 0.02,
        "momentum": 0.8,
        "nesterov": True,
        "weight_decay": 1e-3,
        "clip_norm": 0.5,
        "batch_size": 32,
    },
    "adam_minibatch_shuffle": lambda d: {"optimizer": "adam", "lr": 0.01, "batch_size": 8, "shuffle": True},
    "adam_object": lambda d: {"optimizer": Adam(lr=0.005, beta1=0.8), "batch_size": 10},
    "validation_split": lambda d: {
        "optimizer": "adam",
        "lr": 0.01,
        "batch_size": 16,
        "validation_split": 0.25,
    },
    "validation_data": lambda d: {"optimizer": "sgd", "lr": 0.05, "batch_size": 16, "validation_data": d[2:]},
    "early_stopping": lambda d: {
        "optimizer": "adam",
        "lr": 0.001,
        "batch_size": 16,
        "validation_data": d[2:],
        "early_stopping": EarlyStopping(patience=2),
    },
    "plateau_schedule": lambda d: {
        "optimizer": SGD(lr=0.05, momentum=0.5),
        "batch_size": 16,
        "schedule": ReduceOnPlateau(factor=0.5, patience=1, min_delta=0.005),
    },
    "step_schedule_by_name": lambda d: {"optimizer": "sgd", "lr": 0.05, "batch_size": 16, "schedule": "step"},
}


def _network(seed=1, dtype="float64"):
    return Network([4, 16, 1], activation="tanh", seed=seed, dtype=dtype)


def _fit(net, data, arguments, **more):
    X, y = data[0], data[1]
    return net.fit(X, y, seed=3, verbose=0, **arguments, **more)


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_resume_after_10_epochs_equals_an_uninterrupted_20_epoch_run(tmp_path, data, scenario):
    make = SCENARIOS[scenario]
    reference = _network()
    expected = _fit(reference, data, make(data), epochs=20)

    path = tmp_path / "run.ckpt"
    first = _network()
    _fit(first, data, make(data), epochs=10, checkpoint=path)
    _, metadata = read_container(path, kind="checkpoint")
    assert metadata["position"]["epoch"] == 10

    # A second call, on a network that starts from other weights: everything comes from the file.
    second = _network(seed=99)
    history = _fit(second, data, make(data), epochs=20, checkpoint=path, resume=True)

    _assert_bit_identical(second, reference)
    assert history.epoch == expected.epoch
    assert history.history == expected.history
    assert history.best_epoch == expected.best_epoch
    assert history.stopped_early == expected.stopped_early
    if scenario == "early_stopping":  # the interesting case: the best epoch lies after the interruption
        assert expected.stopped_early and 10 < expected.best_epoch < expected.epoch[-1] <= 20
    assert read_container(path, kind="checkpoint")[1]["position"]["epoch"] == expected.epoch[-1]


def test_plateau_schedule_lowers_the_rate_before_and_after_the_interruption(tmp_path, data):
    optimizer = SGD(lr=0.05, momentum=0.5)
    rates = []
    arguments = SCENARIOS["plateau_schedule"](data) | {"optimizer": optimizer}
    _fit(_network(), data, arguments, epochs=20, callbacks=[lambda e, logs: rates.append(optimizer.lr)])
    assert rates[0] > rates[9] > rates[19]  # the scenario above does exercise the schedule's state

    path = tmp_path / "run.ckpt"
    _fit(_network(), data, SCENARIOS["plateau_schedule"](data), epochs=10, checkpoint=path)
    resumed = SGD(lr=0.05, momentum=0.5)
    _fit(
        _network(),
        data,
        SCENARIOS["plateau_schedule"](data) | {"optimizer": resumed},
        epochs=20,
        checkpoint=path,
        resume=True,
    )
    assert resumed.lr == rates[-1]
    assert resumed.steps == optimizer.steps


def test_float32_run_resumes_bit_identically(tmp_path, data):
    arguments = {"optimizer": "adam", "lr": 0.01, "batch_size": 16}
    reference = _network(dtype="float32")
    _fit(reference, data, arguments, epochs=12)
    path = tmp_path / "run.ckpt"
    _fit(_network(dtype="float32"), data, arguments, epochs=5, checkpoint=path)
    resumed = _network(dtype="float32")
    _fit(resumed, data, arguments, epochs=12, checkpoint=path, resume=True)
    _assert_bit_identical(resumed, reference)


def test_resume_from_an_earlier_checkpoint_after_a_crash(tmp_path, data):
    """checkpoint_every=3 and a crash in epoch 8: the run restarts from epoch 6."""

    def crash(epoch, logs):
        if epoch == 8:
            raise KeyboardInterrupt

    arguments = SCENARIOS["adam_minibatch_shuffle"](data)
    reference = _network()
    expected = _fit(reference, data, arguments, epochs=15)
    path = tmp_path / "run.ckpt"
    with pytest.raises(KeyboardInterrupt):
        _fit(_network(), data, arguments, epochs=15, checkpoint=path, checkpoint_every=3, callbacks=[crash])
    assert read_container(path, kind="checkpoint")[1]["position"]["epoch"] == 6
    resumed = _network()
    history = _fit(resumed, data, arguments, epochs=15, checkpoint=path, checkpoint_every=3, resume=True)
    _assert_bit_identical(resumed, reference)
    assert history.history == expected.history


def test_checkpoint_every_writes_on_its_epochs_and_the_last(tmp_path, data):
    positions = []
    path = tmp_path / "run.ckpt"

    def look(epoch, logs):
        if path.exists():
            positions.append(read_container(path, kind="checkpoint")[1]["position"]["epoch"])

    _fit(_network(), data, {"lr": 0.01}, epochs=7, checkpoint=path, checkpoint_every=3, callbacks=[look])
    # the callback runs before its epoch's checkpoint is written: none yet in epochs 1-3
    assert positions == [3, 3, 3, 6]
    assert read_container(path, kind="checkpoint")[1]["position"]["epoch"] == 7


def test_resume_without_a_checkpoint_file_starts_afresh(tmp_path, data):
    arguments = SCENARIOS["adam_minibatch_shuffle"](data)
    reference = _network()
    _fit(reference, data, arguments, epochs=5)
    net = _network()
    _fit(net, data, arguments, epochs=5, checkpoint=tmp_path / "new.ckpt", resume=True)
    _assert_bit_identical(net, reference)
    assert (tmp_path / "new.ckpt").exists()


def test_resume_of_a_finished_run_changes_nothing(tmp_path, data):
    arguments = SCENARIOS["sgd_momentum_minibatch"](data)
    path = tmp_path / "run.ckpt"
    done = _network()
    expected = _fit(done, data, arguments, epochs=6, checkpoint=path)
    again = _network(seed=5)
    history = _fit(again, data, arguments, epochs=6, checkpoint=path, resume=True)
    _assert_bit_identical(again, done)
    assert history.history == expected.history


def test_resuming_with_fewer_epochs_than_the_checkpoint_holds_is_refused_before_anything_changes(
    tmp_path, data
):
    """It handed back the 20-epoch run to a call that asked for 5, weights and history."""
    arguments = SCENARIOS["adam_minibatch_shuffle"](data)
    path = tmp_path / "run.ckpt"
    _fit(_network(), data, arguments, epochs=20, checkpoint=path)
    net = _network()
    before = _weights(net)
    with pytest.raises(
        ValueError, match=r"holds 20 finished epochs, more than epochs=5; pass epochs=20 or more"
    ):
        _fit(net, data, arguments, epochs=5, checkpoint=path, resume=True)
    for old, new in zip(before, _weights(net)):
        np.testing.assert_array_equal(old, new)


@pytest.mark.parametrize("resume", [False, True])
def test_a_checkpoint_path_that_cannot_be_written_is_refused_before_the_first_epoch(tmp_path, data, resume):
    """A missing folder failed at the first save, after an epoch had changed the weights;
    a folder given as the path was called "not a checkpoint (a model file?)"."""
    arguments = SCENARIOS["adam_minibatch_shuffle"](data)
    net = _network()
    before = _weights(net)
    with pytest.raises(ValueError, match=r"the folder .*missing.* does not exist; create it first"):
        _fit(net, data, arguments, epochs=3, checkpoint=tmp_path / "missing" / "run.ckpt", resume=resume)
    with pytest.raises(ValueError, match=r"is a folder; give the path of a file in it, e.g. .*run\.ckpt"):
        _fit(net, data, arguments, epochs=3, checkpoint=tmp_path, resume=resume)
    for old, new in zip(before, _weights(net)):
        np.testing.assert_array_equal(old, new)


def test_without_resume_an_existing_checkpoint_is_overwritten(tmp_path, data):
    arguments = SCENARIOS["sgd_momentum_minibatch"](data)
    path = tmp_path / "run.ckpt"
    _fit(_network(), data, arguments, epochs=6, checkpoint=path)
    reference = _network()
    _fit(reference, data, arguments, epochs=3)
    fresh = _network()
    _fit(fresh, data, arguments, epochs=3, checkpoint=path)  # resume=False: starts from its own weights
    _assert_bit_identical(fresh, reference)
    assert read_container(path, kind="checkpoint")[1]["position"]["epoch"] == 3


def test_resuming_a_run_that_stopped_early_does_not_train_further(tmp_path, data):
    def arguments():
        return {
            "optimizer": "adam",
            "lr": 0.001,
            "batch_size": 16,
            "validation_data": data[2:],
            "early_stopping": EarlyStopping(patience=2, restore_best=False),
        }

    path = tmp_path / "run.ckpt"
    finished = _network()
    expected = _fit(finished, data, arguments(), epochs=20, checkpoint=path)
    assert expected.stopped_early and expected.epoch[-1] < 20
    # e.g. the process was killed after the last checkpoint, before it could report its result
    resumed = _network()
    history = _fit(resumed, data, arguments(), epochs=20, checkpoint=path, resume=True)
    assert history.epoch == expected.epoch
    _assert_bit_identical(resumed, finished)


def test_resuming_a_run_that_stopped_early_restores_the_best_weights(tmp_path, data):
    def arguments():
        return SCENARIOS["early_stopping"](data)

    path = tmp_path / "run.ckpt"
    finished = _network()
    expected = _fit(finished, data, arguments(), epochs=20, checkpoint=path)
    assert expected.stopped_early and expected.best_epoch < expected.epoch[-1] < 20
    resumed = _network(seed=99)
    history = _fit(resumed, data, arguments(), epochs=20, checkpoint=path, resume=True)
    _assert_bit_identical(resumed, finished)  # the best epoch's weights, not the last ones
    assert history.to_dict() == expected.to_dict()


def test_resuming_a_run_a_callback_stopped_does_not_train_further(tmp_path, data):
    arguments = SCENARIOS["sgd_momentum_minibatch"](data)
    path = tmp_path / "run.ckpt"
    finished = _network()
    expected = _fit(finished, data, arguments, epochs=10, checkpoint=path, callbacks=[lambda e, logs: e >= 4])
    assert expected.epoch == [1, 2, 3, 4]
    resumed = _network(seed=99)
    history = _fit(
        resumed, data, arguments, epochs=10, checkpoint=path, resume=True, callbacks=[lambda e, logs: e >= 4]
    )
    assert history.epoch == expected.epoch
    _assert_bit_identical(resumed, finished)


def test_the_checkpoint_records_the_stop_when_it_happens(tmp_path, data):
    """Whatever checkpoint_every says, the epoch that ends the run is saved, marked as stopped."""
    path = tmp_path / "run.ckpt"
    expected = _fit(
        _network(), data, SCENARIOS["early_stopping"](data), epochs=20, checkpoint=path, checkpoint_every=50
    )
    position = read_container(path, kind="checkpoint")[1]["position"]
    assert position == {"epoch": expected.epoch[-1], "batch": 0, "stopped": True}

    _fit(_network(), data, SCENARIOS["sgd_momentum_minibatch"](data), epochs=3, checkpoint=path)
    assert read_container(path, kind="checkpoint")[1]["position"]["stopped"] is False


def test_a_checkpoint_without_the_stopped_flag_resumes_as_not_stopped(tmp_path, data):
    """Files written before the flag existed still load (and carry on training, as they did)."""
    arguments = SCENARIOS["adam_minibatch_shuffle"](data)
    reference = _network()
    _fit(reference, data, arguments, epochs=6)
    path = tmp_path / "run.ckpt"
    _fit(_network(), data, arguments, epochs=3, checkpoint=path)
    tensors, metadata = read_container(path, kind="checkpoint")
    del metadata["position"]["stopped"]
    kept = {k: v for k, v in metadata.items() if k not in ("format", "format_version", "library_version")}
    kept = {k: v for k, v in kept.items() if not k.endswith("_sha256")}
    write_container(path, tensors, kept)
    assert "stopped" not in read_container(path, kind="checkpoint")[1]["position"]
    resumed = _network()
    _fit(resumed, data, arguments, epochs=6, checkpoint=path, resume=True)
    _assert_bit_identical(resumed, reference)


# ----------------------------------------------------------------------------- leftovers of killed saves
LEFTOVER = ".run.ckpt.chainrule-0123456789abcdef.tmp"
NOT_LEFTOVERS = [
    ".run.ckpt.chainrule-0123456789abcdef.tmp.keep",
    ".run.ckpt.chainrule-0123456789ABCDEF.tmp",
    ".run.ckpt.chainrule-0123456789abcde.tmp",
    "run.ckpt.chainrule-0123456789abcdef.tmp",
    ".other.ckpt.chainrule-0123456789abcdef.tmp",
    ".run.ckpt.abcd1234.tmp",
    "notes.tmp",
]


def test_temporary_files_are_named_after_their_target(tmp_path, monkeypatch):
    import chainrule.safefile as safefile

    seen = []
    replace = os.replace

    def spy(source, target):
        seen.append(os.path.basename(source))
        replace(source, target)

    monkeypatch.setattr(safefile.os, "replace", spy)
    safefile.atomic_write(tmp_path / "run.ckpt", b"data")
    assert len(seen) == 1 and re.fullmatch(r"\.run\.ckpt\.chainrule-[0-9a-f]{16}\.tmp", seen[0]), seen


def _litter(directory):
    for name in [LEFTOVER, *NOT_LEFTOVERS]:
        (directory / name).write_bytes(b"half a checkpoint")
    (directory / ".run.ckpt.chainrule-fedcba9876543210.tmp").mkdir()  # a directory is never removed


def test_writing_a_checkpoint_removes_leftovers_of_killed_saves_of_that_path_only(tmp_path, data):
    _litter(tmp_path)
    _fit(_network(), data, SCENARIOS["plain_sgd_online"](data), epochs=2, checkpoint=tmp_path / "run.ckpt")
    names = sorted(os.listdir(tmp_path))
    assert names == sorted(["run.ckpt", *NOT_LEFTOVERS, ".run.ckpt.chainrule-fedcba9876543210.tmp"])


def test_resuming_a_checkpoint_removes_leftovers_of_killed_saves(tmp_path, data):
    path = tmp_path / "run.ckpt"
    arguments = SCENARIOS["sgd_momentum_minibatch"](data)
    _fit(_network(), data, arguments, epochs=3, checkpoint=path)
    _litter(tmp_path)
    _fit(_network(), data, arguments, epochs=3, checkpoint=path, resume=True)  # finished: nothing written
    assert not (tmp_path / LEFTOVER).exists()
    assert all((tmp_path / name).exists() for name in NOT_LEFTOVERS)


# ----------------------------------------------------------------------------- SIGKILL at random moments
EPOCHS = 400  # about 3 s here; kill delays scale with the uninterrupted time, so several kills land
CHILD = textwrap.dedent(
    f"""
    import sys

    import numpy as np

    from chainrule import EarlyStopping, Network
    from chainrule.schedules import ReduceOnPlateau

    EPOCHS = {EPOCHS}
    checkpoint, out = sys.argv[1], sys.argv[2]
    rng = np.random.default_rng(7)
    X = rng.normal(size=(6000, 8))
    y = np.sin(X[:, :4].sum(axis=1)) + 0.1 * rng.normal(size=6000)
    net = Network([8, 32, 32, 1], activation="tanh", seed=11)
    history = net.fit(
        X, y, optimizer="adam", lr=1e-3, epochs=EPOCHS, batch_size=64, seed=5, validation_split=0.1,
        schedule=ReduceOnPlateau(factor=0.5, patience=3), early_stopping=EarlyStopping(patience=1000),
        checkpoint=checkpoint, checkpoint_every=1, resume=True, verbose=0,
    )
    np.save(out, np.concatenate([p.ravel() for p in net.parameters()]))
    np.save(out + ".loss.npy", np.array(history.history["val_loss"]))
    """
)

TEMPORARY = re.compile(r"\.run\.ckpt\..+\.tmp")


def _start(script, directory, out):
    return subprocess.Popen(
        [sys.executable, str(script), str(directory / "run.ckpt"), str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_at_random_moments_then_resume_is_bit_identical(tmp_path):
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    reference_dir, killed_dir = tmp_path / "reference", tmp_path / "killed"
    reference_dir.mkdir()
    killed_dir.mkdir()

    started = time.monotonic()
    reference = _start(script, reference_dir, tmp_path / "reference.npy")
    _, stderr = reference.communicate(timeout=120)
    assert reference.returncode == 0, stderr.decode()
    uninterrupted = time.monotonic() - started

    chooser = random.Random(20261122)
    kills, positions = 0, []
    deadline = time.monotonic() + 90
    out = tmp_path / "killed.npy"
    while True:
        assert time.monotonic() < deadline, f"the killed run did not finish ({kills} kills, {positions})"
        child = _start(script, killed_dir, out)
        try:
            # at most a quarter of the whole run (plus the start-up) between kills: at least
            # three kills before a resumed run can finish, however fast the machine
            child.wait(timeout=chooser.uniform(0.05, 0.25 + uninterrupted / 4))
        except subprocess.TimeoutExpired:
            os.kill(child.pid, signal.SIGKILL)  # (a child that has just exited is a zombie: no error)
        _, stderr = child.communicate()
        if child.returncode == 0:  # finished by itself
            break
        assert child.returncode == -signal.SIGKILL, stderr.decode()
        kills += 1
        # after every kill: only the checkpoint and leftovers of interrupted writes, and the checkpoint loads
        names = sorted(os.listdir(killed_dir))
        assert all(name == "run.ckpt" or TEMPORARY.fullmatch(name) for name in names), names
        if "run.ckpt" in names:
            positions.append(
                read_container(killed_dir / "run.ckpt", kind="checkpoint")[1]["position"]["epoch"]
            )

    assert kills >= 3, f"only {kills} kills (the uninterrupted run took {uninterrupted:.1f} s)"
    assert any(0 < p < EPOCHS for p in positions), f"no kill landed after a checkpoint: {positions}"
    assert positions == sorted(positions)  # a resumed run never goes back
    np.testing.assert_array_equal(np.load(out), np.load(tmp_path / "reference.npy"), strict=True)
    np.testing.assert_array_equal(
        np.load(str(out) + ".loss.npy"), np.load(str(tmp_path / "reference.npy") + ".loss.npy")
    )
    names = sorted(os.listdir(killed_dir))
    assert all(name == "run.ckpt" or TEMPORARY.fullmatch(name) for name in names), names
    assert sorted(os.listdir(reference_dir)) == ["run.ckpt"]
    assert read_container(killed_dir / "run.ckpt", kind="checkpoint")[1]["position"]["epoch"] == EPOCHS


# ----------------------------------------------------------------------------- refusal
@pytest.fixture
def saved(tmp_path, data):
    """A checkpoint of 3 epochs of a momentum run on ``data``."""
    path = tmp_path / "run.ckpt"
    _fit(_network(), data, {"lr": 0.01, "momentum": 0.9, "batch_size": 16}, epochs=3, checkpoint=path)
    return path


def _resume(path, data, net=None, X=None, **changes):
    arguments = {"lr": 0.01, "momentum": 0.9, "batch_size": 16} | changes
    net = net or _network()
    before = _weights(net)
    with pytest.raises(ModelFormatError) as caught:
        net.fit(
            X if X is not None else data[0],
            data[1],
            seed=3,
            epochs=6,
            checkpoint=path,
            resume=True,
            verbose=0,
            **arguments,
        )
    assert all(np.array_equal(a, b) for a, b in zip(before, _weights(net)))  # nothing loaded
    return str(caught.value)


def test_changed_learning_rate_is_refused(saved, data):
    message = _resume(saved, data, lr=0.02)
    assert str(saved) in message
    assert "hyperparameters" in message and "lr" in message
    assert "0.01" in message and "0.02" in message


def test_refusal_names_each_differing_hyperparameter_with_both_values(saved, data):
    message = _resume(saved, data, lr=0.02, momentum=0.5)
    assert "lr=0.01 and momentum=0.9, this call has lr=0.02 and momentum=0.5" in message
    # only what differs, not whole dictionaries of settings
    assert "{" not in message and "batch_size" not in message and "nesterov" not in message


def test_refusal_of_another_optimizer_names_it_not_its_settings(saved, data):
    message = _resume(saved, data, optimizer="adam", momentum=0.0)
    assert "optimizer='sgd', this call has optimizer='adam'" in message
    assert "{" not in message and "beta1" not in message


@pytest.mark.parametrize(
    ("changes", "word"),
    [
        ({"batch_size": 8}, "batch_size"),
        ({"momentum": 0.5}, "momentum"),
        ({"optimizer": "adam", "momentum": 0.0}, "adam"),
        ({"loss": "mae"}, "loss"),
        ({"shuffle": False}, "shuffle"),
        ({"schedule": StepDecay(step_size=2)}, "schedule"),
        ({"clip_norm": 1.0}, "clip_norm"),
        ({"early_stopping": 3}, "early_stopping"),
    ],
)
def test_changed_hyperparameters_are_refused(saved, data, changes, word):
    message = _resume(saved, data, **changes)
    assert "hyperparameters" in message and word in message


def test_changed_architecture_is_refused(saved, data):
    message = _resume(saved, data, net=Network([4, 17, 1], activation="tanh", seed=1))
    assert "another network" in message and "sizes" in message and "17" in message


def test_changed_activation_is_refused(saved, data):
    message = _resume(saved, data, net=Network([4, 16, 1], activation="relu", seed=1))
    assert "another network" in message and "activations" in message


def test_a_changed_leaky_relu_slope_is_refused(tmp_path, data):
    from chainrule.nn.activations import LeakyReLU

    path = tmp_path / "leaky.ckpt"
    leaky = Network([4, 16, 1], activation=LeakyReLU(0.3), seed=1)
    _fit(leaky, data, {"lr": 0.01, "momentum": 0.9, "batch_size": 16}, epochs=3, checkpoint=path)
    message = _resume(path, data, net=Network([4, 16, 1], activation="leaky_relu", seed=1))
    assert "another network" in message and "negative_slope=0.3" in message


def test_changed_dtype_is_refused(saved, data):
    message = _resume(saved, data, net=_network(dtype="float32"))
    assert "another network" in message and "dtype" in message


def test_changed_data_is_refused(saved, data):
    X = data[0].copy()
    X[17, 2] += 1e-9
    message = _resume(saved, data, X=X)
    assert "other data" in message


def test_changed_validation_data_is_refused(saved, data):
    message = _resume(saved, data, validation_data=data[2:])
    assert "other data" in message


def test_truncated_checkpoint_is_refused(saved, data):
    content = saved.read_bytes()
    for size in (0, 5, 100, len(content) // 2, len(content) - 1):
        saved.write_bytes(content[:size])
        message = _resume(saved, data)
        assert str(saved) in message


def test_corrupted_checkpoint_is_refused(saved, data):
    content = bytearray(saved.read_bytes())
    content[-3] ^= 0xFF  # a bit of the last tensor flipped
    saved.write_bytes(bytes(content))
    assert "corrupted" in _resume(saved, data)


def test_a_model_file_is_not_a_checkpoint(tmp_path, data):
    path = tmp_path / "model.safetensors"
    _network().save(path)
    assert "checkpoint" in _resume(path, data)


def test_refused_checkpoint_is_left_alone(saved, data):
    content = saved.read_bytes()
    _resume(saved, data, lr=0.5)
    assert saved.read_bytes() == content
