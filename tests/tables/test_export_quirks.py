"""Messy exports as probe 24 met them: a one-column file's quoted empty cell, a title above the
header, accounting negatives, a mostly empty column under drop_missing, float class labels, and
a Parquet file's rows; read the same in memory and in chunks, each refusal saying what helps."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.tables.fills import KEPT_ROWS, keeps_too_few
from chainrule.tables.formats import parse_formatted
from chainrule.tables.infer import unlearnable_classes
from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import DataError, Table, read_table
from stream_runner import streamed_first_pass

pa = pytest.importorskip("pyarrow")


def _write(tmp_path, text: str, name: str = "t.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def _error(call) -> str:
    with pytest.raises(DataError) as caught:
        call()
    return str(caught.value)


def _streamed(path, chunk_rows: int = 50, **options):
    """The first pass over ``path`` in chunks: (Preprocessor, notes)."""
    return streamed_first_pass(path, chunk_rows, test_size=0.2, **options)


# ------------------------------------------- D1. a quoted "" is a row with a gap, not a blank line
def test_a_quoted_empty_cell_in_a_one_column_file_is_a_row_with_a_gap(tmp_path):
    # pandas writes a missing value of a one-column frame as "": a row of one empty field
    table = read_table(_write(tmp_path, 'income\n420.16\n""\n829.40\n'))
    assert table.rows == [["420.16"], [""], ["829.40"]] and table.lines.tolist() == [2, 3, 4]
    assert table.blank_lines() == []
    assert table.cells("income").missing.tolist() == [False, True, False]


def test_a_one_column_file_skips_blank_lines_but_keeps_quoted_empty_rows(tmp_path):
    for end in ("\n", "\r\n"):
        text = end.join(["income", "1", "", '""', "  ", "3", ""])
        table = read_table(_write(tmp_path, text))
        assert table.rows == [["1"], [""], ["3"]] and table.lines.tolist() == [2, 4, 6]
        assert table.blank_lines() == [3, 5]  # an empty line and one of white space hold no row


def test_a_quoted_empty_line_in_a_wider_file_is_a_row_of_one_field(tmp_path):
    # "" is not a blank line there either: one field where the header has two
    assert "t.csv:3: row has 1 fields but the header has 2" in _error(
        lambda: read_table(_write(tmp_path, 'a,b\n1,2\n""\n3,4\n'))
    )


def test_a_quoted_empty_row_is_kept_when_the_quoting_sends_the_file_to_the_csv_module(tmp_path):
    # a quote inside an unquoted field: the csv module reads the file, with the same rows
    table = read_table(_write(tmp_path, 'a,b\n1,x"y\n3,4\n'))
    assert table.rows == [["1", 'x"y'], ["3", "4"]]
    assert "t.csv:3: row has 1 fields but the header has 2" in _error(
        lambda: read_table(_write(tmp_path, 'a,b\n1,x"y\n""\n3,4\n'))
    )


def test_a_quoted_empty_line_is_placed_alike_in_chunks_when_the_quoting_is_irregular(tmp_path):
    path = _write(tmp_path, 'a,b,y\n1,x"y,a\n\n2,3,b\n""\n4,5,a\n')  # the csv module counts the lines
    expected = "t.csv:5: row has 1 fields but the header has 3"
    assert expected in _error(lambda: read_table(path)) and expected in _error(lambda: _streamed(path, 2))


# -------------------------------------------------- D5. a title line above the header
def _with_title(title: str, delimiter: str = ",", rows: int = 30) -> str:
    lines = [delimiter.join(["a", "b", "c", "y"])]
    lines += [delimiter.join([str(i), str(i % 3), "x" if i % 2 else "z", "yn"[i % 2]]) for i in range(rows)]
    return title + "\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_a_title_above_the_header_is_named_in_memory_and_in_chunks(tmp_path, delimiter):
    path = _write(tmp_path, _with_title("Report exported 2024-05-01 by ERP", delimiter))
    expected = (
        "t.csv:1: line 1 has 1 field but most rows below it have 4 (from line 2), so it does not look "
        "like the header; remove the lines above the header"
    )
    assert expected in _error(lambda: read_table(path))
    assert expected in _error(lambda: _streamed(path))


def test_a_title_of_several_lines_points_to_the_first_line_of_the_rows_width(tmp_path):
    path = _write(tmp_path, _with_title("Bank statement\n\nAccount 0001"))
    assert "line 1 has 1 field but most rows below it have 4 (from line 4)" in _error(
        lambda: read_table(path)
    )


def test_rs_row_names_without_a_header_name_are_named_as_such_and_the_advice_works(tmp_path):
    # R's write.table(row.names=TRUE): each row starts with its name, the header does not.
    rows = "".join(f'"{i + 1}",{i},{i % 3},{"yn"[i % 2]}\n' for i in range(30))
    path = _write(tmp_path, "a,b,y\n" + rows)
    expected = (
        "t.csv:1: line 1 names 3 fields but most rows below it have 4 (from line 2), as R's write.table "
        "writes row names without a name in the header; add a first name to the header"
    )
    assert expected in _error(lambda: read_table(path))
    assert expected in _error(lambda: _streamed(path))
    followed = read_table(_write(tmp_path, ",a,b,y\n" + rows, "named.csv"))  # the advice, followed
    assert followed.columns[1:] == ["a", "b", "y"]


def test_a_ragged_row_is_still_a_ragged_row(tmp_path):
    text = "a,b,y\n" + "".join(f"{i},{i},n\n" for i in range(10)) + "1,2,3,n\n" + "4,5,n\n" * 5
    assert "t.csv:12: row has 4 fields but the header has 3; fix the row" in _error(
        lambda: read_table(_write(tmp_path, text))
    )
    assert "t.csv:3: row has 3 fields but the header has 2" in _error(
        lambda: read_table(_write(tmp_path, "x,y\n1,2\n3,4,5\n"))
    )


# ------------------------------------------------ D7. accounting negatives, (1,660.94)
def test_a_number_in_parentheses_is_negative_with_a_thousands_or_decimal_option():
    texts = pa.array(["(1,660.94)", "256.44", " ( 12 ) ", "(-5)", "()", "(abc)", ""])
    cells = parse_formatted(texts, {"thousands": ","})
    assert cells.numbers[:3].tolist() == [-1660.94, 256.44, -12.0]
    assert cells.text.tolist() == [False, False, False, True, True, True, False]
    assert (
        parse_formatted(pa.array(["(1.660,94)"]), {"thousands": ".", "decimal": ","}).numbers[0] == -1660.94
    )
    assert parse_formatted(pa.array(["(5)"]), {}).text[0]  # nothing is guessed without an option


def _ledger(amounts: list[str]) -> Table:
    return Table.from_columns("t.csv", {"balance": amounts * 10, "y": ["a", "b"] * (5 * len(amounts))})


def test_accounting_negatives_are_named_as_numbers_and_never_offered_as_categories():
    table = _ledger(["(1,660.94)", "256.44", "2,455.07", "(1,108.83)", "(12.50)", "1,001.00"])
    message = _error(lambda: Preprocessor.fit(table, "y"))
    assert message == (
        "t.csv: column 'balance' holds numbers written as text ('(1,660.94)'; 30 of them in parentheses, "
        "negatives as accounts write them); pass thousands=',' to read them as numbers, one in "
        "parentheses as negative"
    )
    pre, _ = Preprocessor.fit(table, "y", number_format={"thousands": ","})
    assert "balance" in pre.numeric and "balance" not in pre.categorical


def test_negatives_in_parentheses_alone_name_an_option_that_reads_them():
    message = _error(lambda: Preprocessor.fit(_ledger(["(660.94)", "256.44", "(12)", "3"]), "y"))
    assert "holds numbers written as text ('(660.94)'; 20 of them in parentheses" in message
    assert "pass thousands=','" in message and "categorical" not in message


def test_numbers_in_another_form_than_asked_are_not_offered_as_categories():
    table = _ledger(["1.660,94", "256,44", "(1.108,83)", "2,5"])
    message = _error(lambda: Preprocessor.fit(table, "y", number_format={"thousands": ","}))
    assert "holds numbers written as text when read with thousands=','" in message
    assert (
        "pass thousands='.', decimal=',' to read them as numbers" in message and "categorical" not in message
    )


# ------------------------------------------ D4. gaps in a mostly empty column, drop_missing
def _sparse(rows: int = 300, filled_every: int = 50) -> str:
    rng = np.random.default_rng(0)
    lines = ["x,referral,y"]
    for i in range(rows):
        lines.append(f"{rng.normal():.3f},{'' if i % filled_every else 'R' + str(i)},{'ab'[i % 2]}")
    return "\n".join(lines) + "\n"


def test_gaps_in_a_mostly_empty_column_are_named_with_ignore(tmp_path):
    table = read_table(_write(tmp_path, _sparse()))
    probe, _ = Preprocessor.fit(table, "y")
    message = _error(lambda: probe.reject_missing(table, with_target=True, at_training=True))
    assert message == (
        f"{table.source}: 294 missing or non-finite values (first at line 3, column 'referral', value ''), "
        "all of them in column 'referral', empty in 294 of the 300 rows; pass ignore='referral' to "
        "leave it out, or impute='mean'|'median'; drop_missing=True would keep 6 of the 300 rows, "
        "too few to train and test on"
    )


def test_scattered_gaps_still_offer_drop_missing():
    data = Table.from_columns(
        "t.csv", {"x": ["" if i % 40 == 0 else str(i) for i in range(200)], "y": ["a", "b"] * 100}
    )
    probe, _ = Preprocessor.fit(data, "y")
    message = _error(lambda: probe.reject_missing(data, with_target=True, at_training=True))
    assert message.endswith("value ''); pass impute='mean'|'median' or drop_missing=True")


def test_drop_missing_keeps_half_the_rows_or_a_hundred():
    assert KEPT_ROWS == 100
    assert keeps_too_few(10, 1500) and keeps_too_few(99, 1000)
    assert not keeps_too_few(100, 1000)  # enough to train and test on
    assert not keeps_too_few(20, 40)  # a small table that loses half its rows trains as it would whole


def test_drop_missing_that_keeps_a_handful_is_refused_in_chunks(tmp_path):
    path = _write(tmp_path, _sparse())
    assert _error(lambda: _streamed(path, drop_missing=True)) == (
        f"{path}: drop_missing=True would keep 6 of the 300 rows, too few to train and test on (fewer "
        "than half of them, and fewer than 100); pass ignore='referral' to leave out the mostly empty "
        "column, or impute='mean' to fill the gaps"
    )
    _, notes = _streamed(_write(tmp_path, _sparse(filled_every=3), "third.csv"), drop_missing=True)
    assert "dropped 200 rows with missing values" in notes  # 100 kept: enough


def test_drop_missing_that_keeps_a_handful_is_refused_in_memory_as_in_chunks(tmp_path):
    from chainrule.workflow.config import TrainConfig
    from chainrule.workflow.train import train_table

    path = _write(tmp_path, _sparse())
    config = TrainConfig(target="y", drop_missing=True, verbose=0, epochs=2)
    assert _error(lambda: train_table(read_table(path), config)) == (
        f"{path}: drop_missing=True would keep 6 of the 300 rows, too few to train and test on (fewer "
        "than half of them, and fewer than 100); pass ignore='referral' to leave out the mostly empty "
        "column, or impute='median' to fill the gaps"
    )
    kept = train_table(read_table(_write(tmp_path, _sparse(filled_every=3), "third.csv")), config)
    assert kept.metrics["rows"]["train"] > 0  # gaps in 200 of 300 rows: 100 kept would be enough


# ------------------------------------------------------------ D6. float class labels
def test_classes_that_are_plain_numbers_are_pointed_to_regression_alone():
    counts = np.ones(20, dtype=np.int64)
    plain = unlearnable_classes("Weight", counts, "191.0")
    assert "for a number, pass task='regression';" in plain and "plainly" not in plain
    written = unlearnable_classes("price", counts, "$1,140.93")
    assert "for a number, write it plainly (no unit or separators) and pass task='regression'" in written


# ------------------------------------------------------------- Parquet: rows, not lines
def test_a_parquet_file_names_rows_not_lines(tmp_path):
    import pyarrow.parquet as pq

    from chainrule.tables.arrow_table import read_parquet

    pq.write_table(pa.table({"x": [1.0, 2.0, None, 4.0] * 10, "y": ["a", "b"] * 20}), tmp_path / "t.parquet")
    table = read_parquet(tmp_path / "t.parquet")
    probe, _ = Preprocessor.fit(table, "y")
    message = _error(lambda: probe.reject_missing(table, with_target=True, at_training=True))
    assert "(first at row 3, column 'x', value '')" in message and "line" not in message
    assert table.place(2) == f"{tmp_path / 't.parquet'}: row 3"
    assert read_table(_write(tmp_path, "x,y\n1,a\n")).place(0) == f"{tmp_path / 't.csv'}:2"


# ------------------------------------------ a spread too small to scale (probe 28 N1)
def test_a_column_or_target_of_too_small_a_spread_is_refused_at_training_in_memory_and_in_chunks(tmp_path):
    rng = np.random.default_rng(0)
    a = rng.normal(size=100)
    tiny_column = "tiny,b,y\n" + "".join(f"{v * 1e-160:.6e},{v:.3f},{'yn'[i % 2]}\n" for i, v in enumerate(a))
    path = _write(tmp_path, tiny_column)
    expected = "column 'tiny' varies by a standard deviation of only"
    assert expected in _error(lambda: Preprocessor.fit(read_table(path), "y"))
    assert expected in _error(lambda: _streamed(path))
    tiny_target = "a,y\n" + "".join(f"{v:.3f},{v * 1e-160:.6e}\n" for v in a)
    path = _write(tmp_path, tiny_target, "target.csv")
    assert "target 'y' varies by a standard deviation of only" in _error(
        lambda: Preprocessor.fit(read_table(path), "y", "regression")
    )
    assert "target 'y' varies" in _error(lambda: _streamed(path, task="regression"))
