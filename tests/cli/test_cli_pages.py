"""The command line's pictures, pages and export: explain --html/--figure, train --report, export --onnx."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chainrule import load
from chainrule.tables.read import read_table
from chainrule.workflow.apply import predict_table, row_example
from cli_runner import chainrule_cli


@pytest.fixture(scope="module")
def trained(tmp_path_factory, binary_csv):
    directory = tmp_path_factory.mktemp("pages")
    result = chainrule_cli(
        "train", binary_csv, "--target", "admit", "--epochs", "3", "--out", directory / "run",
        "--report", directory / "report.html", "--quiet",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return directory


def test_train_report_is_one_self_contained_page(trained):
    page = (trained / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("data:image/svg+xml") >= 2  # the loss curves and the network, inlined
    assert "Loss curves" in page and "Configuration" in page
    assert "http://" not in page and "https://" not in page.replace("https://www.w3.org", "")
    config = (trained / "run" / "config.toml").read_text(encoding="utf-8")
    assert "report = " in config


def test_explain_writes_the_page_and_the_picture_for_that_row(trained, binary_csv):
    model = trained / "run" / "model.safetensors"
    page, picture = trained / "step.html", trained / "net.svg"
    result = chainrule_cli(
        "explain", model, binary_csv, "--row", "2", "--html", page, "--figure", picture, "--lr", "0.5"
    )
    assert result.returncode == 0, result.stderr
    assert picture.read_text(encoding="utf-8").lstrip().startswith(("<?xml", "<svg"))
    html = page.read_text(encoding="utf-8")
    network = load(model)
    example = row_example(network, read_table(binary_csv), 2)
    explanation = network.explain(example.x, example.y, example.loss, input_names=example.input_names)
    assert f"{explanation.loss:.6g}"[:6] in html  # the page embeds explain's own numbers
    assert "gre" in html and "gpa" in html


def test_explain_refuses_a_figure_it_cannot_draw(trained, binary_csv):
    model = trained / "run" / "model.safetensors"
    result = chainrule_cli("explain", model, binary_csv, "--row", "1", "--figure", trained / "net.txt")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"chainrule: error: --figure {trained / 'net.txt'}: the name must end in .svg or .png"
    ]


def test_export_gives_an_onnx_model_that_predicts_like_chainrule(trained, binary_csv):
    ort = pytest.importorskip("onnxruntime")
    model, out = trained / "run" / "model.safetensors", trained / "model.onnx"
    result = chainrule_cli("export", model, "--onnx", out)
    assert result.returncode == 0, result.stderr
    network = load(model)
    table = read_table(binary_csv)
    labels, probabilities, _ = predict_table(network, table)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    feeds = {
        name: np.array([float(v) for v in table.column(name)], dtype=np.float32)[:, None]
        for name in network.preprocessor.features
    }
    got_labels, got_probabilities = session.run(["label", "probabilities"], feeds)
    assert [str(v) for v in np.ravel(got_labels)] == [str(v) for v in labels]
    np.testing.assert_allclose(got_probabilities, probabilities, rtol=1e-5, atol=1e-6)


def test_a_report_that_cannot_be_written_is_refused_before_training(tmp_path, binary_csv):
    out = tmp_path / "run"
    result = chainrule_cli(
        "train", binary_csv, "--target", "admit", "--epochs", "2", "--out", out,
        "--report", tmp_path / "no" / "such" / "report.html",
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"chainrule: error: --report {tmp_path / 'no' / 'such' / 'report.html'}: "
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()  # nothing trained, nothing written


def test_export_with_json_prints_the_file_and_its_notes(trained):
    model, out = trained / "run", trained / "json.onnx"
    result = chainrule_cli("export", model, "--onnx", out, "--json", "-q")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "onnx": str(out),
        "model": str(model / "model.safetensors"),
        "notes": [],
    }
    assert out.stat().st_size > 0
