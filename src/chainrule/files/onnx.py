"""ONNX export: a network, or a whole trained table model, as a graph any ONNX runtime serves.

Three graphs, all built with ``onnx.helper`` and checked with ``onnx.checker`` before writing:

* ``network_model(net)`` — the bare network: input ``"X"`` float32 ``(n, n_inputs)``, output
  ``"y"`` float32 ``(n, n_outputs)`` equal to ``net.predict(X)``; a row with NaN or ±inf fails
  the run, as ``predict`` refuses it.
* ``estimator_model(net, kind=..., classes=...)`` — skl2onnx's conventions for scikit-learn
  models: input ``"X"`` float32 ``(n, n_features)``, a row with NaN or ±inf failing the run; a classifier gives ``"label"`` ``(n,)``
  (int64 for numeric classes, string for text; ``(n, n_labels)`` int64 0/1 when multilabel)
  and ``"probabilities"`` float32 ``(n, n_classes)``, a tensor and no ZipMap; a regressor gives
  ``"variable"`` float32 ``(n, n_outputs)``.
* ``table_model(net)`` — a model trained by ``chainrule train`` with its stored preprocessing,
  so it takes the raw columns: one ``(n, 1)`` input per feature column, named as the column:
  string for a category (as skl2onnx does for a ColumnTransformer), float32 for a number (double
  where float32 would round it; a percentage as a fraction: ``files.onnx_inputs``). It outputs
  ``"label"`` (the original label strings, ``(n,)``) and ``"probabilities"`` ``(n, n_classes)``,
  or ``"variable"`` ``(n, 1)`` in the target's units.

The table graph repeats ``chainrule.workflow.apply.predict_table`` step by step: a number that is NaN
or infinite becomes the stored fill value (``--impute``), then ``(x - mean) / std`` in float64;
a category is matched after stripping surrounding whitespace (Python's ``str.strip`` set) and a
missing one (``""``, ``NA``, ``?``, ... in any case) becomes the stored most frequent category;
the one-hot columns follow the stored category order. Where ``predict_table`` refuses the table
(a gap in a model trained without ``--impute``, a category not seen in training, a number too
large for the network's dtype or too many standard deviations out, a row whose output is not
finite) the runtime fails the whole run, naming the column (or the output) in the failing node,
e.g. ``Name:'colour: category not seen in training, or missing without --impute'``.

The preprocessing runs in float64, the network in its dtype; outputs are float32 (``"variable"``
double for a target with a large offset: ``onnx_inputs.output_dtype``). Files are ONNX
IR version 10 with opset 21 of the default domain and, where used, opset 3 of ``ai.onnx.ml``:
onnxruntime 1.18 or newer reads them (tested with 1.32).
"""

from __future__ import annotations

import os

import numpy as np

from ..errors import UserError
from .onnx_columns import categorical_column, numeric_column
from .onnx_inputs import OUTPUT_NAMES, input_dtype, input_names, metadata, notes, output_dtype

__all__ = [
    "OPSET",
    "ML_OPSET",
    "IR_VERSION",
    "ExportError",
    "network_model",
    "estimator_model",
    "table_model",
    "save",
    "estimator_to_onnx",
    "export_model",
]

OPSET = 21
ML_OPSET = 3
IR_VERSION = 10

_ACTIVATIONS = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "exp": "Exp"}


class ExportError(UserError):
    """The model cannot be exported or written; the message says what to do."""


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'chainrule[onnx]'") from None
    return onnx


class _Graph:
    """Nodes, constants, inputs and outputs of one graph, with value names that never collide."""

    def __init__(self, reserved=()):
        self.onnx = _onnx()
        self.nodes, self.initializers, self.inputs, self.outputs = [], [], [], []
        self.taken = set(reserved)
        self.uses_ml = False

    def name(self, hint: str) -> str:
        count = 0
        while (name := f"{hint}_{count}") in self.taken:
            count += 1
        self.taken.add(name)
        return name

    def const(self, hint: str, array) -> str:
        array = np.asarray(array)
        name = self.name(hint)
        if array.dtype.kind in "OU":
            proto = self.onnx.helper.make_tensor(
                name, self.onnx.TensorProto.STRING, array.shape, [str(s).encode() for s in array.ravel()]
            )
        else:
            proto = self.onnx.numpy_helper.from_array(np.ascontiguousarray(array), name)
        self.initializers.append(proto)
        return name

    def op(self, op_type: str, *inputs: str, out: str | None = None, label=None, domain="", **attrs) -> str:
        out = out or self.name(op_type.lower())
        self.uses_ml |= domain == "ai.onnx.ml"
        node_name = label or self.name(f"{op_type}_node")
        self.nodes.append(
            self.onnx.helper.make_node(op_type, list(inputs), [out], node_name, domain=domain, **attrs)
        )
        return out

    def cast(self, value: str, dtype) -> str:
        return self.op("Cast", value, to=self.onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dtype)))

    def tensor(self, name: str, elem, shape) -> object:
        return self.onnx.helper.make_tensor_value_info(name, elem, shape)

    def model(self, doc: str, metadata: dict | None = None):
        helper = self.onnx.helper
        graph = helper.make_graph(self.nodes, "chainrule", self.inputs, self.outputs, self.initializers)
        opsets = [helper.make_opsetid("", OPSET)]
        if self.uses_ml:
            opsets.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
        model = helper.make_model(
            graph, opset_imports=opsets, ir_version=IR_VERSION, producer_name="chainrule", doc_string=doc
        )
        helper.set_model_props(model, metadata or {})
        self.onnx.checker.check_model(model, full_check=True)
        return model

    def refuse_unless(self, accepted: str, reason: str) -> str:
        """A float 1 ``(n, 1)`` where ``accepted`` ``(n, 1)`` holds; the run fails where it does not.

        ``ai.onnx.ml.OneHotEncoder`` with ``zeros=0`` fails on a category outside its list; the
        node is named ``reason`` so the runtime's message says why. Multiply the result into the
        values it guards so the runtime cannot drop it as unused.
        """
        flag = self.cast(accepted, np.int64)
        ones = self.op("OneHotEncoder", flag, label=reason, domain="ai.onnx.ml", cats_int64s=[1], zeros=0)
        return self.op("Squeeze", ones, self.const("axis", np.array([2], dtype=np.int64)))

    def finite_rows(self, value: str, reason: str) -> str:
        """``value`` ``(n, k)`` (float or double) where every row is finite; the run fails, naming
        ``reason``, where a row holds NaN or ±inf (``refuse_unless``)."""
        hole = self.cast(self.op("Or", self.op("IsNaN", value), self.op("IsInf", value)), np.float32)
        holes = self.op("ReduceSum", hole, self.const("axis", np.array([1], dtype=np.int64)), keepdims=1)
        allowed = self.refuse_unless(
            self.op("Equal", holes, self.const("zero", np.array(0.0, np.float32))), reason
        )
        return self.op("Mul", value, self.op("CastLike", allowed, value))


def _forward(g: _Graph, network, x: str) -> str:
    """The network's layers on ``x`` ``(n, n_inputs)`` in its dtype: a = f(x @ W + b), layer by layer."""
    for index, layer in enumerate(network.layers):
        z = g.op("MatMul", x, g.const(f"layers.{index}.weight", layer.weight))
        if layer.bias is not None:
            z = g.op("Add", z, g.const(f"layers.{index}.bias", layer.bias))
        name = layer.activation.name
        if name == "identity":
            x = z
        elif name == "softmax":
            x = g.op("Softmax", z, axis=1)
        elif name == "leaky_relu":
            # max(z, slope × z), as chainrule computes it; onnxruntime has no float64 LeakyRelu.
            slope = np.array(layer.activation.negative_slope, dtype=network.dtype)
            x = g.op("Max", z, g.op("Mul", z, g.const("negative_slope", slope)))
        elif name in _ACTIVATIONS:
            x = g.op(_ACTIVATIONS[name], z)
        else:
            raise ExportError(
                f"layer {index}'s activation {name!r} has no ONNX equivalent; export supports "
                "identity, relu, leaky_relu, tanh, sigmoid, exp and softmax"
            )
    return x


def _finite_rows(g: _Graph, network, reason: str) -> str:
    """Input ``"X"`` float32 ``(n, n_inputs)``; a row holding NaN or ±inf fails the run, naming
    ``reason``, as ``predict`` refuses it (without this it would pass NaN on, or get the first class)."""
    g.inputs.append(g.tensor("X", g.onnx.TensorProto.FLOAT, [None, network.n_inputs]))
    g.taken.add("X")
    return g.finite_rows("X", reason)  # X's type: skl2onnx may feed double


def network_model(network):
    """The ONNX model of ``network``: ``"X"`` float32 ``(n, n_inputs)`` → ``"y"`` float32 ``(n, n_outputs)``,
    ``network.predict(X)``; a row of X holding NaN or ±inf fails the run, as ``predict`` refuses it."""
    g = _Graph(reserved={"y"})
    reason = "X: a row holds NaN or infinity, which the network's predict refuses; clean or impute it first"
    y = _forward(g, network, g.cast(_finite_rows(g, network, reason), network.dtype))
    g.op("Cast", y, out="y", to=g.onnx.TensorProto.FLOAT)
    g.outputs.append(g.tensor("y", g.onnx.TensorProto.FLOAT, [None, network.n_outputs]))
    return g.model(f"chainrule network {network.sizes}")


def _classify(g: _Graph, scores: str, n_outputs: int, labels: str, label_type: int) -> None:
    """``"label"`` ``(n,)`` and ``"probabilities"`` float32 ``(n, n_classes)`` from the output layer.

    One (sigmoid) output p is the second of two classes: probabilities ``[1 - p, p]``, label
    index ``p > 0.5``; several outputs give the label index by ``argmax`` (the first on ties),
    as ``chainrule.workflow`` and scikit-learn do. Computed in float64.
    """
    p = g.cast(scores, np.float64)
    if n_outputs == 1:
        probabilities = g.op("Concat", g.op("Sub", g.const("one", np.array(1.0)), p), p, axis=1)
        index = g.op(
            "Reshape",
            g.cast(g.op("Greater", p, g.const("half", np.array(0.5))), np.int64),
            g.const("flat", np.array([-1], dtype=np.int64)),
        )
    else:
        probabilities, index = p, g.op("ArgMax", p, axis=1, keepdims=0)
    g.op("Gather", labels, index, out="label", axis=0)
    g.op("Cast", probabilities, out="probabilities", to=g.onnx.TensorProto.FLOAT)
    n_classes = 2 if n_outputs == 1 else n_outputs
    g.outputs += [
        g.tensor("label", label_type, [None]),
        g.tensor("probabilities", g.onnx.TensorProto.FLOAT, [None, n_classes]),
    ]


def _class_constant(g: _Graph, classes) -> tuple[str, int]:
    """The class labels as a constant, int64 for whole numbers and booleans, else strings."""
    array = np.asarray(classes)
    if array.dtype.kind in "biu" or (
        array.dtype.kind == "f" and np.isfinite(array).all() and (array == np.round(array)).all()
    ):
        return g.const("classes", array.astype(np.int64)), g.onnx.TensorProto.INT64
    if array.dtype.kind in "OU" and all(isinstance(c, str) for c in array.ravel()):
        return g.const("classes", array.astype(object)), g.onnx.TensorProto.STRING
    raise ValueError(f"classes must be strings, whole numbers or booleans for ONNX labels, got {classes!r}")


def estimator_model(network, *, kind: str, classes=None, multilabel: bool = False):
    """The ONNX model of a fitted estimator's network, with skl2onnx's inputs and outputs.

    ``kind``: "classifier" or "regressor". ``classes``: the estimator's ``classes_`` (one per
    output, or two for a single sigmoid output, or one when it was fitted on one class). ``multilabel``: one sigmoid output per label;
    ``"label"`` is then int64 ``(n, n_labels)`` with 1 where p > 0.5.
    """
    if kind not in ("classifier", "regressor"):
        raise ValueError(f"kind must be 'classifier' or 'regressor', got {kind!r}")
    g = _Graph(reserved={"label", "probabilities", "variable"})
    reason = "X: a row holds NaN or infinity, which the estimator refuses; impute it first"
    scores = _forward(g, network, g.cast(_finite_rows(g, network, reason), network.dtype))
    n_outputs, output = network.n_outputs, network.output_activation.name
    if kind == "regressor":
        g.op("Cast", scores, out="variable", to=g.onnx.TensorProto.FLOAT)
        g.outputs.append(g.tensor("variable", g.onnx.TensorProto.FLOAT, [None, n_outputs]))
        return g.model(f"chainrule regressor {network.sizes}")
    if multilabel:
        if output != "sigmoid" or (classes is not None and len(classes) != n_outputs):
            raise ValueError(
                f"multilabel needs a sigmoid output per label; the network has {n_outputs} "
                f"{output} outputs for classes {classes!r}"
            )
        p = g.cast(scores, np.float64)
        g.op(
            "Cast",
            g.op("Greater", p, g.const("half", np.array(0.5))),
            out="label",
            to=g.onnx.TensorProto.INT64,
        )
        g.op("Cast", p, out="probabilities", to=g.onnx.TensorProto.FLOAT)
        g.outputs += [
            g.tensor("label", g.onnx.TensorProto.INT64, [None, n_outputs]),
            g.tensor("probabilities", g.onnx.TensorProto.FLOAT, [None, n_outputs]),
        ]
        return g.model(f"chainrule multilabel classifier {network.sizes}")
    expected = 2 if n_outputs == 1 else n_outputs
    if n_outputs == 1 and classes is not None and len(classes) == 1:
        # Fitted on one class, scikit-learn's predict gives it for every row (and predict_proba
        # is still [1 - p, p]): both label indices name it.
        classes = [classes[0], classes[0]]
    if classes is None or len(classes) != expected:
        raise ValueError(
            f"classes must list {expected} classes for a network with {n_outputs} "
            f"output{'s' if n_outputs > 1 else ''}, got {classes!r}"
        )
    if output not in (("sigmoid",) if n_outputs == 1 else ("softmax", "sigmoid")):
        raise ValueError(
            f"a classifier's network must end in sigmoid (one output) or softmax, this one ends in {output!r}"
        )
    labels, label_type = _class_constant(g, classes)
    _classify(g, scores, n_outputs, labels, label_type)
    return g.model(f"chainrule classifier {network.sizes}")


def table_model(network):
    """The ONNX model of a table model: raw columns in, labels and probabilities (or values) out.

    Inputs, one per feature column in the stored order, ``(n, 1)`` of ``onnx_inputs.input_dtype``
    and described in the metadata (``onnx_inputs.metadata``). Outputs as ``predict_table``:
    ``"label"`` string ``(n,)`` and ``"probabilities"`` float32 ``(n, n_classes)`` for
    classification, ``"variable"`` ``(n, 1)`` in the target's units for regression.
    """
    pre = network.preprocessor
    if pre is None:
        raise ExportError(
            "this model has no stored preprocessing (it was not trained by chainrule "
            "train); export the bare network with net.to_onnx(path)"
        )
    names = input_names(pre)  # a column called "label" is fed as "label_input"
    g = _Graph(reserved={*names.values(), *OUTPUT_NAMES[pre.task]})
    blocks = []
    for column, name in names.items():
        dtype = g.onnx.helper.np_dtype_to_tensor_dtype(input_dtype(pre, column))
        g.inputs.append(g.tensor(name, dtype, [None, 1]))
        if column in pre.categorical:
            fill = pre.categorical_fill.get(column)
            blocks.append(categorical_column(g, name, pre.categorical[column], fill, column))
        else:
            blocks.append(numeric_column(g, name, pre.numeric[column], column, network.dtype))
    features = g.op("Concat", *blocks, axis=1) if len(blocks) > 1 else blocks[0]
    scores = g.finite_rows(
        _forward(g, network, g.cast(features, network.dtype)),
        f"the network's output is not finite in {network.dtype.name} for a row (an input far from "
        "the training data), which predict refuses; check the values",
    )
    if pre.task == "classification":
        labels = g.const("labels", np.array(pre.labels, dtype=object))
        _classify(g, scores, network.n_outputs, labels, g.onnx.TensorProto.STRING)
    else:
        value = g.op("Mul", g.cast(scores, np.float64), g.const("target_std", np.array(pre.target_std)))
        value = g.op("Add", value, g.const("target_mean", np.array(pre.target_mean)))
        out_type = g.onnx.helper.np_dtype_to_tensor_dtype(output_dtype(pre))  # double for a large offset
        g.op("Cast", value, out="variable", to=out_type)
        g.outputs.append(g.tensor("variable", out_type, [None, 1]))
    return g.model(f"chainrule {pre.task} of {pre.target!r} from {len(pre.features)} columns", metadata(pre))


def save(model, path) -> None:
    """Write an ONNX model to ``path`` atomically; ExportError in one line if it cannot be written."""
    from ..safefile import atomic_write

    if not isinstance(path, (str, os.PathLike)) or not str(path):
        raise ValueError(f"path must be a file path, got {path!r}")
    try:
        atomic_write(path, model.SerializeToString())
    except OSError as error:
        raise ExportError(
            f"{path}: cannot write the ONNX file ({error.strerror or error}); choose a writable path"
        ) from None


def estimator_to_onnx(network, path, *, kind: str, classes=None, multilabel: bool = False) -> None:
    """Write ``estimator_model(network, ...)`` to ``path`` (what ``estimator.to_onnx`` calls)."""
    save(estimator_model(network, kind=kind, classes=classes, multilabel=multilabel), path)


def export_model(network, onnx_path, model_path="the model") -> list[str]:
    """``chainrule export MODEL --onnx OUT``: a network trained by ``chainrule train`` (read
    from ``model_path`` with ``Network.load``) as ONNX, its stored preprocessing included (see
    ``table_model``); returns the notes for the user on its inputs (``onnx_inputs.notes``).
    ExportError, one line, for a model without preprocessing or a path that cannot be written.
    """
    if network.preprocessor is None and "sklearn" in network.info:
        raise ExportError(
            f"{model_path}: this is a scikit-learn estimator saved with estimator.save(); export it "
            "with chainrule.load(path).to_onnx(out), which keeps its class labels"
        )
    if network.preprocessor is None:
        raise ExportError(
            f"{model_path}: this model has no stored preprocessing (it was not trained "
            "by chainrule train); export the bare network with net.to_onnx(path)"
        )
    save(table_model(network), onnx_path)
    return notes(network.preprocessor)
