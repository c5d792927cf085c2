"""chainrule's estimators in skl2onnx: a Pipeline or ColumnTransformer that holds one converts
with ``skl2onnx.to_onnx`` / ``convert_sklearn`` once ``register_skl2onnx()`` has run.

The shape calculators are skl2onnx's own for scikit-learn's MLP (label and probabilities for
a classifier, ZipMap by default as for any scikit-learn classifier; one tensor for a
regressor), with the widths the graph gives: one 0/1 label per output for a multilabel
classifier, ``(N, n_outputs_)`` for a regressor (skl2onnx's says ``(N, 1)`` whatever
the number of outputs). The converter puts into skl2onnx's graph the nodes of the graph ``to_onnx``
writes (``estimator.onnx_model()``), every name made unique in skl2onnx's scope: the same
network, labels and refusals, built in one place. Its outputs have the types skl2onnx gives
the operator. With a double input (``to_onnx(model, X[:1])`` for float64 X) the network
computes in double, as ``predict`` does for float64 X (a float32 model's weights widened),
and the probabilities or values are cast from that straight to double: the graph
``to_onnx`` writes ends in float32 outputs, and going through them would leave double
outputs with float32 precision.
"""

from __future__ import annotations

from .classifier import MLPClassifier
from .regressor import MLPRegressor

__all__ = ["register_skl2onnx"]


def register_skl2onnx() -> None:
    """Register converters for ``chainrule.MLPClassifier`` and ``MLPRegressor`` with skl2onnx,
    so ``skl2onnx.to_onnx(pipeline, X[:1])`` converts pipelines holding them. Calling it again
    is harmless. Needs skl2onnx: ``pip install 'chainrule[skl2onnx]'``."""
    try:
        from skl2onnx import update_registered_converter
        from skl2onnx.common.shape_calculator import (
            calculate_linear_classifier_output_shapes,
            calculate_linear_regressor_output_shapes,
        )
    except ImportError:
        raise ImportError(
            "register_skl2onnx needs skl2onnx (and onnx): pip install 'chainrule[skl2onnx]'"
        ) from None

    def classifier_shapes(operator):
        calculate_linear_classifier_output_shapes(operator)
        estimator = operator.raw_operator
        if estimator._label_binarizer.y_type_ == "multilabel-indicator":  # one 0/1 label per output
            from skl2onnx.common.data_types import Int64TensorType

            first = operator.inputs[0].get_first_dimension()
            operator.outputs[0].set_type(Int64TensorType(shape=[first, len(estimator.classes_)]))

    update_registered_converter(
        MLPClassifier,
        "ChainruleMLPClassifier",
        classifier_shapes,
        _convert,
        options={"zipmap": [True, False, "columns"], "nocl": [True, False]},
        overwrite=True,
    )

    def regressor_shapes(operator):
        calculate_linear_regressor_output_shapes(operator)  # (N, 1): scikit-learn's MLP has no coef_
        first = operator.inputs[0].get_first_dimension()
        output = operator.outputs[0]
        output.set_type(type(output.type)(shape=[first, operator.raw_operator.n_outputs_]))

    update_registered_converter(
        MLPRegressor,
        "ChainruleMLPRegressor",
        regressor_shapes,
        _convert,
        overwrite=True,
    )


def _convert(scope, operator, container) -> None:
    """Copy the estimator's ONNX graph's nodes and constants into skl2onnx's ``container``:
    its input "X" is the operator's input, its outputs ("label", "probabilities" or
    "variable") become the operator's outputs, of the types skl2onnx expects."""
    from onnx import TensorProto, helper, numpy_helper
    from skl2onnx.common.data_types import guess_proto_type

    graph = _graph_for(operator)
    names = {"X": operator.inputs[0].full_name}
    wanted = {output.name: guess_proto_type(v.type) for output, v in zip(graph.output, operator.outputs)}
    finals = {output.name: v.full_name for output, v in zip(graph.output, operator.outputs)}

    def renamed(name: str) -> str:
        if name not in names:
            names[name] = scope.get_unique_variable_name(name)
        return names[name]

    for tensor in graph.initializer:
        if tensor.data_type == TensorProto.STRING:
            content = list(tensor.string_data)
        else:
            content = numpy_helper.to_array(tensor).ravel()
        container.add_initializer(renamed(tensor.name), tensor.data_type, list(tensor.dims), content)
    for node in graph.node:
        attributes = {attribute.name: helper.get_attribute_value(attribute) for attribute in node.attribute}
        final = node.output[0] if node.output else None
        if node.op_type == "Cast" and _floating(attributes["to"]) and _floating(wanted.get(final)):
            # the output's float32 Cast becomes one Cast to the type wanted, not float32 then double
            names[final], attributes["to"] = finals.pop(final), wanted[final]
        container.add_node(
            node.op_type,
            [renamed(name) for name in node.input],
            [renamed(name) for name in node.output],
            name=scope.get_unique_operator_name(node.name),  # a refusal's node keeps its reason
            op_domain=node.domain,
            **attributes,
        )
    for output in graph.output:
        if output.name not in finals:
            continue  # written by its Cast above
        if wanted[output.name] == output.type.tensor_type.elem_type:
            container.add_node("Identity", [renamed(output.name)], [finals[output.name]])
        else:
            container.add_node("Cast", [renamed(output.name)], [finals[output.name]], to=wanted[output.name])


def _graph_for(operator):
    """The estimator's ONNX graph; for a double input, of its network in float64 (``predict``
    computes float64 X in float64 whatever the weights' dtype)."""
    import numpy as np
    from onnx import TensorProto
    from skl2onnx.common.data_types import guess_proto_type

    estimator = operator.raw_operator
    network = estimator.network_
    if guess_proto_type(operator.inputs[0].type) == TensorProto.DOUBLE and network.dtype != np.float64:
        network = network.astype(np.float64)
    return estimator._onnx_model_for(network).graph


def _floating(onnx_type) -> bool:
    """Whether ``onnx_type`` (a TensorProto element type, or None) is float32 or double."""
    from onnx import TensorProto

    return onnx_type in (TensorProto.FLOAT, TensorProto.DOUBLE)
