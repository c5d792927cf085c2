"""``chainrule predict``: predict the target for every row of a CSV file."""

from __future__ import annotations

import csv
import io
import sys

from .options import UsageError
from .output import Output

HELP = "Predict the target for every row of a CSV file."
EXAMPLES = """examples:
  chainrule predict model.safetensors new.csv -o predictions.csv
  cat new.csv | chainrule predict model.safetensors - > predictions.csv"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("data", metavar="DATA", help="CSV file ('-' for stdin)")
    parser.add_argument(
        "-o", "--output", default="-", help="CSV file for the predictions ('-', the default, for stdout)"
    )


def run(args, out: Output) -> int:
    from ..files.modelfile import load
    from ..safefile import atomic_write
    from ..tables.read import read_table
    from ..workflow.apply import predict_table

    network = load(args.model)
    predictions, probabilities, notes = predict_table(network, read_table(args.data))
    for note in notes:
        out.note(note)
    pre = network.preprocessor
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    header = [pre.target or "prediction"]
    if probabilities is not None:
        header += [f"probability_{label}" for label in pre.labels]
    writer.writerow(header)
    for i, value in enumerate(predictions):
        row = [value]
        if probabilities is not None:
            row += [f"{p:.6g}" for p in probabilities[i]]
        writer.writerow(row)
    if args.output == "-":
        sys.stdout.write(buffer.getvalue())
        return 0
    try:
        atomic_write(args.output, buffer.getvalue().encode())
    except OSError as error:
        raise UsageError(f"-o {args.output}: cannot write ({error.strerror})") from None
    out.note(f"wrote {len(predictions)} predictions to {args.output}")
    return 0
