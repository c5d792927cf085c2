"""The inputs of a table model's ONNX graph: each column's element type and how it is fed;
and the element type of a regression model's output, by the same rule.

A numeric column is an input of shape ``(n, 1)``, float32 unless float32 would round away what
the model reads. float32 keeps a number x to within |x|·2⁻²⁴, so at the column's mean it moves
the standardised value (x - mean) / std by up to 2⁻²⁴·|mean| / std standard deviations. When
that can exceed 2⁻¹⁶ (about 1.5e-5, the agreement asked of an export), that is when
|mean| > 256 × std (epoch timestamps, readings with a large offset and a small spread), the
input is double: ``chainrule predict`` reads the text as float64, and a float32 input would
quantise such a column silently (epoch milliseconds to 131,072 ms steps). A serving program
that feeds float32 there gets the runtime's type error. Ordinary columns, years (2000 ± 10)
among them, stay float32.

The same holds for a regression model's output ``"variable"``: it is double when the target's
stored |mean| > 256 × std (a target in epoch milliseconds would otherwise come out on 131,072 ms
steps, every row alike), float32 otherwise, as skl2onnx gives it (``output_dtype``).

The graph takes numbers, not the text the training file held: ``percent=`` read ``50%`` as 0.5,
``decimal=','`` read ``1234,5`` as 1234.5, and so the input is 0.5 and 1234.5. ``description``
says so per column; ``table_model`` records it in the file's metadata (``metadata_props``, key
``input:NAME``), and ``export_model`` returns ``notes``, the lines for ``chainrule export`` to print.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "FLOAT32_SPREAD",
    "METADATA_KEY",
    "OUTPUT_NAMES",
    "input_dtype",
    "output_dtype",
    "input_names",
    "description",
    "metadata",
    "notes",
]

#: A numeric input is double when its stored |mean| exceeds this many standard deviations.
FLOAT32_SPREAD = 256.0

#: The metadata key of a column's description: ``METADATA_KEY.format(input name)``.
METADATA_KEY = "input:{}"

#: The graph's outputs by task: an input cannot take one of these names (ONNX names each value once).
OUTPUT_NAMES = {"classification": ("label", "probabilities"), "regression": ("variable",)}


def input_names(pre) -> dict[str, str]:
    """Each column's input: named as the column, or, for a column with an output's name
    (``OUTPUT_NAMES``: a feature called ``label``), that name and ``_input`` (and ``_`` more
    until no column has it)."""
    outputs = OUTPUT_NAMES[pre.task]
    taken = {*pre.features, *outputs}
    names = {}
    for column in pre.features:
        name = column
        if column in outputs:
            name = f"{column}_input"
            while name in taken:
                name += "_"
            taken.add(name)
        names[column] = name
    return names


def input_dtype(pre, name: str) -> np.dtype:
    """The NumPy dtype column ``name`` of ``pre`` (a Preprocessor) is fed as: object (strings)
    for a category; for a number float32, or float64 when |mean| > ``FLOAT32_SPREAD`` × std."""
    if name in pre.categorical:
        return np.dtype(object)
    stats = pre.numeric[name]
    wide = abs(stats["mean"]) > FLOAT32_SPREAD * stats["std"]
    return np.dtype(np.float64 if wide else np.float32)


def output_dtype(pre) -> np.dtype:
    """The NumPy dtype of a regression model's ``"variable"`` output: float64 when the target's
    |mean| > ``FLOAT32_SPREAD`` × std (float32 would round away what ``predict`` gives), else
    float32; float32 for classification (probabilities)."""
    if pre.task != "regression":
        return np.dtype(np.float32)
    wide = abs(pre.target_mean) > FLOAT32_SPREAD * pre.target_std
    return np.dtype(np.float64 if wide else np.float32)


def _examples(pre) -> tuple[str | None, str | None]:
    """How the training file wrote 1234.5 (None when plainly) and 0.125 (None without percent=),
    e.g. ``("1.234,5 as 1234.5", "12,5% as 0.125")``."""
    fmt = pre.number_format
    decimal, thousands = fmt.get("decimal", "."), fmt.get("thousands")
    grouped = f"1{thousands or ''}234{decimal}5 as 1234.5" if decimal != "." or thousands else None
    return grouped, f"12{decimal}5% as 0.125" if fmt.get("percent") else None


def _percentages(pre, name: str) -> bool:
    """Whether column ``name`` was written as percentages (any column may be, in a model file
    from before ``percent_columns`` was stored)."""
    columns = pre.features if pre.percent_columns is None else pre.percent_columns
    return bool(pre.number_format.get("percent")) and name in columns


def description(pre, name: str) -> str:
    """One line on how column ``name`` of ``pre`` (a Preprocessor) is fed to the graph, e.g.
    ``float32: the number, a percentage as a fraction (feed 12,5% as 0.125); NaN for a gap``."""
    if name in pre.categorical:
        return "string: the category as written, in Unicode NFC (surrounding whitespace is ignored)"
    dtype = "double" if input_dtype(pre, name) == np.float64 else "float32"
    grouped, percent = _examples(pre)
    if _percentages(pre, name):
        return f"{dtype}: the number, a percentage as a fraction (feed {percent}); NaN for a gap"
    return f"{dtype}: the number{f' (feed {grouped})' if grouped else ''}; NaN for a gap"


def metadata(pre) -> dict[str, str]:
    """The ONNX file's ``metadata_props``: ``description`` of each column under ``input:NAME``
    (the input's name; a renamed column's description names the column)."""
    return {
        METADATA_KEY.format(name): (f"the column {column!r}, " if name != column else "")
        + description(pre, column)
        for column, name in input_names(pre).items()
    }


def notes(pre) -> list[str]:
    """What ``chainrule export`` says about the inputs beyond "one per column", one line each:
    the double inputs, and how numbers written other ways are fed."""
    lines = [
        f"column {column!r} is fed as input {name!r}: {column!r} is the name of an output"
        for column, name in input_names(pre).items()
        if name != column
    ]
    numeric = [name for name in pre.features if name in pre.numeric]
    wide = [name for name in numeric if input_dtype(pre, name) == np.float64]
    if wide:
        lines.append(
            f"input{'s' if len(wide) > 1 else ''} {', '.join(map(repr, wide))} "
            f"{'are' if len(wide) > 1 else 'is'} double, not float32: |mean| > "
            f"{FLOAT32_SPREAD:g} × std, so float32 would round away what the model reads; feed float64"
        )
    if output_dtype(pre) == np.float64:
        lines.append(
            f"output 'variable' is double, not float32: the target's |mean| > {FLOAT32_SPREAD:g} × std, "
            "so float32 would round away what the model predicts"
        )
    grouped, percent = _examples(pre)
    fractions = [name for name in numeric if _percentages(pre, name)]
    if grouped or fractions:
        ways = [grouped] if grouped else []
        if fractions:
            which = f"column{'s' if len(fractions) > 1 else ''} {', '.join(map(repr, fractions))}"
            if pre.percent_columns is None:  # a model file from before: any column may be
                which = "any column written with % signs"
            ways.append(f"a percentage as a fraction, {percent} ({which})")
        lines.append(
            f"feed numbers as numbers, not as the training file wrote them: {'; '.join(ways)}; "
            "the file's metadata ('input:NAME') says how for each column"
        )
    return lines
