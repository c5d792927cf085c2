"""Writing output files: replace regular files atomically, write through to anything else.

``atomic_write`` is how every file chainrule writes reaches the disk (model files,
checkpoints, CSV predictions, metrics, pictures, pages). ``write_target`` decides how:
a regular file (or a new one) is replaced by a fsync'ed temporary file renamed over it;
a symlink is followed to the file it names; a FIFO, a character device, ``/dev/stdout``
or ``/dev/fd/N`` is written in place, never replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from pathlib import Path

__all__ = ["atomic_write", "remove_leftover_temporaries", "write_target"]


def _temporary_pattern(name: str) -> re.Pattern:
    """The names ``atomic_write`` gives its temporary files for a target called ``name``:
    ``.{name}.chainrule-{16 lowercase hex digits}.tmp``."""
    return re.compile(rf"\.{re.escape(name)}\.chainrule-[0-9a-f]{{16}}\.tmp")


def _create_temporary(path: Path, mode: int) -> tuple[int, Path]:
    """A new, empty temporary file beside ``path`` (opened for writing) and its path.

    ``mode`` is passed to ``open(2)``, so the umask applies to it as it would to ``open()``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:  # 64 random bits: a name already taken is next to impossible
        temporary = path.parent / f".{path.name}.chainrule-{secrets.token_hex(8)}.tmp"
        try:
            return os.open(temporary, flags, mode), temporary
        except FileExistsError:
            continue
        except OSError as error:  # name the path asked for, not the hidden temporary file
            raise type(error)(error.errno, error.strerror, str(path)) from None


_DESCRIPTOR_LINK = re.compile(r"/proc/(self|\d+)/fd/(\d+)")


def write_target(path: str | os.PathLike) -> tuple[str, str]:
    """How ``atomic_write`` writes ``path``: ``(how, where)``.

    Symlinks are followed one link at a time. A link into ``/proc/PID/fd/N`` (which is
    what ``/dev/stdout``, ``/dev/stderr`` and ``/dev/fd/N`` are) is an open descriptor:
    ``("descriptor", "/proc/PID/fd/N")``. A path naming something that exists and is not
    a regular file or a directory (a character device, a FIFO, a socket) is written in
    place: ``("through", path)``. Otherwise ``("replace", path)``: the regular file at
    ``path``, or the new file to create there, with every symlink resolved.
    """
    where = os.path.abspath(os.fspath(path))
    for _ in range(40):  # the kernel's own limit on links in one lookup
        where = os.path.join(os.path.realpath(os.path.dirname(where)), os.path.basename(where))
        if _DESCRIPTOR_LINK.fullmatch(where):
            return "descriptor", where
        try:
            link = os.readlink(where)
        except OSError:  # not a symlink, or nothing there
            break
        where = os.path.join(os.path.dirname(where), link)
    else:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), os.fspath(path))
    try:
        mode = os.stat(where).st_mode
    except FileNotFoundError:
        return "replace", where
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), os.fspath(path))
    return ("replace" if stat.S_ISREG(mode) else "through"), where


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves either the old file or the new one.

    A regular file (or a new one) is replaced: the bytes go to a temporary file in the
    same directory, named ``.{name}.chainrule-{16 hex digits}.tmp``, which is flushed,
    fsync'ed and then renamed over ``path`` with ``os.replace``; the directory is
    fsync'ed so the rename itself survives a power cut. A process killed mid-write
    leaves its temporary file behind; ``remove_leftover_temporaries`` deletes such files.
    A symlink is followed, and the file it names is replaced; the link stays.
    A new file gets mode 0666 less the umask, as ``open()`` gives; a replaced file keeps
    its mode (and, when we may, its owner).

    Anything else is never replaced but written through, as ``open(path, "wb")`` would:
    a character device, a FIFO, ``/dev/stdout``, ``/dev/fd/N`` (the write goes to the
    open descriptor itself, so a ``>>`` redirection still appends). See ``write_target``.
    """
    how, where = write_target(path)
    if how == "descriptor":
        _write_descriptor(where, data)
    elif how == "through":
        descriptor = os.open(where, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
        try:
            _write_all(descriptor, data)
        finally:
            os.close(descriptor)
    else:
        _replace(Path(where), data)


def _write_descriptor(where: str, data: bytes) -> None:
    """Write to ``/proc/PID/fd/N``: this process's descriptor N itself, else the file it names."""
    pid, number = _DESCRIPTOR_LINK.fullmatch(where).groups()
    if pid in ("self", str(os.getpid())):
        try:
            os.fstat(int(number))
        except OSError:
            pass
        else:
            _write_all(int(number), data)
            return
    descriptor = os.open(where, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        _write_all(descriptor, data)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view) :]


def _replace(path: Path, data: bytes) -> None:
    """Atomically replace (or create) the regular file ``path``, keeping an existing file's mode."""
    try:
        existing = os.stat(path)
    except FileNotFoundError:
        existing = None
    handle, temporary = _create_temporary(path, 0o600 if existing else 0o666)
    try:
        if existing is not None:
            if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
                with contextlib.suppress(OSError):  # only the owner's own or root's chown succeeds
                    os.fchown(handle, existing.st_uid, existing.st_gid)
            os.fchmod(handle, stat.S_IMODE(existing.st_mode))
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):
        descriptor = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def remove_leftover_temporaries(path: str | os.PathLike) -> list[Path]:
    """Delete the temporary files that killed ``atomic_write(path, ...)`` calls left behind.

    Only regular files beside ``path`` whose names match exactly the pattern
    ``atomic_write`` uses for this target are removed; nothing else is touched.
    Call it only while no other process is writing ``path``: its temporary file
    would be removed too. Returns the paths removed.
    """
    try:
        how, where = write_target(path)
    except OSError:
        return []
    if how != "replace":
        return []
    path = Path(where)
    pattern = _temporary_pattern(path.name)
    removed = []
    try:
        with os.scandir(path.parent) as entries:
            leftovers = [
                e.path for e in entries if pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False)
            ]
    except OSError:  # no such directory, or not readable: nothing to clean
        return removed
    for leftover in leftovers:
        with contextlib.suppress(OSError):
            os.unlink(leftover)
            removed.append(Path(leftover))
    return removed
