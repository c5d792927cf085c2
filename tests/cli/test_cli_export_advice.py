"""The command line on probe 24's messy exports: predict never drops a one-column file's quoted
empty row, and each refusal's advice works when followed (a title above the header, a mostly
empty column, accounting negatives, float class labels, a Parquet file's rows)."""

from __future__ import annotations

import numpy as np
import pytest

from cli_runner import chainrule_cli, one_line_error

pytest.importorskip("pyarrow")


def _train(folder, data, *options) -> None:
    done = chainrule_cli("train", data, "--epochs", "3", "-q", *options)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def one_feature(tmp_path_factory):
    """Regression models of y on the one feature 'income': one with --impute median, one without."""
    folder = tmp_path_factory.mktemp("one_feature")
    rng = np.random.default_rng(0)
    income = rng.uniform(300, 900, 80)
    lines = ["income,y"] + [f"{x:.2f},{0.6 * x + rng.normal(0, 5):.2f}" for x in income]
    (folder / "train.csv").write_text("\n".join(lines) + "\n")
    for name, extra in (("imputes", ["--impute", "median"]), ("plain", [])):
        _train(folder, folder / "train.csv", "--target", "y", "--out", folder / name, *extra)
    return folder


# ------------------------------------------------ D1. a one-column file's "" is a row
def test_predict_refuses_the_quoted_empty_row_of_a_one_column_file(one_feature, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text('income\n420.16\n""\n829.40\n')  # pandas' to_csv of a one-column frame with a NaN
    refused = chainrule_cli("predict", one_feature / "plain", new)
    one_line_error(
        refused, "new.csv: 1 missing or non-finite value (first at line 3, column 'income', value '')"
    )
    assert refused.stdout == ""
    filled = chainrule_cli("predict", one_feature / "imputes", new)
    assert filled.returncode == 0, filled.stderr
    assert len(filled.stdout.strip().splitlines()) == 1 + 3  # one prediction per row
    assert "filling 1 gap in 3 rows (impute median)" in filled.stderr and "blank line" not in filled.stderr


def test_predict_still_skips_a_blank_line_of_a_one_column_file_and_says_so(one_feature, tmp_path):
    new = tmp_path / "new.csv"
    new.write_text("income\n420.16\n\n829.40\n")
    done = chainrule_cli("predict", one_feature / "plain", new)
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.strip().splitlines()) == 1 + 2
    assert "skipped 1 blank line between the rows (line 3), which hold no row" in done.stderr


# ----------------------------------------------------- D5. a title above the header
def test_a_title_line_above_the_header_says_to_remove_it_and_that_works(tmp_path):
    rows = [f"{i % 7},{i % 5},{'ab'[i % 2]}" for i in range(60)]
    data = tmp_path / "export.csv"
    data.write_text("Report exported 2024-05-01 by ERP\nx,z,y\n" + "\n".join(rows) + "\n")
    refused = chainrule_cli("train", data, "--target", "y", "--out", tmp_path / "m")
    line = one_line_error(
        refused, "export.csv:1: line 1 has 1 field but most rows below it have 3 (from line 2)"
    )
    assert "remove the lines above the header" in line and "fix the row" not in line
    data.write_text("x,z,y\n" + "\n".join(rows) + "\n")
    _train(tmp_path, data, "--target", "y", "--out", tmp_path / "m")


# ------------------------------------------------------ D4. a mostly empty column
def _sparse_export(path) -> None:
    rng = np.random.default_rng(1)
    lines = ["tenure,referral_code,churn"]
    for i in range(300):
        tenure = rng.integers(1, 60)
        lines.append(f"{tenure},{'' if i % 50 else 'R' + str(i)},{'yes' if tenure < 20 else 'no'}")
    path.write_text("\n".join(lines) + "\n")


def test_gaps_in_one_column_offer_ignore_not_a_drop_that_keeps_a_handful(tmp_path):
    data = tmp_path / "export.csv"
    _sparse_export(data)
    refused = chainrule_cli("train", data, "--target", "churn", "--out", tmp_path / "m")
    one_line_error(
        refused,
        "all of them in column 'referral_code', empty in 294 of the 300 rows; pass --ignore referral_code "
        "to leave it out, or --impute mean|median; --drop-missing would keep 6 of the 300 rows, too few",
    )
    _train(tmp_path, data, "--target", "churn", "--ignore", "referral_code", "--out", tmp_path / "m")


def test_drop_missing_that_keeps_a_handful_is_refused_in_chunks(tmp_path):
    data = tmp_path / "export.csv"
    _sparse_export(data)
    refused = chainrule_cli(
        "train", data, "--target", "churn", "--drop-missing", "--chunk-rows", "100", "--out", tmp_path / "m"
    )
    one_line_error(
        refused,
        "--drop-missing would keep 6 of the 300 rows, too few to train and test on",
        "--ignore referral_code",
    )
    assert not (tmp_path / "m").exists()


# --------------------------------------------------------- D7. accounting negatives
def _ledger(path) -> None:
    rng = np.random.default_rng(2)
    lines = ["balance,months,default"]
    for _ in range(200):
        amount = rng.normal(0, 1500)
        written = f"{abs(amount):,.2f}"
        lines.append(
            f'"({written})",{rng.integers(1, 40)},Y' if amount < 0 else f'"{written}",{rng.integers(1, 40)},N'
        )
    path.write_text("\n".join(lines) + "\n")


def test_accounting_negatives_are_read_with_thousands_and_predicted_alike(tmp_path):
    data = tmp_path / "ledger.csv"
    _ledger(data)
    refused = chainrule_cli("train", data, "--target", "default", "--out", tmp_path / "m")
    line = one_line_error(
        refused, "column 'balance' holds numbers written as text", "in parentheses", "--thousands ,"
    )
    assert "--categorical" not in line and "like an ID" not in line
    _train(tmp_path, data, "--target", "default", "--thousands", ",", "--out", tmp_path / "m")
    new = tmp_path / "new.csv"
    new.write_text('balance,months\n"(2,500.00)",10\n"2,500.00",10\n')
    done = chainrule_cli("predict", tmp_path / "m", new)
    assert done.returncode == 0, done.stderr
    assert [row.split(",")[0] for row in done.stdout.strip().splitlines()[1:]] == ["Y", "N"]


# ------------------------------------------------------------ D6. float class labels
def test_float_labels_are_pointed_to_task_regression_alone(tmp_path):
    data = tmp_path / "t.csv"
    weights = [150 + 3 * i for i in range(16)] + [150, 153, 156, 159]  # 16 classes in 20 rows
    data.write_text("x,weight\n" + "".join(f"{i % 7},{w}.0\n" for i, w in enumerate(weights)))
    refused = chainrule_cli("train", data, "--target", "weight", "--out", tmp_path / "m")
    line = one_line_error(refused, "(16 classes, e.g. '", ".0'", "for a number, pass --task regression;")
    assert "plainly" not in line
    _train(tmp_path, data, "--target", "weight", "--task", "regression", "--out", tmp_path / "m")


# ---------------------------------------------------------------- Parquet: rows
def test_a_parquet_file_names_the_row_of_a_gap(one_feature, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"income": [420.0, 500.0, None]}), tmp_path / "new.parquet")
    refused = chainrule_cli("predict", one_feature / "plain", tmp_path / "new.parquet")
    line = one_line_error(
        refused, "new.parquet: 1 missing or non-finite value (first at row 3, column 'income'"
    )
    assert "line" not in line
