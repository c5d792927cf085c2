"""The command line on tables as spreadsheets and pandas export them: a row of empty cells is
never dropped from the predictions, and each refusal names the flag that helps."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from cli_runner import chainrule_cli, one_line_error

pytest.importorskip("pyarrow")


def _train_csv(path, rows: int = 120) -> None:
    rng = np.random.default_rng(0)
    lines = ["a,b,y"]
    for _ in range(rows):
        a, b = rng.normal(size=2)
        lines.append(f"{a:.3f},{b:.3f},{a * 10:.3f}")
    path.write_text("\n".join(lines) + "\n")


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """Regression models on a, b → y: one trained with --impute mean, one without."""
    folder = tmp_path_factory.mktemp("messy")
    _train_csv(folder / "train.csv")
    for name, extra in (("imputes", ["--impute", "mean"]), ("plain", [])):
        done = chainrule_cli("train", folder / "train.csv", "--target", "y", "--epochs", "3",
                             "--out", folder / name, "-q", *extra)  # fmt: skip
        assert done.returncode == 0, done.stderr
    return folder


def test_predict_never_drops_a_row_of_empty_cells(models, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text("a,b\n1,0\n2,0\n,\n3,0\n4,0\n")
    filled = chainrule_cli("predict", models / "imputes" / "model.safetensors", new)
    assert filled.returncode == 0, filled.stderr
    assert len(filled.stdout.strip().splitlines()) == 1 + 5  # the header and one per record
    assert "filling 2 gaps in 5 rows (impute mean)" in filled.stderr
    refused = chainrule_cli("predict", models / "plain" / "model.safetensors", new)
    one_line_error(refused, "new.csv", "first at line 4, column 'a', value ''", "retrain with --impute")
    assert refused.stdout == ""


def test_predict_says_where_blank_lines_were_skipped(models, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text("a,b\n1,0\n\n2,0\n3,0\n\n")
    done = chainrule_cli("predict", models / "plain" / "model.safetensors", new)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 1 + 3
    assert (
        "skipped 1 blank line between the rows (line 3), which hold no row: the 3 predictions" in done.stderr
    )


def test_a_row_of_empty_cells_is_refused_alike_in_memory_and_in_chunks(models, tmp_path):
    data = tmp_path / "gap.csv"
    data.write_text((models / "train.csv").read_text() + ",,\n")
    for extra in ([], ["--chunk-rows", "50"]):
        done = chainrule_cli("train", data, "--target", "y", "--out", tmp_path / "m", *extra)
        line = one_line_error(done, "gap.csv", "column 'a', value ''", "--impute", "--drop-missing")
        assert "gap.csv:122: " in line or "(first at line 122, " in line


@pytest.mark.parametrize(
    "header", ["Unnamed: 0,x,y", ",x,y"], ids=["read back by pandas", "as to_csv writes it"]
)
def test_pandas_row_index_is_left_out_with_a_note_and_predict_takes_the_file_back(tmp_path, header):
    rng = np.random.default_rng(1)
    order = rng.permutation(60)
    lines = [header] + [f"{order[i]},{rng.normal():.3f},{'ab'[i < 30]}" for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    done = chainrule_cli(
        "train", tmp_path / "t.csv", "--target", "y", "--epochs", "2", "--out", tmp_path / "m"
    )
    assert done.returncode == 0, done.stderr
    assert (
        "column 'Unnamed: 0' is left out: it holds a different whole number in each of its 60 rows"
        in done.stderr
    )
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert any(note.startswith("column 'Unnamed: 0' is left out") for note in metrics["notes"])
    predicted = chainrule_cli("predict", tmp_path / "m", tmp_path / "t.csv")
    assert predicted.returncode == 0 and len(predicted.stdout.splitlines()) == 61, predicted.stderr


def test_a_table_with_an_id_trains_in_one_command_and_says_what_it_left_out(tmp_path):
    data = Path(__file__).parents[1] / "data" / "id_column.csv"  # once in the malformed corpus
    done = chainrule_cli("train", data, "--target", "label", "--epochs", "2", "--out", tmp_path / "m")
    assert done.returncode == 0, done.stderr
    assert "column 'customer' is left out: it has a different value in each of its 24 rows" in done.stderr
    assert "--categorical customer" in done.stderr


def test_excel_errors_are_gaps_and_the_advice_is_impute(tmp_path):
    rng = np.random.default_rng(2)
    lines = ["e,x,y"] + [
        f"{'#N/A' if i % 20 == 0 else f'{rng.normal():.2f}'},{i % 5},{'yes' if i % 2 else 'no'}"
        for i in range(80)
    ]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    refused = chainrule_cli("train", tmp_path / "t.csv", "--target", "y", "--out", tmp_path / "m")
    line = one_line_error(refused, "value '#N/A'", "--impute mean|median")
    assert "--categorical" not in line
    done = chainrule_cli("train", tmp_path / "t.csv", "--target", "y", "--impute", "mean", "--epochs", "2",
                         "--out", tmp_path / "m", "-q")  # fmt: skip
    assert done.returncode == 0, done.stderr


def test_utf16_sep_line_and_nfd_files_train_and_predict(tmp_path):
    rng = np.random.default_rng(3)
    rows = [f"{a:.3f};{c};{'hoch' if a > 0 else 'tief'}" for a, c in zip(rng.normal(size=80), rng.choice(["Zürich", "Genève"], 80))]  # fmt: skip
    text = "sep=;\r\nGröße;Stadt;y\r\n" + "\r\n".join(rows) + "\r\n"
    (tmp_path / "t.csv").write_bytes(text.encode("utf-16"))  # Excel's "Unicode text", with its sep= line
    done = chainrule_cli("train", tmp_path / "t.csv", "--target", "y", "--epochs", "2", "--out", tmp_path / "m", "-q")  # fmt: skip
    assert done.returncode == 0, done.stderr
    new = unicodedata.normalize("NFD", "Größe,Stadt\n0.5,Zürich\n")  # as a Mac may write it
    (tmp_path / "new.csv").write_text(new, encoding="utf-8")
    predicted = chainrule_cli("predict", tmp_path / "m" / "model.safetensors", tmp_path / "new.csv")
    assert predicted.returncode == 0, predicted.stderr
    assert len(predicted.stdout.strip().splitlines()) == 2


def test_refusals_name_their_remedy(tmp_path):
    (tmp_path / "empty.csv").write_text("x,y,Notes\n" + "".join(f"{i},{'ab'[i % 2]},\n" for i in range(30)))
    done = chainrule_cli("train", tmp_path / "empty.csv", "--target", "y", "--out", tmp_path / "m")
    one_line_error(done, "column 'Notes' has no values", "--ignore Notes")
    (tmp_path / "inf.csv").write_text(
        "x,y\n" + "".join(f"{i},{'inf' if i == 5 else i * 0.3}\n" for i in range(30))
    )
    done = chainrule_cli(
        "train", tmp_path / "inf.csv", "--target", "y", "--impute", "mean", "--out", tmp_path / "m"
    )
    one_line_error(
        done, "line 7, column 'y', value 'inf'", "fill in the target", "--drop-missing", "never the target"
    )


def _labels_csv(path, labels) -> None:
    rng = np.random.default_rng(1)
    rows = [f"{rng.normal():.3f},{labels[k % len(labels)]}" for k in range(80)]
    path.write_text("x,answer\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize("chunks", [[], ["--chunk-rows", "30"]], ids=["in memory", "in chunks"])
def test_classes_written_in_two_cases_are_kept_and_said(tmp_path, chunks):
    """'Yes' and 'yes' are two classes as written (labels are kept as written), and train says so."""
    data = tmp_path / "t.csv"
    _labels_csv(data, ["Yes", "No", "yes", "no "])
    done = chainrule_cli(
        "train", data, "--target", "answer", "--epochs", "1", "--out", tmp_path / "m", *chunks
    )
    assert done.returncode == 0, done.stderr
    assert (
        "target 'answer' has classes that differ only in case or spacing, 'No' and 'no': they are "
        "trained as different classes; if they are one class, write it one way"
    ) in done.stdout + done.stderr


@pytest.mark.parametrize("chunks", [[], ["--chunk-rows", "30"]], ids=["in memory", "in chunks"])
def test_one_class_written_as_two_numbers_is_refused_in_chunks_too(tmp_path, chunks):
    data = tmp_path / "t.csv"
    _labels_csv(data, ["0", "1", "0.0"])
    done = chainrule_cli(
        "train", data, "--target", "answer", "--task", "classification", "--out", tmp_path / "m", *chunks
    )
    assert done.returncode == 2
    assert "target 'answer' writes one class two ways, '0' and '0.0'" in one_line_error(done)


DATE_FORMS = {
    "iso": "%Y-%m-%d",
    "day first with a time": "%d/%m/%Y %H:%M",
    "iso date and time": "%Y-%m-%dT%H:%M:%S",
}


@pytest.mark.parametrize("form", DATE_FORMS)
@pytest.mark.parametrize("chunks", [[], ["--chunk-rows", "70"]], ids=["in memory", "in chunks"])
def test_a_column_of_dates_is_left_out_saying_what_to_do(tmp_path, form, chunks):
    """Dates read as categories leave every later date unknown at prediction: left out, in a
    note naming the column, what to write instead, and --categorical to keep them."""
    import datetime

    rng = np.random.default_rng(3)
    start = datetime.datetime(2024, 1, 1)
    rows = []
    for k in range(200):
        day = start + datetime.timedelta(days=int(rng.integers(0, 30)), hours=k % 24)
        x = rng.normal()
        rows.append(f"{day.strftime(DATE_FORMS[form])},{x:.3f},{'yes' if x > 0 else 'no'}")
    data = tmp_path / "orders.csv"
    data.write_text("ordered,amount,y\n" + "\n".join(rows) + "\n")
    done = chainrule_cli("train", data, "--target", "y", "--epochs", "1", "--out", tmp_path / "m", *chunks)
    assert done.returncode == 0, done.stderr
    [line] = [line for line in done.stderr.splitlines() if "'ordered'" in line]
    assert line.startswith("column 'ordered' is left out: it holds dates")
    assert "days since a start" in line and "--categorical ordered" in line
    for extra in (["--ignore", "ordered"], ["--categorical", "ordered"]):
        done = chainrule_cli(
            "train", data, "--target", "y", "--epochs", "1", "--out", tmp_path / "m", *chunks, *extra
        )
        assert done.returncode == 0, done.stderr


def test_a_few_dates_are_categories_like_any_other(tmp_path):
    """Three batch dates are labels of three batches, not a calendar: read as categories."""
    rng = np.random.default_rng(4)
    rows = [f"2024-0{1 + k % 3}-15,{rng.normal():.3f},{'ab'[k % 2]}" for k in range(90)]
    data = tmp_path / "batches.csv"
    data.write_text("batch,x,y\n" + "\n".join(rows) + "\n")
    done = chainrule_cli("train", data, "--target", "y", "--epochs", "1", "--out", tmp_path / "m")
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("chunks", [[], ["--chunk-rows", "40"]], ids=["in memory", "in chunks"])
def test_impute_with_drop_missing_drops_only_the_rows_missing_the_target(tmp_path, chunks):
    """A survey with gaps in a feature and in the target: --impute fills the feature's gaps,
    --drop-missing drops the rows without a target (it dropped every row with a gap)."""
    rng = np.random.default_rng(5)
    rows = []
    for k in range(160):
        x, z = rng.normal(size=2)
        target = "" if k % 10 == 0 else ("yes" if x + z > 0 else "no")
        rows.append(f"{'' if k % 7 == 3 else f'{x:.3f}'},{z:.3f},{target}")
    data = tmp_path / "survey.csv"
    data.write_text("x,z,y\n" + "\n".join(rows) + "\n")
    flags = ("--impute", "mean", "--drop-missing", "--epochs", "1", "--out", tmp_path / "m", *chunks)
    done = chainrule_cli("train", data, "--target", "y", *flags)
    assert done.returncode == 0, done.stderr
    said = done.stdout + done.stderr
    assert "dropped 16 rows whose target is missing (--impute mean fills the features' gaps)" in said
    metrics = json.loads((tmp_path / "m" / "metrics.json").read_text())
    assert metrics["rows"]["train"] + metrics["rows"]["test"] == 144
    alone = chainrule_cli(
        "train", data, "--target", "y", "--drop-missing", "--epochs", "1", "--out", tmp_path / "d", *chunks
    )
    assert "dropped 36 rows with missing values" in alone.stdout + alone.stderr


def test_a_streamed_run_says_what_impute_fills_as_a_run_in_memory_does(tmp_path):
    rng = np.random.default_rng(6)
    rows = []
    for k in range(150):
        x, z = rng.normal(size=2)
        cell = "inf" if k == 77 else ("" if k % 9 == 4 else f"{x:.3f}")
        rows.append(f"{cell},{'' if k % 11 == 5 else 'ab'[k % 2]},{z:.3f},{'yes' if x + z > 0 else 'no'}")
    data = tmp_path / "gaps.csv"
    data.write_text("x,kind,z,y\n" + "\n".join(rows) + "\n")
    said, stored = [], []
    for k, chunks in enumerate(([], ["--chunk-rows", "40"])):
        out = tmp_path / f"m{k}"
        done = chainrule_cli(
            "train", data, "--target", "y", "--impute", "mean", "--epochs", "1", "--out", out, *chunks
        )
        assert done.returncode == 0, done.stderr
        said.append(
            next(line for line in (done.stdout + done.stderr).splitlines() if line.startswith("filling "))
        )
        stored.append(json.loads((out / "metrics.json").read_text())["filled"])
    assert said[0] == said[1]
    assert (
        "filling 32 gaps in 150 rows (impute mean): 18 in 'x' with the training mean; 14 in 'kind'" in said[0]
    )
    assert "1 is infinite (first at line 79, column 'x', value 'inf')" in said[0]
    assert (
        stored[0] == stored[1] == {"x": {"filled": 18, "infinite": 1}, "kind": {"filled": 14, "infinite": 0}}
    )


def test_gaps_in_features_and_target_are_named_at_once_and_one_command_trains(tmp_path):
    """The advice for gaps in the features names the target's too, so the next run trains; a
    column that only the dropped rows filled is left out with a note, and a category only
    they hold keeps its input, so predict takes the whole file back."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(120):
        x = "" if i % 9 == 0 else f"{rng.normal():.3f}"
        y = "" if i % 13 == 0 else "ab"[i % 2]
        later = f"{rng.normal():.2f}" if y == "" else ""  # only in rows without a target
        kind = "rare" if y == "" and i % 2 else "ab"[i % 3 == 0]  # 'rare' too
        rows.append(f"{x},{later},{kind},{y}")
    (tmp_path / "t.csv").write_text("x,later,kind,y\n" + "\n".join(rows) + "\n")
    refused = chainrule_cli("train", tmp_path / "t.csv", "--target", "y", "--out", tmp_path / "m")
    line = one_line_error(refused, "column 'x'", "the target is missing in 10 rows too")
    assert "--impute median with --drop-missing" in line
    done = chainrule_cli("train", tmp_path / "t.csv", "--target", "y", "--impute", "median", "--drop-missing",
                         "--epochs", "2", "--out", tmp_path / "m")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "column 'later' is left out: every one of its 110 cells is empty or missing" in done.stderr
    predicted = chainrule_cli("predict", tmp_path / "m", tmp_path / "t.csv")  # 'rare' rows too
    assert predicted.returncode == 0 and len(predicted.stdout.splitlines()) == 121, predicted.stderr
