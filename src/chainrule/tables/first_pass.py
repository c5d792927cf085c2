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
- A column's kind is decided once every chunk is read (``tables.column_facts`` keeps its
  distinct texts, and those of its numbers while they are few), as in memory: numbers when
  all its values are numbers, categories when they are all text or mostly text
  (``left_out.mostly_text``, its numbers among the categories, with a note); a column of
  mostly numbers with some text is refused, naming the first text and the first number.
- A number too large for ``dtype`` is refused (as in memory) once the column is known to be
  numbers, before it reaches the running moments (where its square would overflow).
- The index pandas writes to Parquet (``left_out.parquet_index``) is left out with a note.
- A text column with a different value in every row (an ID, from ``ID_ROWS`` training rows
  on) or in most rows (a near-ID: ``left_out.near_id``), of dates or of numbers with a unit, or
  with more than ``MAX_CATEGORIES`` distinct values, is left out with a note, as in memory,
  counting the values of every row;
  ``categorical=`` keeps it. Its gaps are still refused without ``impute=`` (they are
  checked chunk by chunk, before the column's kind is known).
"""

from __future__ import annotations

import numpy as np

from .cells import arrow
from .column_facts import MAX_CATEGORIES, ColumnFacts, add_counts
from .fills import dropped_note, fill_note, keeps_too_few, mostly_empty, too_few_kept
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
    empty_column,
    empty_columns,
    empty_left_out,
    id_column,
    mostly_text,
    mostly_text_note,
    near_id,
    numbered_rows,
    parquet_index,
    row_index,
    unreadable_values,
)
from .number_checks import check_magnitudes, check_spread
from .preprocess import Preprocessor
from .read import DataError, Table
from .running import Moments
from .stream import Chunk, Split

__all__ = ["FirstPass", "MAX_CATEGORIES", "MAX_LABELS"]

MAX_LABELS = 1_000


class FirstPass:
    """Statistics of streamed chunks; ``finish()`` gives (Preprocessor, notes)."""

    def __init__(self, source, columns, target, task=None, categorical=(), impute=None, drop_missing=False,
                 split: Split | None = None, validation_split: float = 0.0, validation_cap: int = 0,
                 ignore=(), dtype=np.float64):  # fmt: skip
        check_options(source, columns, target, categorical, ignore)  # as Preprocessor.fit checks them
        if impute == "median":
            from ..errors import OptionError

            raise OptionError(
                "impute", "'median' needs each column whole in memory; with chunk_rows= pass impute='mean'"
            )
        self.source, self.target, self.task, self.impute, self.dtype = source, target, task, impute, dtype
        self.drop_missing, self.split = drop_missing, split or Split(0.0, 0)
        self.validation_split, self.validation_cap = validation_split, validation_cap
        self.features = [c for c in columns if c != target and c not in ignore]
        self.columns = {name: ColumnFacts(name in categorical) for name in self.features}
        self.index: set[str] = set()  # pandas' index in a Parquet file (``left_out.parquet_index``)
        for name, column in self.columns.items():
            column.index = [0, np.inf, -np.inf] if numbered_rows(name) and not column.forced else None
        self.labels: dict[str, int] = {}  # the rows of each class label (up to MAX_LABELS + 1 labels)
        self.labels_overflow = False
        self.label_text: str | None = None
        self.target_moments = Moments()
        self.target_large: DataError | None = None  # at the target's first number too large
        self.target_gaps = 0
        self.rows = {"read": 0, "dropped": 0, "train": 0, "test": 0}
        self.filled: dict[str, dict[str, int]] = {}  # what impute= fills, per feature
        self.first_infinite: tuple | None = None
        self.smallest = np.zeros(0, dtype=np.uint64)

    # ---------------------------------------------------------------- chunks
    def add(self, chunk: Chunk) -> None:
        table, rows = chunk.table, chunk.rows
        for name, column in self.columns.items():
            if column.left_out is None and not column.forced and (note := parquet_index(table, name)):
                column.left_out = note
                self.index.add(name)
        table.parse([*(name for name in self.features if name not in self.index), self.target])
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
                column.add(table, name, keep, train, self.impute, self.dtype)
        if self.impute is not None:
            self._count_fills(table, keep)
        cells = table.cells(self.target)
        present = cells.present & keep
        if not self.labels_overflow:
            add_counts(self.labels, table.trimmed(self.target), present)
            self.labels_overflow = len(self.labels) > MAX_LABELS
        text = cells.text & keep
        if self.label_text is None and text.any():
            self.label_text = where(table, int(np.argmax(text)), self.target)
        if self.target_large is None:
            try:  # refused at the end for regression, as in memory
                check_magnitudes(table, self.target, cells.numbers, self.dtype)
                self.target_moments.add(cells.numbers[train & np.isfinite(cells.numbers)])
            except DataError as error:
                self.target_large = error

    def _count_fills(self, table: Table, keep: np.ndarray) -> None:
        """Add up the gaps impute= will fill in the kept rows, per feature (``fills.fill_counts``),
        and where the first infinity is."""
        for name in (name for name in self.features if name not in self.index):
            gaps = self._gaps(table, name) & keep
            if not gaps.any():
                continue
            infinite = gaps & ~table.cells(name).missing
            counts = self.filled.setdefault(name, {"filled": 0, "infinite": 0})
            counts["filled"] += int(gaps.sum())
            counts["infinite"] += int(infinite.sum())
            if self.first_infinite is None and infinite.any():
                row = int(np.argmax(infinite))
                self.first_infinite = (table.line(row), name, table.text(row, name).strip())

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
        for name in (name for name in checked if name not in self.index):
            gaps = self._gaps(table, name)
            self.target_gaps += int(gaps.sum()) if name == self.target else 0
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

    # ---------------------------------------------------------------- finish
    def finish(self) -> tuple[Preprocessor, list[str]]:
        if not self.features:
            raise DataError(
                f"{self.source}: the only column is the target {self.target!r}; there are no features"
            )
        self._check_rows()
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
            used = column.texts + column.numbers  # as in memory: mostly text is categories
            mixed = bool(column.first_text and column.first_number) and mostly_text(column.texts, used)
            if column.forced or (column.first_text and not column.first_number) or mixed:
                seen, rows_of, counts = column.seen, column.rows_of, column.counts
                if mixed and column.with_numbers() is None:
                    leave_out(name, f"column {name!r} is left out: it has more than {MAX_CATEGORIES} "
                              "distinct values (encode it as numbers to use it)")  # fmt: skip
                    continue
                if mixed:
                    rows_of, counts = column.with_numbers()
                    seen = set(rows_of)
                if not seen:
                    raise DataError(f"{self.source}: {empty_column(name, 0, self.rows['read'])}")
                used = used if mixed else column.texts
                training = column.training_texts + (column.training_numbers if mixed else 0)
                if not column.forced and training >= ID_ROWS:  # as in memory
                    values = sorted(seen)
                    once = sum(1 for count in rows_of.values() if count == 1)
                    problem = unreadable_values(name, arrow()[0].array(values), used, values[0]) or (
                        id_column(name, used)
                        if len(values) == used
                        else near_id(name, once, used, len(values), values[0])
                    )
                    if problem:
                        leave_out(name, problem)
                        continue
                if mixed:
                    notes.append(mostly_text_note(name, column.texts, used, *column.examples))
                pre.categorical[name] = sorted(seen)
                if self.impute is not None:
                    names = pre.categorical[name]
                    pre.categorical_fill[name] = max(names, key=lambda v: (counts.get(v, 0), -names.index(v)))
                continue
            if column.first_text:
                raise DataError(
                    f"{column.first_text} is not a number; {column.numbers} other values in the column are "
                    f"numbers (the first: {column.first_number}); fix the value, or pass categorical={name!r} "
                    "to treat the column as categories"
                )
            if column.index is not None and column.index[0] >= ID_ROWS:
                leave_out(name, row_index(name, column.index[0]))
                continue
            if column.too_large is not None:
                raise column.too_large
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
            check_spread(self.source, name, std)
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
            notes += checked_labels(self.source, self.target, pre.labels, inferred=self.task is None)
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
            if self.target_large is not None:
                raise self.target_large
            moments = self.target_moments
            if moments.n > 1 and moments.std == 0:
                rows = f"{moments.n} training rows"
                raise DataError(f"{self.source}: {constant_target(self.target, moments.mean, rows)}")
            pre.target_mean = self.target_moments.mean
            pre.target_std = self.target_moments.std or 1.0
            check_spread(self.source, self.target, pre.target_std, target=True)
        if self.rows["dropped"]:
            notes.append(dropped_note(self.rows["dropped"], self.impute))
        if self.filled:  # every gap impute= fills is counted, never filled silently
            self.filled = {name: self.filled[name] for name in self.features if name in self.filled}
            kept = self.rows["read"] - self.rows["dropped"]
            notes.append(fill_note(pre, self.filled, kept, self.first_infinite))
        return pre, notes

    def _check_rows(self) -> None:
        """DataError, as in memory, when a column has no value in any row (without impute=), or
        too few rows remain to train on: drop_missing=True keeps too few (``fills.keeps_too_few``),
        none dropped, too few to hold out test rows."""
        empty = [
            name for name, column in self.columns.items() if column.left_out is None and not column.present
        ]
        if empty and self.impute is None:
            problem = empty_columns(empty, self.rows["read"], self.target_gaps, impute="mean")
            raise DataError(f"{self.source}: {problem}")
        read, dropped, test_size = self.rows["read"], self.rows["dropped"], self.split.test_size
        if read - dropped < 2 and dropped:
            raise DataError(
                f"{self.source}: fewer than 2 rows remain after dropping rows with missing values"
            )
        if dropped and keeps_too_few(read - dropped, read):
            gaps = {
                name: read - column.present for name, column in self.columns.items() if name not in self.index
            }
            emptiest = mostly_empty(gaps, read)
            problem = too_few_kept(read - dropped, read, emptiest, "mean", self.target_gaps)
            raise DataError(f"{self.source}: {problem}")
        if read < 2 or self.rows["train"] == 0:
            advice = (
                f"hold out test_size={test_size}; add rows or lower test_size="
                if test_size
                else "train on; add rows"
            )
            raise DataError(f"{self.source}: {read} rows are too few to {advice}")

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
