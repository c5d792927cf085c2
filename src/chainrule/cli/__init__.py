"""The ``chainrule`` command line: the parser and one module per command."""

from .main import main

__all__ = ["main"]
