"""``chainrule train``: train a network on a CSV or Parquet file and save the model, metrics and loss curve."""

from __future__ import annotations

import os
from pathlib import Path

from .options import RUN_OPTIONS, UsageError, add_train_options, flags, train_settings
from .output import Output, metrics_table
from .paths import check_output

DEFAULT_CHUNK_ROWS = 100_000
HELP = "Train a network on a CSV or Parquet file and save the model, metrics and loss curve."
EXAMPLES = """examples:
  chainrule train                                   # built-in breast-cancer data, no download
  chainrule train data.csv --target price           # task inferred from the target
  chainrule train admissions.csv --target admit --hidden 8 --epochs 500 --lr 0.01
  chainrule train data.csv --target y --impute median --out runs/y    # fill gaps in numbers
  chainrule train ledger.csv --target y --thousands ,   # 1,234.50; (1,234.50) is negative
  chainrule train data.csv --config train.toml      # options from a TOML file
  chainrule train 'data/*.parquet' --target y --chunk-rows 100000   # files larger than memory
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
    from ..tables.stream import is_streamed
    from ..workflow.config import TrainConfig
    from ..workflow.train import train_table

    if args.data is not None and args.dataset is not None:
        raise UsageError(f"give DATA ({args.data}) or --dataset {args.dataset}, not both")
    settings, where = train_settings(args)
    config = TrainConfig(**settings).checked()  # every option is checked before any data is read
    data = where["data"]
    if data is None:
        if where["dataset"] not in DATASETS:
            raise UsageError(f"--dataset must be one of {', '.join(DATASETS)}, got {where['dataset']!r}")
        table, dataset = load_dataset(where["dataset"])
        config.target = config.target or dataset.target
        about = f"data: built-in dataset {dataset.name} ({dataset.description})"
    elif config.chunk_rows is not None or is_streamed(data):
        return _run_streamed(data, config, where, out)
    else:
        table = read_table(data)
        if not config.target:
            raise UsageError(f"--target is required with a DATA file; columns are {', '.join(table.columns)}")
        about = f"data: {table.source} ({len(table)} rows, {len(table.columns)} columns)"
    directory = _checked_out(where)  # nothing is created yet
    result = train_table(table, _announcing(config, about, out))
    _finish(result, config, data, where, directory, about, len(table.columns), out)
    return 0


def _run_streamed(data, config, where, out) -> int:
    """``DATA`` read in chunks of ``--chunk-rows`` rows (default 100000), never whole."""
    from ..tables.stream import open_files
    from ..workflow.stream import train_files

    files = open_files(data, config.chunk_rows or DEFAULT_CHUNK_ROWS, config.target)
    if not config.target:
        raise UsageError(f"--target is required with a DATA file; columns are {', '.join(files.columns)}")
    config.chunk_rows = files.chunk_rows
    count = f"{len(files.paths)} file{'s' if len(files.paths) > 1 else ''}"
    about = f"data: {data} ({count}, {len(files.columns)} columns, read in chunks of {files.chunk_rows} rows)"
    directory = _checked_out(where)
    result = train_files(files, _announcing(config, about, out))
    _finish(result, config, data, where, directory, about, len(files.columns), out)
    return 0


def _announcing(config, about: str, out: Output):
    """``config`` with the verbosity of ``out`` and the notes printed when training starts."""

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
    return config


def _finish(result, config, data, where, directory, about: str, columns: int, out: Output) -> None:
    """Write the run's files and print where they went and the metrics."""
    from ..workflow.run_files import write_run

    # Paths as absolute ones, so config.toml repeats the run from any folder (its own too).
    recorded = {**config.settings(), "data": data if data in (None, "-") else os.path.abspath(data)}
    if data is None:
        recorded["dataset"] = where["dataset"]
    if where["report"] is not None:
        recorded["report"] = os.path.abspath(where["report"])
    summary = {
        "source": about.removeprefix("data: "),
        "columns": columns,
        "notes": [flags(note) for note in result.notes],
    }
    if (
        "verdict" in result.metrics
    ):  # what to try, as flags: metrics.json and the report are the command line's
        result.metrics["verdict"] = flags(result.metrics["verdict"])
    result.metrics["notes"] = summary["notes"]  # what the run said of the data and the model, as printed
    written, notes = write_run(directory, result, recorded, report=where["report"], data_summary=summary)
    for note in notes:
        out.note(note)
    out.note(f"{_trained(result.metrics)}; wrote {', '.join(written)} to {directory}/")
    out.result(metrics_table(result.metrics), result.metrics)


def _checked_out(where: dict):
    """--out, checked before training: a folder of a run's own files (or none yet) that the
    run's folder can replace whole (see workflow.run_folder)."""
    from ..workflow.run_files import own_files, report_name_inside
    from ..workflow.run_folder import check_out

    report = where["report"]
    if report is not None and Path(report).absolute() == Path(where["out"]).absolute():
        raise UsageError(
            f"--report {report} names the --out folder; give the page a file name, "
            f"e.g. {Path(report) / 'report.html'}"
        )
    inside = report_name_inside(where["out"], report)
    if report is not None and inside is None:  # a page inside --out goes into the run's new folder
        check_output("--report", report, {"the data": where["data"]})
    return check_out(where["out"], own_files(where["out"], report))


def _trained(metrics: dict) -> str:
    """How long the network (or each network of an ensemble) trained, and what early stopping kept."""
    ensemble = metrics.get("ensemble")
    if ensemble:
        runs, kept = ensemble["epochs_run"], ensemble["best_epochs"]
        spread = (
            f"{_epochs(min(runs))} each" if min(runs) == max(runs) else f"{min(runs)} to {max(runs)} epochs"
        )
        line = f"trained {len(runs)} networks, {spread}"
        if all(best is not None for best in kept):
            line += f", early stopping kept epochs {', '.join(map(str, kept))}"
        return line
    best = metrics.get("best_epoch")
    if best == 0:
        return f"trained {_epochs(metrics['epochs_run'])}, early stopping kept the starting weights (epoch 0: the linear model)"
    return f"trained {_epochs(metrics['epochs_run'])}" + (
        f", early stopping kept epoch {best}" if best is not None else ""
    )


def _epochs(count: int) -> str:
    return f"{count} epoch{'' if count == 1 else 's'}"
