"""``chainrule predict``: predict the target for every row of a CSV or Parquet file."""

from __future__ import annotations

import sys

from .options import UsageError
from .output import Output
from .paths import MODEL_HELP, check_output, model_path

HELP = "Predict the target for every row of a CSV or Parquet file."
EXAMPLES = """examples:
  chainrule predict model.safetensors new.csv -o predictions.csv
  chainrule predict chainrule-model new.parquet -o predictions.parquet
  cat new.csv | chainrule predict model.safetensors - > predictions.csv
  chainrule predict chainrule-model new.csv --json | head -3   # JSON Lines on stdout"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", type=model_path, help=MODEL_HELP)
    parser.add_argument("data", metavar="DATA", help="CSV or Parquet file ('-' for CSV on stdin)")
    parser.add_argument(
        "-o",
        "--output",
        default="-",
        help="file for the predictions ('-', the default, for stdout), written as its extension says: "
        ".csv (and any other), .tsv, .parquet or .pq, .json (an array of rows), .jsonl, each maybe "
        "compressed (.gz, .bz2, .xz); "
        "stdout gets CSV, or JSON Lines with --json",
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
    from ..tables.write import compressed_for, form_of, six_digits, table_bytes
    from ..workflow.apply import predict_table

    check_output("-o", args.output, {"the data": args.data, "the model": args.model})
    network = Network.load(args.model)
    table = read_table(args.data)
    predictions, probabilities, notes = predict_table(network, table)
    notes += _blank_note(table, len(predictions))
    for note in notes:
        out.note(note)
    pre = network.preprocessor
    to_stdout = args.output == "-"
    form = ("jsonl" if out.json else "csv") if to_stdout else form_of(args.output)
    columns = {pre.target or "prediction": predictions}
    if probabilities is not None:
        for j, label in enumerate(pre.labels):
            # Text files get '%.6g'; Parquet and JSON keep every digit of the number.
            probability = probabilities[:, j]
            columns[f"probability_{label}"] = (
                six_digits(probability) if form in ("csv", "tsv") else probability
            )
    written = (
        table_bytes(columns, form) if to_stdout else compressed_for(args.output, table_bytes(columns, form))
    )
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(written)
        sys.stdout.buffer.flush()
        return 0
    try:
        atomic_write(args.output, written)
    except OSError as error:
        raise UsageError(f"-o {args.output}: cannot write ({error.strerror})") from None
    out.note(f"wrote {len(predictions)} predictions to {args.output} ({form})")
    if out.json:
        out.result("", {"predictions": len(predictions), "output": args.output, "form": form, "notes": notes})
    return 0
