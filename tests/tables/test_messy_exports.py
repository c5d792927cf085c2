"""Tables as spreadsheets and pandas export them: rows of empty cells, pandas' row index, Excel's
error values and ``sep=`` line, UTF-16, text in NFD; read alike in memory and in chunks, with
the lines the file has and a remedy in every refusal."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from chainrule.tables.cells import parse_cells
from chainrule.tables.fills import fill_notes
from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import DataError, read_table
from chainrule.tables.stream import open_files
from stream_runner import streamed_first_pass

pa = pytest.importorskip("pyarrow")

EXCEL_ERRORS = ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"]


def _write(tmp_path, text: str, name: str = "t.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _rows(n: int, start: int = 0) -> list[str]:
    return [f"{i % 7},{(i * 3) % 11},{'ab'[i % 2]}" for i in range(start, start + n)]


def _streamed(path, chunk_rows: int = 7, **options):
    """The first pass over ``path`` in chunks: (Preprocessor, notes)."""
    return streamed_first_pass(path, chunk_rows, test_size=0.0, **options)


def _error(call) -> str:
    with pytest.raises(DataError) as caught:
        call()
    return str(caught.value)


# ----------------------------------------------------- a record of empty cells is a row of gaps
def test_a_record_of_empty_cells_is_a_row_of_gaps_and_a_blank_line_holds_no_row(tmp_path):
    text = "a,b,y\n1,2,a\n\n,,\n3,4,b\n   \n , ,\n5,6,a\n\n"
    table = read_table(_write(tmp_path, text))
    assert table.rows == [["1", "2", "a"], ["", "", ""], ["3", "4", "b"], [" ", " ", ""], ["5", "6", "a"]]
    assert table.lines.tolist() == [2, 4, 5, 7, 8]
    assert table.blank_lines() == [3, 6]  # between the rows; not the blank line at the end


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_blank_lines_are_found_whatever_the_line_ends_and_blocks(tmp_path, monkeypatch, end):
    import chainrule.tables.read as read

    monkeypatch.setattr(read, "_HEAD_BYTES", 3)  # line ends counted across blocks
    lines = ["a,b", "1,2", "3,4", "", "5,6", "7,8"]
    assert read_table(_write(tmp_path, end.join(lines))).blank_lines() == [4]
    del lines[3]
    assert read_table(_write(tmp_path, end.join(lines) + end, "full.csv")).blank_lines() == []


def test_a_tab_separated_record_of_empty_cells_is_a_row_and_a_short_one_is_refused(tmp_path):
    table = read_table(_write(tmp_path, "a\tb\ty\n1\t2\ta\n\t\t\n3\t4\tb\n"))
    assert table.rows == [["1", "2", "a"], ["", "", ""], ["3", "4", "b"]]
    with pytest.raises(DataError, match=r"t\.csv:3: row has 2 fields but the header has 3"):
        read_table(_write(tmp_path, "a,b,y\n1,2,a\n,\n3,4,b\n"))


def test_a_one_column_file_skips_its_blank_lines_and_says_where(tmp_path):
    table = read_table(_write(tmp_path, "a\n1\n\n2\n  \n3\n"))
    assert table.rows == [["1"], ["2"], ["3"]] and table.lines.tolist() == [2, 4, 6]
    assert table.blank_lines() == [3, 5]
    assert read_table(_write(tmp_path, "a,b\n1,2\n3,4\n")).blank_lines() == []


def test_a_row_of_empty_cells_is_refused_at_its_line_in_memory_and_in_chunks(tmp_path):
    path = _write(tmp_path, "\n".join(["x,z,y", *_rows(30), ",,", *_rows(5)]) + "\n")
    table = read_table(path)
    assert len(table) == 36
    probe, _ = Preprocessor.fit(table, "y")
    message = _error(lambda: probe.reject_missing(table, with_target=True, at_training=True))
    assert "first at line 32, column 'x', value ''" in message and "impute=" in message
    assert "t.csv:32: column 'x', value '' is missing" in _error(lambda: _streamed(path))


def test_a_row_of_empty_cells_is_filled_and_counted_with_impute(tmp_path):
    path = _write(tmp_path, "\n".join(["x,z,y", *_rows(30), ",,a", *_rows(5)]) + "\n")
    pre, _ = Preprocessor.fit(read_table(path), "y", impute="mean")
    new = read_table(_write(tmp_path, "x,z\n1,2\n,\n3,4\n", "new.csv"))
    assert pre.transform(new).shape == (3, 2)  # one row per record: none dropped
    assert fill_notes(pre, new) == [
        "filling 2 gaps in 3 rows (impute mean): 1 in 'x', 1 in 'z' with the training mean"
    ]
    streamed, _ = _streamed(path, impute="mean")
    assert streamed.numeric["x"]["fill"] == pytest.approx(pre.numeric["x"]["fill"])


# ---------------------------------------------------------------- pandas' row index
def _indexed(rows: int, name: str = "Unnamed: 0", seed: int = 0) -> str:
    """A pandas round trip of a frame sorted by its target: the row numbers in any order."""
    order = np.random.default_rng(seed).permutation(rows)
    body = [f"{order[i]},{i % 7},{'a' if i < rows // 2 else 'b'}" for i in range(rows)]
    return "\n".join([f"{name},x,y", *body]) + "\n"


@pytest.mark.parametrize("name", ["Unnamed: 0", "Unnamed: 0.1", "index"])
def test_pandas_row_index_is_left_out_with_a_note(tmp_path, name):
    path = _write(tmp_path, _indexed(40, name))
    for pre, notes in (Preprocessor.fit(read_table(path), "y"), _streamed(path)):
        assert pre.features == ["x"]
        [note] = [n for n in notes if name in n]
        assert note.startswith(
            f"column {name!r} is left out: it holds a different whole number in each of its 40 rows"
        )
    assert Preprocessor.fit(read_table(path), "y", ignore=(name,))[0].features == ["x"]


def test_ordinary_numeric_columns_are_not_taken_for_a_row_index(tmp_path):
    text = _indexed(40).replace("Unnamed: 0,", "customer,")  # a name of its own: a number
    assert Preprocessor.fit(read_table(_write(tmp_path, text)), "y")[0].numeric.keys() == {"customer", "x"}
    repeated = "\n".join(["Unnamed: 0,x,y", *(f"{i % 30},{i % 7},{'ab'[i % 2]}" for i in range(40))])
    path = _write(tmp_path, repeated + "\n", "repeated.csv")  # not one number per row
    assert "Unnamed: 0" in Preprocessor.fit(read_table(path), "y")[0].numeric
    assert "Unnamed: 0" in _streamed(path)[0].numeric
    few = _write(tmp_path, _indexed(12), "few.csv")  # fewer rows than an ID is judged on
    assert "Unnamed: 0" in Preprocessor.fit(read_table(few), "y")[0].numeric


def test_a_first_column_without_a_name_is_named_as_pandas_names_it_and_left_out_as_an_index(tmp_path):
    path = _write(tmp_path, _indexed(40, ""))  # to_csv's header: ",x,y"
    assert read_table(path).columns == ["Unnamed: 0", "x", "y"]
    for pre, notes in (Preprocessor.fit(read_table(path), "y"), _streamed(path)):
        assert pre.features == ["x"] and any(n.startswith("column 'Unnamed: 0' is left out") for n in notes)
    names = _write(
        tmp_path, "".join([",x,y\n", *(f"car {i},{i % 5},{'ab'[i % 2]}\n" for i in range(30))]), "r.csv"
    )
    pre, notes = Preprocessor.fit(read_table(names), "y")  # R's write.csv: the row names, an ID
    assert pre.features == ["x"] and any(
        "'Unnamed: 0' is left out: it has a different value" in n for n in notes
    )
    assert "column 2 has no name" in _error(lambda: read_table(_write(tmp_path, "x,,y\n1,2,a\n", "mid.csv")))


# --------------------------------------------------------------- Excel's error values
def test_spreadsheet_error_values_are_missing_in_any_case():
    texts = [*EXCEL_ERRORS, *(e.lower() for e in EXCEL_ERRORS), " #n/a ", "1.5", "#N/A!", "N/A#"]
    cells = parse_cells(pa.chunked_array([pa.array(texts)]))
    assert cells.missing.tolist() == [True] * 15 + [False] * 3
    assert cells.text.tolist() == [False] * 16 + [True] * 2


def test_excel_errors_in_a_number_column_are_gaps_in_memory_in_chunks_and_at_prediction(tmp_path):
    body = [f"{'#N/A' if i == 4 else EXCEL_ERRORS[i % 7] if i % 9 == 0 else i * 0.5},{i % 3},{'ab'[i % 2]}" for i in range(40)]  # fmt: skip
    path = _write(tmp_path, "\n".join(["e,x,y", *body]) + "\n")
    table = read_table(path)
    probe, _ = Preprocessor.fit(table, "y")  # a column of numbers, not categories
    assert "e" in probe.numeric
    message = _error(lambda: probe.reject_missing(table, with_target=True, at_training=True))
    assert "(first at line 2, column 'e', value '#N/A'); pass impute=" in message
    assert "t.csv:2: column 'e', value '#N/A' is missing" in _error(lambda: _streamed(path))
    pre, _ = Preprocessor.fit(table, "y", impute="mean")
    assert pre.numeric["e"]["fill"] == pytest.approx(_streamed(path, impute="mean")[0].numeric["e"]["fill"])
    new = read_table(_write(tmp_path, "e,x\n#DIV/0!,1\n0.5,2\n", "new.csv"))
    assert pre.transform(new)[0, 0] == pytest.approx((pre.numeric["e"]["fill"] - pre.numeric["e"]["mean"]) / pre.numeric["e"]["std"])  # fmt: skip


# ----------------------------------------------------------------------------- UTF-16
@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_with_a_byte_order_mark_read_as_utf8(tmp_path, encoding):
    text = 'x,note,y\r\n1,café,a\r\n2,"two\r\nlines",b\r\n3,thé,a\r\n'
    bom = {"utf-16-be": "\ufeff"}.get(encoding, "")  # Python writes the mark for utf-16 and utf-32
    path = _write(tmp_path, bom + text, encoding=encoding)
    expected = read_table(_write(tmp_path, text, "utf8.csv"))
    table = read_table(path)
    assert table.rows == expected.rows and table.lines.tolist() == [2, 3, 5]
    chunks = list(open_files(str(path), 2, "y").chunks())
    assert [row for chunk in chunks for row in chunk.table.rows] == expected.rows
    assert np.concatenate([chunk.table.lines for chunk in chunks]).tolist() == [2, 3, 5]


def test_utf16_without_a_byte_order_mark_is_named(tmp_path):
    path = _write(tmp_path, "x,y\n1,a\n2,b\n", encoding="utf-16-le")
    message = "looks like UTF-16 text without a byte-order mark; save the file as UTF-8 CSV"
    assert message in _error(lambda: read_table(path))
    assert message in _error(lambda: open_files(str(path), 2, "y"))


def test_a_broken_utf16_file_names_its_line(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("x,y\n1,a\n".encode("utf-16") + b"\x00\xd8\n\x00")  # a lone surrogate on line 3
    assert "t.csv:3: not UTF-16 text; save the file as UTF-8 CSV" in _error(lambda: read_table(path))


# ---------------------------------------------------------------- Unicode NFC and NFD
def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_names_and_categories_written_in_nfd_match_those_in_nfc(tmp_path):
    rows = [f"{i * 0.1:.1f},{['Zürich', 'Genève'][i % 2]},{['hoch', 'tief'][i % 3 == 0]}" for i in range(30)]
    train = read_table(_write(tmp_path, "\n".join(["Größe,Stadt,y", *rows]) + "\n"))
    pre, _ = Preprocessor.fit(train, "y")
    new = read_table(_write(tmp_path, _nfd("Größe,Stadt\n0.5,Zürich\n1,Genève\n"), "nfd.csv"))
    assert new.columns == ["Größe", "Stadt"]
    np.testing.assert_array_equal(pre.transform(new)[:, 1:], [[0, 1], [1, 0]])
    # trained on NFD, predicting NFC: the names and categories are NFC in the model
    nfd_pre, _ = Preprocessor.fit(read_table(_write(tmp_path, _nfd(train_text(rows)), "t2.csv")), "y")
    assert nfd_pre.features == ["Größe", "Stadt"] and nfd_pre.categorical["Stadt"] == ["Genève", "Zürich"]
    streamed, _ = _streamed(_write(tmp_path, _nfd(train_text(rows)), "t3.csv"))
    assert streamed.features == ["Größe", "Stadt"] and streamed.categorical["Stadt"] == ["Genève", "Zürich"]


def train_text(rows) -> str:
    return "\n".join(["Größe,Stadt,y", *rows]) + "\n"


def test_class_labels_in_nfd_are_the_nfc_labels(tmp_path):
    rows = [f"{i},{['Bäume', 'Büsche'][i % 2]}" for i in range(30)]
    pre, _ = Preprocessor.fit(read_table(_write(tmp_path, "\n".join(["x,y", *rows]) + "\n")), "y")
    new = read_table(_write(tmp_path, _nfd("x,y\n1,Büsche\n2,Bäume\n"), "new.csv"))
    assert pre.encode_target(new).tolist() == [1, 0]


def test_a_model_file_with_nfd_names_reads_them_in_nfc(tmp_path):
    stored = {
        "features": [_nfd("Größe"), "Stadt"],
        "target": "y",
        "task": "classification",
        "numeric": {_nfd("Größe"): {"mean": 0.0, "std": 1.0}},
        "categorical": {"Stadt": [_nfd("Genève"), _nfd("Zürich")]},
        "labels": ["hoch", "tief"],
    }
    pre = Preprocessor.from_dict(stored)
    assert pre.features == ["Größe", "Stadt"] and pre.categorical["Stadt"] == ["Genève", "Zürich"]
    new = read_table(_write(tmp_path, "Größe,Stadt\n0.5,Zürich\n", "new.csv"))
    np.testing.assert_array_equal(pre.transform(new), [[0.5, 0, 1]])
    both = {**stored, "categorical": {"Stadt": ["Zürich", _nfd("Zürich")]}}  # both forms: as written
    assert Preprocessor.from_dict(both).categorical["Stadt"] == ["Zürich", _nfd("Zürich")]


# -------------------------------------------------------- line numbers read in chunks
def _messy(rows: int = 100) -> str:
    lines = ["x,note,y"]
    for i in range(rows):
        note = '"two\nlines"' if i < 3 else '"say ""hi"""' if i % 10 == 4 else "ok"
        lines.append(f"{'oops' if i == 50 else i},{note},{'a' if i % 2 else 'b'}")
    lines.insert(10, "")
    lines.insert(20, "  ")
    return "\r\n".join(lines) + "\r\n"


def test_a_streamed_error_names_the_line_the_file_has(tmp_path):
    path = _write(tmp_path, _messy())
    in_memory = _error(lambda: Preprocessor.fit(read_table(path), "y"))
    assert in_memory.startswith(f"{path}:57: column 'x', value 'oops' is not a number")
    streamed = _error(lambda: _streamed(path, chunk_rows=40))
    assert streamed.startswith(f"{path}:57: column 'x', value 'oops' is not a number")


@pytest.mark.parametrize("block", [1, 5, 64])
def test_streamed_lines_equal_read_tables_whatever_the_blocks(tmp_path, monkeypatch, block):
    import chainrule.tables.csv_blocks as csv_blocks

    monkeypatch.setattr(csv_blocks, "_LINE_BYTES", block)
    text = "sep=,\n" + _messy(60).replace("oops", "50") + ',,\n"x\r\n\r\ny",z,a\n'
    path = _write(tmp_path, text)
    expected = read_table(path).lines
    files = open_files(str(path), 9, "y")
    chunks = list(files.chunks())
    assert np.concatenate([chunk.table.lines for chunk in chunks]).tolist() == expected.tolist()
    source = files.csv[0]  # asked out of order: counted again from the start when need be
    assert source.lines(30, 4).tolist() == expected[30:34].tolist()
    assert source.lines(2, 3).tolist() == expected[2:5].tolist()


def test_streamed_lines_with_irregular_quotes_come_from_the_csv_module(tmp_path):
    text = 'size,y\n12" pipe,a\n\n"two\nlines",b\n3,a\n'
    path = _write(tmp_path, text)
    chunks = list(open_files(str(path), 2, "y").chunks())
    assert (
        np.concatenate([c.table.lines for c in chunks]).tolist()
        == read_table(path).lines.tolist()
        == [2, 4, 6]
    )


def test_quoted_line_ends_across_blocks_are_read_in_chunks(tmp_path):
    text = "x,note,y\n" + "".join(f'{i},"a note\nof two lines {i}",{"ab"[i % 2]}\n' for i in range(20000))
    rows = [
        row
        for chunk in open_files(str(_write(tmp_path, text)), 5000, "y").chunks()
        for row in chunk.table.rows
    ]
    assert len(rows) == 20000 and rows[-1] == ["19999", "a note\nof two lines 19999", "b"]


# ------------------------------------------------------------- refusals with a remedy
def test_an_empty_column_is_refused_and_under_impute_left_out(tmp_path):
    path = _write(tmp_path, "\n".join(["x,y,Notes", *(f"{i},{'ab'[i % 2]}," for i in range(30))]) + "\n")
    expected = "column 'Notes' has no values (no finite numbers, no text): every one of its 30 cells is empty or missing; pass ignore='Notes'"
    assert expected in _error(lambda: Preprocessor.fit(read_table(path), "y"))
    left_out = "column 'Notes' is left out: every one of its 30 cells is empty or missing, so there is nothing to learn from it or to fill it with"
    for pre, notes in (
        Preprocessor.fit(read_table(path), "y", impute="mean"),
        _streamed(path, impute="mean"),
    ):
        assert pre.features == ["x"] and left_out in notes
    infinite = _write(
        tmp_path, "\n".join(["x,y,r", *(f"{i},{'ab'[i % 2]},inf" for i in range(30))]) + "\n", "inf.csv"
    )
    assert (
        "column 'r' has no finite numbers (its 30 values are infinite); fix them, or pass ignore='r'"
        in _error(lambda: Preprocessor.fit(read_table(infinite), "y", impute="mean"))
    )


def test_excels_sep_line_names_the_delimiter(tmp_path):
    path = _write(tmp_path, "sep=;\r\nx;y\r\n1,5;a\r\n2;b\r\n\r\n3;oops\r\n")
    table = read_table(path)
    assert table.columns == ["x", "y"] and table.rows == [["1,5", "a"], ["2", "b"], ["3", "oops"]]
    assert table.lines.tolist() == [3, 4, 6]
    files = open_files(str(path), 2, "y")
    assert files.columns == ["x", "y"]
    chunks = list(files.chunks())
    assert [row for chunk in chunks for row in chunk.table.rows] == table.rows
    assert np.concatenate([chunk.table.lines for chunk in chunks]).tolist() == [3, 4, 6]
    quoted = read_table(_write(tmp_path, '"sep=|"\nx|y\n1|a\n', "quoted.csv"))
    assert quoted.columns == ["x", "y"] and quoted.rows == [["1", "a"]]


def test_a_non_finite_regression_target_is_a_gap_no_impute_fills(tmp_path):
    path = _write(
        tmp_path, "\n".join(["x,y", *(f"{i},{'inf' if i == 5 else i * 0.37}" for i in range(30))]) + "\n"
    )
    table = read_table(path)
    pre, _ = Preprocessor.fit(table, "y", impute="mean")
    message = _error(lambda: pre.reject_missing(table, with_target=True, at_training=True))
    assert "(first at line 7, column 'y', value 'inf')" in message
    assert (
        "fill in the target (or fix it where it is not finite), or drop those rows (drop_missing=True)"
        in message
    )
    assert "impute= fills features, never the target" in message
    assert pre.missing_rows(table, with_target=True).tolist() == [5]  # what drop_missing drops
    assert "t.csv:7: column 'y', value 'inf' is missing or not finite" in _error(
        lambda: _streamed(path, impute="mean")
    )


def test_every_empty_column_is_named_at_once_with_the_one_run_that_trains(tmp_path):
    rows = [f"{i},{'' if i % 10 == 0 else 'ab'[i % 2]},," for i in range(30)]  # 3 rows without a target
    path = _write(tmp_path, "\n".join(["x,y,2012,2013", *rows]) + "\n")
    message = _error(lambda: Preprocessor.fit(read_table(path), "y"))
    assert (
        "columns '2012', '2013' have no values (no finite numbers, no text): every one of their 30 cells "
        "is empty or missing; pass ignore='2012,2013' to leave them out, or impute='median' with "
        "drop_missing=True, which leave them out, fill the other gaps and drop the 3 rows without a target"
    ) in message


@pytest.mark.parametrize("name", ["id", "PassengerId", "customer_id", "PID"])
def test_a_numeric_id_is_left_out_like_the_row_index(tmp_path, name):
    path = _write(tmp_path, _indexed(40, name))
    for pre, notes in (Preprocessor.fit(read_table(path), "y"), _streamed(path)):
        assert pre.features == ["x"]
        [note] = [n for n in notes if n.startswith(f"column {name!r} is left out")]
        assert "named like an ID" in note and "name the column otherwise to use it as a number" in note
    other = _write(tmp_path, _indexed(40, "width"), "width.csv")  # a name of its own: a number
    assert Preprocessor.fit(read_table(other), "y")[0].features == ["width", "x"]
    repeated = "\n".join(["id,x,y", *(f"{i % 30},{i % 7},{'ab'[i % 2]}" for i in range(40))]) + "\n"
    assert "id" in Preprocessor.fit(read_table(_write(tmp_path, repeated, "rep.csv")), "y")[0].numeric


def test_a_near_id_is_left_out_in_chunks_as_in_memory(tmp_path):
    # Like Titanic's Ticket: 25 of 34 rows hold a ticket of their own, a few are shared.
    tickets = [f"A/{1000 + i}" for i in range(25)] + ["PC 17599"] * 5 + ["W.C. 6608"] * 4
    rows = [f"{t},{i % 5},{'ab'[i % 2]}" for i, t in enumerate(tickets)]
    path = _write(tmp_path, "\n".join(["ticket,x,y", *rows]) + "\n")
    for pre, notes in (Preprocessor.fit(read_table(path), "y"), _streamed(path)):
        assert pre.features == ["x"]
        [note] = [n for n in notes if "'ticket'" in n]
        assert note.startswith(
            "column 'ticket' is left out: it holds a value no other row holds in 25 of its 34 rows (27 distinct values"
        )
    kept = _write(
        tmp_path,
        "\n".join(["ticket,x,y", *(f"T{i % 8},{i % 5},{'ab'[i % 2]}" for i in range(34))]) + "\n",
        "k.csv",
    )
    assert "ticket" in _streamed(kept)[0].categorical
