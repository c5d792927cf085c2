"""chainrule's estimators in skl2onnx: a Pipeline or ColumnTransformer that holds one converts
with ``skl2onnx.to_onnx`` / ``convert_sklearn`` once ``register_skl2onnx()`` has run.

The shape calculators are skl2onnx's own for scikit-learn's MLP (label and probabilities for
a classifier, ZipMap by default as for any scikit-learn classifier; one tensor for a
regressor). The converter puts into skl2onnx's graph the nodes of the graph ``to_onnx``
writes (``estimator.onnx_model()``), every name made unique in skl2onnx's scope: the same
network, labels and refusals, built in one place. Its outputs are cast to the types
skl2onnx gives the operator (double probabilities for a double input).
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
    update_registered_converter(
        MLPRegressor,
        "ChainruleMLPRegressor",
        calculate_linear_regressor_output_shapes,
        _convert,
        overwrite=True,
    )


def _convert(scope, operator, container) -> None:
    """Copy ``estimator.onnx_model()``'s nodes and constants into skl2onnx's ``container``:
    its input "X" is the operator's input, its outputs ("label", "probabilities" or
    "variable") become the operator's outputs, cast to the types skl2onnx expects."""
    from onnx import TensorProto, helper, numpy_helper
    from skl2onnx.common.data_types import guess_proto_type

    graph = operator.raw_operator.onnx_model().graph
    names = {"X": operator.inputs[0].full_name}

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
        container.add_node(
            node.op_type,
            [renamed(name) for name in node.input],
            [renamed(name) for name in node.output],
            name=scope.get_unique_operator_name(node.name),  # a refusal's node keeps its reason
            op_domain=node.domain,
            **{attribute.name: helper.get_attribute_value(attribute) for attribute in node.attribute},
        )
    for output, variable in zip(graph.output, operator.outputs):
        wanted = guess_proto_type(variable.type)
        if wanted == output.type.tensor_type.elem_type:
            container.add_node("Identity", [renamed(output.name)], [variable.full_name])
        else:
            container.add_node("Cast", [renamed(output.name)], [variable.full_name], to=wanted)
