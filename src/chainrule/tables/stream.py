"""Tables too large for memory: Parquet or CSV files read chunk by chunk, by pyarrow.

``open_files`` takes a glob (``'data/*.parquet'``), one file or a list of files, checks
that every file can be opened, holds the target and the same columns as the first, and
returns a ``FileSet``. Its ``chunks`` are ``Table``s of at most ``chunk_rows`` rows, each
from one file, so the usual column code (``Table.cells``, ``Preprocessor.transform``)
runs on them and every error names the file. Only one chunk (and Arrow's read-ahead) is
in memory at a time.

- **Reading units.** A Parquet file is read row group by row group (the dataset scanner), a
  CSV file front to back (``tables.csv_blocks``, Arrow's streaming reader: CSV has no
  random access). ``chunks(order)`` takes the units in any order: that is
  how training shuffles the chunk order each epoch. A unit's rows are cut into chunks of
  ``chunk_rows``; a unit never spans files.
- **Names and cells.** CSV cells are read as text, as ``read_table`` reads them
  (``CsvSource.of``: the delimiter guessed from the header among , ; tab | or named by
  Excel's ``sep=`` line; blank lines skipped, a record of empty cells a row of gaps; UTF-8,
  Windows-1252, or UTF-16 with a byte-order mark, decided by one scan of the file when it
  is opened). Names and Parquet cells are read as ``tables.arrow_table`` reads them:
  names stripped of white space (an empty or repeated one refused, as by ``read_table``),
  columns of numbers as numbers, booleans and timestamps as pandas writes them to CSV.
- **Row numbers.** Every row has a global index (its position counting through the files in
  order), which ``Split`` hashes for the test and validation rows, so which rows are held
  out depends on the seed alone, not on the chunk size or the reading order. In messages a
  Parquet row is ``file:row`` (1 = the first row) and a CSV row ``file:line``, the line the
  file has (blank lines and quoted line ends counted), found only when a message needs it.
- **Files that change.** Training reads the files several times; each pass checks that no
  file's size or modification time changed since the first (``DataError`` naming it).
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from functools import partial

import numpy as np

from .arrow_table import arrow_table, pandas_index, reason
from .cells import arrow
from .csv_blocks import CsvSource
from .read import DataError, Table, checked_names

__all__ = ["FileSet", "Chunk", "Split", "open_files", "is_streamed", "FORMATS"]

#: Bytes of a Parquet file read at a time while its pages are decoded.
PAGE_BUFFER = 1 << 20
#: File name endings read by the streaming reader, and their format.
FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv", ".txt": "csv"}


def is_streamed(data: str) -> bool:
    """Whether a DATA argument must be streamed: a glob pattern, or a Parquet file."""
    return glob.has_magic(data) or FORMATS.get(os.path.splitext(data)[1].lower()) == "parquet"


@dataclass
class Chunk:
    """Rows ``start .. start + len(table)`` (global indices) of one file, as a Table."""

    table: Table
    start: int

    @property
    def rows(self) -> np.ndarray:
        return np.arange(self.start, self.start + len(self.table), dtype=np.int64)


@dataclass
class _Unit:
    """A piece of one file read on its own: a Parquet row group, or a whole CSV file."""

    file: int
    row_group: int | None  # the Parquet row group's index in its file; None for a CSV file
    offset: int | None  # global index of its first row; None until the first pass counts a CSV file
    line: int  # the line (CSV) or row (Parquet) number of its first row in the file


class FileSet:
    """The files of a streamed table: their columns, reading units and row counts."""

    def __init__(self, paths: list[str], chunk_rows: int, target: str | None = None):
        self.paths, self.chunk_rows = paths, chunk_rows
        self.formats = [FORMATS[os.path.splitext(p)[1].lower()] for p in paths]
        self.stamps = [_stamp(p) for p in paths]
        self.parquet: dict[int, list[int]] = {}  # index: its row groups' row counts
        self.csv: dict[int, CsvSource] = {}
        self.written: dict[int, dict[str, str]] = {}  # index: each stripped name as the file writes it
        self.index: dict[int, tuple] = {}  # index: the columns of pandas' index in a Parquet file
        opened = [self._open(i) for i in range(len(paths))]
        self.columns = opened[0]
        for index, names in enumerate(opened):
            if target is not None and target not in names:
                raise DataError(
                    f"{paths[index]}: no column {target!r} (the target); columns are {', '.join(names)}; "
                    "every file needs the target column"
                )
            if set(names) != set(self.columns):
                missing = [c for c in self.columns if c not in names]
                extra = [c for c in names if c not in self.columns]
                parts = ([f"lacks {', '.join(missing)}"] if missing else []) + (
                    [f"has {', '.join(extra)} besides"] if extra else []
                )
                raise DataError(
                    f"{paths[index]}: columns differ from {paths[0]}'s ({'; '.join(parts)}); "
                    "every file needs the same columns"
                )
        self.units = [unit for index in range(len(paths)) for unit in self._units(index)]
        self.counted = all(unit.offset is not None for unit in self.units)

    def _open(self, index: int) -> list[str]:
        """The file's column names, stripped; a Parquet file's dataset or a CSV file's
        CsvSource kept, and the names as the file writes them."""
        pa, _, _ = arrow()
        path, kind = self.paths[index], self.formats[index]
        source = None
        try:
            if kind == "parquet":
                import pyarrow.parquet as pq

                schema = pq.read_schema(path)
                written, line = list(schema.names), None
                # checked before the dataset, which would refuse a repeated name unnamed
                self.index[index] = pandas_index(schema, checked_names(path, written, line))
                metadata = pq.ParquetFile(path).metadata
                self.parquet[index] = [metadata.row_group(g).num_rows for g in range(metadata.num_row_groups)]
            else:
                source = CsvSource.of(path)
                written, line = source.names(), 1 + source.skip
                self.csv[index] = source
        except (OSError, pa.ArrowException, UnicodeError) as error:
            located = source.located(error) if source is not None else None  # a row's line, as in memory
            raise DataError(
                located or f"{path}: cannot be read as {kind} ({reason(error)}); check the file"
            ) from None
        if kind == "csv" and len(written) > 1 and not written[-1].strip():
            raise DataError(
                f"{path}:{line}: column {len(written)} has no name; a delimiter ending every line is "
                "left out in memory, not in chunks: remove it, or leave out chunk_rows="
            )
        names = checked_names(path, written, line)
        self.written[index] = dict(zip(names, written))
        return names

    def _units(self, index: int) -> list[_Unit]:
        if self.formats[index] == "csv":
            return [_Unit(index, None, None, 2 + self.csv[index].skip)]
        units, line = [], 1
        for group, rows in enumerate(self.parquet[index]):
            units.append(_Unit(index, group, None, line))
            line += rows
        return units

    def _check_unchanged(self) -> None:
        for path, stamp in zip(self.paths, self.stamps):
            if _stamp(path) != stamp:
                raise DataError(
                    f"{path}: changed since the first pass over the files; "
                    "training reads the files several times, so keep them unchanged until it ends"
                )

    def chunks(self, order=None):
        """Every chunk of every unit, the units in ``order`` (indices) or as they come; a
        DataError when a file changed since the first pass, checked before and after.

        Until the row counts are known (``counted``) the units must come in order: the first
        pass counts them there, and learns each unit's global offset.
        """
        self._check_unchanged()
        if order is not None and not self.counted:
            raise RuntimeError("the units' row counts are learned by a first pass in order")
        pa, _, _ = arrow()
        pool, offset = pa.default_memory_pool(), 0
        for index in range(len(self.units)) if order is None else order:
            unit = self.units[index]
            start = unit.offset if unit.offset is not None else offset
            unit.offset = start
            for chunk in self._read(unit):
                yield chunk
                start += len(chunk.table)
                # Arrow's allocator keeps freed blocks for reuse; each chunk's parsing frees
                # many, and without this the peak crept up over the first chunks.
                pool.release_unused()
            offset = start
        self.counted = True
        self._check_unchanged()  # rows appended during this pass were read: refuse what they gave

    def _read(self, unit: _Unit):
        pa, _, _ = arrow()
        path = self.paths[unit.file]
        held, rows, line, start = [], 0, unit.line, unit.offset
        try:
            for batch in self._batches(unit):
                held.append(batch)
                rows += batch.num_rows
                while rows >= self.chunk_rows:
                    data = pa.Table.from_batches(held)
                    chunk, rest = data.slice(0, self.chunk_rows), data.slice(self.chunk_rows)
                    yield self._chunk(unit, chunk, line, start)
                    line, start = line + chunk.num_rows, start + chunk.num_rows
                    held, rows = rest.to_batches(), rest.num_rows
            if rows:
                yield self._chunk(unit, pa.Table.from_batches(held), line, start)
        except (OSError, pa.ArrowException) as error:
            located = self.csv[unit.file].located(error) if unit.file in self.csv else None
            raise DataError(located or f"{path}: cannot be read ({reason(error)}); check the file") from None

    def _batches(self, unit: _Unit):
        """The unit's record batches, columns named as ``columns``. CSV goes through Arrow's
        streaming CSV reader with small blocks (``tables.csv_blocks``): the dataset scanner
        reads ahead of a slow consumer (training) without bound, and the streaming reader
        queues up to 32 blocks."""
        pa, _, _ = arrow()
        written = [self.written[unit.file][name] for name in self.columns]
        if self.formats[unit.file] == "parquet":
            import pyarrow.parquet as pq

            # Pages read through a small buffer as the batches need them: a row group is never
            # decoded whole (one of 2,000,000 rows took 400 MB where small ones took 190 MB).
            parquet = pq.ParquetFile(self.paths[unit.file], pre_buffer=False, buffer_size=PAGE_BUFFER)
            batches = parquet.iter_batches(self.chunk_rows, row_groups=[unit.row_group], columns=written)
        else:
            batches = self.csv[unit.file].batches(written)
        for batch in batches:
            renamed = written != self.columns
            yield pa.RecordBatch.from_arrays(batch.columns, self.columns) if renamed else batch

    def _chunk(self, unit: _Unit, data, line: int, start: int) -> Chunk:
        """Rows from global index ``start`` of ``unit``; a CSV chunk's lines are counted in the
        file when a message needs them (``CsvSource.lines``)."""
        locate = None
        if unit.file in self.csv:
            locate = partial(self.csv[unit.file].lines, start - unit.offset, data.num_rows)
        index = self.index.get(unit.file, ())
        return Chunk(arrow_table(self.paths[unit.file], list(self.columns), data, line, locate, index), start)


def _stamp(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


def open_files(data, chunk_rows: int, target: str | None = None) -> FileSet:
    """The FileSet of a glob pattern, a path or a list of paths; DataError naming the problem."""
    if isinstance(data, (list, tuple)):
        paths = [str(p) for p in data]
    elif glob.has_magic(str(data)):
        paths = sorted(glob.glob(str(data)))
        if not paths:
            raise DataError(
                f"{data}: no file matches the pattern; check the path (quote it so the shell leaves the *)"
            )
    else:
        paths = [str(data)]
    for path in paths:
        extension = os.path.splitext(path)[1].lower()
        if extension in (".gz", ".bz2", ".xz") and not glob.has_magic(str(data)):
            raise DataError(f"{path}: a compressed file is read whole, not in chunks; leave out chunk_rows=")
        if FORMATS.get(extension) is None:
            raise DataError(f"{path}: not a file type read in chunks; name files ending {', '.join(FORMATS)}")
        if os.path.isdir(path):
            raise DataError(f"{path}: is a directory; give a file or a pattern like 'data/*.parquet'")
        if not os.path.exists(path):
            raise DataError(f"{path}: no such file; check the path")
        if not os.access(path, os.R_OK):
            raise DataError(f"{path}: permission denied; check the file's permissions")
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise ValueError(f"chunk_rows must be a whole number >= 1, got {chunk_rows!r}")
    return FileSet(paths, chunk_rows, target)


# --------------------------------------------------------------------- split
_GOLDEN, _MIX1, _MIX2 = (
    np.uint64(0x9E3779B97F4A7C15),
    np.uint64(0xBF58476D1CE4E5B9),
    np.uint64(0x94D049BB133111EB),
)


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: a bijection of uint64 whose output bits look independent."""
    x = (x ^ (x >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    return x ^ (x >> np.uint64(31))


def row_hash(rows: np.ndarray, seed: int, stream: int) -> np.ndarray:
    """A uint64 per global row index, fixed by ``seed`` and ``stream`` (0 test, 1 validation)."""
    # Any whole seed: taken modulo 2⁶⁴ (the same number for every seed below 2⁶³).
    key = _mix(np.array([(seed * 2 + stream) % 2**64], dtype=np.uint64) * _GOLDEN + _GOLDEN)
    return _mix(rows.astype(np.uint64) * _GOLDEN + key)


def _below(fraction: float) -> np.uint64:
    return np.uint64(min(int(fraction * 2.0**64), 2**64 - 1))


@dataclass
class Split:
    """Which rows are test rows and which training rows validate, from their global index.

    A row is a test row when its hash (``row_hash(row, seed, 0)``) falls in the lowest
    ``test_size`` of the range: about ``test_size`` of the rows, not stratified. A training
    row validates when its second hash is at most ``validation_below`` (set by the first
    pass so that a fixed number of rows validate; None: no validation rows). A training row
    that does not validate is in the sample (``workflow.stream_baselines``) when that second
    hash is at most ``sample_below`` (None: every one is): the hash is uniform, so the rows
    just above the validation rows' are a uniform sample of the others.
    """

    test_size: float
    seed: int
    validation_below: np.uint64 | None = None
    sample_below: np.uint64 | None = None

    def test(self, rows: np.ndarray) -> np.ndarray:
        if self.test_size == 0:
            return np.zeros(len(rows), dtype=bool)
        return row_hash(rows, self.seed, 0) < _below(self.test_size)

    def validation_hash(self, rows: np.ndarray) -> np.ndarray:
        return row_hash(rows, self.seed, 1)

    def validation(self, rows: np.ndarray) -> np.ndarray:
        if self.validation_below is None:
            return np.zeros(len(rows), dtype=bool)
        return self.validation_hash(rows) <= self.validation_below

    def in_sample(self, rows: np.ndarray) -> np.ndarray:
        """Which of ``rows`` are in the sample, if they are training rows that do not validate."""
        if self.sample_below is None:
            return np.ones(len(rows), dtype=bool)
        return self.validation_hash(rows) <= self.sample_below

    def sample_fraction(self, fraction: float) -> None:
        """Set ``sample_below`` so that about ``fraction`` of all training rows validate or
        are in the sample (1 or more: every one)."""
        self.sample_below = None if fraction >= 1 else _below(fraction)
