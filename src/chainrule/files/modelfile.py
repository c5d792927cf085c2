"""Model files: one safetensors file with the weights and everything needed to use them.

``save(network, path)`` writes the weights as tensors ``layers.<l>.weight`` and
``layers.<l>.bias`` and, as JSON metadata, the format version, the architecture,
the preprocessing learned from the data (feature and label names, scaling,
encodings), free-form information (task, loss, metrics), the library version and
a SHA-256 of the tensors. ``load(path)`` checks all of it before building the
network (see ``chainrule.safefile``); activations are found in a fixed table,
never by name lookup on a module, and nothing is unpickled or evaluated.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from ..errors import ModelFormatError
from ..nn.activations import ACTIVATIONS, Activation, LeakyReLU
from ..nn.layers import Dense
from ..safefile import read_container, write_container
from .modelfile_checks import check_loss, checked_info, checked_preprocessing

__all__ = ["Stored", "save", "read"]

_MAX_LAYERS = 1000
_MAX_WIDTH = 10_000_000


def _activation_spec(activation: Activation) -> dict:
    spec = {"name": activation.name}
    if isinstance(activation, LeakyReLU):
        spec["negative_slope"] = activation.negative_slope
    return spec


def _activation_from_spec(spec, where: str) -> Activation:
    if not isinstance(spec, dict) or not isinstance(spec.get("name"), str) or spec["name"] not in ACTIVATIONS:
        raise ModelFormatError(f"{where}: unknown activation {spec!r}")
    if spec["name"] == "leaky_relu":
        slope = spec.get("negative_slope", 0.01)
        if not isinstance(slope, (int, float)) or not 0 <= slope < 1:
            raise ModelFormatError(f"{where}: invalid leaky_relu negative_slope {slope!r}")
        return LeakyReLU(slope)
    return ACTIVATIONS[spec["name"]]()


def save(network, path, preprocessor=None, info: dict | None = None) -> None:
    """Write ``network`` (and its preprocessing and information) to ``path`` atomically."""
    preprocessor = preprocessor if preprocessor is not None else network.preprocessor
    info = info if info is not None else network.info
    tensors = {}
    for index, layer in enumerate(network.layers):
        tensors[f"layers.{index}.weight"] = layer.weight
        if layer.bias is not None:
            tensors[f"layers.{index}.bias"] = layer.bias
    for name, array in tensors.items():
        if not np.isfinite(array).all():
            raise ValueError(f"cannot save: {name} holds NaN or infinity")
    metadata = {
        "kind": "model",
        "architecture": {
            "sizes": network.sizes,
            "activations": [_activation_spec(layer.activation) for layer in network.layers],
            "bias": network.has_bias,
            "dtype": network.dtype.name,
        },
        "preprocessing": None if preprocessor is None else preprocessor.to_dict(),
        "info": _json_safe(info or {}),
    }
    write_container(path, tensors, metadata)


@dataclass
class Stored:
    """What a model file holds, checked: the layers (as ``Network.from_layers`` takes them),
    the free-form info, the preprocessing (or None) and the file's own metadata."""

    layers: list[Dense]
    info: dict
    preprocessor: object
    file_metadata: dict


@dataclass
class _Contents:
    """A model file's metadata, checked: the architecture, the info and the preprocessing."""

    sizes: list[int]
    activations: list[Activation]
    bias: bool
    dtype: np.dtype
    info: dict
    preprocessor: object

    def tensors_needed(self) -> dict[str, tuple[np.dtype, tuple[int, ...]]]:
        """The tensors the layers need: ``layers.<l>.weight`` ``(n_in, n_out)`` and, with
        biases, ``layers.<l>.bias`` ``(n_out,)``, all of the architecture's dtype."""
        needed = {}
        for index, (n_in, n_out) in enumerate(itertools.pairwise(self.sizes)):
            needed[f"layers.{index}.weight"] = (self.dtype, (n_in, n_out))
            if self.bias:
                needed[f"layers.{index}.bias"] = (self.dtype, (n_out,))
        return needed


def read(path) -> Stored:
    """Read a model file written by ``save``; raises ModelFormatError for anything invalid.

    The metadata is checked in full (architecture, info, preprocessing) before any tensor
    data is read, and the file must hold exactly the tensors the architecture needs.
    ``Network.load`` builds the network from it (and ``chainrule.load`` wraps a file that a
    scikit-learn estimator saved back into that estimator).
    """
    where = str(path)
    contents: _Contents | None = None

    def tensors_needed(metadata: dict) -> dict:
        nonlocal contents
        contents = _contents(metadata, where)
        return contents.tensors_needed()

    tensors, metadata = read_container(path, kind="model", expect=tensors_needed)
    layers = []
    for index, activation in enumerate(contents.activations):
        weight = _owned(tensors[f"layers.{index}.weight"], contents.dtype)
        bias = _owned(tensors[f"layers.{index}.bias"], contents.dtype) if contents.bias else None
        layers.append(Dense(weight, bias, activation))
    file_metadata = {
        "format_version": metadata["format_version"],
        "library_version": metadata.get("library_version"),
        "payload_sha256": metadata["payload_sha256"],
    }
    return Stored(layers, contents.info, contents.preprocessor, file_metadata)


def _contents(metadata: dict, where: str) -> _Contents:
    """The architecture, info and preprocessing of a model file's metadata, each checked
    (``files.modelfile_checks``); ModelFormatError naming the first field that is wrong."""
    architecture = metadata.get("architecture")
    if not isinstance(architecture, dict):
        raise ModelFormatError(f"{where}: metadata has no architecture")
    sizes = architecture.get("sizes")
    if not (
        isinstance(sizes, list)
        and 2 <= len(sizes) <= _MAX_LAYERS + 1
        and all(isinstance(s, int) and not isinstance(s, bool) and 1 <= s <= _MAX_WIDTH for s in sizes)
    ):
        raise ModelFormatError(f"{where}: invalid layer sizes {sizes!r}")
    specs = architecture.get("activations")
    if not isinstance(specs, list) or len(specs) != len(sizes) - 1:
        raise ModelFormatError(f"{where}: activations do not match the layers")
    activations = [_activation_from_spec(spec, where) for spec in specs]
    if any(not act.elementwise for act in activations[:-1]):
        raise ModelFormatError(f"{where}: softmax can only be the output activation")
    bias = architecture.get("bias")
    dtype_name = architecture.get("dtype")
    if not isinstance(bias, bool) or dtype_name not in ("float32", "float64"):
        raise ModelFormatError(f"{where}: invalid bias flag or dtype in the architecture")
    info = checked_info(metadata, where)
    preprocessor = None
    if metadata.get("preprocessing") is not None:
        output = activations[-1]
        preprocessor = checked_preprocessing(metadata["preprocessing"], sizes, output.name, where)
        check_loss(info, output, where)
    return _Contents(sizes, activations, bias, np.dtype(dtype_name), info, preprocessor)


def _owned(array: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``array`` as a C-ordered, writable array of ``dtype`` that owns its data: as read,
    without a copy, when it already is one (the file's little-endian bytes on most machines)."""
    return np.require(array, dtype=dtype, requirements=["C_CONTIGUOUS", "OWNDATA", "WRITEABLE"])


def _json_safe(value):
    """Plain JSON data with non-finite floats as None."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (np.floating, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, np.ndarray):
        return _json_safe(value.tolist())
    return value
