"""The first pass over streamed files: everything the Preprocessor needs, in one read.

``FirstPass.add(chunk)`` takes the chunks of a ``tables.stream.FileSet`` in order and
keeps only what is bounded by the columns, not by the rows: per numeric column the
``Moments`` of its training rows (mean, standard deviation and the mean fill value), per
text column its distinct values (and, to fill gaps, how often each is in training rows),
the target's distinct values (for the task and the labels) and its Moments, the row
counts, and the ``chunk_rows`` smallest validation hashes. ``finish()`` turns them into the
same ``Preprocessor`` that ``Preprocessor.fit`` learns from a table in memory.

What differs from a table in memory:

- The test rows are ``Split.test``'s (a hash of the row's index), not a stratified draw.
- Class labels and category names come from every row (in memory, labels from the
  training rows, with an error for a class missing there).
- ``impute='median'`` is refused: an exact median needs the whole column (or another pass
  per column); the mean is exact in one pass.
- A column is numeric when all its values are numbers; when a chunk holds text in a column
  whose other values are numbers (in an earlier chunk or in the same one), the error names
  both places: one-hot inputs need every category, so a column's kind cannot change on
  the way. A category first seen in a later chunk of a text column is simply learned.
- A text column with a different value in every row (an ID, from ``ID_ROWS`` training rows
  on) or in most rows (a near-ID: ``left_out.near_id``), of dates or of numbers with a unit, or
  with more than ``MAX_CATEGORIES`` distinct values, is left out with a note, as in memory,
  counting the values of every row;
  ``categorical=`` keeps it. Its gaps are still refused without ``impute=`` (they are
  checked chunk by chunk, before the column's kind is known), and a column of text and
  numbers is refused whichever is more common.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .cells import arrow, distinct
from .fills import dropped_note, fill_note
from .formats import written_as
from .infer import (
    ID_ROWS,
    check_options,
    checked_labels,
    class_labels,
    constant_target,
    infer_task,
    unlearnable_classes,
    where,
)
from .left_out import (
    distinct_whole_numbers,
    empty_column,
    empty_left_out,
    id_column,
    near_id,
    numbered_rows,
    row_index,
    unreadable_values,
)
from .preprocess import Preprocessor
from .read import DataError, Table
from .running import Moments
from .stream import Chunk, Split

__all__ = ["FirstPass", "MAX_CATEGORIES", "MAX_LABELS"]

MAX_CATEGORIES = 10_000
MAX_LABELS = 1_000


@dataclass
class _Column:
    forced: bool  # named in categorical=
    seen: set = field(default_factory=set)  # distinct texts: of text cells, of every cell if forced
    texts: int = 0  # text cells in the rows used (the size of ``seen`` if every one differs)
    training_texts: int = 0  # of them in training rows
    counts: dict = field(default_factory=dict)  # how often each is in training rows (to fill gaps)
    moments: Moments = field(default_factory=Moments)  # of the training rows' finite numbers
    first_text: str | None = None
    first_number: str | None = None
    #: Named like row numbers (pandas' index, an ID), and so far a different whole number in
    #: each row: the rows seen and the smallest and largest number (``left_out.is_row_index``).
    index: list | None = None
    #: Why the column is left out, once that is settled in a chunk (too many categories).
    left_out: str | None = None
    #: How many rows hold each text (every row used): a value of a row of its own is a near-ID's.
    rows_of: dict = field(default_factory=dict)


class FirstPass:
    """Statistics of streamed chunks; ``finish()`` gives (Preprocessor, notes)."""

    def __init__(self, source, columns, target, task=None, categorical=(), impute=None, drop_missing=False,
                 split: Split | None = None, validation_split: float = 0.0, validation_cap: int = 0,
                 ignore=()):  # fmt: skip
        check_options(source, columns, target, categorical, ignore)  # as Preprocessor.fit checks them
        if impute == "median":
            from ..errors import OptionError

            raise OptionError(
                "impute", "'median' needs each column whole in memory; with chunk_rows= pass impute='mean'"
            )
        self.source, self.target, self.task, self.impute = source, target, task, impute
        self.drop_missing, self.split = drop_missing, split or Split(0.0, 0)
        self.validation_split, self.validation_cap = validation_split, validation_cap
        self.features = [c for c in columns if c != target and c not in ignore]
        self.columns = {name: _Column(name in categorical) for name in self.features}
        for name, column in self.columns.items():
            column.index = [0, np.inf, -np.inf] if numbered_rows(name) and not column.forced else None
        self.labels: dict[str, int] = {}  # the rows of each class label (up to MAX_LABELS + 1 labels)
        self.labels_overflow = False
        self.label_text: str | None = None
        self.target_moments = Moments()
        self.rows = {"read": 0, "dropped": 0, "train": 0, "test": 0}
        self.filled: dict[str, dict[str, int]] = {}  # what impute= fills, per feature
        self.first_infinite: tuple | None = None
        self.smallest = np.zeros(0, dtype=np.uint64)

    # ---------------------------------------------------------------- chunks
    def add(self, chunk: Chunk) -> None:
        table, rows = chunk.table, chunk.rows
        table.parse([*self.features, self.target])
        keep = self._kept(table)
        test = self.split.test(rows)
        train = keep & ~test
        self.rows["read"] += len(table)
        self.rows["dropped"] += int((~keep).sum())
        self.rows["train"] += int(train.sum())
        self.rows["test"] += int((keep & test).sum())
        if self.validation_cap:
            hashes = np.concatenate([self.smallest, self.split.validation_hash(rows[train])])
            cap = self.validation_cap
            self.smallest = np.partition(hashes, cap - 1)[:cap] if hashes.size > cap else hashes
        for name, column in self.columns.items():
            if column.left_out is None:
                self._add_column(table, name, column, keep, train)
        if self.impute is not None:
            self._count_fills(table, keep)
        cells = table.cells(self.target)
        present = cells.present & keep
        if not self.labels_overflow:
            _add_counts(self.labels, table.trimmed(self.target), present)
            self.labels_overflow = len(self.labels) > MAX_LABELS
        text = cells.text & keep
        if self.label_text is None and text.any():
            self.label_text = where(table, int(np.argmax(text)), self.target)
        self.target_moments.add(cells.numbers[train & np.isfinite(cells.numbers)])

    def _count_fills(self, table: Table, keep: np.ndarray) -> None:
        """Add up the gaps impute= will fill in the kept rows, per feature (``fills.fill_counts``),
        and where the first infinity is."""
        for name in self.features:
            gaps = self._gaps(table, name) & keep
            if not gaps.any():
                continue
            infinite = gaps & ~table.cells(name).missing
            counts = self.filled.setdefault(name, {"filled": 0, "infinite": 0})
            counts["filled"] += int(gaps.sum())
            counts["infinite"] += int(infinite.sum())
            if self.first_infinite is None and infinite.any():
                row = int(np.argmax(infinite))
                self.first_infinite = (table.lines[row], name, table.text(row, name).strip())

    def _gaps(self, table: Table, name: str) -> np.ndarray:
        cells = table.cells(name)
        if name in self.columns and self.columns[name].forced:
            return cells.missing
        return cells.missing | (~np.isfinite(cells.numbers) & ~cells.text)

    def _kept(self, table: Table) -> np.ndarray:
        """The rows used: all, or those without the gaps impute does not fill (drop_missing);
        DataError at a gap not allowed."""
        checked = [*self.features, self.target] if self.impute is None else [self.target]
        bad = np.zeros(len(table), dtype=bool)
        for name in checked:
            gaps = self._gaps(table, name)
            if gaps.any() and not self.drop_missing:
                advice = (
                    "pass impute='mean' or drop_missing=True"
                    if name != self.target
                    else "drop those rows (drop_missing=True) or fill in the target"
                )
                raise DataError(
                    f"{where(table, int(np.argmax(gaps)), name)} is missing or not finite; {advice}"
                )
            bad |= gaps
        return ~bad

    def _add_column(self, table: Table, name: str, column: _Column, keep, train) -> None:
        cells = table.cells(name)
        if column.forced:
            labelled = cells.present & keep
        else:
            labelled = cells.text & keep
            numbers = cells.present & ~cells.text & keep
            if column.first_number is None and numbers.any():
                column.first_number = where(table, int(np.argmax(numbers)), name)
            finite = train & np.isfinite(cells.numbers)
            column.moments.add(cells.numbers[finite])
            if column.index is not None:
                self._add_index(column, cells)
        if not labelled.any():
            return
        if column.first_text is None and cells.text[labelled].any():
            column.first_text = where(table, int(np.argmax(cells.text & keep)), name)
            if not column.forced:
                self._check_written_as(table, name, cells.text & keep)
        column.seen.update(distinct(table.trimmed(name), labelled))
        if not column.forced:
            _add_counts(column.rows_of, table.trimmed(name), labelled)
        if not column.forced:
            column.texts += int(labelled.sum())
            column.training_texts += int((labelled & train).sum())
        if len(column.seen) > MAX_CATEGORIES and not column.forced:
            column.left_out = (
                id_column(name, f"first {column.texts}")
                if len(column.seen) == column.texts
                else f"column {name!r} is left out: it has more than {MAX_CATEGORIES} distinct values "
                "(encode it as numbers to use it)"
            )
            column.seen, column.counts, column.rows_of = set(), {}, {}
            return
        if len(column.seen) > MAX_CATEGORIES:
            raise DataError(
                f"{table.source}: column {name!r} has more than {MAX_CATEGORIES} distinct values; "
                f"pass ignore={name!r} to leave it out, or encode it as numbers"
            )
        if self.impute is not None:
            _add_counts(column.counts, table.trimmed(name), labelled & train)

    def _check_written_as(self, table: Table, name: str, text: np.ndarray) -> None:
        """DataError when a column's first text cells are all numbers written another way
        (``50%``, ``1,234.5``): a run in memory reads them with an option, one in chunks not yet."""
        option = written_as(table.trimmed(name), text)
        if option is not None:
            example = table.text(int(np.argmax(text)), name).strip()
            raise DataError(
                f"{self.source}: column {name!r} holds numbers written as text ({example!r}), which "
                f"a run in chunks (every Parquet file) does not read yet; write them as plain numbers, "
                f"or train on a CSV file in memory with {option} (or pass categorical={name!r} to keep "
                "them as categories)"
            )

    @staticmethod
    def _add_index(column: _Column, cells) -> None:
        """Whether the column still reads as pandas' row index: a different whole number in
        each row of every chunk, and no more rows than numbers from the least to the most."""
        numbers = cells.numbers
        if numbers.size == 0:
            return
        rows, low, high = column.index
        rows, low, high = rows + numbers.size, min(low, numbers.min()), max(high, numbers.max())
        distinct = distinct_whole_numbers(numbers, cells.missing | cells.text)
        column.index = [rows, low, high] if distinct and high - low + 1 >= rows else None

    # ---------------------------------------------------------------- finish
    def finish(self) -> tuple[Preprocessor, list[str]]:
        if not self.features:
            raise DataError(
                f"{self.source}: the only column is the target {self.target!r}; there are no features"
            )
        if self.rows["train"] == 0:
            raise DataError(f"{self.source}: no training rows ({self.rows['read']} rows read); add rows")
        notes = []
        task = self._task(notes)
        pre = Preprocessor(features=list(self.features), target=self.target, task=task, impute=self.impute)
        left_out = []  # columns that cannot be features, each named in a note

        def leave_out(name, note):
            left_out.append(name)
            notes.append(note)

        for name, column in self.columns.items():
            if column.left_out is not None:
                leave_out(name, column.left_out)
                continue
            if column.forced or (column.first_text and not column.first_number):
                if not column.seen:
                    raise DataError(f"{self.source}: {empty_column(name, 0, self.rows['read'])}")
                if not column.forced and column.training_texts >= ID_ROWS:  # as in memory
                    values = sorted(column.seen)
                    once = sum(1 for count in column.rows_of.values() if count == 1)
                    problem = unreadable_values(name, arrow()[0].array(values), column.texts, values[0]) or (
                        id_column(name, column.texts)
                        if len(values) == column.texts
                        else near_id(name, once, column.texts, len(values), values[0])
                    )
                    if problem:
                        leave_out(name, problem)
                        continue
                pre.categorical[name] = sorted(column.seen)
                if self.impute is not None:
                    names = pre.categorical[name]
                    pre.categorical_fill[name] = max(
                        names, key=lambda v: (column.counts.get(v, 0), -names.index(v))
                    )
                continue
            if column.first_text:
                raise DataError(
                    f"{column.first_text} is not a number, but the column holds numbers ({column.first_number}); "
                    f"fix the value, or pass categorical={name!r} to treat the column as categories"
                )
            if column.index is not None and column.index[0] >= ID_ROWS:
                leave_out(name, row_index(name, column.index[0]))
                continue
            moments = column.moments
            if moments.n == 0 and column.first_number is None and self.impute is not None:
                leave_out(name, empty_left_out(name, self.rows["read"] - self.rows["dropped"]))
                continue
            if moments.n == 0:
                raise DataError(
                    f"{self.source}: {empty_column(name, 0, self.rows['read'])}"
                    if column.first_number is None
                    else f"{self.source}: column {name!r} has no finite numbers in the training rows; "
                    f"fix them, or pass ignore={name!r} to leave the column out"
                )
            std = moments.std
            if std == 0:
                notes.append(f"column {name!r} is constant in the training data")
                std = 1.0
            fill = {"fill": moments.mean} if self.impute == "mean" else {}
            pre.numeric[name] = {"mean": moments.mean, "std": std, **fill}
        if left_out:
            pre.features = [name for name in self.features if name not in left_out]
            if not pre.features:
                raise DataError(
                    f"{self.source}: no column can be a feature: {'; '.join(notes[-len(left_out) :])}"
                )
            self.filled = {name: counts for name, counts in self.filled.items() if name in pre.features}
        if task == "classification":
            if self.labels_overflow:
                raise DataError(
                    f"{self.source}: target {self.target!r} has more than {MAX_LABELS} distinct values; "
                    "pass task='regression' for a numeric target"
                )
            pre.labels = class_labels(self.labels)
            notes += checked_labels(self.source, self.target, pre.labels)
            counts = np.array(list(self.labels.values()))
            problem = unlearnable_classes(self.target, counts, min(self.labels, key=self.labels.__getitem__))
            if problem:
                raise DataError(f"{self.source}: {problem}")
        else:
            if self.label_text is not None:
                raise DataError(
                    f"{self.label_text} is not a number, but regression needs a numeric target; "
                    "write it as a plain number (no unit or separators) or pass task='classification'"
                )
            moments = self.target_moments
            if moments.n > 1 and moments.std == 0:
                rows = f"{moments.n} training rows"
                raise DataError(f"{self.source}: {constant_target(self.target, moments.mean, rows)}")
            pre.target_mean = self.target_moments.mean
            pre.target_std = self.target_moments.std or 1.0
        if self.rows["dropped"]:
            notes.append(dropped_note(self.rows["dropped"], self.impute))
        if self.filled:  # every gap impute= fills is counted, never filled silently
            self.filled = {name: self.filled[name] for name in self.features if name in self.filled}
            kept = self.rows["read"] - self.rows["dropped"]
            notes.append(fill_note(pre, self.filled, kept, self.first_infinite))
        return pre, notes

    def _task(self, notes: list[str]) -> str:
        if self.task is not None:
            return self.task
        if not self.labels:
            raise DataError(f"{self.source}: target column {self.target!r} has no values; fill in the target")
        if self.label_text is None and self.labels_overflow:
            task, reason = (
                "regression",
                f"target {self.target!r} holds more than {MAX_LABELS} distinct numbers",
            )
        else:  # the rule for a table in memory, applied to the target's distinct values
            task, reason = infer_task(
                Table.from_columns(self.source, {self.target: sorted(self.labels)}), self.target
            )
        notes.append(f"task: {task} (inferred: {reason}; pass task= to choose)")
        return task

    def validation_below(self) -> np.uint64 | None:
        """The largest validation hash of the ``round(validation_split × training rows)``
        (at most ``validation_cap``) training rows that validate; None when too few."""
        count = min(round(self.validation_split * self.rows["train"]), self.smallest.size)
        if count < 1 or count >= self.rows["train"]:
            return None
        return np.partition(self.smallest, count - 1)[count - 1]


def _add_counts(counts: dict, trimmed, mask: np.ndarray) -> None:
    """Add how often each text of ``trimmed`` is where ``mask`` is true to ``counts``."""
    pa, pc, _ = arrow()
    counted = pc.value_counts(pc.filter(trimmed, pa.array(mask)))
    for value, count in zip(counted.field("values").to_pylist(), counted.field("counts").to_pylist()):
        counts[value] = counts.get(value, 0) + count
