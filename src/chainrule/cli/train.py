"""``chainrule train``: train a network on a CSV file and save the model, metrics and loss curve."""

from __future__ import annotations

from .options import RUN_OPTIONS, UsageError, add_train_options, flags, train_settings
from .output import Output, metrics_table

HELP = "Train a network on a CSV file and save the model, metrics and loss curve."
EXAMPLES = """examples:
  chainrule train                                   # built-in breast-cancer data, no download
  chainrule train data.csv --target price           # task inferred from the target
  chainrule train admissions.csv --target admit --hidden 8 --epochs 500 --lr 0.01
  chainrule train data.csv --target y --impute median --out runs/y    # fill gaps in numbers
  chainrule train data.csv --config train.toml      # options from a TOML file
"""


def add_arguments(parser) -> None:
    parser.add_argument("data", nargs="?", metavar="DATA", help=RUN_OPTIONS["data"])
    add_train_options(parser)
    parser.add_argument("--out", help=RUN_OPTIONS["out"])
    parser.add_argument("--dataset", help=RUN_OPTIONS["dataset"])
    parser.add_argument("--report", metavar="FILE.html", help=RUN_OPTIONS["report"])
    parser.add_argument("--config", help="TOML file with any of these options (command line wins)")


def run(args, out: Output) -> int:
    from ..tables.datasets import DATASETS, load_dataset
    from ..tables.read import read_table
    from ..workflow.config import TrainConfig
    from ..workflow.run_files import report_name_inside, write_run
    from ..workflow.run_folder import check_out
    from ..workflow.train import train_table

    settings, where = train_settings(args)
    config = TrainConfig(**settings).checked()  # every option is checked before any data is read
    data = where["data"]
    if data is None:
        if where["dataset"] not in DATASETS:
            raise UsageError(f"--dataset must be one of {', '.join(DATASETS)}, got {where['dataset']!r}")
        table, dataset = load_dataset(where["dataset"])
        config.target = config.target or dataset.target
        about = f"data: built-in dataset {dataset.name} ({dataset.description})"
    else:
        table = read_table(data)
        if not config.target:
            raise UsageError(f"--target is required with a DATA file; columns are {', '.join(table.columns)}")
        about = f"data: {table.source} ({len(table)} rows, {len(table.columns)} columns)"
    inside = report_name_inside(where["out"], where["report"])
    directory = check_out(where["out"], [inside] if inside else [])  # nothing is created yet

    def on_start(notes, net, loss):
        # Printed only once the data has passed every check, so an error is all that is printed.
        for note in [about, *notes]:
            out.note(flags(note))
        hidden = ", ".join(layer.activation.name for layer in net.layers[:-1]) or "no hidden layer"
        out.note(
            f"network: {net.sizes}, {hidden} → {net.output_activation.name}, loss {loss}, {net.dtype.name}"
        )

    config.verbose = 0 if out.quiet else (2 if out.verbose else 1)
    config.on_start = on_start
    result = train_table(table, config)
    recorded = {**config.settings(), "data": data}
    if data is None:
        recorded["dataset"] = where["dataset"]
    if where["report"] is not None:
        recorded["report"] = where["report"]
    summary = {"source": about.removeprefix("data: "), "columns": len(table.columns)}
    written, notes = write_run(directory, result, recorded, report=where["report"], data_summary=summary)
    for note in notes:
        out.note(note)
    best = result.metrics.get("best_epoch")
    stopped = f", early stopping kept epoch {best}" if best is not None else ""
    out.note(
        f"trained {result.metrics['epochs_run']} epochs{stopped}; wrote {', '.join(written)} to {directory}/"
    )
    out.result(metrics_table(result.metrics), result.metrics)
    return 0
