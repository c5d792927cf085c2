"""Where ``predict`` refuses a row, the exported graph fails the run; it never answers NaN.

The oracles are ``workflow.predict_table`` (a table model) and ``Network.predict`` (a bare
network), run on the same rows as the real onnxruntime. The networks are set by hand so that
one input near float32's limit overflows a layer: with ReLUs, inf - inf makes the output NaN;
with tanh, the output stays finite, and only the standardised input is out of range.
"""

from __future__ import annotations

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from chainrule import Network  # noqa: E402
from chainrule.files.onnx import network_model, table_model  # noqa: E402
from chainrule.tables.preprocess import Preprocessor  # noqa: E402
from chainrule.tables.read import DataError, Table  # noqa: E402
from chainrule.workflow.apply import predict_table  # noqa: E402
from onnx_runner import run  # noqa: E402

FAILED = ort.capi.onnxruntime_pybind11_state.Fail


def hand_model(task: str, activation: str, spread: float, dtype="float32") -> Network:
    """A table model of one numeric column ``x`` (mean 0, standard deviation ``spread``):
    ``[1, 2, 1]``, hidden weights ``[2, 2]`` (``activation``), output weights ``[1, -1]``, so a
    standardised x beyond 1.7e38 overflows both hidden nodes in float32 and, with ReLUs, the
    output is inf - inf."""
    target = {"y": ["no", "yes"] * 4} if task == "classification" else {"y": [1.0, 2.0] * 4}
    table = Table.from_columns("<train>", {"x": [-spread, spread] * 4, **target})
    pre, _ = Preprocessor.fit(table, "y", task)
    output = "sigmoid" if task == "classification" else "identity"
    net = Network([1, 2, 1], activation=activation, output_activation=output, bias=False, dtype=dtype)
    net.layers[0].weight[...] = [[2.0, 2.0]]
    net.layers[1].weight[...] = [[1.0], [-1.0]]
    net.preprocessor = pre
    return net


def rows(*values: float) -> tuple[Table, dict]:
    """A table of ``x`` values, and the graph's feed of them."""
    table = Table.from_columns("<new>", {"x": [repr(float(v)) for v in values]})
    return table, {"x": np.array(values, dtype=np.float32).reshape(-1, 1)}


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("x", [2e38, 3e38])
def test_a_row_whose_output_is_not_finite_fails_the_run(task, x):
    """Before: probabilities NaN and a label (NaN > 0.5 is false), or a NaN value."""
    net = hand_model(task, "relu", spread=1.0)
    table, feed = rows(0.5, x)
    with pytest.raises(DataError, match="the network's output is not finite in float32"):
        predict_table(net, table)
    with pytest.raises(FAILED, match=r"Name:'the network's output is not finite in float32 for a row"):
        run(table_model(net), feed)


@pytest.mark.parametrize("task", ["classification", "regression"])
def test_a_value_too_many_standard_deviations_out_fails_the_run(task):
    """3e38 is 3e40 standard deviations of 0.01 out, beyond float32: predict refuses it; the graph
    (tanh keeps the output finite) gave an answer."""
    net = hand_model(task, "tanh", spread=0.01)
    table, feed = rows(0.5, 3e38)
    with pytest.raises(DataError, match="training standard deviations"):
        predict_table(net, table)
    with pytest.raises(FAILED, match=r"Name:'x: too large, or too many training standard deviations"):
        run(table_model(net), feed)


@pytest.mark.parametrize("task", ["classification", "regression"])
@pytest.mark.parametrize("x", [-3e38, 0.5, 1e20])
def test_rows_predict_answers_get_the_same_answer(task, x):
    """Controls: the same models, where predict answers (tanh saturates, ReLUs stay in range)."""
    for activation, spread in (("tanh", 1.0), ("relu", 1e30)):
        net = hand_model(task, activation, spread)
        table, feed = rows(0.5, x)
        predictions, probabilities, _ = predict_table(net, table)
        got = run(table_model(net), feed)
        if task == "regression":
            np.testing.assert_allclose(got["variable"][:, 0], predictions, rtol=1e-5)
        else:
            assert got["label"].tolist() == predictions.tolist()
            np.testing.assert_allclose(got["probabilities"], probabilities, rtol=1e-5)


def test_a_double_input_beyond_what_a_float64_network_takes_fails_the_run():
    """A float64 network reads numbers up to 1e150 (squares stay finite); a double input (the
    column's |mean| > 256 × std) fed 1e200 fails as predict refuses it."""
    table = Table.from_columns("<train>", {"x": [1e12, 1e12 + 1] * 4, "y": ["no", "yes"] * 4})
    net = hand_model("classification", "tanh", spread=1.0, dtype="float64")
    net.preprocessor, _ = Preprocessor.fit(table, "y", "classification")
    new = Table.from_columns("<new>", {"x": ["1e12", "1e200"]})
    with pytest.raises(DataError, match="too large for float64"):
        predict_table(net, new)
    with pytest.raises(FAILED, match=r"Name:'x: too large"):
        run(table_model(net), {"x": np.array([[1e12], [1e200]])})


# ------------------------------------------------------------------------- the bare network
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_the_bare_network_refuses_a_row_predict_refuses(bad):
    """Before: the graph passed NaN through where ``net.predict`` raises."""
    net = Network([2, 3, 1], seed=1)
    X = np.array([[0.5, 1.0], [bad, 1.0]], dtype=np.float32)
    with pytest.raises(ValueError, match="NaN or infinity"):
        net.predict(X)
    with pytest.raises(
        FAILED, match=r"Name:'X: a row holds NaN or infinity, which the network's predict refuses"
    ):
        run(network_model(net), {"X": X})
    np.testing.assert_allclose(run(network_model(net), {"X": X[:1]})["y"], net.predict(X[:1]), rtol=1e-5)


def test_the_bare_network_gives_a_non_finite_output_as_predict_does():
    """``net.predict`` refuses no output: a finite row that overflows a layer gives NaN in both."""
    net = hand_model("regression", "relu", spread=1.0)
    X = np.array([[0.5], [3e38]], dtype=np.float32)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = net.predict(X)
    assert np.isnan(expected[1, 0])
    np.testing.assert_array_equal(run(network_model(net), {"X": X})["y"], expected)
