"""Output paths, checked before anything is read or trained: a file name (not empty, not a
folder) in a folder that exists, and never one of the command's own inputs.

``predict data.csv -o data.csv`` would replace the data it reads, and ``export model
--onnx model`` the model; both are refused with one line, as is an output that names a
folder, which would otherwise fail only after the work was done.
"""

from __future__ import annotations

import os
from pathlib import Path

from .options import UsageError

__all__ = ["check_output", "same_file", "model_path", "MODEL_HELP"]

#: Outputs that are not files on disk: standard output, and the null device.
_STREAMS = {"-", os.devnull}


#: The MODEL argument's help, the same in every command that reads a model.
MODEL_HELP = "a model file, or the folder 'chainrule train' wrote (its model.safetensors)"


def model_path(text: str) -> str:
    """MODEL as given, or ``FOLDER/model.safetensors`` when it names a folder holding one (the
    ``--out`` of ``chainrule train``); anything else is left for loading to refuse in one line."""
    inside = Path(text) / "model.safetensors"
    return str(inside) if Path(text).is_dir() and inside.is_file() else text


def check_output(flag: str, path, inputs: dict[str, object]) -> None:
    """Refuse ``flag``'s ``path`` when it cannot be written as a file, or when it is one of
    ``inputs`` (``{"the data": path, "the model": path}``; None values are skipped),
    through links and relative paths alike."""
    text = os.fspath(path)
    if text in _STREAMS:
        return
    if not text.strip():
        raise UsageError(f"{flag} needs a file name, got an empty one")
    target = Path(text)
    if target.is_dir():
        raise UsageError(f"{flag} {text}: is a folder; give a file name")
    folder = target.absolute().parent
    if not folder.is_dir():
        raise UsageError(
            f"{flag} {text}: the folder {folder} does not exist; create it or choose another {flag}"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UsageError(f"{flag} {text}: the folder {folder} is not writable; choose another {flag}")
    for what, source in inputs.items():
        if source is not None and os.fspath(source) != "-" and same_file(target, Path(os.fspath(source))):
            raise UsageError(f"{flag} {text} is {what} this command reads; choose another {flag}")


def same_file(a: Path, b: Path) -> bool:
    """Whether ``a`` and ``b`` name one file (through links; by where they point if one is new)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist (yet): compare where they point
        return a.resolve() == b.resolve()
