"""``chainrule train --chunk-rows``: streamed files on the command line, and their bad input."""

from __future__ import annotations

import numpy as np
import pytest

from cli_runner import chainrule_cli, one_line_error

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


def parquet(path, n=200, seed=0, **extra):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    columns = {"x": x, "c": rng.choice(["u", "v"], n), "y": (x > 0).astype(int), **extra}
    pq.write_table(pa.table(columns), path)


def test_a_parquet_glob_trains_and_the_model_predicts_a_csv(tmp_path):
    for index in range(3):
        parquet(tmp_path / f"p{index}.parquet", seed=index)
    out = tmp_path / "model"
    result = chainrule_cli("train", tmp_path / "*.parquet", "--target", "y", "--chunk-rows", "64",
                           "--epochs", "5", "--out", out)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "read in chunks of 64 rows" in result.stderr
    assert "chunk_rows = 64" in (out / "config.toml").read_text()
    # the yardsticks, as a run in memory prints them
    assert "compared (test accuracy):" in result.stdout and "logistic regression (L2, C 1)" in result.stdout
    assert "majority class" in result.stdout and "saved model: " in result.stdout
    (tmp_path / "new.csv").write_text("x,c\n0.5,u\n-1,v\n")
    predicted = chainrule_cli("predict", out / "model.safetensors", tmp_path / "new.csv")
    assert predicted.returncode == 0, predicted.stderr
    assert predicted.stdout.splitlines()[0].startswith("y,")


def test_no_file_matching_the_glob(tmp_path):
    result = chainrule_cli("train", tmp_path / "*.parquet", "--target", "y", "--chunk-rows", "10")
    one_line_error(result, "*.parquet: no file matches the pattern")


def test_a_file_whose_columns_differ(tmp_path):
    parquet(tmp_path / "a.parquet")
    parquet(tmp_path / "b.parquet", extra=np.zeros(200))
    result = chainrule_cli("train", tmp_path / "*.parquet", "--target", "y", "--chunk-rows", "10")
    one_line_error(result, "b.parquet: columns differ from", "has extra besides")


def test_a_target_missing_from_one_file(tmp_path):
    parquet(tmp_path / "a.parquet")
    pq.write_table(pa.table({"x": [1.0], "c": ["u"], "z": [0]}), tmp_path / "b.parquet")
    result = chainrule_cli("train", tmp_path / "*.parquet", "--target", "y", "--chunk-rows", "10")
    one_line_error(result, "b.parquet: no column 'y' (the target)")


def test_an_unreadable_file(tmp_path):
    parquet(tmp_path / "a.parquet")
    (tmp_path / "b.parquet").write_bytes(b"not parquet at all" * 10)
    result = chainrule_cli("train", tmp_path / "*.parquet", "--target", "y", "--chunk-rows", "10")
    one_line_error(result, "b.parquet: cannot be read as parquet")


def test_text_in_a_later_chunk_of_a_numeric_column(tmp_path):
    lines = ["x,y"] + [f"{i},{i % 2}" for i in range(100)] + ["seven,1"] + [f"{i},{i % 2}" for i in range(20)]
    (tmp_path / "big.csv").write_text("\n".join(lines) + "\n")
    result = chainrule_cli("train", tmp_path / "big.csv", "--target", "y", "--chunk-rows", "25")
    one_line_error(result, "big.csv:102: column 'x', value 'seven' is not a number", "--categorical x")


def test_median_is_refused_with_the_flags(tmp_path):
    parquet(tmp_path / "a.parquet")
    result = chainrule_cli("train", tmp_path / "a.parquet", "--target", "y", "--impute", "median")
    one_line_error(result, "--impute", "--chunk-rows", "--impute mean")


def test_number_formats_are_refused_in_chunks_rather_than_ignored(tmp_path):
    data = tmp_path / "big.csv"
    data.write_text("x;y\n" + "".join(f"{i},5;{i % 2}\n" for i in range(40)), encoding="utf-8")
    done = chainrule_cli(
        "train", data, "--target", "y", "--chunk-rows", "10", "--decimal", ",", "--out", tmp_path / "o"
    )
    assert done.returncode == 2
    assert done.stderr.startswith("chainrule: error: --decimal is not read in chunks yet")
    assert len(done.stderr.strip().splitlines()) == 1


def test_an_ensemble_is_refused_in_chunks_with_its_own_reason(tmp_path):
    parquet(tmp_path / "a.parquet")
    result = chainrule_cli(
        "train", tmp_path / "a.parquet", "--target", "y", "--chunk-rows", "10", "--ensemble", "3"
    )
    one_line_error(result, "--ensemble", "a streamed run trains one network", "train in memory")
    assert "convert the files" not in result.stderr


def test_an_id_column_is_left_out_with_a_note_and_predict_takes_it_back(tmp_path):
    lines = ["x,id,y"] + [f"{i % 7},row{i},{i % 2}" for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    done = chainrule_cli("train", tmp_path / "t.csv", "--target", "y", "--chunk-rows", "10", "--epochs", "2",
                         "--out", tmp_path / "o")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "column 'id' is left out: it has a different value in each of its 60 rows" in done.stderr
    assert "--categorical id" in done.stderr
    predicted = chainrule_cli("predict", tmp_path / "o", tmp_path / "t.csv")
    assert predicted.returncode == 0 and len(predicted.stdout.splitlines()) == 61, predicted.stderr


def test_a_model_trained_from_parquet_predicts_and_evaluates_parquet(tmp_path):
    parquet(tmp_path / "a.parquet", flag=np.arange(200) % 3 == 0)
    out = tmp_path / "model"
    done = chainrule_cli("train", tmp_path / "a.parquet", "--target", "y", "--epochs", "2", "--out", out)
    assert done.returncode == 0, done.stderr
    model = out / "model.safetensors"
    predicted = chainrule_cli("predict", model, tmp_path / "a.parquet")
    assert predicted.returncode == 0, predicted.stderr
    assert len(predicted.stdout.splitlines()) == 201
    evaluated = chainrule_cli("evaluate", model, tmp_path / "a.parquet")
    assert evaluated.returncode == 0, evaluated.stderr
    (tmp_path / "new.csv").write_text("x,c,flag\n0.5,u,True\n-1,v,False\n")  # as pandas writes booleans
    assert chainrule_cli("predict", model, tmp_path / "new.csv").returncode == 0


def test_dropping_nearly_every_row_in_chunks_says_so_as_in_memory(tmp_path):
    data = tmp_path / "gaps.csv"
    data.write_text(
        "x,y\n" + "".join(f"{i},{'2.5' if i == 3 else ''}\n" for i in range(120)), encoding="utf-8"
    )
    result = chainrule_cli(
        "train", data, "--target", "y", "--drop-missing", "--chunk-rows", "50", "--out", tmp_path / "o"
    )
    one_line_error(
        result, "fewer than 2 rows remain after dropping rows with missing values"
    )  # not "too few to test"
