"""What the first pass over streamed chunks keeps of one feature column (``ColumnFacts``).

``tables.first_pass.FirstPass`` adds each chunk's cells to the column's facts, and decides
from them, as ``Preprocessor.fit`` decides from a whole column, whether it is numbers,
categories or left out. What is kept is bounded by the column's distinct values, not by the
rows:

- the distinct texts of its text cells, how many rows hold each (a near-ID's values are
  rows of their own), and, under ``impute=``, how often each is in training rows;
- the ``Moments`` of its training rows' finite numbers, and the first number too large for
  the dtype (``number_checks.check_magnitudes``'s error, raised if the column is numeric);
- the distinct texts of its number cells and their rows, up to ``MAX_CATEGORIES`` of them,
  so that a column of mostly text with some numbers (``left_out.mostly_text``) is read as
  categories, its numbers among them, as in memory (a Parquet column of numbers holds no
  text, and keeps none);
- the first text and number, their places, whether it still reads as pandas' row index,
  and how many cells hold a value in every row read (a column with none is refused).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .cells import arrow, distinct
from .formats import written_as
from .infer import where
from .left_out import distinct_whole_numbers, id_column
from .number_checks import check_magnitudes
from .read import DataError, Table
from .running import Moments

__all__ = ["ColumnFacts", "MAX_CATEGORIES", "add_counts"]

MAX_CATEGORIES = 10_000


@dataclass
class ColumnFacts:
    forced: bool  # named in categorical=
    seen: set = field(default_factory=set)  # distinct texts: of text cells, of every cell if forced
    texts: int = 0  # text cells in the rows used (the size of ``seen`` if every one differs)
    training_texts: int = 0  # of them in training rows
    counts: dict = field(default_factory=dict)  # how often each is in training rows (to fill gaps)
    moments: Moments = field(default_factory=Moments)  # of the training rows' finite numbers
    first_text: str | None = None
    first_number: str | None = None
    examples: list = field(default_factory=lambda: [None, None])  # the first text, the first number
    #: Named like row numbers (pandas' index, an ID), and so far a different whole number in
    #: each row: the rows seen and the smallest and largest number (``left_out.is_row_index``).
    index: list | None = None
    #: Why the column is left out, once that is settled in a chunk (too many categories).
    left_out: str | None = None
    #: How many rows hold each text (every row used): a value of a row of its own is a near-ID's.
    rows_of: dict = field(default_factory=dict)
    numbers: int = 0  # number cells in the rows used
    training_numbers: int = 0  # of them in training rows
    #: Each number's text: how many rows hold it, and how often in training rows (with impute=);
    #: None past ``MAX_CATEGORIES`` of them, or for a column of numbers by its type.
    number_rows: dict | None = field(default_factory=dict)
    number_counts: dict | None = field(default_factory=dict)
    too_large: DataError | None = None  # at the first number too large for the dtype
    present: int = 0  # cells with a value in every row read, used or not

    def add(self, table: Table, name: str, keep, train, impute, dtype) -> None:
        """Add a chunk's cells: ``keep`` the rows used, ``train`` the training rows among them."""
        cells = table.cells(name)
        self.present += int(cells.present.sum())
        if self.forced:
            labelled = cells.present & keep
        else:
            labelled = cells.text & keep
            numbers = cells.present & ~cells.text & keep
            if self.first_number is None and numbers.any():
                self.first_number = where(table, int(np.argmax(numbers)), name)
                self.examples[1] = table.text(int(np.argmax(numbers)), name).strip()
            self.numbers += int(numbers.sum())
            self.training_numbers += int((numbers & train).sum())
            self._add_number_texts(table, name, numbers, train, impute)
            if self.too_large is None:
                try:
                    check_magnitudes(table, name, cells.numbers, dtype)
                    self.moments.add(cells.numbers[train & np.isfinite(cells.numbers)])
                except DataError as error:  # refused at the end if the column is numbers
                    self.too_large = error
            if self.index is not None:
                self._add_index(cells)
        if not labelled.any():
            return
        if self.first_text is None and cells.text[labelled].any():
            first = int(np.argmax(cells.text & keep))
            self.first_text, self.examples[0] = where(table, first, name), table.text(first, name).strip()
            if not self.forced:
                _check_written_as(table, name, cells.text & keep)
        self.seen.update(distinct(table.trimmed(name), labelled))
        if not self.forced:
            add_counts(self.rows_of, table.trimmed(name), labelled)
            self.texts += int(labelled.sum())
            self.training_texts += int((labelled & train).sum())
        if len(self.seen) > MAX_CATEGORIES and not self.forced:
            self.left_out = (
                id_column(name, f"first {self.texts}")
                if len(self.seen) == self.texts
                else f"column {name!r} is left out: it has more than {MAX_CATEGORIES} distinct values "
                "(encode it as numbers to use it)"
            )
            self.seen, self.counts, self.rows_of = set(), {}, {}
            return
        if len(self.seen) > MAX_CATEGORIES:
            raise DataError(
                f"{table.source}: column {name!r} has more than {MAX_CATEGORIES} distinct values; "
                f"pass ignore={name!r} to leave it out, or encode it as numbers"
            )
        if impute is not None:
            add_counts(self.counts, table.trimmed(name), labelled & train)

    def _add_number_texts(self, table: Table, name: str, numbers, train, impute) -> None:
        """Count the texts of the number cells (``numbers``), while there are few enough."""
        if table.typed_numbers(name):
            self.number_rows = self.number_counts = None
        if self.number_rows is None or not numbers.any():
            return
        add_counts(self.number_rows, table.trimmed(name), numbers)
        if impute is not None:
            add_counts(self.number_counts, table.trimmed(name), numbers & train)
        if len(self.number_rows) > MAX_CATEGORIES:
            self.number_rows = self.number_counts = None

    def _add_index(self, cells) -> None:
        """Whether the column still reads as pandas' row index: a different whole number in
        each row of every chunk, and no more rows than numbers from the least to the most."""
        numbers = cells.numbers
        if numbers.size == 0:
            return
        rows, low, high = self.index
        rows, low, high = rows + numbers.size, min(low, numbers.min()), max(high, numbers.max())
        distinct = distinct_whole_numbers(numbers, cells.missing | cells.text)
        self.index = [rows, low, high] if distinct and high - low + 1 >= rows else None

    def with_numbers(self) -> tuple[dict, dict] | None:
        """(rows of each value, training rows of each) of a column of text and numbers read as
        categories, its numbers among them; None when its numbers were too many to keep."""
        if self.number_rows is None:
            return None
        rows, counts = dict(self.rows_of), dict(self.counts)
        for mine, theirs in ((rows, self.number_rows), (counts, self.number_counts)):
            for value, count in theirs.items():
                mine[value] = mine.get(value, 0) + count
        return rows, counts


def _check_written_as(table: Table, name: str, text: np.ndarray) -> None:
    """DataError when a column's first text cells are all numbers written another way
    (``50%``, ``1,234.5``, ``(1,660.94)``): a run in memory reads them with an option, one in
    chunks not yet (never as categories, which would one-hot encode every amount)."""
    option = written_as(table.trimmed(name), text)
    if option is not None:
        example = table.text(int(np.argmax(text)), name).strip()
        raise DataError(
            f"{table.source}: column {name!r} holds numbers written as text ({example!r}), which "
            f"a run in chunks (every Parquet file) does not read yet; write them as plain numbers, "
            f"or train on a CSV file in memory with {option}"
        )


def add_counts(counts: dict, trimmed, mask: np.ndarray) -> None:
    """Add how often each text of ``trimmed`` is where ``mask`` is true to ``counts``."""
    pa, pc, _ = arrow()
    counted = pc.value_counts(pc.filter(trimmed, pa.array(mask)))
    for value, count in zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist()):
        counts[value] = counts.get(value, 0) + count
