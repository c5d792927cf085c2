"""Model files: a faithful round trip, refusal of every damaged or hostile file, atomic saves.

``chainrule.load`` must raise ``ModelFormatError`` (with a one-line reason) for any
file that is not an intact model, quickly and without allocating what the file
claims; nothing else may escape, so the checks catch ``BaseException``. A save that
fails half-way, or a process killed while saving, leaves the previous file intact.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import struct
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pytest
from safetensors.numpy import load as st_load
from safetensors.numpy import save_file as st_save_file

import chainrule
from chainrule import ACTIVATIONS, ModelFormatError, Network, safefile
from chainrule.nn.activations import LeakyReLU
from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import Table

SECONDS = 2.0  # generous: every refusal below takes milliseconds
PEAK_BYTES = 64 * 1024**2  # what refusing a file may allocate at most


# ------------------------------------------------------------------ helpers
def refused(path, match: str | None = None) -> ModelFormatError:
    """Load ``path``; assert it raises ModelFormatError, one line, quickly. Returns the error."""
    start = time.perf_counter()
    try:
        chainrule.load(path)
    except BaseException as error:
        elapsed = time.perf_counter() - start
        assert isinstance(error, ModelFormatError), f"{type(error).__name__} escaped: {error}"
        message = str(error)
        assert message and "\n" not in message, repr(message)
        if match is not None:
            assert match in message, f"{match!r} not in {message!r}"
        assert elapsed < SECONDS, f"refusing took {elapsed:.2f} s"
        return error
    pytest.fail(f"{path} loaded without an error")


def refused_bytes(tmp_path: Path, blob: bytes, match: str | None = None, name="model.safetensors"):
    path = tmp_path / name
    path.write_bytes(blob)
    return refused(path, match)


def split(blob: bytes) -> tuple[dict, bytes]:
    """(header, data section) of a safetensors file."""
    (length,) = struct.unpack("<Q", blob[:8])
    return json.loads(blob[8 : 8 + length]), blob[8 + length :]


def container(header: dict, data: bytes = b"", raw_length: int | None = None) -> bytes:
    """A safetensors file with this header (padded like the real writer) and data section."""
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)
    length = len(raw) if raw_length is None else raw_length
    return struct.pack("<Q", length) + raw + data


def small_preprocessor() -> Preprocessor:
    table = Table.from_columns(
        "<test>",
        {
            "size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            "colour": ["red", "blue", "red", "green", "blue", "green"],
            "label": ["yes", "no", "yes", "no", "yes", "no"],
        },
    )
    pre, _ = Preprocessor.fit(table, "label")
    return pre


def small_network(dtype="float32", bias=True) -> Network:
    """A [4, 3, 1] network whose preprocessing gives its 4 inputs (size + 3 colours)."""
    net = Network([4, 3, 1], activation="tanh", output_activation="sigmoid", bias=bias, seed=5, dtype=dtype)
    net.preprocessor = small_preprocessor()
    net.info = {
        "task": "classification",
        "loss": "binary_cross_entropy",
        "metrics": {"test": {"accuracy": 0.5}},
    }
    return net


@pytest.fixture
def model_blob(tmp_path) -> bytes:
    path = tmp_path / "good.safetensors"
    small_network().save(path)
    return path.read_bytes()


def assert_same_network(a: Network, b: Network) -> None:
    assert b.sizes == a.sizes
    assert b.dtype == a.dtype
    assert b.has_bias == a.has_bias
    assert [layer.activation.name for layer in b.layers] == [layer.activation.name for layer in a.layers]
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert q.dtype == p.dtype
        np.testing.assert_array_equal(q, p)


# --------------------------------------------------------------- round trip
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_round_trip_keeps_weights_activations_and_dtype(tmp_path, dtype, bias, activation):
    act = ACTIVATIONS[activation]()
    if act.elementwise:
        net = Network(
            [3, 4, 2], activation=activation, output_activation=activation, bias=bias, seed=1, dtype=dtype
        )
    else:  # softmax: the output layer only
        net = Network(
            [3, 4, 2], activation="tanh", output_activation=activation, bias=bias, seed=1, dtype=dtype
        )
    net.layers[0].weight[0, 0] = np.nextafter(net.layers[0].weight[0, 0], 2)  # a value no rounding keeps
    path = tmp_path / "net.safetensors"
    net.save(path)
    loaded = chainrule.load(path)
    assert_same_network(net, loaded)
    X = np.linspace(-2, 2, 15, dtype=dtype).reshape(5, 3)
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))
    assert loaded.preprocessor is None


def test_round_trip_keeps_a_leaky_relu_slope(tmp_path):
    net = Network([2, 3, 1], activation=LeakyReLU(0.25), seed=2)
    net.save(tmp_path / "leaky.safetensors")
    loaded = chainrule.load(tmp_path / "leaky.safetensors")
    assert loaded.layers[0].activation.negative_slope == 0.25
    X = np.array([[-3.0, 1.0], [2.0, -5.0]])
    np.testing.assert_array_equal(loaded.predict(X), net.predict(X))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_keeps_preprocessing_and_info(tmp_path, dtype):
    net = small_network(dtype)
    path = tmp_path / "model.safetensors"
    net.save(path)
    loaded = chainrule.load(path)
    assert_same_network(net, loaded)
    assert loaded.preprocessor.to_dict() == net.preprocessor.to_dict()
    assert loaded.preprocessor.labels == ["no", "yes"]
    assert loaded.preprocessor.categorical == {"colour": ["blue", "green", "red"]}
    assert loaded.info == net.info
    table = Table.from_columns("<new>", {"size": [2.5, 7.0], "colour": ["green", "red"]})
    np.testing.assert_array_equal(loaded.preprocessor.transform(table), net.preprocessor.transform(table))


def test_saving_again_overwrites_and_loading_gives_the_latest(tmp_path):
    path = tmp_path / "model.safetensors"
    first, second = small_network(), small_network()
    second.layers[0].weight += 1
    first.save(path)
    second.save(path)
    assert_same_network(second, chainrule.load(path))
    assert [p.name for p in tmp_path.iterdir()] == ["model.safetensors"]


# ------------------------------------------------------------- corruption
def test_every_truncation_is_refused(tmp_path, model_blob):
    path = tmp_path / "cut.safetensors"
    for size in range(len(model_blob)):
        path.write_bytes(model_blob[:size])
        refused(path)


def test_random_bit_flips_are_refused(tmp_path, model_blob):
    rng = np.random.default_rng(20261122)
    path = tmp_path / "flipped.safetensors"
    positions = rng.integers(0, len(model_blob), size=600)
    bits = rng.integers(0, 8, size=600)
    # and one flip in every byte of the header length and of the tensor data
    (length,) = struct.unpack("<Q", model_blob[:8])
    extra = [*range(8), *range(8 + length, len(model_blob))]
    for position, bit in [*zip(positions.tolist(), bits.tolist()), *((p, 0) for p in extra)]:
        damaged = bytearray(model_blob)
        damaged[position] ^= 1 << bit
        path.write_bytes(bytes(damaged))
        refused(path)


def test_appended_bytes_are_refused(tmp_path, model_blob):
    refused_bytes(tmp_path, model_blob + b"\x00\x00\x00\x00", "stray bytes")


@pytest.mark.parametrize(
    "first_eight",
    [
        b"\xff" * 8,
        struct.pack("<Q", 2**40),
        struct.pack("<Q", safefile.MAX_HEADER_BYTES + 1),
        struct.pack("<Q", 2**63),
        struct.pack("<Q", 0),
        struct.pack("<Q", 1),
    ],
    ids=["ff", "2**40", "max+1", "2**63", "zero", "one"],
)
def test_an_impossible_header_length_is_refused_without_reading_it(tmp_path, first_eight):
    tracemalloc.start()
    try:
        refused_bytes(tmp_path, first_eight + b'{"a":{}}' + b" " * 64)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES


@pytest.mark.parametrize(
    ("shape", "offsets"),
    [
        ([2**40, 2**40], [0, 16]),
        ([2**40, 2**40], [0, 4 * 2**80]),
        ([2**62, 2**62, 2**62], [0, 16]),
        ([2**64 + 1], [0, 16]),
        ([0, 2**40], [0, 0]),
    ],
    ids=["2**40 squared", "claims the bytes", "2**186", "over 64 bits", "zero times huge"],
)
def test_a_shape_overflow_is_refused_without_allocating(tmp_path, model_blob, shape, offsets):
    header, _ = split(model_blob)
    forged = {
        "__metadata__": header["__metadata__"],
        "layers.0.weight": {"dtype": "F32", "shape": shape, "data_offsets": offsets},
    }
    tracemalloc.start()
    try:
        refused_bytes(tmp_path, container(forged, b"\x00" * 16))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES


def _recode(model_blob: bytes, code: str) -> bytes:
    """The model's tensors re-encoded as dtype ``code``, with its chainrule metadata unchanged."""
    header, _ = split(model_blob)
    tensors = st_load(model_blob)
    encoders = {
        "F16": lambda a: a.astype("<f2").tobytes(),
        "BF16": lambda a: (a.astype("<f4").view("<u4") >> 16).astype("<u2").tobytes(),
        "I64": lambda a: a.astype("<i8").tobytes(),
        "I32": lambda a: a.astype("<i4").tobytes(),
        "U8": lambda a: a.astype("<u1").tobytes(),
        "BOOL": lambda a: (a > 0).astype("<u1").tobytes(),
        "F64": lambda a: a.astype("<f8").tobytes(),
        "F32": lambda a: a.astype("<f4").tobytes(),
    }
    forged, chunks, position = {"__metadata__": header["__metadata__"]}, [], 0
    for name in sorted(tensors):
        raw = encoders[code](tensors[name])
        forged[name] = {
            "dtype": code,
            "shape": list(tensors[name].shape),
            "data_offsets": [position, position + len(raw)],
        }
        chunks.append(raw)
        position += len(raw)
    return container(forged, b"".join(chunks))


def test_the_forging_helpers_change_nothing_by_themselves(tmp_path, model_blob):
    """Controls: re-serialising the header, or re-encoding as F32, still gives a loadable model."""
    path = tmp_path / "control.safetensors"
    for blob in (_reoffset(model_blob, lambda header: None), _recode(model_blob, "F32")):
        path.write_bytes(blob)
        assert_same_network(small_network(), chainrule.load(path))


@pytest.mark.parametrize("code", ["I64", "F16", "BF16", "I32", "U8", "BOOL"])
def test_a_dtype_other_than_f32_or_f64_is_refused(tmp_path, model_blob, code):
    refused_bytes(tmp_path, _recode(model_blob, code), "dtype")


def test_f64_tensors_in_a_float32_model_are_refused(tmp_path, model_blob):
    """Valid safetensors, allowed dtype, but not what the architecture (and checksum) say."""
    blob = _recode(model_blob, "F64")
    assert set(st_load(blob)) == set(st_load(model_blob))
    refused_bytes(tmp_path, blob)


def _reoffset(model_blob: bytes, change) -> bytes:
    header, data = split(model_blob)
    change(header)
    return container(header, data)


def _last(header: dict) -> str:
    return max((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])


def _shift(amount: int):
    def change(header):
        entry = header[_last(header)]
        entry["data_offsets"] = [entry["data_offsets"][0] + amount, entry["data_offsets"][1] + amount]

    return change


def _swap(header):
    entry = header[_last(header)]
    entry["data_offsets"] = entry["data_offsets"][::-1]


def _set(value):
    def change(header):
        header[_last(header)]["data_offsets"] = value

    return change


def _entry(key, value):
    def change(header):
        header[_last(header)][key] = value

    return change


def _extra_key(header):
    header[_last(header)]["note"] = "x"


@pytest.mark.parametrize(
    "change",
    [
        _shift(4),
        _shift(-4),
        _shift(10**6),
        _swap,
        _set([-4, 0]),
        _set([0.0, 4.0]),
        _set([0]),
        _set("0-4"),
        _set([True, 5]),
        _entry("shape", [-1, 3]),
        _entry("shape", [1.5]),
        _entry("shape", "3"),
        _entry("shape", [1] * 9),
        _entry("dtype", 32),
        _entry("dtype", "f32"),
        _extra_key,
    ],
    ids=[
        "beyond the end",
        "overlapping",
        "far out of range",
        "begin after end",
        "negative",
        "floats",
        "one offset",
        "a string",
        "a boolean",
        "negative shape",
        "fractional shape",
        "string shape",
        "nine dimensions",
        "numeric dtype",
        "lower-case dtype",
        "extra key",
    ],
)
def test_broken_tensor_entries_are_refused(tmp_path, model_blob, change):
    refused_bytes(tmp_path, _reoffset(model_blob, change))


def test_a_gap_between_tensors_is_refused(tmp_path, model_blob):
    header, data = split(model_blob)
    names = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])
    cut = header[names[0]]["data_offsets"][1]
    for name in names[1:]:
        header[name]["data_offsets"] = [o + 4 for o in header[name]["data_offsets"]]
    refused_bytes(tmp_path, container(header, data[:cut] + b"\0" * 4 + data[cut:]), "gaps")


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"\x00",
        b"1234567",
        b'{"format": "chainrule", "format_version": 1}',
        b'{"__metadata__": {"chainrule": "{}"}}\n' * 3,
        b"x1,x2,label\n1,2,yes\n",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        b"PK\x03\x04" + b"\x00" * 100,
        bytes(range(256)) * 4,
    ],
    ids=["empty", "one byte", "seven bytes", "JSON only", "JSON lines", "CSV", "PNG", "zip", "garbage"],
)
def test_files_that_are_not_models_are_refused(tmp_path, blob):
    refused_bytes(tmp_path, blob)


def test_the_empty_file_says_so(tmp_path):
    refused_bytes(tmp_path, b"", "empty")


def test_a_missing_path_and_a_directory_are_refused(tmp_path):
    refused(tmp_path / "absent.safetensors", "no such file")
    refused(tmp_path, "directory")


def test_a_safetensors_file_without_chainrule_metadata_is_refused(tmp_path):
    path = tmp_path / "foreign.safetensors"
    st_save_file({"layers.0.weight": np.ones((2, 1), dtype=np.float32)}, str(path))
    refused(path, "without chainrule metadata")
    st_save_file({"w": np.ones(2, dtype=np.float32)}, str(path), metadata={"chainrule": "not json"})
    refused(path, "not valid JSON")
    st_save_file({"w": np.ones(2, dtype=np.float32)}, str(path), metadata={"chainrule": "[1, 2]"})
    refused(path)
    st_save_file(
        {"w": np.ones(2, dtype=np.float32)}, str(path), metadata={"chainrule": '{"format": "chainrule"}'}
    )
    refused(path)


@pytest.mark.parametrize(
    ("metadata", "match"),
    [
        ({"format_version": 99}, "newer"),
        ({"format_version": 0}, "not valid"),
        ({"format_version": "1"}, "format_version"),
        ({"kind": "checkpoint"}, "checkpoint"),
        ({"architecture": "mlp"}, "architecture"),
        ({"architecture": {"sizes": [4, 3, 1], "activations": [], "bias": True, "dtype": "float32"}}, None),
        (
            {
                "architecture": {
                    "sizes": [4, 3, 1],
                    "activations": [{"name": "os.system"}] * 2,
                    "bias": True,
                    "dtype": "float32",
                }
            },
            "unknown activation",
        ),
        ({"preprocessing": {"features": ["size"], "task": "classification"}}, "preprocessing"),
    ],
    ids=[
        "newer version",
        "version 0",
        "version as text",
        "a checkpoint",
        "no architecture",
        "no activations",
        "hostile activation",
        "bad preprocessing",
    ],
)
def test_consistent_checksums_around_invalid_metadata_are_refused(tmp_path, metadata, match):
    """Files built with write_container directly: checksums are right, content is not."""
    path = tmp_path / "forged.safetensors"
    safefile.write_container(path, _tensors(small_network()), {**_base_metadata(), **metadata})
    refused(path, match)


def _tensors(net: Network) -> dict[str, np.ndarray]:
    return {
        f"layers.{i}.{kind}": getattr(layer, kind)
        for i, layer in enumerate(net.layers)
        for kind in ("weight", "bias")
    }


def _base_metadata() -> dict:
    """What save writes for small_network(), built by hand."""
    return {
        "kind": "model",
        "architecture": {
            "sizes": [4, 3, 1],
            "activations": [{"name": "tanh"}, {"name": "sigmoid"}],
            "bias": True,
            "dtype": "float32",
        },
        "preprocessing": small_preprocessor().to_dict(),
        "info": {"task": "classification", "loss": "binary_cross_entropy"},
    }


def test_the_hand_built_metadata_loads_when_nothing_is_wrong(tmp_path):
    path = tmp_path / "control.safetensors"
    safefile.write_container(path, _tensors(small_network()), _base_metadata())
    assert_same_network(small_network(), chainrule.load(path))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"task": "sorting"}, id="unknown task"),
        pytest.param({"features": []}, id="no features"),
        pytest.param({"numeric": {"size": {"mean": 0.0}}}, id="no std"),
        pytest.param({"categorical": {"colour": "red"}}, id="categories not a list"),
        pytest.param({"features": ["size", "colour", "extra"]}, id="undescribed feature"),
        pytest.param({"categorical": {"colour": ["red", "blue"]}}, id="one category short"),
        pytest.param({"labels": None}, id="classification without labels"),
        pytest.param({"labels": ["a", "b", "c"]}, id="three labels for one sigmoid output"),
        pytest.param({"labels": ["a"]}, id="one label"),
        pytest.param({"numeric": {"size": {"mean": 3.5, "std": 0.0}}}, id="zero std"),
        pytest.param(
            {"task": "regression", "labels": None, "target_mean": "nan"}, id="target mean 'nan' as text"
        ),
        pytest.param({"numeric": {"size": {"mean": 3.5, "std": 1.7, "fill": "x"}}}, id="fill as text"),
    ],
)
def test_invalid_preprocessing_is_refused(tmp_path, change):
    metadata = _base_metadata()
    metadata["preprocessing"].update(change)
    path = tmp_path / "forged.safetensors"
    safefile.write_container(path, _tensors(small_network()), metadata)
    refused(path)


def _data_start(blob: bytes, header: dict, name: str) -> int:
    (length,) = struct.unpack("<Q", blob[:8])
    return 8 + length + header[name]["data_offsets"][0]


def test_a_nan_written_into_the_bytes_fails_the_checksum(tmp_path, model_blob):
    header, _ = split(model_blob)
    start = _data_start(model_blob, header, "layers.0.weight")
    damaged = bytearray(model_blob)
    damaged[start : start + 4] = np.array([np.nan], dtype="<f4").tobytes()
    refused_bytes(tmp_path, bytes(damaged), "checksum")


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_non_finite_weight_with_a_correct_checksum_is_refused(tmp_path, bad, dtype):
    net = small_network(dtype)
    path = tmp_path / "nan.safetensors"
    net.save(path)
    header, _ = split(path.read_bytes())
    metadata = json.loads(header["__metadata__"]["chainrule"])
    tensors = {name: array.copy() for name, array in st_load(path.read_bytes()).items()}
    tensors["layers.1.weight"][1, 0] = bad
    kept = {k: v for k, v in metadata.items() if k in ("kind", "architecture", "preprocessing", "info")}
    safefile.write_container(path, tensors, kept)  # checksums computed around the bad value
    refused(path, "NaN or infinity")


def test_save_refuses_to_write_a_nan_weight(tmp_path):
    net = small_network()
    path = tmp_path / "model.safetensors"
    net.save(path)
    before = path.read_bytes()
    net.layers[0].weight[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        net.save(path)
    assert path.read_bytes() == before


class _Exploit:
    """Unpickling this runs code that creates the marker file."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        import builtins

        return builtins.exec, (f"open({str(self.marker)!r}, 'w').close()",)


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_a_pickle_is_refused_without_running_it(tmp_path, protocol):
    marker = tmp_path / "MARKER"
    payload = pickle.dumps(_Exploit(marker), protocol=protocol)
    pickle.loads(pickle.dumps(_Exploit(tmp_path / "proof"), protocol=protocol))
    assert (tmp_path / "proof").exists(), "the payload does run when unpickled"
    refused_bytes(tmp_path, payload, name="model.pkl")
    refused_bytes(tmp_path, payload, name="model.safetensors")
    # a pickle behind a plausible header length, and as the chainrule metadata itself
    refused_bytes(tmp_path, struct.pack("<Q", len(payload)) + payload)
    st_save_file(
        {"w": np.ones(2, dtype=np.float32)},
        str(tmp_path / "meta.safetensors"),
        metadata={"chainrule": payload.decode("latin-1")},
    )
    refused(tmp_path / "meta.safetensors")
    assert not marker.exists(), "loading ran the pickle's code"


# ------------------------------------------------------------ atomic saves
@pytest.fixture
def saved(tmp_path):
    """A model file already on disk: (path, the network, its bytes)."""
    path = tmp_path / "model.safetensors"
    net = small_network()
    net.save(path)
    return path, net, path.read_bytes()


def _newer() -> Network:
    net = small_network()
    for param in net.parameters():
        param += 0.5
    return net


def _assert_untouched(path: Path, net: Network, before: bytes) -> None:
    assert path.read_bytes() == before
    assert_same_network(net, chainrule.load(path))
    assert [p.name for p in path.parent.iterdir()] == [path.name], "a temporary file was left behind"


class _Crash(Exception):
    pass


def test_a_crash_at_the_rename_leaves_the_previous_file(saved, monkeypatch):
    path, net, before = saved

    def crash(src, dst):
        raise _Crash("power cut at the rename")

    monkeypatch.setattr(safefile.os, "replace", crash)
    with pytest.raises(_Crash):
        _newer().save(path)
    monkeypatch.undo()
    _assert_untouched(path, net, before)


def test_a_crash_half_way_through_writing_leaves_the_previous_file(saved, monkeypatch):
    path, net, before = saved
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, file):
            self.file = file

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()
            return False

        def write(self, data):
            self.file.write(data[: len(data) // 2])
            self.file.flush()
            raise _Crash("disk full half-way")

        def __getattr__(self, name):
            return getattr(self.file, name)

    monkeypatch.setattr(safefile.os, "fdopen", lambda *a, **k: HalfWriter(real_fdopen(*a, **k)))
    with pytest.raises(_Crash):
        _newer().save(path)
    monkeypatch.undo()
    _assert_untouched(path, net, before)


@pytest.mark.parametrize("failure", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failing_fsync_leaves_the_previous_file(saved, monkeypatch, failure):
    path, net, before = saved

    def fail(fd):
        raise failure

    monkeypatch.setattr(safefile.os, "fsync", fail)
    with pytest.raises(type(failure)):
        _newer().save(path)
    monkeypatch.undo()
    _assert_untouched(path, net, before)


def test_a_crash_before_the_first_save_leaves_no_file(tmp_path, monkeypatch):
    path = tmp_path / "model.safetensors"
    monkeypatch.setattr(safefile.os, "replace", lambda src, dst: (_ for _ in ()).throw(_Crash("crash")))
    with pytest.raises(_Crash):
        small_network().save(path)
    assert list(tmp_path.iterdir()) == []


SAVER = """
import sys
import chainrule

path = sys.argv[1]
nets = [chainrule.Network([256, 512, 512, 16], seed=seed, dtype="float64") for seed in (1, 2)]
print("ready", flush=True)
count = 0
while True:
    nets[count % 2].save(path)
    count += 1
"""


def test_killing_a_process_while_it_saves_never_leaves_a_broken_file(tmp_path):
    """SIGKILL a loop of saves at random moments: the path holds one whole model, or none yet.

    A kill that lands while a save is writing leaves its temporary file behind; the
    loop goes on until a few kills have landed there (at least 8, at most 30 rounds).
    """
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("needs SIGKILL")
    path = tmp_path / "big.safetensors"
    expected = [Network([256, 512, 512, 16], seed=seed, dtype="float64") for seed in (1, 2)]
    rng = np.random.default_rng(11)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    rounds = mid_save = complete = 0
    while rounds < 8 or (mid_save < 3 and rounds < 30):
        temporaries = {p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")}
        process = subprocess.Popen(
            [sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
        )
        try:
            assert process.stdout.readline() == b"ready\n", process.stderr.read().decode()
            time.sleep(0.0 if rounds == 0 else float(rng.uniform(0.01, 0.25)))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            process.stdout.close()
            process.stderr.close()
        rounds += 1
        assert process.returncode == -signal.SIGKILL
        if {p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")} - temporaries:
            mid_save += 1
        if not path.exists():
            assert complete == 0, "the file disappeared after a save had completed"
            continue
        complete += 1
        loaded = chainrule.load(path)
        matches = [
            all(np.array_equal(p, q) for p, q in zip(net.parameters(), loaded.parameters(), strict=True))
            for net in expected
        ]
        assert any(matches), "the file holds neither network"
    assert complete >= rounds - 1
    assert mid_save >= 1, "no kill landed during a save; the test proved nothing"
