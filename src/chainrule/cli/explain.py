"""``chainrule explain``: the chain rule for one row, weight by weight."""

from __future__ import annotations

from .options import UsageError
from .output import Output

HELP = "Show the chain rule for one row: every weight's slope as node value × activation slope × loss slope."
EXAMPLES = """examples:
  chainrule explain model.safetensors data.csv --row 1"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("data", metavar="DATA", help="CSV file with the target column ('-' for stdin)")
    parser.add_argument(
        "--row", required=True, help="data row to explain (1 = the first row below the header)"
    )


def run(args, out: Output) -> int:
    from ..files.modelfile import load
    from ..tables.read import read_table
    from ..workflow.apply import explain_row

    network = load(args.model)
    table = read_table(args.data)
    explanation, note = explain_row(network, table, _row(args.row, len(table)))
    out.note(note)
    out.result(str(explanation), explanation.to_dict())
    return 0


def _row(text: str, n_rows: int) -> int:
    """--row as a row number from 1 to the number of rows."""
    stripped = str(text).strip()
    if not stripped.lstrip("-").isdigit():
        raise UsageError(f"--row must be a whole number, got {text!r}")
    row = int(stripped)
    if row < 1:
        raise UsageError(f"--row must be >= 1, got {text!r}")
    if row > n_rows:
        raise UsageError(f"--row must be <= {n_rows} (the data has {n_rows} rows), got {text!r}")
    return row
