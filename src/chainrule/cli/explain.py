"""``chainrule explain``: the chain rule for one row, weight by weight."""

from __future__ import annotations

from pathlib import Path

from .options import UsageError
from .output import Output
from .paths import MODEL_HELP, check_output, model_path, same_file

HELP = "Show the chain rule for one row: every weight's slope as node value × activation slope × loss slope."
EXAMPLES = """examples:
  chainrule explain model.safetensors data.csv --row 1"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", type=model_path, help=MODEL_HELP)
    parser.add_argument(
        "data", metavar="DATA", help="CSV or Parquet file with the target column ('-' for CSV on stdin)"
    )
    parser.add_argument(
        "--row", required=True, help="data row to explain (1 = the first row below the header)"
    )
    parser.add_argument(
        "--html", metavar="FILE.html", help="also write the page that walks through this training step"
    )
    parser.add_argument(
        "--figure",
        metavar="FILE.svg",
        help="also draw the network with this row's values and slopes (.svg, .png)",
    )
    parser.add_argument("--lr", default="0.01", help="learning rate of the page's update step (default 0.01)")


def run(args, out: Output) -> int:
    from ..nn.network import Network
    from ..tables.arrow_table import read_table_file as read_table
    from ..workflow.apply import explain_row

    inputs = {"the data": args.data, "the model": args.model}
    for flag, path in (("--figure", args.figure), ("--html", args.html)):
        if path is not None:
            check_output(flag, path, inputs)
    if args.figure is not None:
        _check_suffix(args.figure, "--figure", (".svg", ".png"))
    if args.figure is not None and args.html is not None and same_file(Path(args.figure), Path(args.html)):
        raise UsageError(f"--figure and --html name the same file {args.html}; give each its own")
    network = Network.load(args.model)
    table = read_table(args.data)
    lr = _lr(args.lr)
    explanation, example = explain_row(network, table, _row(args.row, len(table)))
    out.note(example.note)
    if args.figure is not None:
        from ..see.network_picture import network as network_picture

        network_picture(
            network,
            example.x,
            example.y,
            example.loss,
            args.figure,
            input_names=example.input_names,
            fixed=example.fixed,
        )
        out.note(f"wrote the picture to {args.figure}")
    if args.html is not None:
        from ..see.page import explain_html

        explain_html(
            network,
            example.x,
            example.y,
            example.loss,
            lr,
            args.html,
            input_names=example.input_names,
            fixed=example.fixed,
            note=example.note,
        )
        out.note(f"wrote the page to {args.html}; open it in a browser")
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


def _lr(text: str) -> float:
    try:
        lr = float(text)
    except ValueError:
        raise UsageError(f"--lr must be a number, got {text!r}") from None
    if not (lr > 0 and lr < float("inf")):
        raise UsageError(f"--lr must be a finite number > 0, got {text!r}")
    return lr


def _check_suffix(path: str, flag: str, suffixes: tuple[str, ...]) -> None:
    if not str(path).lower().endswith(suffixes):
        raise UsageError(f"{flag} {path}: the name must end in {' or '.join(suffixes)}")
