"""``chainrule evaluate``: measure a saved model on a CSV file that has the target column."""

from __future__ import annotations

from .output import Output, metrics_table

HELP = "Measure a saved model on a CSV file that has the target column."
EXAMPLES = """examples:
  chainrule evaluate chainrule-model/model.safetensors test.csv
  chainrule evaluate model.safetensors test.csv --json"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL")
    parser.add_argument("data", metavar="DATA", help="CSV or Parquet file ('-' for CSV on stdin)")


def run(args, out: Output) -> int:
    from ..nn.network import Network
    from ..tables.arrow_table import read_table_file as read_table
    from ..workflow.apply import evaluate_table

    network = Network.load(args.model)
    result = evaluate_table(network, read_table(args.data))
    out.result(metrics_table({"data": result}), result)
    return 0
