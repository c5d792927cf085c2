"""The output folder of a run as one unit: built beside it, then swapped in whole.

``train`` leaves several files in ``--out``; a reader must never see the new model
beside the previous run's metrics. So the files are written into a hidden folder
beside ``--out`` (``.{name}.chainrule-{16 hex digits}.tmp``), each flushed and
fsync'ed, and that folder then takes ``--out``'s place in one rename:

- no ``--out`` yet: ``rename(new, out)``;
- an existing ``--out``: an atomic exchange (Linux ``renameat2(RENAME_EXCHANGE)``),
  or where there is none, ``rename(out, old)`` then ``rename(new, out)``;
  the previous run's files are then deleted, and its folder.

A run that fails, or is killed, before the swap leaves ``--out`` as it was (a kill
may leave the hidden folder behind); a failure also removes the folders it created
on the way to ``--out``. Two runs into one ``--out`` never mix their files: each
swaps in a whole folder, and the last to finish wins. Only a previous run's files
are ever deleted: an ``--out`` that holds anything else is refused before training.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import OptionError

__all__ = ["RUN_FILES", "check_out", "write_folder"]

#: What a run leaves in its folder; nothing else in --out is ever deleted.
RUN_FILES = ("model.safetensors", "metrics.json", "config.toml", "loss.png")


def check_out(path, extra: Iterable[str] = ()) -> Path:
    """``--out`` as a Path, checked before training: no file is in its way, the nearest
    existing folder on its path is writable, and an existing ``--out`` holds only a
    previous run's files (``RUN_FILES`` and the names in ``extra``). Leaves nothing behind
    (it makes an empty folder there, to be sure one can be made, and removes it)."""
    out = Path(path)
    if out.exists() and not out.is_dir():
        raise OptionError("out", f"{out}: is a file, not a directory; choose another --out")
    if out.is_dir():
        allowed = set(RUN_FILES) | set(extra)
        others = sorted(entry.name for entry in os.scandir(out) if entry.name not in allowed)
        if others:
            shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
            raise OptionError(
                "out",
                f"{out}: holds files that are not a chainrule run ({shown}), which the new run "
                "would delete; choose a new or empty --out",
            )
    ancestor = out.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OptionError("out", f"{out}: {ancestor} is a file, not a directory; choose another --out")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OptionError("out", f"{out}: the directory {ancestor} is not writable; choose another --out")
    try:  # root passes os.access everywhere, and /proc takes no folder: try one, at once removed
        os.rmdir(tempfile.mkdtemp(prefix=".chainrule-check-", dir=ancestor))
    except OSError as error:
        raise OptionError(
            "out",
            f"{out}: no folder can be made in {ancestor} ({error.strerror or error}); choose another --out",
        ) from None
    return out


def write_folder(path, write: Callable[[Path], None], extra: Iterable[str] = ()) -> None:
    """Make ``path`` a folder holding what ``write(folder)`` writes into an empty folder,
    all at once (see the module docstring). ``extra`` names files besides ``RUN_FILES``
    that a previous run may have left and may be deleted."""
    out = check_out(path, extra).absolute()
    created = _make_parents(out.parent)
    new = None
    try:
        new = _new_folder(out)
        write(new)
        _sync(new)
        _swap(new, out)
    except BaseException:
        if new is not None and new.exists():
            shutil.rmtree(new, ignore_errors=True)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    _sync(out.parent)


def _make_parents(folder: Path) -> list[Path]:
    """Create ``folder`` and its missing parents; returns the ones created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    created = []
    try:
        for folder in reversed(missing):
            with contextlib.suppress(FileExistsError):
                folder.mkdir()
                created.append(folder)
    except OSError:
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    return created


def _new_folder(out: Path) -> Path:
    while True:  # 64 random bits: a name already taken is next to impossible
        folder = out.parent / f".{out.name}.chainrule-{secrets.token_hex(8)}.tmp"
        try:
            folder.mkdir(mode=0o777)  # the umask applies, as to any mkdir
            return folder
        except FileExistsError:
            continue
        except OSError as error:  # name the folder asked for, not the hidden temporary one
            raise type(error)(error.errno, error.strerror, str(out)) from None


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` at ``out``; delete the previous run's folder if there was one."""
    try:
        os.rename(new, out)  # no --out yet (or an empty one): one rename
        return
    except OSError as error:
        if not out.is_dir():
            raise
        if error.errno not in (errno.ENOTEMPTY, errno.EEXIST):
            raise
    if _exchange(new, out):
        old = new  # the previous run's folder now sits at the temporary name
    else:
        old = out.parent / f".{out.name}.chainrule-{secrets.token_hex(8)}.old"
        os.rename(out, old)
        os.rename(new, out)
    for name in os.listdir(old):
        with contextlib.suppress(OSError):
            os.unlink(old / name)
    with contextlib.suppress(OSError):
        old.rmdir()


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically with Linux's renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):  # this file system cannot exchange
        return False
    raise OSError(code, os.strerror(code), str(b))


def _sync(folder: Path) -> None:
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
