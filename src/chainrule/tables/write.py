"""Writing a table of predictions as CSV, with the engine that reads them (``pyarrow.csv``),
or as tab-separated text, Parquet or JSON (``FORMS``, chosen by the output's extension).

Probabilities are written as ``'%.6g' % p`` would write them, computed for the whole
column at once (``six_digits``): a value is rounded to six significant digits in NumPy,
and Arrow prints the rounded number. The two agree digit for digit because

- ``M = rint(p * 10**k)`` is the correctly rounded six-digit mantissa whenever
  ``p * 10**k`` is not within 1e-6 of a half (the product's rounding error is below
  1e-9 there); the few values that are, and values below 1e-290 or not finite, are
  formatted by Python one by one;
- ``M / 10**k`` (both exact in a double) is the double nearest the decimal ``M × 10**-k``,
  and Arrow prints the shortest text that reads back as that double, which is that
  decimal itself: two decimals of six digits never share a double;
- Arrow and ``%g`` both print positional digits for 1e-4 <= |x| < 1e6 and 0 (no trailing
  zeros, no '.0'); below 1e-4 ``%g`` writes ``d.ddddde-XX``, which is assembled here from
  ``M`` and the exponent (1e6 and above, where ``%g`` writes ``e+XX``, go to Python too).

``tests/tables/test_write.py`` checks this against ``%`` on every exponent and at the halves.
"""

from __future__ import annotations

import numpy as np

from .cells import arrow

__all__ = ["six_digits", "csv_bytes", "table_bytes", "form_of", "compressed_for", "FORMS"]

#: Output forms by file extension; anything else (and standard output) is CSV.
FORMS = {
    ".tsv": "tsv",
    ".tab": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
#: Compressions by the last extension (``predictions.csv.gz``), as pandas writes them.
COMPRESSIONS = (".gz", ".bz2", ".xz")

_SPECIAL = (",", '"', "\n", "\r")


def six_digits(values: np.ndarray):
    """``['%.6g' % v for v in values]`` as an Arrow string array, without a Python loop."""
    pa, pc, _ = arrow()
    p = np.asarray(values, dtype=np.float64)
    magnitude = np.abs(p)
    normal = np.isfinite(p) & (magnitude >= 1e-290)
    safe = np.where(normal & (magnitude > 0), magnitude, 1.0)
    exponent = np.floor(np.log10(safe)).astype(np.int64)  # of the leading digit, maybe off by one
    scaled = safe * 10.0 ** (5 - exponent).astype(np.float64)
    exponent += (scaled >= 999999.5).astype(np.int64) - (scaled < 99999.5).astype(np.int64)
    scaled = safe * 10.0 ** (5 - exponent).astype(np.float64)
    mantissa = np.rint(scaled)
    rounds_up = mantissa >= 1e6  # 999999.5 and above round to 1000000: one more digit
    exponent[rounds_up] += 1
    mantissa[rounds_up] = 1e5
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    by_python = (~normal | near_half | (exponent >= 6)) & (p != 0)
    k = (5 - exponent).astype(np.float64)
    rounded = np.copysign(np.where(k >= 0, mantissa / 10.0**k, mantissa * 10.0**-k), p)
    rounded[p == 0] = p[p == 0]  # keeps the sign of -0.0
    texts = pc.cast(pa.array(rounded), pa.string())
    small = normal & (exponent < -4) & (p != 0)
    if small.any():
        digits = pc.utf8_rtrim(pc.cast(pa.array(mantissa[small].astype(np.int64)), pa.string()), "0")
        point = pc.if_else(pc.greater(pc.utf8_length(digits), 1), ".", "")
        lead, rest = pc.utf8_slice_codeunits(digits, 0, 1), pc.utf8_slice_codeunits(digits, 1)
        power = pc.utf8_lpad(pc.cast(pa.array(-exponent[small]), pa.string()), 2, "0")
        sign = pa.array(np.where(p[small] < 0, "-", ""))
        joined = pc.binary_join_element_wise(sign, lead, point, rest, "e-", power, "")
        texts = _put(texts, small, joined)
    if by_python.any():
        texts = _put(texts, by_python, pa.array([f"{v:.6g}" for v in p[by_python]]))
    return texts


def _put(texts, where: np.ndarray, values):
    """``texts`` with the entries at ``where`` replaced by ``values`` (in order)."""
    pa, pc, _ = arrow()
    return pc.replace_with_mask(texts, pa.array(where), values)


def form_of(path: str) -> str:
    """The form an output path asks for by its extension: "csv", "tsv", "parquet", "json" or
    "jsonl" (before a compression's extension: ``p.tsv.gz`` is "tsv")."""
    lowered = str(path).lower()
    lowered = next((lowered[: -len(ext)] for ext in COMPRESSIONS if lowered.endswith(ext)), lowered)
    return next((form for ext, form in FORMS.items() if lowered.endswith(ext)), "csv")


def compressed_for(path: str, data: bytes) -> bytes:
    """``data`` compressed as the path's last extension asks (gzip, bzip2, xz), else as it is."""
    import bz2
    import gzip
    import lzma

    lowered = str(path).lower()
    compress = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
    return next((compress[ext](data) for ext in COMPRESSIONS if lowered.endswith(ext)), data)


def table_bytes(columns: dict[str, object], form: str) -> bytes:
    """The bytes of a file of ``columns`` (Arrow arrays or NumPy) in ``form`` (``form_of``):
    CSV or tab-separated with a header, Parquet, a JSON array of one object per row, or JSON
    Lines (one object per line). Numbers keep every digit in Parquet and JSON."""
    pa, _, _ = arrow()
    if form in ("csv", "tsv"):
        return csv_bytes(columns, "\t" if form == "tsv" else ",")
    table = pa.table({name: values for name, values in columns.items()})
    if form == "parquet":
        import pyarrow.parquet as pq

        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return sink.getvalue().to_pybytes()
    import json

    rows = table.to_pylist()
    if form == "jsonl":
        return "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows).encode("utf-8")
    return (json.dumps(rows, ensure_ascii=False) + "\n").encode("utf-8")


def csv_bytes(columns: dict[str, object], delimiter: str = ",") -> bytes:
    """A CSV file's bytes: a header of the names, then the columns (Arrow arrays or NumPy),
    separated by ``delimiter``.

    Values are quoted only when the file needs it (a delimiter, quote or line end in some
    name or text), as Python's ``csv`` module does by default.
    """
    pa, pc, pv = arrow()
    table = pa.table({name: values for name, values in columns.items()})
    special = (*_SPECIAL, delimiter)
    needs = any(c in name for name in table.column_names for c in special)
    for column in table.columns:
        if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
            for text in special:
                needs = needs or bool(pc.any(pc.match_substring(column, text)).as_py())
    style = "needed" if needs else "none"
    sink = pa.BufferOutputStream()
    options = pv.WriteOptions(quoting_style=style, quoting_header=style, delimiter=delimiter)
    pv.write_csv(table, sink, options)
    return sink.getvalue().to_pybytes()
