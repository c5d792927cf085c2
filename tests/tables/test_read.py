"""Reading CSV with Arrow: the same cells, line numbers and errors as the csv module gave."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from chainrule.tables.cells import parse_cells, parse_number
from chainrule.tables.read import DataError, read_table

pa = pytest.importorskip("pyarrow")


def _write(tmp_path, text: str, name: str = "t.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _csv_rows(text: str, delimiter: str = ","):
    """(line, cells) of every record after the header that is not a blank line (white space
    without a delimiter), by the csv module: a record of empty cells (``,,``) is a row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out, start = [], 1
    for record in reader:
        line, start = start, reader.line_num + 1
        if len(record) > 1 or any(cell.strip() for cell in record):
            out.append((line, record))
    return out[1:]


def test_quoted_newlines_crlf_and_blank_lines_keep_cells_and_line_numbers(tmp_path):
    text = '\r\na,b,c\r\n1,"two\r\nlines",x\r\n\r\n,,\r\n3,"say ""hi""",y\r\n   \r\n4,"a\nb\nc",z\r\n5, 6 ,w'
    table = read_table(_write(tmp_path, text))
    expected = _csv_rows(text)
    assert table.columns == ["a", "b", "c"]
    assert table.rows == [cells for _, cells in expected]
    assert table.lines.tolist() == [line for line, _ in expected]


def test_a_quote_inside_an_unquoted_cell_is_a_literal_quote(tmp_path):
    text = 'size,label\n12" pipe,a\n3,b\n"x",c\n'
    table = read_table(_write(tmp_path, text))
    assert table.column("size") == ['12" pipe', "3", "x"]
    assert table.lines.tolist() == [2, 3, 4]


def test_windows_1252_files_are_read_when_they_are_not_utf8(tmp_path):
    path = _write(tmp_path, "name,label\ncafé,a\nnaïve,b\n", encoding="cp1252")
    assert read_table(path).column("name") == ["café", "naïve"]


def test_a_bad_row_far_down_a_big_file_names_its_line(tmp_path):
    lines = ["x,y"] + [f"{i},{i % 3}" for i in range(50_000)]
    lines[40_001] = '7,"two\nlines"'  # a quoted newline shifts every line after it
    lines[45_000] = "1,2,3"
    with pytest.raises(DataError, match=r":45002: row has 3 fields but the header has 2"):
        read_table(_write(tmp_path, "\n".join(lines) + "\n"))


@pytest.mark.parametrize(
    "text",
    ["1", " 2 ", "+3.5", "-.5", "5.", "1e-3", "1E+3", "inf", "-Infinity", "1e999", "NaN", "NA", " n/a ",
     "", "?", "-", "null", "None", "abc", "1,5", "0x10", "1d", "e5", ".", "--1"],
)  # fmt: skip
def test_the_vectorised_parse_reads_each_cell_as_parse_number_does(text):
    cells = parse_cells(pa.chunked_array([pa.array([text, "1"])]))
    number = parse_number(text)
    if number is None:
        assert cells.text[0] and not cells.missing[0]
    elif np.isnan(number):
        assert cells.missing[0] and not cells.text[0]
    else:
        assert cells.numbers[0] == number and not cells.text[0] and not cells.missing[0]


@pytest.mark.parametrize("suffix", ["gz", "bz2", "xz"])
def test_a_compressed_csv_reads_as_its_text_and_its_errors_name_the_line(tmp_path, suffix):
    import bz2
    import gzip
    import lzma

    compress = {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress}[suffix]
    text = 'x,colour,y\n1,red,0\n\n2,"blue\ngreen",1\n3,red,0\n'
    plain, packed = tmp_path / "t.csv", tmp_path / f"t.csv.{suffix}"
    plain.write_text(text)
    packed.write_bytes(compress(text.encode()))
    a, b = read_table(plain), read_table(packed)
    assert [a.column(c) for c in a.columns] == [b.column(c) for c in b.columns]
    assert list(a.lines) == list(b.lines) == [2, 4, 6] and b.blank_lines() == [3]
    ragged = tmp_path / f"ragged.csv.{suffix}"
    ragged.write_bytes(compress(b"x,y\n1,2\n3,4,5\n"))
    with pytest.raises(DataError, match=rf"ragged.csv.{suffix}:3"):
        read_table(ragged)


def test_a_zip_archive_or_a_damaged_gzip_file_says_what_to_do(tmp_path):
    import gzip
    import zipfile

    with zipfile.ZipFile(tmp_path / "t.zip", "w") as archive:
        archive.writestr("t.csv", "x,y\n1,2\n")
    with pytest.raises(DataError, match=r"t.zip: is a zip archive; unzip it and give the CSV file inside$"):
        read_table(tmp_path / "t.zip")
    (tmp_path / "cut.csv.gz").write_bytes(gzip.compress(b"x,y\n" + b"1,2\n" * 1000)[:30])
    with pytest.raises(DataError, match=r"cut.csv.gz: is a damaged gzip file .*; compress it again$"):
        read_table(tmp_path / "cut.csv.gz")


def test_a_delimiter_ending_every_line_leaves_no_column_and_a_named_value_there_is_refused(tmp_path):
    (tmp_path / "t.csv").write_text("x;colour;y;\n1;red;0;\n\n2;blue;1; \n")
    table = read_table(tmp_path / "t.csv")
    assert table.columns == ["x", "colour", "y"] and table.column("y") == ["0", "1"]
    assert list(table.lines) == [2, 4]
    (tmp_path / "filled.csv").write_text("x,y,\n1,0,\n2,1,7\n")
    with pytest.raises(DataError, match=r"^.*filled.csv:1: column 3 has no name; give every column a name$"):
        read_table(tmp_path / "filled.csv")
