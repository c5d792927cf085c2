"""Options of ``chainrule train`` come from TrainConfig's fields: one field is one option."""

from __future__ import annotations

import json

import numpy as np
import pytest
import tomllib

from chainrule.errors import OptionError
from chainrule.workflow.config import TrainConfig
from cli_runner import chainrule_cli


def test_clip_norm_is_an_option_from_its_field_alone(tmp_path, binary_csv):
    config = TrainConfig(target="admit", clip_norm="0.5").checked()
    assert config.clip_norm == 0.5 and config.fit_options()["clip_norm"] == 0.5
    with pytest.raises(OptionError, match=r"^clip_norm must be > 0, got 0$"):
        TrainConfig(target="admit", clip_norm=0).checked()

    help_text = chainrule_cli("train", "--help").stdout
    assert "--clip-norm" in help_text
    out = tmp_path / "run"
    done = chainrule_cli(
        "train", binary_csv, "--target", "admit", "--epochs", "2", "--clip-norm", "0.5", "--out", out, "-q"
    )
    assert done.returncode == 0, done.stderr
    assert tomllib.loads((out / "config.toml").read_text(encoding="utf-8"))["clip_norm"] == 0.5
    refused = chainrule_cli("train", binary_csv, "--target", "admit", "--clip-norm", "-1", "--out", out)
    assert refused.returncode == 2
    assert refused.stderr == "chainrule: error: --clip-norm must be > 0, got '-1'\n"


def test_an_internal_error_is_exit_1_with_a_short_message_and_debug_shows_the_traceback(monkeypatch, capsys):
    """A bug (here a ValueError deep inside training) is not a user's mistake: exit 1, not 2."""
    from chainrule.cli import main
    from chainrule.workflow import train as workflow_train

    def broken(table, config):
        raise ValueError("an internal inconsistency")

    monkeypatch.setattr(workflow_train, "train_table", broken)
    assert main(["train", "--epochs", "1", "--out", "unused-out", "-q"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("chainrule: internal error (ValueError: an internal inconsistency)")
    assert "rerun as 'chainrule --debug train ...'" in err and len(err.strip().splitlines()) == 1
    with pytest.raises(ValueError, match="an internal inconsistency"):
        main(["--debug", "train", "--epochs", "1", "--out", "unused-out", "-q"])


def test_a_user_error_from_the_library_is_exit_2_with_the_flag_named(capsys, tmp_path):
    from chainrule.cli import main

    data = tmp_path / "tiny.csv"
    data.write_text("x,y\n1,1.5\n2,2.5\n", encoding="utf-8")
    assert main(["train", str(data), "--target", "y", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "lower --test-size" in err and "test_size" not in err


def test_notes_name_flags_too(capsys, tmp_path):
    from chainrule.cli import main

    data = tmp_path / "labels.csv"
    data.write_text("x,y\n" + "".join(f"{i},{'ab'[i % 2]}\n" for i in range(20)), encoding="utf-8")
    assert main(["train", str(data), "--target", "y", "--epochs", "1", "--out", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "pass --task to choose" in err and "task=" not in err


@pytest.mark.parametrize("loss", ["huber", "half_mse", "mae"])
def test_a_number_trains_with_each_regression_loss_help_lists(tmp_path, binary_csv, loss):
    assert loss in chainrule_cli("train", "--help").stdout
    out = tmp_path / "run"
    done = chainrule_cli(
        "train", binary_csv, "--target", "gre", "--loss", loss, "--epochs", "3", "--out", out, "-q", "--json"
    )
    assert done.returncode == 0, done.stderr
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["loss_name"] == loss and "r2" in metrics["test"]


def test_the_metrics_table_keeps_huge_and_tiny_numbers_readable_and_apart():
    from chainrule.cli.output import metrics_table

    table = metrics_table(
        {
            "train": {"rows": 240, "loss": 0.0159, "mae": 79683050.16018, "mse": 9896986110759052.0},
            "test": {"rows": 60, "loss": 2.5e-9, "mae": 6540.1099, "mse": 9.9999e38},
        }
    )
    lines = table.splitlines()
    assert lines[3].split() == ["MAE", "7.968e+07", "6540.1099"]  # two cells, not one run of digits
    assert lines[4].split() == ["MSE", "9.897e+15", "1e+39"]
    assert lines[2].split() == ["loss", "0.0159", "2.5e-09"]  # not 0.0000
    assert len({len(line) for line in lines}) == 1  # the columns line up


def test_a_class_label_with_a_line_break_stays_on_its_row():
    from chainrule.cli.output import metrics_table

    per_class = [
        {"label": "two\nlines", "precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 2},
        {"label": "plain", "precision": 0.5, "recall": 1.0, "f1": 0.667, "support": 1},
    ]
    table = metrics_table({"test": {"rows": 3, "accuracy": 0.6667, "per_class": per_class}})
    rows = table.splitlines()[-2:]
    assert rows[0].startswith("two\\nlines ") and rows[1].startswith("plain ")


def test_a_one_row_regression_test_set_shows_no_r2_and_no_comparison(tmp_path):
    data = tmp_path / "three.csv"
    data.write_text("x,y\n1,2\n2,4\n3,7\n", encoding="utf-8")
    out = tmp_path / "run"
    done = chainrule_cli(
        "train", data, "--target", "y", "--task", "regression", "--epochs", "5", "--out", out, "-q"
    )
    assert done.returncode == 0, done.stderr
    r2_line = next(line for line in done.stdout.splitlines() if line.startswith("R²"))
    assert r2_line.split()[-1] == "–"  # the test column: one row
    assert "not defined on one test row" in done.stdout
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["test"]["r2"] is None and metrics["test"]["rows"] == 1
    one = tmp_path / "one.csv"
    one.write_text("x,y\n2,5\n", encoding="utf-8")
    evaluated = chainrule_cli("evaluate", out / "model.safetensors", one, "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    assert json.loads(evaluated.stdout)["r2"] is None


def test_explain_gives_a_regression_prediction_in_the_targets_units_too(tmp_path, binary_csv):
    out = tmp_path / "run"
    trained = chainrule_cli("train", binary_csv, "--target", "gre", "--epochs", "5", "--out", out, "-q")
    assert trained.returncode == 0, trained.stderr
    model = out / "model.safetensors"
    explained = chainrule_cli("explain", model, binary_csv, "--row", "1")
    assert explained.returncode == 0, explained.stderr
    note = explained.stderr.splitlines()[0]
    assert "the target 'gre' is standardised too" in note
    in_units = float(note.split("the prediction is ")[1].split()[0])
    predicted = chainrule_cli("predict", model, binary_csv).stdout.splitlines()[1]
    assert in_units == pytest.approx(float(predicted), rel=1e-5)
    target = float(note.split("and the target ")[1].split()[0])
    assert target == float(binary_csv.read_text().splitlines()[1].split(",")[1])  # gre of row 1


def test_evaluate_says_what_impute_fills_as_predict_does(tmp_path):
    rows = [f"{i % 7}.5,{(i * 3) % 5},{'yes' if i % 2 else 'no'}" for i in range(40)]
    rows[3] = ",4,yes"  # a gap in x
    data = tmp_path / "gaps.csv"
    data.write_text("x,z,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    trained = chainrule_cli(
        "train", data, "--target", "y", "--impute", "median", "--epochs", "2", "--out", out
    )
    assert trained.returncode == 0, trained.stderr
    for command in ("evaluate", "predict"):
        done = chainrule_cli(command, out / "model.safetensors", data)
        assert done.returncode == 0, done.stderr
        assert "filling 1 gap in 40 rows (impute median): 1 in 'x'" in done.stderr, (command, done.stderr)


def test_info_shows_the_first_features_of_a_wide_table_and_counts_the_rest(tmp_path):
    rng = np.random.default_rng(0)
    header = [f"f{j}" for j in range(60)] + ["y"]
    rows = [",".join(f"{v:.3f}" for v in rng.normal(size=60)) + f",{i % 2}" for i in range(40)]
    data = tmp_path / "wide.csv"
    data.write_text(",".join(header) + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    assert chainrule_cli("train", data, "--target", "y", "--epochs", "1", "--out", out, "-q").returncode == 0
    shown = chainrule_cli("info", out / "model.safetensors").stdout
    line = next(line for line in shown.splitlines() if line.startswith("features"))
    assert "60 features: f0 (number)" in line and line.endswith("... and 40 more")
    listed = json.loads(chainrule_cli("info", out / "model.safetensors", "--json").stdout)
    assert len(listed["preprocessing"]["features"]) == 60


def test_explain_row_in_python_refuses_a_row_outside_the_table(tmp_path, binary_csv):
    from chainrule import Network
    from chainrule.tables.read import read_table
    from chainrule.workflow.apply import explain_row

    out = tmp_path / "run"
    assert (
        chainrule_cli(
            "train", binary_csv, "--target", "admit", "--epochs", "1", "--out", out, "-q"
        ).returncode
        == 0
    )
    network, table = Network.load(out / "model.safetensors"), read_table(binary_csv)
    for row in (0, -1, len(table) + 1, 1.5, True, "2"):
        with pytest.raises(ValueError, match=rf"^row must be a whole number from 1 to {len(table)}"):
            explain_row(network, table, row)
    explain_row(network, table, len(table))  # the last row is one


def test_the_report_of_a_command_line_run_names_flags_in_its_notes(tmp_path, binary_csv):
    out, page = tmp_path / "run", tmp_path / "report.html"
    done = chainrule_cli(
        "train", binary_csv, "--target", "gre", "--epochs", "2", "--out", out, "--report", page, "-q"
    )
    assert done.returncode == 0, done.stderr
    text = page.read_text(encoding="utf-8")
    assert "pass --task to choose" in text and "task=" not in text  # the task note, as printed


@pytest.mark.parametrize(
    "target, expected",
    [
        ("rank", "the target 'rank' is class '3'; the outputs are the classes: output_0 '1', "
         "output_1 '2', output_2 '3', output_3 '4'"),
        ("admit", "the target 'admit' is class '1': the output is the probability of class '1' "
         "(target 1), against '0' (target 0)"),
    ],
)  # fmt: skip
def test_explain_says_which_class_each_output_is(tmp_path, binary_csv, target, expected):
    """Row 2 of binary.csv is admit 1, rank 3: a learner must see which output is which class."""
    out = tmp_path / "run"
    trained = chainrule_cli(
        "train", binary_csv, "--target", target, "--epochs", "1", "--no-linear-fallback", "--out", out, "-q"
    )
    assert trained.returncode == 0, trained.stderr
    done = chainrule_cli("explain", out / "model.safetensors", binary_csv, "--row", "2")
    assert done.returncode == 0 and expected in done.stdout + done.stderr


def test_a_flag_s_value_keeps_the_quotes_a_shell_needs():
    from chainrule.cli.options import flags

    message = "pass ignore='Unnamed: 0' or ignore='name', or impute='mean'|'median', or target="
    assert (
        flags(message) == "pass --ignore 'Unnamed: 0' or --ignore name, or --impute mean|median, or --target"
    )


def test_flags_write_a_switch_turned_off_as_its_no_flag():
    from chainrule.cli.options import flags

    assert flags("linear_start=False draws every weight") == "--no-linear-start draws every weight"
    assert flags("pass drop_missing=True") == "pass --drop-missing"


def test_a_parquet_rows_place_is_its_row_not_a_line(tmp_path, binary_csv):
    pytest.importorskip("pyarrow")
    import pyarrow.csv as pv
    import pyarrow.parquet as pq

    from chainrule import Network
    from chainrule.tables.arrow_table import read_table_file
    from chainrule.workflow.apply import row_example

    out, path = tmp_path / "run", tmp_path / "binary.parquet"
    pq.write_table(pv.read_csv(binary_csv), path)
    assert (
        chainrule_cli("train", path, "--target", "admit", "--epochs", "1", "--out", out, "-q").returncode == 0
    )
    network = Network.load(out / "model.safetensors")
    assert row_example(network, read_table_file(str(path)), 3).note.startswith(f"row 3 of {path}; ")
    in_text = row_example(network, read_table_file(str(binary_csv)), 3).note
    assert in_text.startswith(f"row 3 (line 4 of {binary_csv}); ")
