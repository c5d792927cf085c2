"""How a table model's ONNX graph reads each raw column, as ``predict_table`` does: a number
with its gaps filled (``--impute``) or refused, then standardised in float64; a category
stripped of surrounding whitespace (Python's ``str.strip`` set), a missing one read as the
stored fill, then one-hot. The nodes go into ``files.onnx``'s graph, passed in as ``g``."""

from __future__ import annotations

import numpy as np

__all__ = ["WHITESPACE", "categorical_column", "numeric_column"]

#: The characters Python's ``str.isspace`` accepts, as an RE2 class (RE2's ``\s`` has fewer).
WHITESPACE = (
    r"[\x{9}-\x{d}\x{1c}-\x{20}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
)


def _missing_pattern() -> str:
    """An RE2 pattern for a cell chainrule reads as missing: one of ``MISSING``, any case, padded."""
    from ..tables.read import MISSING

    spellings = "|".join(_literal_pattern(text) for text in sorted(MISSING))
    return f"(?i){WHITESPACE}*({spellings}){WHITESPACE}*"


def _literal_pattern(text: str) -> str:
    """An RE2 pattern matching exactly ``text``: letters and digits as they are, the rest as ``\\x{..}``."""
    return "".join(c if c.isascii() and c.isalnum() else f"\\x{{{ord(c):x}}}" for c in text)


def numeric_column(g, name: str, stats: dict, column: str, dtype) -> str:
    """``(x - mean) / std`` in float64 ``(n, 1)`` of input ``name`` (the table's ``column``),
    NaN and ±inf replaced by the fill value first.

    As ``predict_table`` refuses them, the run fails on a gap without a fill value and on a
    number, or a standardised value, beyond ``tables.formats.magnitude_limit(dtype)`` (what
    the network's ``dtype`` computes with: float32's largest, 1e150 in float64).
    """
    from ..tables.formats import magnitude_limit

    x = g.cast(name, np.float64)
    hole = g.op("Or", g.op("IsNaN", x), g.op("IsInf", x))
    limit = g.const("limit", np.array(magnitude_limit(dtype)))
    within = g.op("Or", hole, g.op("LessOrEqual", g.op("Abs", x), limit))  # gaps: refused or filled
    if "fill" in stats:
        x = g.op("Where", hole, g.const("fill", np.array(stats["fill"])), x)
    else:
        allowed = g.refuse_unless(
            g.op("Not", hole), f"{column}: missing or not finite, and the model was trained without --impute"
        )
        x = g.op("Mul", x, g.cast(allowed, np.float64))
    standard = g.op("Sub", x, g.const("mean", np.array(stats["mean"])))
    standard = g.op("Div", standard, g.const("std", np.array(stats["std"])))
    within = g.op("And", within, g.op("Not", g.op("Greater", g.op("Abs", standard), limit)))
    reason = (
        f"{column}: too large, or too many training standard deviations from the training mean, "
        f"for {np.dtype(dtype).name}; check the value"
    )
    return g.op("Mul", standard, g.cast(g.refuse_unless(within, reason), np.float64))


def categorical_column(g, name: str, categories: list[str], fill: str | None, column: str) -> str:
    """One-hot float64 ``(n, len(categories))`` of input ``name`` (the table's ``column``):
    the stripped cell equals the category.

    A missing cell counts as ``fill`` (when imputing); a row matching no category fails the run.
    """
    columns = []
    for category in categories:
        pattern = f"{WHITESPACE}*{_literal_pattern(category)}{WHITESPACE}*"
        match = g.op("RegexFullMatch", name, pattern=pattern)
        if category == fill:
            match = g.op("Or", match, g.op("RegexFullMatch", name, pattern=_missing_pattern()))
        columns.append(g.cast(match, np.float64))
    one_hot = g.op("Concat", *columns, axis=1) if len(columns) > 1 else columns[0]
    count = g.op("ReduceSum", one_hot, g.const("axis", np.array([1], dtype=np.int64)), keepdims=1)
    reason = f"{column}: category not seen in training, or missing without --impute"
    allowed = g.refuse_unless(g.op("Equal", count, g.const("one", np.array(1.0))), reason)
    return g.op("Mul", one_hot, g.cast(allowed, np.float64))
