"""Safe files: atomic writes and a strictly checked safetensors container.

Model files and checkpoints are one safetensors file each: named float arrays
plus JSON metadata under the key ``"chainrule"``. Nothing is unpickled, evaluated
or looked up by name. Reading checks everything before trusting it, in time and
memory bounded by the file's size:

* the path is a regular file (after symbolic links), so a FIFO or a device is refused
  before it is opened rather than read without end;
* the 8-byte header length fits in the file and under ``MAX_HEADER_BYTES``;
* the header is a JSON object; every tensor is F32 or F64 with a shape of
  non-negative integers whose byte size equals its offsets, and the offsets tile
  the data section exactly;
* the metadata names this format and version, and its own SHA-256 matches;
* the tensors are the ones the metadata needs (``expect``: a model's architecture names
  each layer's weight and bias, shape and dtype), checked before any tensor data is read;
* each tensor is read straight into an array of its shape, so reading allocates what the
  tensors hold and no more; their SHA-256 matches the one recorded when the file was
  written, and every value is finite.

Any violation raises ``ModelFormatError`` with a one-line reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ._validation import all_finite
from .errors import ModelFormatError
from .writes import atomic_write, remove_leftover_temporaries, write_target

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "atomic_write",
    "metadata_digest",
    "read_container",
    "remove_leftover_temporaries",
    "tensor_digest",
    "write_container",
    "write_target",
]

FORMAT = "chainrule"
FORMAT_VERSION = 1
MAX_HEADER_BYTES = 16 * 1024 * 1024
_DTYPES = {"F32": np.dtype("<f4"), "F64": np.dtype("<f8")}

#: What ``expect`` returns: each tensor the metadata needs, ``{name: (dtype, shape)}``.
Needed = dict[str, tuple[np.dtype, tuple[int, ...]]]


def tensor_digest(tensors: dict[str, np.ndarray]) -> str:
    """SHA-256 over every tensor in name order: name, dtype, shape and little-endian bytes."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        array = tensors[name]
        little = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
        digest.update(json.dumps([name, little.dtype.str, list(little.shape)]).encode())
        digest.update(little)  # the array's buffer itself: no copy of the tensor
    return digest.hexdigest()


def metadata_digest(metadata: dict) -> str:
    """SHA-256 of the metadata (all but this digest) in canonical JSON, so no change goes unnoticed."""
    content = {k: v for k, v in metadata.items() if k != "metadata_sha256"}
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _safetensors_numpy():
    try:
        from safetensors import numpy as st_numpy
    except ImportError:
        raise ImportError(
            "writing model files needs the safetensors package (reading them does not): pip install 'chainrule[io]'"
        ) from None
    return st_numpy


def write_container(path: str | os.PathLike, tensors: dict[str, np.ndarray], metadata: dict) -> None:
    """Atomically write ``tensors`` (float32/float64 arrays) and JSON ``metadata`` to ``path``."""
    for name, array in tensors.items():
        if array.dtype not in (np.float32, np.float64):
            raise TypeError(
                f"tensor {name!r} has dtype {array.dtype}; model files hold float32 or float64 only"
            )
    from ._version import __version__

    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "payload_sha256": tensor_digest(tensors),
        **metadata,
    }
    header["metadata_sha256"] = metadata_digest(header)
    contiguous = {name: np.ascontiguousarray(array) for name, array in tensors.items()}
    data = _safetensors_numpy().save(contiguous, metadata={FORMAT: json.dumps(header, allow_nan=False)})
    atomic_write(path, data)


def read_container(
    path: str | os.PathLike, kind: str | None = None, expect: Callable[[dict], Needed] | None = None
) -> tuple[dict[str, np.ndarray], dict]:
    """Read and check a file written by ``write_container``; returns (tensors, metadata).

    ``kind`` ("model" or "checkpoint"), when given, must match the file's. ``expect``, when
    given, is called with the checked metadata before any tensor data is read and returns the
    tensors it needs (``Needed``; it raises ``ModelFormatError`` itself for bad metadata): the
    file must hold exactly those, so a file whose tensors contradict its metadata is refused
    without reading them. Raises ``ModelFormatError`` for anything that is not a valid, intact file.
    """
    path = Path(path)
    where = str(path)
    with _open_regular(path) as file:
        try:
            size = os.fstat(file.fileno()).st_size
            # The header is read and checked before the data: a file that claims more
            # than it holds is refused without reading (or allocating) the rest.
            header, length = _read_header(file, size, where)
            entries = _check_entries(header, size - 8 - length, where)
            metadata = _check_metadata(header, where, kind)
            if expect is not None:
                _check_needed(entries, expect(metadata), where)
            tensors = _read_tensors(file, 8 + length, entries, where)
            if os.fstat(file.fileno()).st_size != size:
                raise ModelFormatError(f"{where}: the file changed while it was read; try again")
        except OSError as error:
            raise ModelFormatError(f"{where}: cannot be read ({error.strerror or error})") from None
    if tensor_digest(tensors) != metadata["payload_sha256"]:
        raise ModelFormatError(
            f"{where}: checksum mismatch, the file is corrupted; restore it or train again"
        )
    for name, array in tensors.items():
        if not all_finite(array):
            raise ModelFormatError(f"{where}: tensor {name!r} holds NaN or infinity")
    return tensors, metadata


def _open_regular(path: Path):
    """``path`` opened for binary reading once it is known to be a regular file (symbolic links
    followed); ModelFormatError, one line, for anything else, saying what it is.

    Checked before ``open``, which blocks forever on a FIFO, and again on the open descriptor
    (opened without blocking), in case the path was replaced in between.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if os.path.islink(path):
            raise ModelFormatError(f"{path}: is {_what_is(path)}; restore the model file") from None
        raise ModelFormatError(f"{path}: no such file") from None
    except OSError as error:
        raise ModelFormatError(f"{path}: cannot be read ({error.strerror or error})") from None
    if stat.S_ISDIR(mode):
        raise ModelFormatError(f"{path}: is a directory, not a model file; {_inside_hint(path)}")
    if not stat.S_ISREG(mode):
        raise ModelFormatError(f"{path}: is {_what_is(path)}, not a model file; give a model file")
    flags = (
        os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    )
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        raise ModelFormatError(f"{path}: cannot be read ({error.strerror or error})") from None
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise ModelFormatError(f"{path}: is no longer a regular file (replaced while opening); try again")
    os.set_blocking(descriptor, True)
    return os.fdopen(descriptor, "rb")


def _inside_hint(folder: Path) -> str:
    """What to do with a folder given as a model: its ``model.safetensors`` when that is a
    regular file, else what that path is (a broken link, a FIFO), or which file to give."""
    inside = folder / "model.safetensors"
    if inside.is_file():
        return f"did you mean {inside}?"
    if os.path.lexists(inside):
        return f"its model.safetensors is {_what_is(inside)}, not a model file; restore it or train again"
    return "give a model file (a run's model.safetensors)"


def _what_is(path: Path) -> str:
    """What ``path`` is when it is no regular file, e.g. "a FIFO (named pipe)", "a broken link (to 'x')"."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        if os.path.islink(path):
            return f"a broken link (to {os.readlink(path)!r})"
        return "unreadable"
    kinds = [
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _read_header(file, size: int, where: str) -> tuple[dict, int]:
    """The JSON header of a safetensors file and its length, checked against the file size."""
    if size == 0:
        raise ModelFormatError(f"{where}: empty file, not a chainrule model")
    if size < 8:
        raise ModelFormatError(f"{where}: truncated ({size} bytes), not a chainrule model")
    (length,) = struct.unpack("<Q", file.read(8))
    if length > MAX_HEADER_BYTES or length < 2:
        raise ModelFormatError(
            f"{where}: not a chainrule model file (its first 8 bytes are no valid safetensors header length)"
        )
    if length > size - 8:
        raise ModelFormatError(
            f"{where}: truncated: the header needs {length} bytes but only {size - 8} follow; restore the file or train again"
        )
    raw = file.read(length)
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise ModelFormatError(f"{where}: header is not valid JSON (corrupted or not a model file)") from None
    if not isinstance(header, dict):
        raise ModelFormatError(f"{where}: header is not a JSON object")
    return header, length


def _check_entries(
    header: dict, data_length: int, where: str
) -> dict[str, tuple[np.dtype, tuple[int, ...], int, int]]:
    entries = {}
    spans = []
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        if not isinstance(entry, dict) or set(entry) != {"dtype", "shape", "data_offsets"}:
            raise ModelFormatError(f"{where}: tensor {name!r} has a malformed entry")
        dtype = _DTYPES.get(entry["dtype"]) if isinstance(entry["dtype"], str) else None
        if dtype is None:
            raise ModelFormatError(
                f"{where}: tensor {name!r} has dtype {entry['dtype']!r}; only F32 and F64 are allowed"
            )
        shape, offsets = entry["shape"], entry["data_offsets"]
        if not (isinstance(shape, list) and len(shape) <= 8 and all(_is_count(s) for s in shape)):
            raise ModelFormatError(f"{where}: tensor {name!r} has an invalid shape {shape!r}")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(o) for o in offsets)):
            raise ModelFormatError(f"{where}: tensor {name!r} has invalid data offsets {offsets!r}")
        begin, end = offsets
        size = dtype.itemsize
        for extent in shape:  # Python integers: no overflow however large the shape claims to be
            size *= extent
        if not begin <= end <= data_length or end - begin != size:
            raise ModelFormatError(
                f"{where}: tensor {name!r} claims shape {shape} at bytes {begin}..{end} of {data_length} (corrupted or truncated)"
            )
        entries[name] = (dtype, tuple(shape), begin, end)
        spans.append((begin, end))
    position = 0
    for begin, end in sorted(spans):
        if begin != position:
            raise ModelFormatError(f"{where}: tensor data overlaps or leaves gaps (corrupted)")
        position = end
    if position != data_length:
        raise ModelFormatError(f"{where}: {data_length - position} stray bytes after the tensors (corrupted)")
    return entries


def _check_metadata(header: dict, where: str, kind: str | None) -> dict:
    meta = header.get("__metadata__")
    if not isinstance(meta, dict) or FORMAT not in meta or not isinstance(meta[FORMAT], str):
        raise ModelFormatError(
            f"{where}: a safetensors file without chainrule metadata; not a chainrule model"
        )
    try:
        metadata = json.loads(meta[FORMAT], parse_constant=_reject_constant)
    except (json.JSONDecodeError, ValueError, RecursionError):
        raise ModelFormatError(f"{where}: chainrule metadata is not valid JSON (corrupted)") from None
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ModelFormatError(f"{where}: metadata does not name the chainrule format")
    version = metadata.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ModelFormatError(f"{where}: metadata has no valid format_version")
    if version > FORMAT_VERSION:
        raise ModelFormatError(
            f"{where}: format version {version} is newer than this chainrule reads ({FORMAT_VERSION}); upgrade chainrule"
        )
    if version < 1:
        raise ModelFormatError(f"{where}: format version {version} is not valid")
    if not isinstance(metadata.get("payload_sha256"), str) or not isinstance(
        metadata.get("metadata_sha256"), str
    ):
        raise ModelFormatError(f"{where}: metadata has no checksums")
    try:
        intact = metadata_digest(metadata) == metadata["metadata_sha256"]
    except (TypeError, ValueError):
        intact = False
    if not intact:
        raise ModelFormatError(
            f"{where}: metadata checksum mismatch, the file is corrupted; restore it or train again"
        )
    if kind is not None and metadata.get("kind") != kind:
        raise ModelFormatError(f"{where}: this is a {metadata.get('kind')!r} file, expected a {kind!r} file")
    return metadata


def _check_needed(entries: dict, needed: Needed, where: str) -> None:
    """ModelFormatError unless the header declares exactly the tensors ``needed`` (names, dtypes
    and shapes): checked before any tensor data is read, so what the data section claims is
    allocated only when the metadata needs it too."""
    missing = sorted(set(needed) - set(entries))
    if missing:
        raise ModelFormatError(
            f"{where}: tensor {missing[0]!r} is missing (the architecture needs it); restore the file or train again"
        )
    unexpected = sorted(set(entries) - set(needed))
    if unexpected:
        raise ModelFormatError(
            f"{where}: unexpected tensors {unexpected[:3]}, which the architecture does not have (corrupted)"
        )
    for name, (dtype, shape) in needed.items():
        declared_dtype, declared_shape, _, _ = entries[name]
        if declared_shape != tuple(shape):
            raise ModelFormatError(
                f"{where}: tensor {name!r} has shape {declared_shape}, the layers need {tuple(shape)}"
            )
        if declared_dtype != np.dtype(dtype):
            raise ModelFormatError(
                f"{where}: tensor {name!r} is {declared_dtype.name}, the architecture says {np.dtype(dtype).name}"
            )


def _read_tensors(file, start: int, entries: dict, where: str) -> dict[str, np.ndarray]:
    """Each tensor of ``entries`` (checked by ``_check_entries``) read from the data section,
    which begins at byte ``start``, straight into a new array of its dtype and shape."""
    tensors = {}
    for name, (dtype, shape, begin, end) in entries.items():
        array = np.empty(shape, dtype)
        file.seek(start + begin)
        if file.readinto(array.reshape(-1).view(np.uint8)) != end - begin:
            raise ModelFormatError(f"{where}: the file changed while it was read; try again")
        tensors[name] = array
    return tensors


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _reject_constant(name: str):
    raise ValueError(f"non-finite number {name} in metadata")
