"""The output folder is one unit: a run's files appear together or not at all, a failed run
leaves what was there (and no new folder), and two runs into one folder never mix."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from chainrule import Network
from chainrule.errors import OptionError
from chainrule.workflow.run_files import write_run
from chainrule.workflow.train import TrainResult


def _result(rng, epochs: int, metric: float = 0.5) -> TrainResult:
    X = rng.normal(size=(20, 2))
    y = X @ np.array([[1.0], [-1.0]])
    net = Network([2, 3, 1], seed=epochs)
    history = net.fit(X, y, epochs=epochs, verbose=0)
    metrics = {"loss_name": "mse", "rows": {"train": 20}, "epochs_run": epochs, "mae": metric}
    return TrainResult(network=net, history=history, metrics=metrics)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _only(parent: Path, *names: str) -> None:
    assert sorted(p.name for p in parent.iterdir()) == sorted(names), "leftovers beside --out"


def test_a_run_writes_its_files_together(rng, tmp_path):
    written, _ = write_run(tmp_path / "run", _result(rng, 2), {"epochs": 2})
    assert set(written) <= set(_files(tmp_path / "run"))
    _only(tmp_path, "run")


def test_a_failure_after_the_model_leaves_the_previous_run_as_it_was(rng, tmp_path):
    out = tmp_path / "run"
    write_run(out, _result(rng, 2), {"epochs": 2})
    before = _files(out)
    overflowing = _result(rng, 3, metric=math.inf)  # metrics that JSON cannot hold
    with pytest.raises(ValueError):
        write_run(out, overflowing, {"epochs": 3})
    assert _files(out) == before
    _only(tmp_path, "run")


def test_a_crash_between_files_leaves_the_previous_run_as_it_was(rng, tmp_path, monkeypatch):
    out = tmp_path / "run"
    write_run(out, _result(rng, 2), {"epochs": 2})
    before = _files(out)
    crashing = _result(rng, 3)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # killed after the model, metrics and config were written

    monkeypatch.setattr(crashing.history, "plot", crash)
    with pytest.raises(KeyboardInterrupt):
        write_run(out, crashing, {"epochs": 3})
    assert _files(out) == before
    _only(tmp_path, "run")


def test_a_failed_first_run_leaves_no_folder_and_no_report(rng, tmp_path):
    with pytest.raises(ValueError):
        write_run(tmp_path / "a" / "b" / "run", _result(rng, 2, math.nan), {}, report=tmp_path / "r.html")
    _only(tmp_path)


def test_two_runs_into_one_folder_never_mix_their_files(rng, tmp_path, monkeypatch):
    out = tmp_path / "run"
    first, second = _result(rng, 2), _result(rng, 3)
    plot = first.history.plot

    def meanwhile(*args, **kwargs):  # the second run writes everything while the first is half-way
        write_run(out, second, {"epochs": 3})
        return plot(*args, **kwargs)

    monkeypatch.setattr(first.history, "plot", meanwhile)
    write_run(out, first, {"epochs": 2})
    assert "epochs = 2" in (out / "config.toml").read_text()
    assert '"epochs_run": 2' in (out / "metrics.json").read_text()
    from chainrule import load

    np.testing.assert_array_equal(
        load(out / "model.safetensors").layers[0].weight, first.network.layers[0].weight
    )
    _only(tmp_path, "run")


def test_an_out_folder_holding_other_files_is_refused_before_anything_is_written(rng, tmp_path):
    out = tmp_path / "data"
    out.mkdir()
    (out / "precious.csv").write_text("a,b\n")
    with pytest.raises(OptionError, match=r"precious\.csv"):
        write_run(out, _result(rng, 2), {})
    assert _files(out) == {"precious.csv": b"a,b\n"}


def test_a_report_inside_the_folder_goes_in_with_the_run(rng, tmp_path):
    out = tmp_path / "run"
    write_run(out, _result(rng, 2), {}, report=out / "report.html")
    write_run(out, _result(rng, 3), {}, report=out / "report.html")  # a previous report is the run's own
    assert (out / "report.html").read_text().startswith("<!DOCTYPE html")
    _only(tmp_path, "run")
