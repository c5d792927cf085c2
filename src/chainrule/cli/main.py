"""The ``chainrule`` command: train on a CSV in one command, then evaluate, predict, explain.

Argument parsing is the standard library's argparse; options may also come from
a TOML file (``--config``), with the command line taking precedence. Every
error a user can cause ends in one line on stderr and exit code 2; nothing the
user feeds in produces a traceback.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import os
import sys
from pathlib import Path

from ..errors import ChainruleError, ModelFormatError, TrainingDiverged
from ..tables.read import DataError, read_table

__all__ = ["main"]

EXIT_USAGE = 2


class UsageError(Exception):
    """A bad option or value: reported in one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{message}; see '{self.prog} --help'")


TRAIN_DEFAULTS = {
    "data": None,
    "target": None,
    "task": None,
    "hidden": "16,16",
    "activation": "relu",
    "loss": None,
    "optimizer": "adam",
    "lr": 0.001,
    "epochs": 200,
    "batch_size": 32,
    "seed": 0,
    "test_size": 0.2,
    "early_stopping": False,
    "patience": 10,
    "validation_split": 0.1,
    "out": "chainrule-model",
    "dtype": "float32",
    "impute": None,
    "drop_missing": False,
    "categorical": "",
    "weight_decay": 0.0,
    "dataset": "breast_cancer",
}

TRAIN_EXAMPLES = """examples:
  chainrule train                                   # built-in breast-cancer data, no download
  chainrule train data.csv --target price           # task inferred from the target
  chainrule train admissions.csv --target admit --hidden 8 --epochs 500 --lr 0.01
  chainrule train data.csv --target y --impute median --early-stopping --out runs/y
  chainrule train data.csv --config train.toml      # options from a TOML file
"""


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="chainrule",
        description="Neural networks trained by backpropagation and gradient descent.",
        epilog="examples:\n  chainrule train\n  chainrule predict chainrule-model/model.safetensors new.csv -o out.csv\n"
        "  chainrule explain chainrule-model/model.safetensors data.csv --row 3\n\n"
        "Run 'chainrule COMMAND --help' for a command's options.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    def command(name, help_text, examples):
        sub = commands.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=examples,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        output = sub.add_argument_group("output")
        output.add_argument("--quiet", "-q", action="store_true", help="print only results and errors")
        output.add_argument(
            "--verbose",
            "-v",
            action="store_true",
            help="print more (a progress bar even when not a terminal)",
        )
        output.add_argument("--json", action="store_true", help="print results as JSON")
        return sub

    train = command(
        "train", "Train a network on a CSV file and save the model, metrics and loss curve.", TRAIN_EXAMPLES
    )
    train.add_argument(
        "data", nargs="?", metavar="DATA", help="CSV file ('-' for stdin); default: a built-in dataset"
    )
    train.add_argument("--target", help="the column to predict")
    train.add_argument(
        "--task", choices=["classification", "regression"], help="default: inferred from the target"
    )
    train.add_argument("--hidden", help="hidden layer widths, e.g. 16,16 (default 16,16; 0 or '' for none)")
    train.add_argument(
        "--activation",
        choices=["relu", "leaky_relu", "tanh", "sigmoid", "identity"],
        help="hidden activation (relu)",
    )
    train.add_argument(
        "--loss", help="mse, mae, sse, binary_cross_entropy or cross_entropy (default by task)"
    )
    train.add_argument("--optimizer", choices=["sgd", "adam"], help="default adam")
    train.add_argument("--lr", help="learning rate (0.001)")
    train.add_argument("--epochs", help="passes through the training data (200)")
    train.add_argument("--batch-size", dest="batch_size", help="rows per update (32); 'full' for full-batch")
    train.add_argument("--seed", help="seed for initialisation, shuffling and splits (0)")
    train.add_argument("--test-size", dest="test_size", help="fraction held out for testing (0.2)")
    train.add_argument(
        "--early-stopping",
        dest="early_stopping",
        action="store_const",
        const=True,
        help="stop when validation loss stops improving",
    )
    train.add_argument("--patience", help="epochs without improvement before stopping (10)")
    train.add_argument(
        "--validation-split",
        dest="validation_split",
        help="fraction of training rows for early stopping (0.1)",
    )
    train.add_argument("--weight-decay", dest="weight_decay", help="L2 weight decay (0)")
    train.add_argument("--out", help="output directory (chainrule-model)")
    train.add_argument(
        "--dtype", choices=["float32", "float64"], help="float32 (default) or float64 for exact arithmetic"
    )
    train.add_argument(
        "--impute", choices=["mean", "median"], help="fill missing numbers instead of rejecting them"
    )
    train.add_argument(
        "--drop-missing",
        dest="drop_missing",
        action="store_const",
        const=True,
        help="drop rows with missing values",
    )
    train.add_argument("--categorical", help="comma-separated columns to one-hot encode even if numeric")
    train.add_argument("--dataset", help="built-in dataset when no DATA is given (see 'chainrule datasets')")
    train.add_argument("--config", help="TOML file with any of these options (command line wins)")

    evaluate = command(
        "evaluate",
        "Measure a saved model on a CSV file that has the target column.",
        "examples:\n  chainrule evaluate chainrule-model/model.safetensors test.csv\n  chainrule evaluate model.safetensors test.csv --json",
    )
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("data", metavar="DATA", help="CSV file ('-' for stdin)")

    predict = command(
        "predict",
        "Predict the target for every row of a CSV file.",
        "examples:\n  chainrule predict model.safetensors new.csv -o predictions.csv\n  cat new.csv | chainrule predict model.safetensors - > predictions.csv",
    )
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("data", metavar="DATA", help="CSV file ('-' for stdin)")
    predict.add_argument(
        "-o", "--output", default="-", help="CSV file for the predictions ('-', the default, for stdout)"
    )

    explain = command(
        "explain",
        "Show the chain rule for one row: every weight's slope as node value × activation slope × loss slope.",
        "examples:\n  chainrule explain model.safetensors data.csv --row 1",
    )
    explain.add_argument("model", metavar="MODEL")
    explain.add_argument("data", metavar="DATA", help="CSV file with the target column ('-' for stdin)")
    explain.add_argument(
        "--row", required=True, help="data row to explain (1 = the first row below the header)"
    )

    info = command(
        "info",
        "Describe a saved model: architecture, features, labels, training.",
        "examples:\n  chainrule info model.safetensors",
    )
    info.add_argument("model", metavar="MODEL")

    command(
        "datasets",
        "List the built-in datasets (shipped with scikit-learn; no download).",
        "examples:\n  chainrule datasets",
    )
    return parser


# ------------------------------------------------------------------- checks
def _number(options, name, kind, low=None, high=None, low_open=False, high_open=False):
    value = options[name]
    flag = "--" + name.replace("_", "-")
    try:
        if isinstance(value, bool):
            raise ValueError
        number = kind(value) if kind is float else _whole(value)
    except (TypeError, ValueError):
        raise UsageError(
            f"{flag} must be {'a number' if kind is float else 'a whole number'}, got {value!r}"
        ) from None
    if kind is float and not math.isfinite(number):
        raise UsageError(f"{flag} must be finite, got {value!r}")
    if low is not None and (number < low or (low_open and number == low)):
        raise UsageError(f"{flag} must be {'>' if low_open else '>='} {low}, got {value!r}")
    if high is not None and (number > high or (high_open and number == high)):
        raise UsageError(f"{flag} must be {'<' if high_open else '<='} {high}, got {value!r}")
    return number


def _whole(value) -> int:
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text.lstrip("-").isdigit():
        raise ValueError
    return int(text)


def _hidden(value) -> tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        parts = [str(v) for v in value]
    else:
        parts = [p.strip() for p in str(value).split(",") if p.strip()]
    if parts == ["0"]:
        return ()
    widths = []
    for part in parts:
        if not part.isdigit() or int(part) < 1:
            raise UsageError(f"--hidden must list positive widths like 16,16, got {value!r}")
        widths.append(int(part))
    return tuple(widths)


def _load_config(path) -> dict:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise UsageError("--config needs tomli on Python 3.10: pip install 'chainrule[cli]'") from None
    try:
        with open(path, "rb") as file:
            config = tomllib.load(file)
    except FileNotFoundError:
        raise UsageError(f"{path}: no such config file") from None
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"{path}: not valid TOML ({error})") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror})") from None
    options = {}
    for key, value in config.items():
        name = key.replace("-", "_")
        if name not in TRAIN_DEFAULTS:
            raise UsageError(
                f"{path}: unknown option {key!r}; options are {', '.join(sorted(TRAIN_DEFAULTS))}"
            )
        options[name] = value
    return options


def _train_options(args) -> dict:
    options = dict(TRAIN_DEFAULTS)
    if args.config:
        options.update(_load_config(args.config))
    for name in TRAIN_DEFAULTS:
        value = getattr(args, name, None)
        if value is not None:
            options[name] = value
    checked = dict(options)
    checked["lr"] = _number(options, "lr", float, 0, low_open=True)
    checked["epochs"] = _number(options, "epochs", int, 1)
    if str(options["batch_size"]).lower() in ("full", "none"):
        checked["batch_size"] = None
    else:
        checked["batch_size"] = _number(options, "batch_size", int, 1)
    checked["seed"] = _number(options, "seed", int, 0)
    checked["test_size"] = _number(options, "test_size", float, 0, 1, high_open=True)
    checked["patience"] = _number(options, "patience", int, 0)
    checked["validation_split"] = _number(
        options, "validation_split", float, 0, 1, low_open=True, high_open=True
    )
    checked["weight_decay"] = _number(options, "weight_decay", float, 0)
    checked["hidden"] = _hidden(options["hidden"])
    categorical = options["categorical"]
    if isinstance(categorical, str):
        categorical = [c.strip() for c in categorical.split(",") if c.strip()]
    checked["categorical"] = tuple(categorical)
    for name, choices in (
        ("task", (None, "classification", "regression")),
        ("activation", ("relu", "leaky_relu", "tanh", "sigmoid", "identity")),
        ("optimizer", ("sgd", "adam")),
        ("dtype", ("float32", "float64")),
        ("impute", (None, "mean", "median")),
    ):
        if checked[name] not in choices:
            allowed = ", ".join(c for c in choices if c)
            raise UsageError(f"--{name} must be one of {allowed}, got {checked[name]!r}")
    checked["early_stopping"] = bool(options["early_stopping"])
    checked["drop_missing"] = bool(options["drop_missing"])
    return checked


# ------------------------------------------------------------------ output
class Output:
    def __init__(self, args):
        self.quiet = getattr(args, "quiet", False)
        self.verbose = getattr(args, "verbose", False)
        self.json = getattr(args, "json", False)

    def note(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)

    def result(self, text: str, data) -> None:
        if self.json:
            print(json.dumps(data, indent=2, allow_nan=False, default=_plain))
        else:
            print(text)


def _plain(value):
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def metrics_table(results: dict) -> str:
    """The metrics of one or more splits as an aligned text table."""
    splits = [s for s in ("train", "test", "data") if s in results]
    keys = [
        k for k in ("rows", "loss", "accuracy", "r2", "mae", "mse") if any(k in results[s] for s in splits)
    ]
    width = max(len(k) for k in keys) + 2
    lines = [" " * width + "".join(f"{s:>12}" for s in splits)]
    for key in keys:
        label = {"r2": "R²", "mae": "MAE", "mse": "MSE"}.get(key, key)
        lines.append(f"{label:<{width}}" + "".join(f"{_fmt(results[s].get(key, '')):>12}" for s in splits))
    report = next((results[s]["per_class"] for s in reversed(splits) if "per_class" in results[s]), None)
    if report:
        which = next(s for s in reversed(splits) if "per_class" in results[s])
        label_width = max(8, *(len(r["label"]) for r in report)) + 2
        lines += [
            "",
            f"per class ({which}):",
            f"{'class':<{label_width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}",
        ]
        for r in report:
            lines.append(
                f"{r['label']:<{label_width}}{r['precision']:>10.3f}{r['recall']:>10.3f}{r['f1']:>10.3f}{r['support']:>10}"
            )
    return "\n".join(lines)


# ---------------------------------------------------------------- commands
def cmd_train(args, out: Output) -> int:
    from ..tables.datasets import DATASETS, load_dataset
    from ..workflow.train import TrainConfig, train_table

    options = _train_options(args)
    data = options["data"]
    if data is None:
        if options["dataset"] not in DATASETS:
            raise UsageError(f"--dataset must be one of {', '.join(DATASETS)}, got {options['dataset']!r}")
        table, dataset = load_dataset(options["dataset"])
        target = options["target"] or dataset.target
        about = f"data: built-in dataset {dataset.name} ({dataset.description})"
    else:
        table = read_table(data)
        target = options["target"]
        if not target:
            raise UsageError(f"--target is required with a DATA file; columns are {', '.join(table.columns)}")
        about = f"data: {table.source} ({len(table)} rows, {len(table.columns)} columns)"
    directory = Path(options["out"])
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"--out {directory}: is a file, not a directory; choose another --out")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"--out {directory}: cannot create the directory ({error.strerror})") from None
    if not os.access(directory, os.W_OK):
        raise UsageError(f"--out {directory}: the directory is not writable; choose another --out")

    def on_start(notes, net, loss):
        # Printed only once the data has passed every check, so an error is all that is printed.
        for note in [about, *notes]:
            out.note(note)
        hidden = ", ".join(layer.activation.name for layer in net.layers[:-1]) or "no hidden layer"
        out.note(
            f"network: {net.sizes}, {hidden} → {net.output_activation.name}, loss {loss}, {net.dtype.name}"
        )

    config = TrainConfig(
        target=target,
        task=options["task"],
        hidden=options["hidden"],
        activation=options["activation"],
        loss=options["loss"],
        optimizer=options["optimizer"],
        lr=options["lr"],
        epochs=options["epochs"],
        batch_size=options["batch_size"],
        seed=options["seed"],
        test_size=options["test_size"],
        early_stopping=options["early_stopping"],
        patience=options["patience"],
        validation_split=options["validation_split"],
        dtype=options["dtype"],
        impute=options["impute"],
        drop_missing=options["drop_missing"],
        categorical=options["categorical"],
        weight_decay=options["weight_decay"],
        verbose=0 if out.quiet else (2 if out.verbose else 1),
        on_start=on_start,
    )
    result = train_table(table, config)
    net = result.network
    net.save(directory / "model.safetensors")
    metrics_json = {**result.metrics, "history": result.history.history}
    from ..safefile import atomic_write

    atomic_write(
        directory / "metrics.json",
        json.dumps(metrics_json, indent=2, allow_nan=False, default=_plain).encode(),
    )
    used = {**options, "target": target, "data": data}
    if data is not None:
        used.pop("dataset")
    atomic_write(directory / "config.toml", _toml(used).encode())
    written = ["model.safetensors", "metrics.json", "config.toml"]
    try:
        result.history.plot(directory / "loss.png", title=f"{result.metrics['loss_name']} against epoch")
        written.append("loss.png")
    except ImportError as error:
        out.note(f"no loss.png: {error}")
    stopped = (
        f", early stopping kept epoch {result.metrics['best_epoch']}"
        if "best_epoch" in result.metrics
        else ""
    )
    out.note(
        f"trained {result.metrics['epochs_run']} epochs{stopped}; wrote {', '.join(written)} to {directory}/"
    )
    out.result(metrics_table(result.metrics), result.metrics)
    return 0


def _toml(options: dict) -> str:
    lines = ["# the configuration of this run: chainrule train --config config.toml repeats it"]
    for key in sorted(options):
        value = options[key]
        if value is None or key in ("config",) or (key == "data" and value == "-"):
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (int, float)):
            text = repr(value)
        elif isinstance(value, (list, tuple)):
            text = "[" + ", ".join(json.dumps(v) for v in value) + "]"
        else:
            text = json.dumps(str(value))
        lines.append(f"{key} = {text}")
    return "\n".join(lines) + "\n"


def _load_model(path):
    from ..files.modelfile import load

    return load(path)


def cmd_evaluate(args, out: Output) -> int:
    from ..workflow.train import evaluate_table

    network = _load_model(args.model)
    table = read_table(args.data)
    result = evaluate_table(network, table)
    out.result(metrics_table({"data": result}), result)
    return 0


def cmd_predict(args, out: Output) -> int:
    from ..workflow.train import predict_table

    network = _load_model(args.model)
    table = read_table(args.data)
    predictions, probabilities, notes = predict_table(network, table)
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
    else:
        from ..safefile import atomic_write

        try:
            atomic_write(args.output, buffer.getvalue().encode())
        except OSError as error:
            raise UsageError(f"-o {args.output}: cannot write ({error.strerror})") from None
        out.note(f"wrote {len(predictions)} predictions to {args.output}")
    return 0


def cmd_explain(args, out: Output) -> int:
    import numpy as np

    from ..workflow.train import _targets_for

    network = _load_model(args.model)
    table = read_table(args.data)
    row = _number({"row": args.row}, "row", int, 1, len(table))
    pre = network.preprocessor
    if pre is None:
        raise DataError(f"{args.model}: this model has no stored preprocessing; explain it from Python")
    pre.check_columns(table, need_target=True)
    single = table.select_rows([row - 1])
    pre.reject_missing(single, with_target=True)
    x = pre.transform(single, np.float64)
    y = _targets_for(network, pre, pre.encode_target(single, np.float64))
    loss = network.info.get("loss", "mse")
    explanation = network.explain(x[0], y[0], loss, input_names=pre.input_names)
    out.note(
        f"row {row} (line {single.lines[0]} of {table.source}); inputs are standardised/one-hot as in training"
    )
    out.result(str(explanation), explanation.to_dict())
    return 0


def cmd_info(args, out: Output) -> int:
    network = _load_model(args.model)
    pre = network.preprocessor
    n_params = sum(p.size for p in network.parameters())
    data = {
        "file": str(args.model),
        **network.file_metadata,
        "sizes": network.sizes,
        "activations": [layer.activation.name for layer in network.layers],
        "bias": network.has_bias,
        "dtype": network.dtype.name,
        "parameters": n_params,
        "info": network.info,
        "preprocessing": None if pre is None else pre.to_dict(),
    }
    lines = [
        f"model       {args.model}",
        f"format      chainrule v{data['format_version']}, written by chainrule {data['library_version']}",
        f"sha256      {data['payload_sha256']}",
        f"network     {network.sizes}, {', '.join(data['activations'])}, {'with' if network.has_bias else 'no'} bias, {network.dtype.name}",
        f"parameters  {n_params}",
    ]
    if pre is not None:
        kinds = [f"{f} ({'category' if f in pre.categorical else 'number'})" for f in pre.features]
        lines.append(f"task        {pre.task}, target {pre.target!r}, loss {network.info.get('loss', '?')}")
        lines.append(f"features    {', '.join(kinds)}")
        if pre.labels:
            lines.append(f"labels      {', '.join(pre.labels)}")
    test = (
        network.info.get("metrics", {}).get("test") if isinstance(network.info.get("metrics"), dict) else None
    )
    if isinstance(test, dict):
        shown = {k: v for k, v in test.items() if k in ("loss", "accuracy", "r2", "mae")}
        lines.append("test        " + ", ".join(f"{k} {_fmt(v)}" for k, v in shown.items()))
    out.result("\n".join(lines), data)
    return 0


def cmd_datasets(args, out: Output) -> int:
    from ..tables.datasets import DATASETS

    rows = [
        {"name": d.name, "target": d.target, "task": d.task, "description": d.description}
        for d in DATASETS.values()
    ]
    width = max(len(r["name"]) for r in rows) + 2
    text = "\n".join(
        f"{r['name']:<{width}}{r['task']:<16}target {r['target']!r}: {r['description']}" for r in rows
    )
    out.result(text, rows)
    return 0


COMMANDS = {
    "train": cmd_train,
    "evaluate": cmd_evaluate,
    "predict": cmd_predict,
    "explain": cmd_explain,
    "info": cmd_info,
    "datasets": cmd_datasets,
}


def _silence_stdout() -> None:
    """After the reader of our output went away (``| head``), drop what is left unwritten."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 bad input, 1 internal error)."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    debug = "--debug" in arguments
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        out = Output(args)
        return COMMANDS[args.command](args, out)
    except UsageError as error:
        print(f"chainrule: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (DataError, ModelFormatError, TrainingDiverged, ChainruleError) as error:
        print(f"chainrule: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as error:
        print(
            f"chainrule: error: {str(error).splitlines()[0] if str(error) else 'invalid value'}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except ImportError as error:
        print(f"chainrule: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"chainrule: error: {where}{error.strerror or error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("chainrule: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if debug:
            raise
        print(
            f"chainrule: internal error ({type(error).__name__}: {error}); rerun with --debug and report it",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
