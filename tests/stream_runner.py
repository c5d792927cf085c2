"""The first pass of a streamed run over one file, for the table tests: what training in
chunks learns of the columns before it trains."""

from __future__ import annotations

from chainrule.tables.first_pass import FirstPass
from chainrule.tables.stream import Split, open_files


def streamed_first_pass(path, chunk_rows: int, test_size: float = 0.2, target: str = "y", **options):
    """(Preprocessor, notes) of the first pass over ``path`` in chunks of ``chunk_rows``."""
    files = open_files(str(path), chunk_rows, target)
    first = FirstPass(str(path), files.columns, target, split=Split(test_size, 1), **options)
    for chunk in files.chunks():
        first.add(chunk)
    return first.finish()
