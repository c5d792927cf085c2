"""Parquet and chunked runs read a table as a CSV file in memory reads it (probe 17).

pandas' Parquet index, numbers too large for the dtype, floats spelled as pandas writes
them to CSV, columns of mostly text, list and struct columns, the messages about rows, and
a target written '-0.0' and '0.0'.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

from chainrule.tables.arrow_table import read_table_file
from chainrule.tables.first_pass import FirstPass
from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import DataError, read_table
from chainrule.tables.stream import Split, open_files

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pd = pytest.importorskip("pandas")


def first_pass(path, chunk_rows=64, **options) -> tuple:
    files = open_files(str(path), chunk_rows, "y")
    first = FirstPass(str(path), files.columns, "y", split=Split(0.25, 7), **options)
    for chunk in files.chunks():
        first.add(chunk)
    return first.finish()


def sorted_then_shuffled(rows: int = 300):
    """pandas' frame sorted by the target, then shuffled: its index numbers the target's order."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.standard_normal(rows), "y": ["a"] * (rows // 2) + ["b"] * (rows // 2)})
    return frame.sample(frac=1, random_state=1)


# ------------------------------------------------------------------- D1: pandas' index
def test_pandas_index_in_parquet_is_left_out_in_chunks_and_in_memory(tmp_path):
    sorted_then_shuffled().to_parquet(tmp_path / "t.parquet")
    assert pq.read_schema(tmp_path / "t.parquet").names == ["x", "y", "__index_level_0__"]
    pre, notes = first_pass(tmp_path / "t.parquet")
    assert pre.features == ["x"]
    assert any(
        n.startswith("column '__index_level_0__' is left out: it is the index pandas wrote") for n in notes
    )
    pre, notes = Preprocessor.fit(read_table_file(tmp_path / "t.parquet"), "y")
    assert pre.features == ["x"] and any("'__index_level_0__' is left out" in n for n in notes)
    sorted_then_shuffled().to_csv(tmp_path / "t.csv")
    assert pre.check_columns(read_table(tmp_path / "t.csv")) == ["Unnamed: 0"]  # predict takes the CSV


def test_a_named_pandas_index_is_known_by_the_metadata_and_the_name_alone_without_it(tmp_path):
    frame = sorted_then_shuffled().rename_axis("row").reset_index()
    frame["row"] = frame["row"] * 1.5  # not whole numbers: the metadata alone says it is the index
    frame.set_index("row").to_parquet(tmp_path / "named.parquet")
    pre, notes = first_pass(tmp_path / "named.parquet")
    assert pre.features == ["x"] and any(n.startswith("column 'row' is left out") for n in notes)
    pre, _ = first_pass(tmp_path / "named.parquet", categorical=("row",))  # categorical= keeps it
    assert "row" in pre.categorical
    bare = pa.table({"x": np.arange(40.0), "__index_level_0__": np.arange(40) * 3, "y": ["a", "b"] * 20})
    pq.write_table(bare, tmp_path / "bare.parquet")  # written without pandas' metadata
    assert first_pass(tmp_path / "bare.parquet")[0].features == ["x"]


# ------------------------------------------------------------------- D2: too large
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_number_too_large_is_refused_in_chunks_as_in_memory_without_a_warning(tmp_path, dtype):
    lines = ["x,y"] + [f"{1 + i / 10},{'ab'[i % 2]}" for i in range(40)]
    lines[3] = "1e200,a"
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as in_memory:
        Preprocessor.fit(read_table(tmp_path / "t.csv"), "y", dtype=np.dtype(dtype))
    assert f"t.csv:4: column 'x', value '1e200' is too large for {dtype}" in str(in_memory.value)
    with pytest.raises(DataError) as chunked:  # warnings and overflows raise in the tests
        first_pass(tmp_path / "t.csv", dtype=np.dtype(dtype))
    assert str(chunked.value).replace(str(tmp_path / "t.csv"), "") == str(in_memory.value).replace(
        str(tmp_path / "t.csv"), ""
    )
    pd.read_csv(tmp_path / "t.csv").to_parquet(tmp_path / "t.parquet", index=False)
    with pytest.raises(DataError, match=r"t\.parquet: row 3: column 'x', value '1e\+200' is too large"):
        first_pass(tmp_path / "t.parquet", chunk_rows=100_000, dtype=np.dtype(dtype))


def test_a_target_too_large_is_refused_in_chunks_for_regression(tmp_path):
    lines = ["x,y"] + [f"{i},{i * 1.5}" for i in range(40)]
    lines[30] = "3,1e200"
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError, match=r"t\.csv:31: column 'y', value '1e200' is too large for float32"):
        first_pass(tmp_path / "t.csv", task="regression", dtype=np.float32)


# ------------------------------------------------------------------- D3: floats as pandas writes them
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_parquet_floats_read_as_pandas_writes_them_to_csv(tmp_path, dtype):
    values = [1.0, 0.1, 1e-05, 1e20, np.nan, -0.0, 0.0, 123456789012.0, 1e16, 2.5, 1 / 3, 16777216.0, np.inf]
    frame = pd.DataFrame({"v": np.array(values, dtype=dtype), "y": ["a"] * len(values)})
    frame.to_parquet(tmp_path / "t.parquet")
    written = pd.read_csv(io.StringIO(frame.to_csv(index=False)), dtype=str, keep_default_na=False)
    assert read_table_file(tmp_path / "t.parquet").column("v") == written["v"].tolist()
    chunk = next(open_files(str(tmp_path / "t.parquet"), 100, "y").chunks())
    assert chunk.table.column("v") == written["v"].tolist()


def test_a_model_of_parquet_floats_takes_the_same_data_as_csv(tmp_path):
    frame = pd.DataFrame({"x": np.arange(60.0), "k": [1.0, 2.0, 3.0] * 20, "y": [0.0, 1.0] * 30})
    frame.to_parquet(tmp_path / "t.parquet")
    frame.to_csv(tmp_path / "t.csv", index=False)
    chunked, _ = first_pass(tmp_path / "t.parquet", categorical=("k",))
    in_memory, _ = Preprocessor.fit(read_table(tmp_path / "t.csv"), "y", categorical=("k",))
    assert chunked.labels == in_memory.labels == ["0.0", "1.0"]
    assert chunked.categorical == in_memory.categorical == {"k": ["1.0", "2.0", "3.0"]}
    chunked.transform(read_table(tmp_path / "t.csv"))
    chunked.encode_target(read_table(tmp_path / "t.csv"))


# ------------------------------------------------------------------- D4: mostly text
@pytest.mark.parametrize("first", ["4", "f"])
def test_a_column_of_mostly_text_is_categories_in_chunks_as_in_memory(tmp_path, first):
    codes = [first] + ["f", "r", "4", "s", "7", "f", "r", "s"] * 8
    lines = ["code,x,y"] + [f"{code},{i},{'ab'[i % 2]}" for i, code in enumerate(codes)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    in_memory, memory_notes = Preprocessor.fit(read_table(tmp_path / "t.csv"), "y")
    for chunk_rows in (10, 64, 1000):
        chunked, notes = first_pass(tmp_path / "t.csv", chunk_rows=chunk_rows)
        assert chunked.categorical == in_memory.categorical == {"code": ["4", "7", "f", "r", "s"]}
        note = [n for n in notes if n.startswith("column 'code' is read as categories")]
        assert note == [n for n in memory_notes if n.startswith("column 'code' is read as categories")]
    pd.read_csv(tmp_path / "t.csv", dtype={"code": str}).to_parquet(tmp_path / "t.parquet", index=False)
    assert first_pass(tmp_path / "t.parquet")[0].categorical == in_memory.categorical
    with_gaps = [*lines, ",100,a", ",101,b"]  # two gaps in code
    (tmp_path / "gaps.csv").write_text("\n".join(with_gaps) + "\n")
    chunked, _ = first_pass(tmp_path / "gaps.csv", chunk_rows=10, impute="mean")
    assert chunked.categorical_fill["code"] in chunked.categorical["code"]


def test_a_column_of_mostly_numbers_with_some_text_is_still_refused_in_chunks(tmp_path):
    lines = ["x,y"] + [f"{i},{'ab'[i % 2]}" for i in range(50)] + ["abc,a", "def,b"]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataError, match=r"t\.csv:52: column 'x', value 'abc' is not a number; 50 other values"
    ):
        first_pass(tmp_path / "t.csv", chunk_rows=10)


# ------------------------------------------------------------------- D5: list and struct columns
@pytest.mark.parametrize(
    "column, kind",
    [(pa.array([[1, 2], [3]] * 20), "list<"), (pa.array([{"a": 1}, {"a": 2}] * 20), "struct<")],
)
def test_a_list_or_struct_column_is_named_with_its_type_and_ignore(tmp_path, column, kind):
    pq.write_table(
        pa.table({"x": np.arange(40.0), "tags": column, "y": ["a", "b"] * 20}), tmp_path / "t.parquet"
    )
    with pytest.raises(
        DataError, match=rf"t\.parquet: column 'tags' holds values of type {kind}.*ignore='tags'"
    ):
        first_pass(tmp_path / "t.parquet")
    with pytest.raises(DataError, match=r"column 'tags' holds values of type"):
        Preprocessor.fit(read_table_file(tmp_path / "t.parquet"), "y")
    assert first_pass(tmp_path / "t.parquet", ignore=("tags",))[0].features == ["x"]
    assert Preprocessor.fit(read_table_file(tmp_path / "t.parquet"), "y", ignore=("tags",))[0].features == [
        "x"
    ]


# ------------------------------------------------------------------- D7: messages about rows
def test_an_empty_column_under_drop_missing_is_named_in_chunks(tmp_path):
    lines = ["x,empty,y"] + [f"{i},,{'ab'[i % 2]}" for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataError, match=r"column 'empty' has no values.*60 cells.*ignore='empty'.*impute='mean'"
    ):
        first_pass(tmp_path / "t.csv", drop_missing=True)


def test_one_row_is_too_few_to_hold_out_test_rows_in_chunks_as_in_memory(tmp_path):
    (tmp_path / "t.csv").write_text("x,y\n1.5,10\n")
    with pytest.raises(DataError, match=r"t\.csv: 1 rows are too few to hold out test_size=0\.25"):
        first_pass(tmp_path / "t.csv", chunk_rows=2)


# ------------------------------------------------------------------- D8: '-0.0' and '0.0'
def test_a_whole_number_target_with_minus_zero_names_task_regression_when_inferred(tmp_path):
    values = [-1.0, -0.0, 0.0, 1.0, 2.0] * 8
    pd.DataFrame({"x": np.arange(40.0), "y": values}).to_csv(tmp_path / "t.csv", index=False)
    table = read_table(tmp_path / "t.csv")
    with pytest.raises(DataError, match=r"'-0\.0' and '0\.0'.*pass task='regression'"):
        Preprocessor.fit(table, "y")
    with pytest.raises(DataError, match=r"'-0\.0' and '0\.0'.*pass task='regression'"):
        first_pass(tmp_path / "t.csv")
    with pytest.raises(DataError, match=r"write each class one way$"):  # the task was asked for
        Preprocessor.fit(table, "y", task="classification")
    assert Preprocessor.fit(table, "y", task="regression")[0].task == "regression"


def test_a_parquet_column_of_numbers_is_read_once_by_its_type_never_from_its_text(tmp_path):
    """Its numbers need no number format, and spelling 300,000 floats as text to parse them
    back took a streamed Parquet run from 9 s to 30 s: every format gets the typed cells."""
    import pandas as pd

    path = tmp_path / "floats.parquet"
    pd.DataFrame({"x": np.linspace(-1, 1, 1000), "c": ["a", "b"] * 500}).to_parquet(path)
    table = read_table_file(path)
    plain = table.cells("x")
    table.parse(["x", "c"], {"decimal": ","})
    assert table.cells("x", {"decimal": ","}) is plain
    assert "x" not in table._shared.data.texts  # never spelled as text
    np.testing.assert_array_equal(plain.numbers, np.linspace(-1, 1, 1000))
