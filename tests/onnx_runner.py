"""Running exported ONNX models with the real onnxruntime, for the ONNX export tests."""

from __future__ import annotations

import onnx
import onnxruntime as ort

from chainrule.files.onnx import IR_VERSION, OPSET


def run(model, feed: dict) -> dict:
    """The named outputs of ``model`` (a ModelProto or a path) run by onnxruntime on one thread."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1
    source = model if isinstance(model, str) else model.SerializeToString()
    session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(None, feed)))


def checked(path) -> onnx.ModelProto:
    """The model at ``path``, after ``onnx.checker`` (with shape inference) and the stated versions."""
    model = onnx.load(str(path))
    onnx.checker.check_model(model, full_check=True)
    assert model.ir_version == IR_VERSION
    assert {o.domain: o.version for o in model.opset_import}[""] == OPSET
    return model


def signature(values) -> list[tuple]:
    """(name, element type, rank) of a graph's inputs or outputs."""
    return [(v.name, v.type.tensor_type.elem_type, len(v.type.tensor_type.shape.dim)) for v in values]
