"""CSV files read in blocks: every record once, in order, whatever its length; read-ahead bounded."""

from __future__ import annotations

import time

import numpy as np
import pytest

from chainrule.tables.csv_blocks import BLOCK, CsvSource
from chainrule.tables.stream import open_files

pa = pytest.importorskip("pyarrow")
pv = pytest.importorskip("pyarrow.csv")


def source(path, block: int) -> CsvSource:
    texts = {name: pa.string() for name in ("id", "note")}
    return CsvSource(
        str(path), pv.ParseOptions(), pv.ConvertOptions(column_types=texts, strings_can_be_null=False), block
    )


def test_a_record_longer_than_the_block_is_read_with_larger_blocks_once(tmp_path):
    notes = ["short"] * 300
    notes[200] = "x" * 5000  # after several blocks of short lines have been handed out
    (tmp_path / "t.csv").write_text("id,note\n" + "".join(f"{i},{n}\n" for i, n in enumerate(notes)))
    csv = source(tmp_path / "t.csv", block=1024)
    batches = list(csv.batches(["note", "id"]))
    table = pa.Table.from_batches(batches)
    assert table.column_names == ["note", "id"]
    assert table.column("id").to_pylist() == [str(i) for i in range(300)]
    assert table.column("note").to_pylist() == notes
    grown = csv.block
    assert grown > 1024
    assert sum(b.num_rows for b in csv.batches(["id"])) == 300 and csv.block == grown  # kept


def test_a_header_longer_than_the_block_is_read(tmp_path):
    names = [f"column_{i:04d}" for i in range(200)]
    (tmp_path / "wide.csv").write_text(",".join(names) + "\n" + ",".join("1" * 200) + "\n")
    assert CsvSource(str(tmp_path / "wide.csv"), pv.ParseOptions(), block=256).names() == names


def test_a_long_record_in_a_later_chunk_of_a_file_set(tmp_path):
    long = "y" * (BLOCK + 1000)
    rows = [f"{i},{long if i == 150 else 'ok'},{i % 2}" for i in range(400)]
    (tmp_path / "t.csv").write_text("a,note,y\n" + "\n".join(rows) + "\n")
    files = open_files(str(tmp_path / "t.csv"), 100, "y")
    for _ in range(2):  # the first pass grows the blocks, the second starts with them
        chunks = list(files.chunks())
        assert [c.start for c in chunks] == [0, 100, 200, 300]
        a = np.concatenate([c.table.cells("a").numbers for c in chunks])
        np.testing.assert_array_equal(a, np.arange(400))


def test_the_read_ahead_stays_within_32_blocks(tmp_path):
    """Arrow's reader queues up to 32 blocks; with 1 MiB blocks this 20 MB file was queued whole."""
    n = 600_000
    table = pa.table({"id": np.arange(n).astype(str), "note": np.full(n, "a note of some length")})
    pv.write_csv(table, tmp_path / "big.csv")  # about 20 MB
    del table
    csv, held = source(tmp_path / "big.csv", BLOCK), pa.total_allocated_bytes()
    most = 0
    for index, _ in enumerate(csv.batches(["id"])):
        if index < 20:
            time.sleep(0.002)  # a slow consumer: the background reader fills its queue
        most = max(most, pa.total_allocated_bytes() - held)
    assert most < 10 << 20  # 32 blocks of 256 KiB queued, one read, the batch in hand
