"""What a model path may be, and what reading a file may cost.

Only a regular file (after symbolic links) is opened: a FIFO would block ``open`` forever and
a device would be read without end, so each is refused first, in one line saying what it is,
also when it stands in a run folder as its ``model.safetensors``. A file whose declared tensors
contradict its architecture is refused before any tensor data is read, however large the file
claims to be (a sparse file costs nothing on disk); an intact file costs its tensors and
little more.
"""

from __future__ import annotations

import contextlib
import json
import os
import struct
import threading
import time
import tracemalloc

import numpy as np
import pytest

import chainrule
from chainrule import ModelFormatError, Network, safefile
from chainrule.files.modelfile import read
from cli_runner import chainrule_cli, one_line_error

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
PEAK_BYTES = 64 * 1024**2


def refused(path, *needles: str, seconds: float = 2.0) -> str:
    """The one-line ModelFormatError loading ``path`` raises, quickly, holding each of ``needles``."""
    start = time.perf_counter()
    with pytest.raises(ModelFormatError) as caught:
        chainrule.load(path)
    assert time.perf_counter() - start < seconds
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message
    return message


@pytest.fixture
def fifo(tmp_path):
    """A FIFO at tmp_path/model.safetensors; if a reader still waits on it after 5 s (the
    refusal failed), a writer opens and closes it, so the test fails instead of hanging."""
    path = tmp_path / "model.safetensors"
    os.mkfifo(path)

    def unblock():
        with contextlib.suppress(OSError):  # no reader: nothing waits
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))

    timer = threading.Timer(5.0, unblock)
    timer.start()
    yield path
    timer.cancel()


# ------------------------------------------------------------------- not a regular file
@needs_fifo
def test_a_fifo_is_refused_without_opening_it(fifo):
    refused(fifo, "is a FIFO (named pipe), not a model file")


@needs_fifo
def test_the_command_line_refuses_a_fifo_in_one_line(fifo):
    one_line_error(chainrule_cli("info", fifo, timeout=20), "is a FIFO (named pipe)")


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_and_a_link_to_one_are_refused(tmp_path):
    refused("/dev/null", "is a character device, not a model file")
    (tmp_path / "link.safetensors").symlink_to("/dev/null")
    refused(tmp_path / "link.safetensors", "is a character device")


def test_a_broken_link_says_so(tmp_path):
    (tmp_path / "model.safetensors").symlink_to(tmp_path / "gone.safetensors")
    refused(tmp_path / "model.safetensors", "is a broken link (to ", "gone.safetensors")


def test_a_link_to_a_model_is_followed(tmp_path):
    Network([2, 1], seed=1).save(tmp_path / "real.safetensors")
    (tmp_path / "model.safetensors").symlink_to(tmp_path / "real.safetensors")
    assert chainrule.load(tmp_path / "model.safetensors").sizes == [2, 1]


# ---------------------------------------------------------------- a folder given as the model
def test_a_folder_with_a_model_points_to_it(tmp_path):
    Network([2, 1], seed=1).save(tmp_path / "model.safetensors")
    refused(tmp_path, "is a directory", f"did you mean {tmp_path / 'model.safetensors'}?")


def test_a_folder_whose_model_is_a_broken_link_says_so(tmp_path):
    """Before: "is a directory, not a model file; give a model file", though the folder has one."""
    (tmp_path / "model.safetensors").symlink_to("/nonexistent/model.safetensors")
    message = refused(
        tmp_path, "its model.safetensors is a broken link (to '/nonexistent/model.safetensors')"
    )
    assert "give a model file" not in message
    line = one_line_error(chainrule_cli("info", tmp_path), "its model.safetensors is a broken link")
    assert "give a model file" not in line


@needs_fifo
def test_a_folder_whose_model_is_a_fifo_says_so(fifo):
    refused(fifo.parent, "its model.safetensors is a FIFO (named pipe)")


def test_a_folder_whose_model_is_a_folder_says_so(tmp_path):
    (tmp_path / "model.safetensors").mkdir()
    refused(tmp_path, "its model.safetensors is a directory")


# ------------------------------------------------------------ tensors against the architecture
def sparse_file(path, metadata: str, tensors: dict[str, tuple[str, list[int]]]) -> None:
    """A safetensors file with these tensor entries tiling a data section of zeros that takes no
    disk space (a sparse file), under the chainrule ``metadata`` (JSON, checksum valid)."""
    header, position = {"__metadata__": {"chainrule": metadata}}, 0
    for name, (code, shape) in tensors.items():
        size = {"F32": 4, "F64": 8}[code] * int(np.prod(shape, dtype=object))
        header[name] = {"dtype": code, "shape": shape, "data_offsets": [position, position + size]}
        position += size
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(raw)) + raw)
        file.truncate(8 + len(raw) + position)


def chainrule_metadata(tmp_path) -> str:
    """The chainrule metadata of a [2, 16, 16, 1] float32 model with biases."""
    Network([2, 16, 16, 1], seed=1, dtype="float32").save(tmp_path / "good.safetensors")
    (length,) = struct.unpack("<Q", (tmp_path / "good.safetensors").read_bytes()[:8])
    header = json.loads((tmp_path / "good.safetensors").read_bytes()[8 : 8 + length])
    return header["__metadata__"]["chainrule"]


HUGE = 2**26  # float32 elements: 256 MiB claimed, nothing on disk


@pytest.mark.parametrize(
    ("tensors", "needle"),
    [
        ({"layers.0.weight": ("F32", [HUGE])}, "is missing (the architecture needs it)"),
        (
            {
                **{
                    f"layers.{i}.weight": ("F32", [n, m])
                    for i, (n, m) in enumerate([(2, 16), (16, 16), (16, 1)])
                },
                **{f"layers.{i}.bias": ("F32", [m]) for i, m in enumerate([16, 16, 1])},
                "extra": ("F32", [HUGE]),
            },
            "unexpected tensors ['extra']",
        ),
        (
            {
                **{
                    f"layers.{i}.weight": ("F32", [n, m])
                    for i, (n, m) in enumerate([(2, 16), (16, 16), (16, 1)])
                },
                **{f"layers.{i}.bias": ("F32", [m]) for i, m in enumerate([16, 16, 1])},
                "layers.1.weight": ("F32", [16, HUGE // 16]),
            },
            "has shape (16, 4194304), the layers need (16, 16)",
        ),
        (
            {
                **{
                    f"layers.{i}.weight": ("F64", [n, m])
                    for i, (n, m) in enumerate([(2, 16), (16, 16), (16, 1)])
                },
                **{f"layers.{i}.bias": ("F32", [m]) for i, m in enumerate([16, 16, 1])},
            },
            "is float64, the architecture says float32",
        ),
    ],
    ids=["one huge tensor", "an extra huge tensor", "a huge shape", "another dtype"],
)
def test_tensors_the_architecture_does_not_have_are_refused_before_reading(tmp_path, tensors, needle):
    """Before: a 2 GiB sparse file was read whole, 6 GiB of memory, then "checksum mismatch"."""
    path = tmp_path / "model.safetensors"
    sparse_file(path, chainrule_metadata(tmp_path), tensors)
    tracemalloc.start()
    try:
        refused(path, needle)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES


def test_reading_an_intact_file_allocates_its_tensors_and_little_more(tmp_path):
    """The tensors are read straight into their arrays (before: the whole file read, then
    decoded, then copied, 3 × the tensors at the peak); ``Network.load`` then packs them into
    its one flat parameter vector, the second copy."""
    net = Network([2000, 1000, 1], seed=1)  # 16 MB of float64 weights
    path = tmp_path / "model.safetensors"
    net.save(path)
    tensor_bytes = sum(p.nbytes for p in net.parameters())
    tracemalloc.start()
    try:
        loaded = chainrule.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    np.testing.assert_array_equal(loaded.layers[0].weight, net.layers[0].weight)
    assert peak < 2.25 * tensor_bytes, f"{peak / tensor_bytes:.2f} × the tensors"


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_tensors_read_are_writable_arrays_of_their_own(tmp_path, dtype):
    Network([3, 2, 1], seed=1, dtype=dtype).save(tmp_path / "model.safetensors")
    for layer in read(tmp_path / "model.safetensors").layers:
        for array in (layer.weight, layer.bias):
            assert array.dtype == dtype
            assert array.flags.writeable and array.flags.owndata and array.flags.c_contiguous


def test_a_checkpoint_still_reads_without_an_architecture_check(tmp_path):
    tensors = {"w": np.ones((2, 3), np.float32)}
    safefile.write_container(tmp_path / "c.safetensors", tensors, {"kind": "checkpoint"})
    read, metadata = safefile.read_container(tmp_path / "c.safetensors", kind="checkpoint")
    np.testing.assert_array_equal(read["w"], tensors["w"])
    assert metadata["kind"] == "checkpoint"
