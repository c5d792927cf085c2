"""``chainrule evaluate``: measure a saved model on a CSV or Parquet file that has the target column."""

from __future__ import annotations

from .output import Output, metrics_table
from .paths import MODEL_HELP, model_path

HELP = "Measure a saved model on a CSV or Parquet file that has the target column."
EXAMPLES = """examples:
  chainrule evaluate chainrule-model/model.safetensors test.csv
  chainrule evaluate model.safetensors test.csv --json"""


def add_arguments(parser) -> None:
    parser.add_argument("model", metavar="MODEL", type=model_path, help=MODEL_HELP)
    parser.add_argument("data", metavar="DATA", help="CSV or Parquet file ('-' for CSV on stdin)")


def run(args, out: Output) -> int:
    from ..nn.network import Network
    from ..tables.arrow_table import read_table_file as read_table
    from ..tables.fills import fill_notes
    from ..workflow.apply import evaluate_table

    network = Network.load(args.model)
    table = read_table(args.data)
    result = evaluate_table(network, table)
    for note in fill_notes(network.preprocessor, table):  # what --impute filled, as predict says
        out.note(note)
    out.result(metrics_table({"data": result}), result)
    return 0
