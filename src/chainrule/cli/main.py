"""The ``chainrule`` command: train on a CSV in one command, then evaluate, predict, explain.

Argument parsing is the standard library's argparse; ``train``'s options come from
``TrainConfig``'s fields and may also come from a TOML file (``--config``), with
the command line taking precedence. A user's mistake (``UserError``, a bad option,
a file that cannot be read) ends in one line on stderr and exit code 2; anything
else is an internal error: a short message and exit code 1, ``--debug`` for the
traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from ..errors import OptionError, UserError
from . import datasets, evaluate, explain, export, info, predict, train
from .options import UsageError, flags, option_message
from .output import Output

__all__ = ["main", "build_parser"]

EXIT_USAGE = 2
EXIT_INTERNAL = 1

#: One module per command: HELP, EXAMPLES, add_arguments(parser) and run(args, out).
COMMANDS = {
    "train": train,
    "evaluate": evaluate,
    "predict": predict,
    "explain": explain,
    "info": info,
    "export": export,
    "datasets": datasets,
}


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, not argparse's usage block
        raise UsageError(f"{message}{_glob_hint(message)}; see '{self.prog} --help'")


def _glob_hint(message: str) -> str:
    """For extra arguments that are files: the shell expanded a pattern meant for chainrule."""
    extra = message.removeprefix("unrecognized arguments: ").split()
    if message.startswith("unrecognized arguments: ") and extra and all(os.path.isfile(a) for a in extra):
        return " (files: did the shell expand a pattern such as 'part*.parquet'? quote it, and chainrule reads every file it matches)"
    return ""


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
    for name, module in COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=module.HELP,
            description=module.HELP,
            epilog=module.EXAMPLES,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        module.add_arguments(sub)
        output = sub.add_argument_group("output")
        output.add_argument("--quiet", "-q", action="store_true", help="print only results and errors")
        output.add_argument(
            "--verbose",
            "-v",
            action="store_true",
            help="print more (a progress bar even when not a terminal)",
        )
        output.add_argument("--json", action="store_true", help="print results as JSON")
    return parser


def _silence_stdout() -> None:
    """After the reader of our output went away (``| head``), drop what is left unwritten."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _error(message: str) -> None:
    """The one line of an error: a line break inside it (a category or a value that holds one)
    is written as \\n, so the rest of the message, its advice too, stays on that line."""
    text = message.strip() if message and message.strip() else "invalid value"
    text = text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r")
    print(f"chainrule: error: {text}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (0 success, 2 bad input, 1 internal error)."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    debug = "--debug" in arguments
    try:
        args = parser.parse_args(arguments)
        if args.command is None:
            parser.print_help()
            return EXIT_USAGE
        code = COMMANDS[args.command].run(args, Output(args))
        sys.stdout.flush()  # the results are out before anything else can happen (a late Ctrl-C)
        return code
    except UsageError as error:
        _error(str(error))
        return EXIT_USAGE
    except OptionError as error:
        _error(option_message(error))
        return EXIT_USAGE
    except UserError as error:
        _error(flags(str(error)))
        return EXIT_USAGE
    except ImportError as error:  # an optional package is missing: the message names the extra
        _error(str(error))
        return EXIT_USAGE
    except BrokenPipeError:
        _silence_stdout()
        return 0
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        _error(f"{where}{error.strerror or error}")
        return EXIT_USAGE
    except MemoryError:
        _error("out of memory; use a smaller network (--hidden), a smaller --batch-size or less data")
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("chainrule: interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if debug:
            raise
        print(
            f"chainrule: internal error ({type(error).__name__}: {error}); rerun as 'chainrule --debug "
            f"{next((a for a in arguments if a in COMMANDS), 'COMMAND')} ...' and report it",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
