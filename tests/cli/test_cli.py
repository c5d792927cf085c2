"""The command line's happy paths, through the real command (``python -m chainrule``).

Training runs are few and short (a handful of epochs): module-scoped fixtures train
once and several tests read the same run.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import chainrule
from chainrule.tables.preprocess import Preprocessor, category_names
from chainrule.tables.read import Table, read_table
from chainrule.workflow.train import split_rows
from cli_runner import ENV, chainrule_cli

VALID = Path(__file__).resolve().parents[1] / "data" / "valid"
COMMANDS = ["train", "evaluate", "predict", "explain", "info", "datasets"]
OUTPUT_FILES = {"model.safetensors", "metrics.json", "loss.png", "config.toml"}


def ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, f"exit code {result.returncode}\nstderr:\n{result.stderr}"
    assert "Traceback" not in result.stderr
    return result


def _classification_csv(path: Path, n: int = 60) -> Path:
    """x1, x2 (numbers) and color (a category) decide label, 'yes' or 'no'."""
    rng = np.random.default_rng(7)
    lines = ["x1,x2,color,label"]
    for i in range(n):
        x1, x2 = rng.normal(size=2)
        color = ("red", "green", "blue")[i % 3]
        label = "yes" if x1 + 0.5 * x2 + (color == "red") > 0.4 else "no"
        lines.append(f"{x1:.3f},{x2:.3f},{color},{label}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _regression_csv(path: Path, n: int = 50) -> Path:
    rng = np.random.default_rng(8)
    lines = ["a,b,price"]
    for _ in range(n):
        a, b = rng.normal(size=2)
        lines.append(f"{a:.3f},{b:.3f},{3 * a - 2 * b + 10 + 0.1 * rng.normal():.3f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def builtin(work):
    """``chainrule train`` with no DATA: the built-in breast-cancer data."""
    out = work / "builtin"
    return ok(chainrule_cli("train", "--epochs", "3", "--out", out, cwd=work)), out


@pytest.fixture(scope="module")
def small(work):
    """A classification model on a CSV with a categorical column and text labels."""
    data = _classification_csv(work / "small.csv")
    out = work / "small-model"
    # --no-linear-fallback: a table this small saves the linear model, and these tests read a network
    result = ok(
        chainrule_cli(
            "train",
            data,
            "--target",
            "label",
            "--epochs",
            "5",
            "--no-linear-fallback",
            "--out",
            out,
            cwd=work,
        )
    )
    return result, data, out


@pytest.fixture(scope="module")
def small_model(small) -> Path:
    return small[2] / "model.safetensors"


# ---------------------------------------------------------------------- train
def test_train_without_data_uses_the_builtin_dataset_and_writes_four_files(builtin):
    result, out = builtin
    assert {p.name for p in out.iterdir()} >= OUTPUT_FILES
    metrics = json.loads((out / "metrics.json").read_text())
    assert 0 <= metrics["test"]["accuracy"] <= 1
    assert metrics["epochs_run"] == 3
    assert metrics["rows"]["train"] + metrics["rows"]["test"] == 569
    assert len(metrics["history"]["loss"]) == 3
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "breast_cancer" in result.stderr


def test_train_infers_the_task_and_says_so_on_stderr(builtin):
    result, _ = builtin
    assert "task: classification (inferred" in result.stderr
    assert "task:" not in result.stdout


def test_classification_prints_accuracy_and_a_per_class_report(builtin, small):
    for result in (builtin[0], small[0]):
        assert "accuracy" in result.stdout
        assert "per class (test):" in result.stdout
        assert "precision" in result.stdout and "recall" in result.stdout
    assert "malignant" in builtin[0].stdout and "benign" in builtin[0].stdout
    assert "yes" in small[0].stdout and "no" in small[0].stdout


def test_training_dtype_is_float32_by_default(builtin):
    net = chainrule.load(builtin[1] / "model.safetensors")
    assert net.dtype == np.float32
    assert all(p.dtype == np.float32 for p in net.parameters())


def test_dtype_float64_gives_a_float64_model(small, work):
    out = work / "float64"
    result = ok(
        chainrule_cli(
            "train", small[1], "--target", "label", "--epochs", "2", "--dtype", "float64", "--out", out, "-q"
        )
    )
    net = chainrule.load(out / "model.safetensors")
    assert net.dtype == np.float64
    assert all(p.dtype == np.float64 for p in net.parameters())
    assert result.stderr == "", "--quiet prints only results and errors"


@pytest.fixture(scope="module")
def regression(work):
    """A regression run, with --verbose."""
    data = _regression_csv(work / "regression.csv")
    out = work / "regression"
    return ok(
        chainrule_cli("train", data, "--target", "price", "--epochs", "3", "--out", out, "--verbose")
    ), out


def test_regression_prints_r2_and_mae(regression):
    result, out = regression
    assert "task: regression (inferred" in result.stderr
    assert "R²" in result.stdout and "MAE" in result.stdout
    assert "loss (target standardised)" in result.stdout  # MAE and MSE are in the target's units
    assert "accuracy" not in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert {"r2", "mae", "mse"} <= set(metrics["test"])
    assert chainrule.load(out / "model.safetensors").preprocessor.task == "regression"


def test_a_regression_run_says_it_averages_five_linear_started_networks_and_info_shows_it(regression):
    result, out = regression
    assert "the network starts as the ridge model" in result.stderr
    assert "--no-linear-start draws every weight" in result.stderr and "linear_start=" not in result.stderr
    assert "5 networks of the sizes below" in result.stderr
    assert "trained 5 networks, 3 epochs each" in result.stderr
    info = ok(chainrule_cli("info", out / "model.safetensors"))
    assert "5 networks side by side, their outputs averaged; each started as the ridge model" in info.stdout
    # 2 inputs: members of 32 nodes a layer, 2 more for the linear start; the output bias is shared
    assert "network     5 networks of [2, 34, 34, 1] side by side, stored as [2, 170, 170, 1]," in info.stdout
    trained = 5 * ((2 * 34 + 34) + (34 * 34 + 34) + 34) + 1
    stored = (2 * 170 + 170) + (170 * 170 + 170) + (170 + 1)
    assert (
        f"parameters  {trained} (the file holds {stored}, {stored - trained} of them weights joining two"
        in info.stdout
    )
    assert sum(p.size for p in chainrule.load(out / "model.safetensors").parameters()) == stored
    metrics = json.loads((out / "metrics.json").read_text())
    line = next(line for line in info.stdout.splitlines() if line.startswith("compared    "))
    assert line.startswith("compared    test R²: network ")
    for name in ("ridge regression (alpha 1)", "mean of the training targets"):
        model = next(b for b in metrics["baselines"].values() if b["model"] == name)
        assert f"{name} {model['r2']:.4f}" in line


def test_verbose_shows_progress_even_when_stderr_is_not_a_terminal(regression, builtin):
    assert "training" in regression[0].stderr and "100%" in regression[0].stderr
    assert "\r" not in builtin[0].stderr, "no progress bar by default when stderr is not a terminal"


def _write_toml(path: Path, options: dict) -> Path:
    lines = [f"{key} = {json.dumps(value)}" for key, value in options.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_config_sets_options_and_the_command_line_overrides_it(small, work):
    config = _write_toml(
        work / "options.toml",
        {
            "data": str(small[1]),
            "target": "label",
            "epochs": 2,
            "hidden": "4",
            "lr": 0.01,
            "seed": 3,
            "linear_fallback": False,
        },
    )
    from_file = ok(chainrule_cli("train", "--config", config, "--out", work / "cfg1", "--json", "-q"))
    assert json.loads(from_file.stdout)["epochs_run"] == 2
    assert chainrule.load(work / "cfg1" / "model.safetensors").sizes == [5, 4, 1]

    overridden = ok(
        chainrule_cli(
            "train",
            "--config",
            config,
            "--epochs",
            "3",
            "--hidden",
            "3,2",
            "--out",
            work / "cfg2",
            "--json",
            "-q",
        )
    )
    assert json.loads(overridden.stdout)["epochs_run"] == 3
    assert chainrule.load(work / "cfg2" / "model.safetensors").sizes == [5, 3, 2, 1]
    written = (work / "cfg2" / "config.toml").read_text()
    assert "epochs = 3" in written and "lr = 0.01" in written and "seed = 3" in written


def test_train_json_output_is_the_metrics(small, work):
    out = work / "json"
    result = ok(
        chainrule_cli("train", small[1], "--target", "label", "--epochs", "2", "--out", out, "--json")
    )
    printed = json.loads(result.stdout)
    written = json.loads((out / "metrics.json").read_text())
    written.pop("history")
    assert printed == written
    assert 0 <= printed["test"]["accuracy"] <= 1
    assert printed["task"] == "classification"


def test_the_written_config_toml_repeats_the_run(small, work):
    """Feeding config.toml back with --config trains the same weights again."""
    out = work / "repeat"
    ok(chainrule_cli("train", "--config", small[2] / "config.toml", "--out", out, "-q"))
    first = chainrule.load(small[2] / "model.safetensors")
    again = chainrule.load(out / "model.safetensors")
    assert again.file_metadata["payload_sha256"] == first.file_metadata["payload_sha256"]
    for a, b in zip(first.parameters(), again.parameters()):
        np.testing.assert_array_equal(a, b)


# -------------------------------------------------------------------- predict
def _predictions(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_predict_gives_original_labels_to_a_file_to_stdout_and_from_stdin(small, small_model, work):
    data = small[1]
    out_file = work / "predictions.csv"
    to_file = ok(chainrule_cli("predict", small_model, data, "-o", out_file))
    assert to_file.stdout == ""
    assert "wrote 60 predictions" in to_file.stderr
    to_stdout = ok(chainrule_cli("predict", small_model, data, "-o", "-"))
    from_stdin = ok(chainrule_cli("predict", small_model, "-", stdin=data.read_text()))
    written = out_file.read_text()
    assert written == to_stdout.stdout == from_stdin.stdout

    rows = _predictions(written)
    assert rows[0] == ["label", "probability_no", "probability_yes"]
    assert len(rows) == 61
    assert {row[0] for row in rows[1:]} <= {"yes", "no"}
    for row in rows[1:]:
        p_no, p_yes = float(row[1]), float(row[2])
        assert p_no + p_yes == pytest.approx(1, abs=1e-5)
        assert row[0] == ("yes" if p_yes > 0.5 else "no")


def test_predict_writes_the_form_the_output_extension_names_and_json_lines_with_json(
    small, small_model, work
):
    pq = pytest.importorskip("pyarrow.parquet")
    data = small[1]
    rows = _predictions(ok(chainrule_cli("predict", small_model, data)).stdout)
    header, body = rows[0], rows[1:]
    out = {form: work / f"predictions.{form}" for form in ("tsv", "parquet", "json", "jsonl")}
    for form, path in out.items():
        assert f"({form})" in ok(chainrule_cli("predict", small_model, data, "-o", path)).stderr
    assert [line.split("\t") for line in out["tsv"].read_text().splitlines()] == rows
    parquet = pq.read_table(out["parquet"]).to_pylist()
    as_json = json.loads(out["json"].read_text())
    lines = [json.loads(line) for line in out["jsonl"].read_text().splitlines()]
    on_stdout = [
        json.loads(line)
        for line in ok(chainrule_cli("predict", small_model, data, "--json")).stdout.splitlines()
    ]
    assert parquet == as_json == lines == on_stdout and len(parquet) == len(body) == 60
    for record, row in zip(parquet, body):
        assert list(record) == header and record[header[0]] == row[0]
        # every digit in Parquet and JSON; the CSV's six significant digits are the same number rounded
        assert [float(f"{record[name]:.6g}") for name in header[1:]] == [float(v) for v in row[1:]]
    gz, pq_file = work / "predictions.tsv.gz", work / "predictions.PQ"
    ok(chainrule_cli("predict", small_model, data, "-o", gz))
    ok(chainrule_cli("predict", small_model, data, "-o", pq_file))
    assert gzip.decompress(gz.read_bytes()) == out["tsv"].read_bytes()
    assert pq.read_table(pq_file).to_pylist() == parquet
    summary = json.loads(ok(chainrule_cli("predict", small_model, data, "-o", out["json"], "--json")).stdout)
    assert summary == {"predictions": 60, "output": str(out["json"]), "form": "json", "notes": []}


def test_every_command_takes_the_folder_train_wrote_as_the_model(small, small_model, work):
    folder, data = small[2], small[1]
    by_file = ok(chainrule_cli("predict", small_model, data)).stdout
    assert ok(chainrule_cli("predict", folder, data)).stdout == by_file
    assert (
        ok(chainrule_cli("evaluate", folder, data)).stdout
        == ok(chainrule_cli("evaluate", small_model, data)).stdout
    )
    assert f"model       {small_model}" in ok(chainrule_cli("info", folder)).stdout
    assert "slope" in ok(chainrule_cli("explain", folder, data, "--row", "1")).stdout


def test_predict_matches_columns_by_name_and_lists_unexpected_ones(small, small_model, work):
    table = read_table(small[1])
    order = ["color", "note", "x2", "x1"]  # shuffled, no target, one extra column
    lines = [",".join(order)]
    for row in table.rows:
        cells = dict(zip(table.columns, row), note="whatever")
        lines.append(",".join(cells[name] for name in order))
    shuffled = work / "shuffled.csv"
    shuffled.write_text("\n".join(lines) + "\n")
    result = ok(chainrule_cli("predict", small_model, shuffled))
    assert (
        "ignoring columns the model does not use (not in training, or left out there): note" in result.stderr
    )
    original = ok(chainrule_cli("predict", small_model, small[1]))
    assert result.stdout == original.stdout


# ------------------------------------------------------------------- evaluate
def test_evaluate_on_the_held_out_rows_matches_the_training_metrics(small, small_model, work):
    table = read_table(small[1])
    _, test_rows = split_rows(table, "label", "classification", 0.2, 0)  # train's defaults
    held_out = work / "held_out.csv"
    with held_out.open("w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(table.columns)
        writer.writerows(table.rows[i] for i in test_rows)
    result = ok(chainrule_cli("evaluate", small_model, held_out, "--json"))
    evaluated = json.loads(result.stdout)
    recorded = json.loads((small[2] / "metrics.json").read_text())["test"]
    assert evaluated["rows"] == recorded["rows"] == len(test_rows)
    assert evaluated["accuracy"] == recorded["accuracy"]
    assert evaluated["per_class"] == recorded["per_class"]
    assert evaluated["loss"] == pytest.approx(recorded["loss"], rel=1e-9)

    text = ok(chainrule_cli("evaluate", small_model, held_out))
    assert f"{recorded['accuracy']:.4f}" in text.stdout
    assert "per class (data):" in text.stdout


# -------------------------------------------------------------- explain, info
def test_explain_prints_the_chain_rule_table_with_feature_names(small, small_model):
    result = ok(chainrule_cli("explain", small_model, small[1], "--row", "2"))
    assert "slope of each weight = node value × activation slope × loss slope" in result.stdout
    for name in ("x1 →", "x2 →", "color=red →", "color=blue →", "bias"):
        assert name in result.stdout, name
    assert "row 2 (line 3 of" in result.stderr
    as_json = json.loads(ok(chainrule_cli("explain", small_model, small[1], "--row", "2", "--json")).stdout)
    sources = {record["source"] for record in as_json["weights"]}
    assert {"x1", "x2", "color=green"} <= sources
    for record in as_json["weights"]:
        product = record["node_value"] * record["activation_slope"] * record["loss_slope"]
        assert record["slope"] == pytest.approx(product, rel=1e-6, abs=1e-12)


def test_info_prints_the_architecture_and_features(small_model):
    result = ok(chainrule_cli("info", small_model))
    assert "[5, 16, 16, 1]" in result.stdout
    assert "relu, relu, sigmoid" in result.stdout
    assert "float32" in result.stdout
    assert "x1 (number), x2 (number), color (category)" in result.stdout
    assert "labels      no, yes" in result.stdout
    assert "reads       numbers written 1234.5; gaps refused (a model trained with --impute" in result.stdout
    data = json.loads(ok(chainrule_cli("info", small_model, "--json")).stdout)
    assert data["sizes"] == [5, 16, 16, 1]
    assert data["preprocessing"]["features"] == ["x1", "x2", "color"]
    assert data["preprocessing"]["categorical"] == {"color": ["blue", "green", "red"]}
    assert data["parameters"] == 5 * 16 + 16 + 16 * 16 + 16 + 16 + 1


def test_datasets_lists_breast_cancer():
    result = ok(chainrule_cli("datasets"))
    assert "breast_cancer" in result.stdout
    listed = json.loads(ok(chainrule_cli("datasets", "--json")).stdout)
    assert {"name": "breast_cancer", "target": "diagnosis", "task": "classification"}.items() <= next(
        d for d in listed if d["name"] == "breast_cancer"
    ).items()


# ------------------------------------------------------------- help, entry points
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help_with_examples(command):
    result = ok(chainrule_cli(*([command] if command else []), "--help"))
    assert "examples" in result.stdout
    assert "usage: chainrule" in result.stdout
    assert result.stderr == ""


def test_the_console_script_runs():
    script = shutil.which("chainrule")
    if script is None:
        pytest.skip("the chainrule console script is not on PATH")
    result = subprocess.run(
        [script, "datasets"], capture_output=True, text=True, timeout=60, check=False, env=ENV
    )
    assert result.returncode == 0, result.stderr
    assert "breast_cancer" in result.stdout


# ---------------------------------------------------------- unusual but valid
VALID_FILES = sorted(p.name for p in VALID.iterdir())


def test_unusual_files_read_as_the_same_table():
    """BOM, CRLF, quotes with embedded commas, semicolons and tabs: the same rows and features."""
    assert set(VALID_FILES) >= {"bom.csv", "crlf.csv", "quoted.csv", "semicolon.csv", "tab.tsv"}
    tables = {name: read_table(VALID / name) for name in VALID_FILES}
    reference = tables["quoted.csv"]
    assert reference.columns == ["x1", "x2", "city", "label"]
    assert "Paris, France" in reference.column("city")
    assert 'Nantes "Nord"' in reference.column("city")
    pre, _ = Preprocessor.fit(reference, "label")
    expected = pre.transform(reference)
    for name, table in tables.items():
        assert table.columns == reference.columns, name
        assert table.rows == reference.rows, name
        fitted, _ = Preprocessor.fit(table, "label")
        assert fitted.to_dict() == pre.to_dict(), name
        np.testing.assert_array_equal(fitted.transform(table), expected, err_msg=name)


def test_unusual_files_train_to_the_same_model(work):
    digests = {}
    for name in VALID_FILES:
        out = work / f"valid-{name}"
        ok(chainrule_cli("train", VALID / name, "--target", "label", "--epochs", "2", "--out", out, "-q"))
        net = chainrule.load(out / "model.safetensors")
        assert net.preprocessor.categorical == {"city": ["Lyon", 'Nantes "Nord"', "Paris, France"]}
        digests[name] = net.file_metadata["payload_sha256"]
    assert len(set(digests.values())) == 1, digests


def test_a_category_seen_in_one_row_trains_whatever_the_seed(work):
    """The one-hot inputs come from every row of the file, so a category only in test rows is known."""
    lines = ["x,color,label"]
    for i in range(20):
        lines.append(f"{i / 10},{'red' if i % 2 else 'blue'},{'yes' if i % 2 else 'no'}")
    lines[5] = "0.4,purple,no"
    data = work / "rare.csv"
    data.write_text("\n".join(lines) + "\n")
    result = chainrule_cli(
        "train", data, "--target", "label", "--epochs", "1", "--seed", "2", "--out", work / "rare"
    )
    ok(result)
    net = chainrule.load(work / "rare" / "model.safetensors")
    assert net.preprocessor.categorical == {"color": ["blue", "purple", "red"]}
    assert net.info["metrics"]["rows"] == {"train": 16, "test": 4}


def test_category_names_come_from_every_row_and_statistics_from_the_training_rows():
    table = Table.from_columns(
        "<test>",
        {
            "x": [1.0, 2.0, 3.0, 10.0],
            "color": ["red", "blue", "red", "purple"],
            "label": ["a", "b", "a", "b"],
        },
    )
    pre, _ = Preprocessor.fit(
        table.select_rows([0, 1, 2]), "label", categories=category_names(table, ["color"])
    )
    assert pre.categorical == {"color": ["blue", "purple", "red"]}
    assert pre.numeric["x"] == {"mean": 2.0, "std": float(np.std([1.0, 2.0, 3.0]))}
    np.testing.assert_array_equal(pre.transform(table.select_rows([3]))[0, 1:], [0.0, 1.0, 0.0])


@pytest.mark.parametrize(
    "metrics",
    [
        {},
        {"network_test": "x", "baselines": {}},
        {"network_test": {"accuracy": "high"}, "baselines": {"linear": 3}},
        {"network_test": {"r2": None}, "baselines": {"linear": {"r2": []}, "trivial": None}},
    ],
)
def test_info_skips_a_comparison_it_cannot_read(metrics):
    from chainrule.cli.info import _compared

    assert _compared(metrics) == ""


def test_info_says_how_the_model_reads_numbers_and_gaps(tmp_path):
    """What predict accepts depends on the number format and --impute: info says both."""
    rows = [f"{1000 + 37 * i:,.2f};{'' if i == 3 else i % 5};{i % 2}" for i in range(60)]
    data = tmp_path / "eu.csv"
    data.write_text(
        "a;b;y\n" + "\n".join(r.replace(",", "X").replace(".", ",").replace("X", ".") for r in rows) + "\n"
    )
    out = tmp_path / "run"
    flags = ("--decimal", ",", "--thousands", ".", "--impute", "median", "--epochs", "1")
    ok(chainrule_cli("train", data, "--target", "y", *flags, "--out", out, "-q"))
    shown = ok(chainrule_cli("info", out / "model.safetensors")).stdout
    assert (
        "reads       numbers written 1.234,5 (--decimal , --thousands .); gaps (and inf) filled with "
        "the training median, a category's with the most frequent (--impute median)"
    ) in shown
