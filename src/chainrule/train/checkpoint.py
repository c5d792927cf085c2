"""Checkpoints: everything a training run needs to continue exactly where it stopped.

A checkpoint is a safe file (see ``chainrule.safefile``: safetensors, no pickle,
written atomically) holding the weights, the optimizer's state arrays, the best
weights early stopping kept, and as metadata the position (epochs finished, and
whether early stopping or a callback ended the run there), the random generator's
state, the schedule and early-stopping state, the history so far, and a
fingerprint of the network, the hyperparameters and the data. A
resumed run therefore ends with weights bit-identical to an uninterrupted one,
and a checkpoint of another run is refused. Resuming a run that stopped trains no
further: it only restores the run's final state. A position without the "stopped"
flag (files written before it existed) counts as not stopped.

Writing or resuming a checkpoint deletes the temporary files that killed writes of
that same path left beside it (see ``safefile.remove_leftover_temporaries``).
"""

from __future__ import annotations

import hashlib
import json
import math
import os

import numpy as np

from ..errors import ModelFormatError
from ..safefile import read_container, remove_leftover_temporaries, write_container
from .callbacks import Callback, History

__all__ = ["Checkpoint", "check_new_path", "fingerprint", "is_checkpoint", "save", "restore"]


def is_checkpoint(path) -> bool:
    """Whether ``path`` is an intact chainrule checkpoint (of any run)."""
    try:
        read_container(path, kind="checkpoint")
    except ModelFormatError:
        return False
    return True


def check_new_path(path) -> None:
    """A run writes ``path``: refuse it, before any epoch, unless it is free or holds a
    checkpoint, and its folder exists and takes files."""
    if os.path.isdir(path):
        raise ValueError(
            f"checkpoint={str(path)!r} is a folder; give the path of a file in it, e.g. "
            f"{os.path.join(str(path), 'run.ckpt')!r}"
        )
    folder = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(folder):
        raise ValueError(f"checkpoint={str(path)!r}: the folder {folder!r} does not exist; create it first")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ValueError(
            f"checkpoint={str(path)!r}: the folder {folder!r} is not writable; choose another path"
        )
    if os.path.lexists(path) and not is_checkpoint(path):
        raise ValueError(
            f"checkpoint={str(path)!r} holds something that is not a checkpoint (a model file?), "
            "which the run would overwrite; choose another path, or resume=True for a checkpoint"
        )


class Checkpoint(Callback):
    """Write the run to ``path`` every ``every`` epochs, at its last epoch and when it stops.

    ``settings`` are the run's hyperparameters: with the network and the data they make
    the fingerprint a resumed run must match. Put it last among the callbacks, so it
    records whether the ones before it stopped the run.
    """

    def __init__(self, path, run, settings: dict, every: int = 1):
        self.path, self.run, self.every = path, run, every
        batches = run.batches
        X_val, y_val = run.validation if run.validation is not None else (None, None)
        arrays = (batches.X, batches.targets, X_val, y_val)
        if batches.weights is not None:  # sample weights are part of the data (runs without keep their hash)
            arrays += (batches.weights,)
        self.fingerprint = fingerprint(run.network, settings, *arrays)

    def restore(self) -> None:
        """Continue from the checkpoint at ``path`` (refused, naming what differs, if it is another run's)."""
        restore(self.path, self.run.network, self.run, self.fingerprint)

    def on_epoch_end(self, epoch, logs):
        run = self.run
        # A stopped run is saved whatever ``every`` says, so a resume knows it is over.
        if epoch % self.every == 0 or epoch == run.epochs or run.stopped:
            save(self.path, run.network, run, self.fingerprint)


def _activation(activation) -> str:
    """An activation's name, with a LeakyReLU's slope when it is not the default 0.01 (so a
    checkpoint of the default reads as it always did)."""
    slope = getattr(activation, "negative_slope", 0.01)
    return activation.name if slope == 0.01 else f"{activation.name}(negative_slope={slope:g})"


def _architecture(network) -> dict:
    return {
        "sizes": network.sizes,
        "activations": [_activation(layer.activation) for layer in network.layers],
        "bias": network.has_bias,
        "dtype": network.dtype.name,
    }


def fingerprint(network, config: dict, *arrays) -> dict:
    """What must match for a checkpoint to be resumed: network, hyperparameters, data."""
    digest = hashlib.sha256()
    for array in arrays:
        if array is None:
            digest.update(b"none")
            continue
        digest.update(json.dumps([array.dtype.str, list(array.shape)]).encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return {
        "architecture": _architecture(network),
        "hyperparameters": json.loads(json.dumps(config, default=str)),
        "data_sha256": digest.hexdigest(),
    }


def save(path, network, run, fingerprint: dict) -> None:
    """Atomically write the run's state after ``run.epoch`` finished epochs (and whether
    the run stopped there), removing leftovers of earlier killed writes of ``path``."""
    tensors = {}
    for index, layer in enumerate(network.layers):
        tensors[f"layers.{index}.weight"] = layer.weight
        if layer.bias is not None:
            tensors[f"layers.{index}.bias"] = layer.bias
    optimizer = run.optimizer.state_dict()
    for index, array in enumerate(optimizer["arrays"]):
        tensors[f"optimizer.{index}"] = array
    if run.early is not None and run.early.best_weights is not None:
        for index, array in enumerate(run.early.best_weights):
            tensors[f"best.{index}"] = array
    early = None
    if run.early is not None:
        early = run.early.state()
        early["best"] = None if math.isinf(early["best"]) else early["best"]
    schedule = {
        k: (None if isinstance(v, float) and math.isinf(v) else v) for k, v in run.schedule.state().items()
    }
    metadata = {
        "kind": "checkpoint",
        "fingerprint": fingerprint,
        "position": {"epoch": run.epoch, "batch": 0, "stopped": run.stopped},
        "random_state": run.rng.bit_generator.state,
        "optimizer": {"steps": optimizer["steps"], "lr": optimizer["lr"], "arrays": len(optimizer["arrays"])},
        "schedule": schedule,
        "early_stopping": early,
        "last_loss": run.last_loss,
        "history": run.history.to_dict(),
    }
    remove_leftover_temporaries(path)
    write_container(path, tensors, metadata)


def restore(path, network, run, fingerprint: dict) -> None:
    """Load the checkpoint at ``path`` into ``network`` and ``run``, after checking it belongs
    to them; then remove leftovers of killed writes of ``path``."""
    tensors, metadata = read_container(path, kind="checkpoint")
    saved = metadata.get("fingerprint", {})
    for part, label in (
        ("architecture", "another network"),
        ("hyperparameters", "other hyperparameters"),
        ("data_sha256", "other data"),
    ):
        if saved.get(part) != fingerprint[part]:
            detail = _mismatch(saved.get(part), fingerprint[part]) if part != "data_sha256" else ""
            raise ModelFormatError(
                f"{path}: checkpoint was made with {label}{detail}; "
                "resume with the same call, or delete the checkpoint to start afresh"
            )
    finished = (
        metadata.get("position", {}).get("epoch") if isinstance(metadata.get("position"), dict) else None
    )
    if isinstance(finished, int) and finished > run.epochs:  # it would hand back a longer run than asked for
        raise ValueError(
            f"checkpoint={str(path)!r} holds {finished} finished epochs, more than epochs={run.epochs}; "
            f"pass epochs={finished} or more to continue it, or delete it to start afresh"
        )
    try:
        for index, layer in enumerate(network.layers):
            np.copyto(layer.weight, tensors[f"layers.{index}.weight"], casting="no")
            if layer.bias is not None:
                np.copyto(layer.bias, tensors[f"layers.{index}.bias"], casting="no")
        optimizer = metadata["optimizer"]
        arrays = [tensors[f"optimizer.{i}"] for i in range(int(optimizer["arrays"]))]
        state = {"steps": optimizer["steps"], "lr": optimizer["lr"], "arrays": arrays}
        run.optimizer.load_state_dict(state, [network.flat_parameters()])
        schedule = {k: (math.inf if v is None else v) for k, v in metadata["schedule"].items()}
        run.schedule.load_state(schedule)
        if run.early is not None:
            early = dict(metadata["early_stopping"])
            early["best"] = math.inf if early["best"] is None else early["best"]
            best = [tensors["best.0"].copy()] if "best.0" in tensors else []
            run.early.load_state(early, best or None)
        run.rng.bit_generator.state = metadata["random_state"]
        run.history = History.from_dict(metadata["history"])
        run.epoch = int(metadata["position"]["epoch"])
        run.stopped = _stopped(metadata["position"])
        run.last_loss = metadata["last_loss"]
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFormatError(f"{path}: checkpoint is incomplete or inconsistent ({error})") from None
    remove_leftover_temporaries(path)


def _stopped(position: dict) -> bool:
    """Whether the run ended at this position; absent (older checkpoints) means it did not."""
    stopped = position.get("stopped", False)
    if not isinstance(stopped, bool):
        raise ValueError(f"position.stopped must be true or false, not {stopped!r}")
    return stopped


_ABSENT = object()


def _mismatch(saved, current) -> str:
    """``": lr=0.1 and momentum=0.9, this call has lr=0.01 and momentum=0.5"``: only
    the settings that differ, each with both values ("" when nothing can be named)."""
    found = _differences(saved, current, ())
    if not found:
        return ""
    there = " and ".join(f"{key}={_shown(old)}" for key, old, _ in found)
    here = " and ".join(f"{key}={_shown(new)}" for key, _, new in found)
    return f": {there}, this call has {here}"


def _differences(saved, current, path: tuple) -> list[tuple[str, object, object]]:
    """(name, saved value, current value) of every leaf that differs, in the call's order.

    Settings of the same kind (both dictionaries with the same ``name``) are compared key
    by key; of another kind (an SGD against an Adam), only their names are reported.
    """
    if saved == current:
        return []
    if isinstance(saved, dict) and isinstance(current, dict):
        if saved.get("name") != current.get("name"):
            return [(_key(path), saved.get("name", _ABSENT), current.get("name", _ABSENT))]
        found = []
        for key in list(current) + [k for k in saved if k not in current]:
            found += _differences(saved.get(key, _ABSENT), current.get(key, _ABSENT), (*path, key))
        return found
    return [(_key(path), saved, current)]


def _key(path: tuple) -> str:
    """``schedule.gamma``; the optimizer's settings go by their own names (fit takes lr,
    momentum, nesterov, weight_decay directly), its name as ``optimizer``."""
    if path[:1] == ("optimizer",) and len(path) > 1:
        path = path[1:]
    return ".".join(str(part) for part in path) or "value"


def _shown(value) -> str:
    if value is _ABSENT:
        return "(not recorded)"
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k}={_shown(v)}" for k, v in value.items()) + ")"
    return repr(value)
