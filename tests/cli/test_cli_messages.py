"""What the command line says where a probe found it silent, cut short or late."""

from __future__ import annotations

import os

import pytest

from cli_runner import chainrule_cli


@pytest.fixture
def three_classes(tmp_path):
    path = tmp_path / "three.csv"
    rows = [f"{i % 7},{(i * 3) % 5},{'abc'[i % 3]}" for i in range(60)]
    path.write_text("x1,x2,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_sum"])
def test_a_one_output_loss_on_three_classes_is_refused_in_one_line(tmp_path, three_classes, loss):
    done = chainrule_cli("train", three_classes, "--target", "y", "--loss", loss, "--out", tmp_path / "o")
    assert done.returncode == 2, done.stderr
    assert (
        done.stderr.strip()
        == f"chainrule: error: --loss {loss} needs two classes, the target has 3; use cross_entropy"
    )


@pytest.mark.parametrize("loss", ["binary_cross_entropy", "binary_cross_entropy_sum"])
def test_a_one_output_loss_on_two_classes_trains_one_sigmoid_output(tmp_path, loss):
    path = tmp_path / "two.csv"
    path.write_text("x1,x2,y\n" + "".join(f"{i % 7},{(i * 3) % 5},{'ab'[i % 2]}\n" for i in range(60)))
    out = tmp_path / "o"
    done = chainrule_cli("train", path, "--target", "y", "--loss", loss, "--epochs", "2", "--out", out, "-q")
    assert done.returncode == 0, done.stderr
    assert f'"loss_name": "{loss}"' in (out / "metrics.json").read_text()


def test_an_error_keeps_its_advice_when_a_category_holds_a_line_break(tmp_path):
    """A quoted CSV cell may hold a line break; the error that lists the categories stays
    one line, with the break written as \\n and the advice at its end."""
    data = tmp_path / "train.csv"
    categories = ['"one\ntwo"', "three"]
    data.write_text(
        "c,x,y\n" + "".join(f"{categories[i % 2]},{i},{i % 2}\n" for i in range(40)), encoding="utf-8"
    )
    model = tmp_path / "model"
    assert chainrule_cli("train", data, "--target", "y", "--out", model, "-q").returncode == 0
    new = tmp_path / "new.csv"
    new.write_text("c,x\nother,1\n", encoding="utf-8")
    done = chainrule_cli("predict", model, new)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert "(known: 'one\\ntwo', 'three'); fix the value or retrain with it" in done.stderr


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="no /proc on this system")
def test_an_out_where_no_folder_can_be_made_is_refused_before_training(tmp_path, three_classes):
    """/proc passes os.access for root, and takes no folder: refused up front, not after training."""
    done = chainrule_cli("train", three_classes, "--target", "y", "--out", "/proc/chainrule-test-out")
    assert done.returncode == 2
    assert "no folder can be made in /proc" in done.stderr and "choose another --out" in done.stderr
    assert "network:" not in done.stderr + done.stdout  # nothing trained


def test_a_run_without_test_rows_says_which_model_it_saved(tmp_path, three_classes):
    done = chainrule_cli("train", three_classes, "--target", "y", "--test-size", "0", "--out", tmp_path / "o")
    assert done.returncode == 0, done.stderr
    saved = [line for line in done.stdout.splitlines() if line.startswith("saved model: ")]
    assert len(saved) == 1 and saved[0].endswith("no test rows to compare them on") == (
        "linear model" in saved[0]
    )


def test_files_a_shell_expanded_from_a_pattern_get_a_hint_to_quote_it(tmp_path):
    for part in range(3):
        (tmp_path / f"part{part}.csv").write_text("x,y\n1,2\n", encoding="utf-8")
    files = sorted(str(p) for p in tmp_path.glob("part*.csv"))
    done = chainrule_cli("train", *files, "--target", "y")
    assert done.returncode == 2
    assert "unrecognized arguments" in done.stderr and "did the shell expand a pattern" in done.stderr
    assert "did the shell" not in chainrule_cli("train", "--no-such-flag").stderr  # not for a mistyped flag


def test_one_epoch_is_said_in_the_singular(tmp_path, three_classes):
    done = chainrule_cli("train", three_classes, "--target", "y", "--epochs", "1", "--out", tmp_path / "o")
    assert done.returncode == 0, done.stderr
    assert "trained 1 epoch," in done.stderr + done.stdout and "1 epochs" not in done.stderr + done.stdout
