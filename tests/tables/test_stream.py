"""Streamed tables: the chunks, the split, and the first pass's statistics against NumPy's."""

from __future__ import annotations

import os

import numpy as np
import pytest

from chainrule.tables.arrow_table import read_table_file
from chainrule.tables.first_pass import FirstPass
from chainrule.tables.preprocess import Preprocessor, category_names
from chainrule.tables.read import DataError, read_table
from chainrule.tables.running import Moments, RunningScores
from chainrule.tables.stream import Split, open_files

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
pv = pytest.importorskip("pyarrow.csv")


def frame(rng, n: int, start: int = 0) -> dict:
    """A table with numbers (some missing), a category and a numeric target."""
    a = rng.normal(3.0, 2.0, n)
    a[rng.random(n) < 0.05] = np.nan
    colour = rng.choice(["red", "green", "blue"], n).astype(object)
    b = rng.integers(0, 100, n)
    y = a * 0.5 + b * 0.01 + rng.normal(0, 0.1, n)
    y = np.where(np.isnan(y), 1.0, y)
    return {"a": a, "b": b, "colour": colour, "y": y}


def write_parquet(directory, rng, sizes, row_group_size=300):
    """Parquet files of ``sizes`` rows each; returns their concatenated columns."""
    parts = []
    for index, n in enumerate(sizes):
        part = frame(rng, n)
        pq.write_table(pa.table(part), directory / f"part{index}.parquet", row_group_size=row_group_size)
        parts.append(part)
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def first_pass(files, **options) -> tuple:
    defaults = {"target": "y", "split": Split(0.25, 7)}
    defaults.update(options)
    first = FirstPass("data", files.columns, **defaults)
    for chunk in files.chunks():
        first.add(chunk)
    return first, *first.finish()


def test_parquet_chunks_cover_every_row_once_in_order(tmp_path, rng):
    whole = write_parquet(tmp_path, rng, [500, 1200, 90])
    files = open_files(str(tmp_path / "*.parquet"), 250, "y")
    chunks = list(files.chunks())
    assert max(len(c.table) for c in chunks) <= 250
    starts = np.concatenate([c.rows for c in chunks])
    np.testing.assert_array_equal(starts, np.arange(1790))
    b = np.concatenate([c.table.cells("b").numbers for c in chunks])
    np.testing.assert_array_equal(b, whole["b"])
    # any order of the units gives the same rows at the same global indices
    shuffled = list(files.chunks(np.random.default_rng(1).permutation(len(files.units))))
    by_start = {c.start: c.table.cells("b").numbers for c in shuffled}
    np.testing.assert_array_equal(np.concatenate([by_start[s] for s in sorted(by_start)]), whole["b"])


def test_first_pass_statistics_equal_numpys_on_the_concatenated_training_rows(tmp_path, rng):
    whole = write_parquet(tmp_path, rng, [700, 1000, 333])
    files = open_files(str(tmp_path / "*.parquet"), 128, "y")
    first, pre, _ = first_pass(files, impute="mean")
    test = Split(0.25, 7).test(np.arange(len(whole["y"])))
    train = ~test
    a = whole["a"][train]
    a = a[np.isfinite(a)]
    assert pre.numeric["a"]["mean"] == pytest.approx(np.mean(a), rel=1e-13)
    assert pre.numeric["a"]["std"] == pytest.approx(np.std(a), rel=1e-13)
    assert pre.numeric["a"]["fill"] == pytest.approx(np.mean(a), rel=1e-13)
    assert pre.numeric["b"]["std"] == pytest.approx(np.std(whole["b"][train]), rel=1e-13)
    assert pre.target_mean == pytest.approx(np.mean(whole["y"][train]), rel=1e-13)
    assert pre.target_std == pytest.approx(np.std(whole["y"][train]), rel=1e-13)
    assert pre.categorical == {"colour": ["blue", "green", "red"]}
    values, counts = np.unique(whole["colour"][train].astype(str), return_counts=True)
    assert pre.categorical_fill == {"colour": values[np.argmax(counts)]}
    assert pre.task == "regression" and first.rows["test"] == int(test.sum())
    assert 0.2 < test.mean() < 0.3


def test_first_pass_over_a_chunked_csv_equals_preprocessor_fit_in_memory(tmp_path, rng):
    whole = frame(rng, 2500)
    whole["y"] = (whole["y"] > 1.5).astype(int) + (whole["y"] > 2.5)  # three classes
    pv.write_csv(pa.table(whole), tmp_path / "big.csv")
    files = open_files(str(tmp_path / "big.csv"), 300, "y")
    _, streamed, _ = first_pass(files, impute="mean", task="classification", categorical=("b",))
    table = read_table(tmp_path / "big.csv")
    train = table.select_rows(np.flatnonzero(~Split(0.25, 7).test(np.arange(len(table)))))
    vocabulary = category_names(table, ["colour", "b"])
    in_memory, _ = Preprocessor.fit(train, "y", "classification", ("b",), "mean", categories=vocabulary)
    assert streamed.categorical == in_memory.categorical
    assert streamed.categorical_fill == in_memory.categorical_fill
    for key in ("mean", "std", "fill"):
        assert streamed.numeric["a"][key] == pytest.approx(in_memory.numeric["a"][key], rel=1e-13)
    assert streamed.labels == in_memory.labels == ["0", "1", "2"]


def test_moments_merge_is_stable_far_from_zero(rng):
    values = 1e9 + rng.normal(0, 1e-3, 10_000)
    moments = Moments()
    for piece in np.array_split(values, 37):
        moments.add(piece)
    assert moments.mean == pytest.approx(values.mean(), rel=1e-15)
    assert moments.std == pytest.approx(values.std(), rel=1e-6)


def test_running_scores_equal_the_whole_arrays_scores(rng):
    from chainrule.tables import metrics

    pre = Preprocessor(features=["x"], target="y", task="classification", labels=["a", "b", "c"])
    true = rng.integers(0, 3, 1000)
    outputs = rng.random((1000, 3))
    scores = RunningScores(pre)
    for rows in np.array_split(np.arange(1000), 7):
        scores.add(true[rows], outputs[rows], 0.5)
    result = scores.result()
    predicted = outputs.argmax(axis=1)
    assert result["accuracy"] == metrics.accuracy(true, predicted)
    assert result["per_class"] == metrics.class_report(true, predicted, pre.labels)
    assert result["loss"] == pytest.approx(0.5)
    regression = Preprocessor(features=["x"], target="y", task="regression", target_mean=2.0, target_std=3.0)
    true, outputs = rng.normal(size=500), rng.normal(size=(500, 1))
    scores = RunningScores(regression)
    for rows in np.array_split(np.arange(500), 6):
        scores.add(true[rows], outputs[rows], 1.0)
    exact = regression.decode_regression(true), regression.decode_regression(outputs)
    assert scores.result()["r2"] == pytest.approx(metrics.r2_score(*exact), rel=1e-12)
    assert scores.result()["mae"] == pytest.approx(metrics.mean_absolute_error(*exact), rel=1e-12)


def test_split_depends_on_the_seed_and_row_only():
    rows = np.arange(100_000)
    test = Split(0.2, 3).test(rows)
    np.testing.assert_array_equal(Split(0.2, 3).test(rows[500:900]), test[500:900])
    assert abs(test.mean() - 0.2) < 0.01
    assert (Split(0.2, 4).test(rows) != test).any()


def test_a_new_category_in_a_later_chunk_is_learned(tmp_path):
    lines = ["x,c,y"] + [f"{i},a,{i % 2}" for i in range(50)] + ["3,late,1"]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    _, pre, _ = first_pass(open_files(str(tmp_path / "t.csv"), 10, "y"))
    assert pre.categorical == {"c": ["a", "late"]}


def test_text_in_a_later_chunk_of_a_numeric_column_names_the_file_and_line(tmp_path):
    lines = ["x,y"] + [f"{i},{i % 2}" for i in range(50)] + ["abc,1"]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataError, match=r"t\.csv:52: column 'x', value 'abc' is not a number.*categorical='x'"
    ):
        first_pass(open_files(str(tmp_path / "t.csv"), 10, "y"))


def test_median_is_refused_in_one_line(tmp_path, rng):
    write_parquet(tmp_path, rng, [100])
    with pytest.raises(
        ValueError, match="impute 'median' needs each column whole in memory; with chunk_rows="
    ):
        first_pass(open_files(str(tmp_path / "*.parquet"), 50, "y"), impute="median")


def test_a_file_changed_between_passes_is_named(tmp_path, rng):
    write_parquet(tmp_path, rng, [100, 100])
    files = open_files(str(tmp_path / "*.parquet"), 50, "y")
    list(files.chunks())
    path = tmp_path / "part1.parquet"
    os.utime(path, ns=(0, os.stat(path).st_mtime_ns + 10**9))
    with pytest.raises(DataError, match=r"part1\.parquet: changed since the first pass"):
        list(files.chunks())


def test_a_file_appended_to_during_a_pass_is_refused_when_the_pass_ends(tmp_path):
    # The last pass (scoring) has no pass after it to notice: rows appended while it reads
    # would be scored as if training had seen them.
    path = tmp_path / "t.csv"
    path.write_text("x,y\n" + "".join(f"{i},{i % 2}\n" for i in range(100)))
    files = open_files(str(path), 30, "y")
    list(files.chunks())
    with pytest.raises(DataError, match=r"t\.csv: changed since the first pass"):
        for number, _ in enumerate(files.chunks()):
            if number == 0:
                with open(path, "a") as appending:
                    appending.write("".join(f"{i},{i % 2}\n" for i in range(100, 110)))


# ------------------------------------------- the streamed reader reads what read_table reads
def test_duplicate_column_names_are_refused_as_in_memory(tmp_path):
    (tmp_path / "t.csv").write_text("x1, x1 ,c,y\n1,2,a,0\n")
    with pytest.raises(
        DataError, match=r"t\.csv:1: column 'x1' appears twice \(columns 1 and 2\); rename one"
    ):
        open_files(str(tmp_path / "t.csv"), 10, "y")
    pq.write_table(pa.table([[1.0], [2.0], [0]], names=["x1", "x1", "y"]), tmp_path / "t.parquet")
    with pytest.raises(DataError, match=r"t\.parquet: column 'x1' appears twice"):
        open_files(str(tmp_path / "t.parquet"), 10, "y")


def test_header_names_are_stripped_as_in_memory(tmp_path):
    lines = [" x1 ,x2,  colour,y "] + [f"{i},{i % 3},{'ab'[i % 2]},{i % 2}" for i in range(30)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    files = open_files(str(tmp_path / "t.csv"), 7, "y")
    assert files.columns == read_table(tmp_path / "t.csv").columns == ["x1", "x2", "colour", "y"]
    chunks = list(files.chunks())
    assert chunks[0].table.columns == ["x1", "x2", "colour", "y"]
    np.testing.assert_array_equal(
        np.concatenate([c.table.cells("x1").numbers for c in chunks]), np.arange(30)
    )
    _, pre, _ = first_pass(files)
    assert pre.features == ["x1", "x2", "colour"] and pre.categorical == {"colour": ["a", "b"]}


def test_an_id_column_is_left_out_as_in_memory_unless_categorical(tmp_path):
    lines = ["x,id,y"] + [f"{i % 7},row{i},{i % 2}" for i in range(60)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    _, pre, notes = first_pass(open_files(str(tmp_path / "t.csv"), 10, "y"), split=Split(0.0, 7))
    assert pre.features == ["x"]
    assert any(
        n.startswith("column 'id' is left out: it has a different value in each of its 60 rows")
        for n in notes
    )
    _, pre, _ = first_pass(open_files(str(tmp_path / "t.csv"), 10, "y"), categorical=("id",))
    assert len(pre.categorical["id"]) == 60


def test_a_column_of_more_categories_than_can_be_kept_is_left_out_in_chunks(tmp_path, monkeypatch):
    import chainrule.tables.column_facts as column_facts

    monkeypatch.setattr(column_facts, "MAX_CATEGORIES", 30)  # where the first pass keeps a column
    lines = ["x,code,y"] + [f"{i % 7},c{i // 2},{i % 2}" for i in range(90)]  # 45 codes, each twice
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    _, pre, notes = first_pass(open_files(str(tmp_path / "t.csv"), 10, "y"), split=Split(0.0, 7))
    assert pre.features == ["x"] and "code" not in pre.categorical
    assert (
        "column 'code' is left out: it has more than 30 distinct values (encode it as numbers to use it)"
        in notes
    )


def test_a_cp1252_file_is_read_as_in_memory(tmp_path):
    lines = ["x,colour,y"] + [f"{i},{['café', 'thé'][i % 2]},{i % 2}" for i in range(40)]
    (tmp_path / "t.csv").write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    chunks = list(open_files(str(tmp_path / "t.csv"), 10, "y").chunks())
    texts = [text for chunk in chunks for text in chunk.table.column("colour")]
    assert texts == read_table(tmp_path / "t.csv").column("colour") == ["café", "thé"] * 20
    (tmp_path / "bad.csv").write_bytes(b"x,y\n1,0\n2,\x81\x8d\xff\n")
    with pytest.raises(DataError, match=r"bad\.csv:3: not UTF-8 text; save the file as UTF-8 CSV"):
        open_files(str(tmp_path / "bad.csv"), 10, "y")
    (tmp_path / "u16.csv").write_bytes("x,y\n1,0\n".encode("utf-16"))  # a byte-order mark: read
    assert [c.table.rows for c in open_files(str(tmp_path / "u16.csv"), 10, "y").chunks()] == [[["1", "0"]]]
    (tmp_path / "u16.csv").write_bytes("x,y\n1,0\n".encode("utf-16-le"))  # none: named, not read
    with pytest.raises(DataError, match=r"u16\.csv: looks like UTF-16 text without a byte-order mark; save"):
        open_files(str(tmp_path / "u16.csv"), 10, "y")


def test_a_parquet_file_reads_whole_with_booleans_and_dates_spelled_as_pandas_writes_them(tmp_path):
    import datetime

    days = [datetime.datetime(2020, 1, 1 + i % 3) for i in range(6)]
    moment = [datetime.datetime(2020, 1, 1, 12, 30, 5)] * 6
    data = {"x": [0.5, 1.0, None, 2.0, 3.0, 4.0], "flag": [True, False] * 3, "when": days, "at": moment}
    pq.write_table(pa.table({**data, "y": [0, 1] * 3}), tmp_path / "t.parquet")
    table = read_table_file(tmp_path / "t.parquet")
    assert table.columns == ["x", "flag", "when", "at", "y"] and len(table) == 6
    assert table.column("flag")[:2] == ["True", "False"]
    assert table.column("when")[:2] == ["2020-01-01", "2020-01-02"]
    assert table.column("at")[0] == "2020-01-01 12:30:05"
    assert table.cells("x").missing.tolist() == [False, False, True, False, False, False]
    chunk = next(open_files(str(tmp_path / "t.parquet"), 10, "y").chunks())
    assert chunk.table.column("flag") == table.column("flag")
    assert chunk.table.column("when") == table.column("when")


def test_any_whole_seed_splits_rows():
    from chainrule.tables.stream import row_hash

    rows = np.arange(1000)
    for seed in (2**63, 2**64 + 5, 2**70):
        assert row_hash(rows, seed, 0).dtype == np.uint64  # no OverflowError
    assert (row_hash(rows, 2**64 + 5, 1) == row_hash(rows, 5, 1)).all()  # modulo 2⁶⁴ of 2 seed + stream


@pytest.mark.parametrize("chunk_rows", [None, 7])
def test_a_target_of_ids_or_one_number_is_refused_in_memory_and_in_chunks(tmp_path, chunk_rows):
    from chainrule.workflow.train import TrainConfig, train_table

    ids = tmp_path / "ids.csv"
    ids.write_text("x,y\n" + "".join(f"{i % 5},name{i}\n" for i in range(40)) + "1,name0\n")
    constant = tmp_path / "constant.csv"
    constant.write_text("x,y\n" + "".join(f"{i},1.5\n" for i in range(40)))

    def train(path):
        if chunk_rows is None:
            return train_table(read_table(path), TrainConfig(target="y", verbose=0, epochs=1))
        return first_pass(open_files(str(path), chunk_rows, "y"), split=Split(0.2, 0))

    id_message = r"target 'y' holds a class no other row holds in 39 of its 41 rows \(40 classes, e.g. 'name1"
    with pytest.raises(DataError, match=id_message + r".*task='regression'.*target="):
        train(ids)
    with pytest.raises(
        DataError, match=r"target 'y' holds the same number \(1\.5\) in all \d+ .*nothing to predict"
    ):
        train(constant)


def test_a_target_is_judged_from_twenty_rows_on_and_by_most_of_its_rows():
    from chainrule.tables.infer import unlearnable_classes

    assert unlearnable_classes("y", np.ones(19, dtype=int), "a") is None  # too few rows to judge
    assert unlearnable_classes("y", np.array([1] * 10 + [2] * 5), "a") is None  # 10 of 20 rows: not most
    assert unlearnable_classes("y", np.array([1] * 11 + [3] * 3), "a").startswith(
        "target 'y' holds a class no"
    )


def test_numbers_written_another_way_are_refused_in_chunks_naming_the_option(tmp_path):
    lines = ["share,y"] + [f"{i * 1.5:.1f}%,{i % 2}" for i in range(40)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataError, match=r"column 'share' holds numbers written as text \('0.0%'\).*percent=True"
    ):
        first_pass(open_files(str(tmp_path / "t.csv"), 10, "y"))
    _, pre, _ = first_pass(open_files(str(tmp_path / "t.csv"), 10, "y"), categorical=("share",))
    assert len(pre.categorical["share"]) == 40


@pytest.mark.parametrize("sep_line", [False, True])
@pytest.mark.parametrize("rows", [30, 3000])  # the bad row in the first block, or far past it
def test_a_row_of_the_wrong_width_names_its_line_in_chunks_as_in_memory(tmp_path, sep_line, rows):
    lines = (["sep=,"] if sep_line else []) + ["a,b,y"] + [f"{i},{i},{i % 2}" for i in range(rows)]
    lines += ["", "", "1,2,3,4", *["5,6,1"] * 5]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    bad = len(lines) - 5  # 1-based: the line of "1,2,3,4"
    with pytest.raises(DataError) as in_memory:
        read_table(tmp_path / "t.csv")
    with pytest.raises(DataError) as in_chunks:
        first_pass(open_files(str(tmp_path / "t.csv"), 10, "y"))
    assert str(in_chunks.value) == str(in_memory.value)
    assert str(in_chunks.value).endswith(
        f"t.csv:{bad}: row has 4 fields but the header has 3; fix the row "
        "(a value containing the delimiter needs quotes)"
    )
