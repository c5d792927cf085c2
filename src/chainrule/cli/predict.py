"""``chainrule predict``: predict the target for every row of a CSV file."""

from __future__ import annotations

import sys

from .options import UsageError
from .output import Output
from .paths import check_output

HELP = "Predict the target for every row of a CSV file."
EXAMPLES = """examples:
  chainrule predict model.safetensors new.csv -o predictions.csv
  cat new.csv | chainrule predict model.safetensors - > predictions.csv"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("data", metavar="DATA", help="CSV or Parquet file ('-' for CSV on stdin)")
    parser.add_argument(
        "-o", "--output", default="-", help="CSV file for the predictions ('-', the default, for stdout)"
    )


def _blank_note(table, rows: int) -> list[str]:
    """A note when blank lines between the rows were skipped: the predictions are one per row,
    so they do not line up with the file's lines."""
    blank = table.blank_lines()
    if not blank:
        return []
    shown = ", ".join(map(str, blank[:5])) + (", ..." if len(blank) > 5 else "")
    lines = f"line{'s' if len(blank) > 1 else ''} {shown}"
    return [
        f"{table.source}: skipped {len(blank)} blank line{'s' if len(blank) > 1 else ''} between the rows "
        f"({lines}), which hold no row: the {rows} predictions are one per row, not one per line"
    ]


def run(args, out: Output) -> int:
    from ..nn.network import Network
    from ..safefile import atomic_write
    from ..tables.arrow_table import read_table_file as read_table
    from ..tables.write import csv_bytes, six_digits
    from ..workflow.apply import predict_table

    check_output("-o", args.output, {"the data": args.data, "the model": args.model})
    network = Network.load(args.model)
    table = read_table(args.data)
    predictions, probabilities, notes = predict_table(network, table)
    notes += _blank_note(table, len(predictions))
    for note in notes:
        out.note(note)
    pre = network.preprocessor
    columns = {pre.target or "prediction": predictions}
    if probabilities is not None:
        for j, label in enumerate(pre.labels):
            columns[f"probability_{label}"] = six_digits(probabilities[:, j])
    written = csv_bytes(columns)
    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(written)
        sys.stdout.buffer.flush()
        return 0
    try:
        atomic_write(args.output, written)
    except OSError as error:
        raise UsageError(f"-o {args.output}: cannot write ({error.strerror})") from None
    out.note(f"wrote {len(predictions)} predictions to {args.output}")
    return 0
