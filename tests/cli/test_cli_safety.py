"""The command line's hardening: output paths, the output folder as one unit, config.toml
that repeats the run, and one-line errors for hostile options."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import numpy as np
import pytest

from cli_runner import chainrule_cli, one_line_error


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


def _csv(path: Path, n: int = 40) -> Path:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(n, 2))
    lines = ["a,b,label"] + [f"{u:.4f},{v:.4f},{'yes' if u + v > 0 else 'no'}" for u, v in x]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("safety")


@pytest.fixture(scope="module")
def model(work) -> Path:
    ok(
        chainrule_cli(
            "train", _csv(work / "d.csv"), "--target", "label", "--epochs", "3", "--out", work / "run"
        )
    )
    return work / "run" / "model.safetensors"


def test_predict_to_dev_stdout_prints_the_predictions(model, work, dev_stdout_guard):
    result = ok(chainrule_cli("predict", model, work / "d.csv", "-o", "/dev/stdout"))
    assert result.stdout.splitlines()[0].startswith("label,")
    assert len(result.stdout.splitlines()) == 41


def test_predict_into_a_fifo_writes_through(model, work):
    fifo = work / "predictions.fifo"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()), daemon=True)
    reader.start()
    ok(chainrule_cli("predict", model, work / "d.csv", "-o", fifo))
    reader.join(timeout=60)
    assert received and len(received[0].splitlines()) == 41
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_train_loss_png_and_report_follow_a_symlink(work):
    real = work / "reports"
    real.mkdir()
    (real / "r.html").write_text("old")
    (work / "report.html").symlink_to(real / "r.html")
    ok(
        chainrule_cli(
            "train",
            work / "d.csv",
            "--target",
            "label",
            "--epochs",
            "2",
            "--out",
            work / "run-link",
            "--report",
            work / "report.html",
        )
    )
    assert (work / "report.html").is_symlink()
    assert (real / "r.html").read_text().startswith("<!DOCTYPE html")
    assert json.loads((work / "run-link" / "metrics.json").read_text())["epochs_run"] == 2


def test_two_trains_into_one_out_leave_one_whole_run(work):
    import subprocess
    import sys

    from cli_runner import ENV

    out = work / "shared-out"
    runs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "chainrule",
                "train",
                str(work / "d.csv"),
                "--target",
                "label",
                "--epochs",
                str(epochs),
                "--out",
                str(out),
                "--quiet",
            ],
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for epochs in (2, 3)
    ]
    for run in runs:
        assert run.wait(timeout=300) == 0, run.stderr.read()
        run.stderr.close()
    epochs = json.loads((out / "metrics.json").read_text())["epochs_run"]
    assert f"epochs = {epochs}\n" in (out / "config.toml").read_text()
    assert sorted(p.name for p in out.iterdir()) == [
        "config.toml",
        "loss.png",
        "metrics.json",
        "model.safetensors",
    ]
    assert not [p.name for p in work.iterdir() if p.name.startswith(".shared-out")]


def test_an_out_holding_other_files_is_refused_before_training(work):
    out = work / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    result = chainrule_cli("train", work / "d.csv", "--target", "label", "--epochs", "2", "--out", out)
    assert result.returncode == 2
    assert result.stderr.startswith("chainrule: error: --out ") and "notes.txt" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


# -------------------------------------------------------------- config.toml repeats the run
def _unicode_csv(path: Path) -> Path:
    rng = np.random.default_rng(5)
    rows = ["größe 📏,farbe 🎨,ziel 🎯"]
    for u in rng.normal(size=30):
        colour = ["röt", "blau 💙", "grün"][int(abs(u) * 10) % 3]
        rows.append(f"{u:.4f},{colour},{'ja 👍' if u > 0 else 'nein'}")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_config_toml_is_valid_toml_that_repeats_a_unicode_full_batch_run(work):
    import tomllib

    data = _unicode_csv(work / "ünïcode 😀.csv")
    first, second = work / "uni-1", work / "uni-2"
    ok(chainrule_cli("train", data, "--target", "ziel 🎯", "--categorical", "farbe 🎨",
                     "--batch-size", "full", "--epochs", "3", "--out", first, "-q"))  # fmt: skip
    recorded = tomllib.loads((first / "config.toml").read_text(encoding="utf-8"))
    assert recorded["target"] == "ziel 🎯" and recorded["data"] == str(data)
    assert recorded["categorical"] == ["farbe 🎨"] and recorded["batch_size"] == "full"
    ok(chainrule_cli("train", "--config", first / "config.toml", "--out", second, "-q"))
    assert (second / "metrics.json").read_bytes() == (first / "metrics.json").read_bytes()


def test_config_toml_repeats_a_run_given_a_relative_path_from_its_own_folder(work):
    _csv(work / "relative.csv")
    ok(chainrule_cli("train", "relative.csv", "--target", "label", "--epochs", "2", "--out", "rel-run", "--report", "rel.html", "-q", cwd=work))  # fmt: skip
    run = work / "rel-run"
    again = chainrule_cli("train", "--config", "config.toml", "--out", "../rel-again", "-q", cwd=run)
    ok(again)
    assert (work / "rel-again" / "metrics.json").read_bytes() == (run / "metrics.json").read_bytes()


def test_a_run_from_stdin_is_not_repeated_with_the_builtin_dataset(work):
    text = (work / "d.csv").read_text()
    out = work / "from-stdin"
    ok(chainrule_cli("train", "-", "--target", "label", "--epochs", "2", "--out", out, "-q", stdin=text))
    again = chainrule_cli("train", "--config", out / "config.toml", "--out", work / "stdin-again", "-q")
    assert again.returncode == 2 and len(again.stderr.splitlines()) == 1
    assert "stdin" in again.stderr and str(out / "config.toml") in again.stderr
    assert not (work / "stdin-again").exists()
    ok(
        chainrule_cli(
            "train", "--config", out / "config.toml", "-", "--out", work / "stdin-again", "-q", stdin=text
        )
    )
    assert (work / "stdin-again" / "metrics.json").read_bytes() == (out / "metrics.json").read_bytes()


@pytest.mark.parametrize(
    "line, named",
    [
        ('early_stopping = "false"', "early-stopping"),
        ("data = 5", "data"),
        ("out = 5", "out"),
        ("report = 3.5", "report"),
        ("dataset = [1, 2]", "dataset"),
        ("categorical = 5", "categorical"),
        ("target = 5", "target"),
        ("hidden = true", "hidden"),
        ("hidden = {a = 1}", "hidden"),
    ],
)
def test_config_values_of_the_wrong_type_are_one_line_errors_naming_the_key(work, line, named):
    config = work / f"bad-{named}-{len(line)}.toml"
    config.write_text(line + "\n")
    result = chainrule_cli("train", "--config", config, "--out", work / "never", "-q")
    assert result.returncode == 2, result.stderr
    assert len(result.stderr.splitlines()) == 1 and named in result.stderr
    assert "internal error" not in result.stderr
    assert not (work / "never").exists()


def test_a_binary_config_file_is_named_in_the_error(work):
    config = work / "binary.toml"
    config.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff\xfe")
    result = chainrule_cli("train", "--config", config, "-q")
    assert result.returncode == 2 and str(config) in result.stderr
    assert len(result.stderr.splitlines()) == 1


# -------------------------------------------------------------- sizes
def test_a_network_too_large_for_the_machine_is_one_line_naming_the_flags(work):
    result = chainrule_cli("train", "--hidden", "100000000000", "--out", work / "huge")
    assert result.returncode == 2 and len(result.stderr.splitlines()) == 1
    assert "--max-memory" in result.stderr and "--hidden" in result.stderr
    assert not (work / "huge").exists()


def test_a_memory_error_is_one_line_not_an_internal_error(monkeypatch, capsys):
    from chainrule.cli import main
    from chainrule.workflow import train as workflow_train

    def exhausted(table, config):
        raise MemoryError

    monkeypatch.setattr(workflow_train, "train_table", exhausted)
    assert main(["train", "--epochs", "1", "--out", "unused-out", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("chainrule: error: out of memory") and len(err.splitlines()) == 1


def test_no_output_replaces_the_data_or_the_model_it_reads(model, work):
    data = _csv(work / "inputs.csv")
    before, model_before = data.read_bytes(), model.read_bytes()
    link = work / "link-to-inputs.csv"
    link.unlink(missing_ok=True)
    link.symlink_to(data)
    one_line_error(chainrule_cli("predict", model, data, "-o", data), "-o", "is the data this command reads")
    one_line_error(chainrule_cli("predict", model, data, "-o", link), "is the data")  # through a link
    one_line_error(chainrule_cli("predict", model, data, "-o", model), "is the model")
    one_line_error(chainrule_cli("export", model, "--onnx", model), "--onnx", "is the model")
    one_line_error(
        chainrule_cli("explain", model, data, "--row", "1", "--html", data), "--html", "is the data"
    )
    one_line_error(chainrule_cli("explain", model, data, "--row", "1", "--figure", model.with_suffix(".svg"), "--html", model.with_suffix(".svg")), "same file")  # fmt: skip
    one_line_error(
        chainrule_cli("train", data, "--target", "label", "--out", work / "r2", "--report", data),
        "--report",
        "is the data",
    )
    assert data.read_bytes() == before and model.read_bytes() == model_before
    assert not (work / "r2").exists()  # refused before training


@pytest.mark.parametrize("command", ["predict", "export", "explain-html", "explain-figure", "train-report"])
def test_an_empty_or_folder_output_is_refused_before_any_work(model, work, command):
    data = _csv(work / "d2.csv")
    folder = work / "a-folder"
    folder.mkdir(exist_ok=True)
    for bad in ("", folder):
        out = work / f"run-{command}"
        arguments = {
            "predict": ["predict", model, data, "-o", bad],
            "export": ["export", model, "--onnx", bad],
            "explain-html": ["explain", model, data, "--row", "1", "--html", bad],
            "explain-figure": ["explain", model, data, "--row", "1", "--figure", bad],
            "train-report": ["train", data, "--target", "label", "--out", out, "--report", bad],
        }[command]
        one_line_error(chainrule_cli(*arguments), "needs a file name" if bad == "" else "is a folder")
        assert not out.exists()


def test_a_report_naming_the_out_folder_is_refused_before_training(work):
    data = _csv(work / "d3.csv")
    out = work / "same-as-report"
    one_line_error(
        chainrule_cli("train", data, "--target", "label", "--out", out, "--report", out),
        "names the --out folder",
    )
    assert not out.exists()


def test_an_error_in_data_from_a_fifo_names_its_line(work):
    fifo = work / "data.fifo"
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    text = "a,b,label\n" + "".join(f"{i},{i % 3},{'yes' if i % 2 else 'no'}\n" for i in range(30))
    text = text.replace("\n7,1,yes\n", "\n7,seven,yes\n")
    writer = threading.Thread(target=lambda: fifo.write_text(text), daemon=True)
    writer.start()
    result = chainrule_cli("train", fifo, "--target", "label", "--out", work / "fifo-run", timeout=60)
    writer.join(timeout=10)
    line = one_line_error(result, ":9:", "'b'", "'seven'")  # the line, read from the bytes held
    assert "internal error" not in line


def test_a_run_with_its_report_inside_out_may_be_rerun_without_it(work):
    data = _csv(work / "rerun.csv")
    out = work / "with-report"
    ok(chainrule_cli("train", data, "--target", "label", "--epochs", "2", "--out", out, "--report", out / "report.html", "-q"))  # fmt: skip
    ok(chainrule_cli("train", data, "--target", "label", "--epochs", "2", "--out", out, "-q"))
    assert not (out / "report.html").exists()  # the previous run's page went with its folder
    ok(chainrule_cli("train", data, "--target", "label", "--epochs", "2", "--out", out, "--report", out / "other.html", "-q"))  # fmt: skip
    ok(chainrule_cli("train", data, "--target", "label", "--epochs", "2", "--out", out, "--report", out / "third.html", "-q"))  # fmt: skip
    assert sorted(p.name for p in out.iterdir()) == ["config.toml", "loss.png", "metrics.json", "model.safetensors", "third.html"]  # fmt: skip
