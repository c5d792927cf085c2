"""``chainrule train``'s options, built from ``TrainConfig``'s fields, and flags in messages.

Only the command line knows flag names: the library names Python parameters
(``impute='mean'``), and ``flags()`` rewrites those into flags (``--impute mean``)
before an error is printed.
"""

from __future__ import annotations

import re
import shlex

from .._validation import shown
from ..errors import OptionError
from ..workflow.config import TrainConfig, check_setting, option_specs

__all__ = ["UsageError", "RUN_OPTIONS", "add_train_options", "load_config", "train_settings", "flag", "flags"]


class UsageError(Exception):
    """A bad option or value: reported in one line with exit code 2."""


#: Options of the command itself (where the data comes from and where results go), besides TrainConfig's.
RUN_OPTIONS = {
    "data": "CSV file ('-' for stdin), or Parquet/CSV files or a glob read in chunks (--chunk-rows); default: a built-in dataset",
    "dataset": "built-in dataset when no DATA is given (see 'chainrule datasets'; default breast_cancer)",
    "out": "output directory (default chainrule-model)",
    "report": "also write a self-contained HTML training report to this file",
}
RUN_DEFAULTS = {"data": None, "dataset": "breast_cancer", "out": "chainrule-model", "report": None}


def flag(name: str) -> str:
    """The flag of a Python parameter: ``test_size`` → ``--test-size``."""
    return "--" + name.replace("_", "-")


def _default_text(value) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, tuple):
        return ",".join(map(str, value)) or "none"
    return str(value)


def add_train_options(parser) -> None:
    """One option per TrainConfig setting: its help, default and choices come from the field."""
    import argparse

    for config_field, spec in option_specs():
        name = config_field.name
        default = config_field.default
        help_text = spec.help if default in (None, ()) else f"{spec.help} (default {_default_text(default)})"
        help_text = help_text.replace("%", "%%")  # argparse formats help with %
        if spec.kind == "bool":
            parser.add_argument(flag(name), dest=name, action=argparse.BooleanOptionalAction, help=help_text)
        elif spec.kind == "choice":
            parser.add_argument(
                flag(name),
                dest=name,
                metavar=spec.metavar or "{" + ",".join(spec.choices) + "}",
                help=help_text,
            )
        else:
            parser.add_argument(flag(name), dest=name, metavar=spec.metavar, help=help_text)


def load_config(path) -> dict:
    """The settings in a TOML file (keys as in config.toml: TrainConfig's fields and the run's)."""
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
    except UnicodeDecodeError:
        raise UsageError(f"{path}: not a TOML file (not UTF-8 text); give --config a TOML file") from None
    except OSError as error:
        raise UsageError(f"{path}: cannot be read ({error.strerror})") from None
    known = {f.name for f, _ in option_specs()} | set(RUN_OPTIONS)
    options = {}
    for key, value in config.items():
        name = key.replace("-", "_")
        if name not in known:
            raise UsageError(f"{path}: unknown option {key!r}; options are {', '.join(sorted(known))}")
        # Every value is checked here, with the file and key named, even one the command line overrides.
        if name in RUN_OPTIONS:
            if not isinstance(value, str) or not value:
                raise UsageError(f"{path}: {key} must be a text (a path or a name), got {shown(value)}")
        else:
            try:
                check_setting(name, value)
            except OptionError as error:
                raise UsageError(f"{path}: {key} ({flag(name)}) {flags(error.problem)}") from None
        options[name] = value
    return options


def train_settings(args) -> tuple[dict, dict]:
    """(TrainConfig settings, run options) from the defaults, then --config, then the command line."""
    settings = TrainConfig().settings()
    run = dict(RUN_DEFAULTS)
    if args.config:
        for name, value in load_config(args.config).items():
            (run if name in RUN_OPTIONS else settings)[name] = value
        if run["data"] == "-" and getattr(args, "data", None) is None:
            raise UsageError(
                f"{args.config}: the run read its data from stdin, which this file cannot repeat; "
                f"give the data again: chainrule train - --config {args.config} < DATA.csv"
            )
    for name in settings:
        value = getattr(args, name, None)
        if value is not None:
            settings[name] = value
    for name in run:
        value = getattr(args, name, None)
        if value is not None:
            run[name] = value
    return settings, run


_PARAMETER = re.compile(r"\b([a-z][a-z_]*)=('[^']*'(?:\|'[^']*')*|[^\s,;)]*)")


def flags(message: str, names=None) -> str:
    """``message`` with Python parameters written as flags: ``impute='mean'|'median'`` →
    ``--impute mean|median``, ``drop_missing=True`` → ``--drop-missing``, ``linear_start=False`` →
    ``--no-linear-start``, ``target=`` → ``--target``;
    one value keeps the quotes a shell needs (``ignore='Unnamed: 0'`` → ``--ignore 'Unnamed: 0'``)."""
    known = set(names) if names is not None else {f.name for f, _ in option_specs()}

    def rewrite(match: re.Match) -> str:
        name, value = match.group(1), match.group(2)
        if name not in known:
            return match.group(0)
        if value in ("", "True"):
            return flag(name)
        if value == "False":  # a switch's other flag: linear_start=False → --no-linear-start
            return flag("no_" + name)
        if value == '"\'"':  # thousands="'": the quotes a shell needs around an apostrophe
            return f"{flag(name)} {value}"
        single = re.fullmatch(r"'([^']*)'", value)
        if single:  # one value, quoted for the shell when it must be: --ignore 'Unnamed: 0'
            return f"{flag(name)} {shlex.quote(single.group(1))}"
        return f"{flag(name)} {value.replace(chr(39), '')}"

    return _PARAMETER.sub(rewrite, message)


def option_message(error: OptionError) -> str:
    """An OptionError as the command line shows it: ``--lr must be > 0, got '0'``."""
    return f"{flag(error.option)} {flags(error.problem)}"
