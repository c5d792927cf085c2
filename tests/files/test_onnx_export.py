"""ONNX export, run by the real onnxruntime and compared with chainrule's own predictions.

The oracles are chainrule's ``Network.predict`` and ``workflow.predict_table`` (and, for the
estimator conventions, skl2onnx's conversion of the same scikit-learn network). Agreement is
to 1e-5 relative in float32.
"""

from __future__ import annotations

import csv
import sys

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from chainrule import Network, load  # noqa: E402
from chainrule.errors import ModelFormatError  # noqa: E402
from chainrule.files.onnx import ExportError, export_model, network_model, table_model  # noqa: E402
from chainrule.files.onnx_inputs import notes  # noqa: E402
from chainrule.nn.activations import Activation, LeakyReLU  # noqa: E402
from chainrule.tables.read import MISSING, DataError, read_table  # noqa: E402
from chainrule.workflow.apply import predict_table  # noqa: E402
from chainrule.workflow.config import TrainConfig  # noqa: E402
from chainrule.workflow.train import train_table  # noqa: E402
from onnx_runner import checked, run  # noqa: E402

RTOL = 1e-5
WHITESPACE = [chr(i) for i in range(0x110000) if chr(i).isspace()]


# ------------------------------------------------------------------------ the bare network
def test_course_network(tmp_path):
    """Seed 003's network (no bias, identity) gives the course's 9 for input [2, 3]."""
    net = Network.from_node_weights({"node_0": [1, 1], "node_1": [-1, 1], "output": [2, -1]}, "identity")
    net.to_onnx(tmp_path / "course.onnx")
    model = checked(tmp_path / "course.onnx")
    assert [i.name for i in model.graph.input] == ["X"] and [o.name for o in model.graph.output] == ["y"]
    X = np.array([[2, 3], [1, -4], [0.5, 7]], dtype=np.float32)
    y = run(model, {"X": X})["y"]
    assert y.dtype == np.float32 and y.shape == (3, 1)
    assert y[0, 0] == 9
    np.testing.assert_allclose(y, net.predict(X), rtol=RTOL)


def test_deep_course_network_with_relu(tmp_path):
    weights = {
        "node_0_0": [2, 4],
        "node_0_1": [4, -5],
        "node_1_0": [-1, 1],
        "node_1_1": [2, 2],
        "output": [-3, 7],
    }
    net = Network.from_node_weights(weights, activation="relu")
    X = np.array([[3, 5], [-1, 2]], dtype=np.float32)
    np.testing.assert_allclose(run(network_model(net), {"X": X})["y"], net.predict(X), rtol=RTOL)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("output", ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "softmax"])
def test_every_activation(output, dtype, rng):
    hidden = ["relu", LeakyReLU(0.2), "tanh", "sigmoid", "identity"]
    net = Network([4, 6, 5, 5, 5, 5, 3], hidden, output, seed=7, dtype=dtype, init="glorot_uniform")
    for layer in net.layers:
        layer.bias[...] = rng.normal(0, 0.5, layer.bias.shape)
    X = rng.normal(0, 2, (50, 4)).astype(np.float32)
    y = run(network_model(net), {"X": X})["y"]
    assert y.dtype == np.float32
    np.testing.assert_allclose(y, net.predict(X), rtol=RTOL)


def test_an_activation_without_onnx_equivalent_is_refused():
    class Square(Activation):
        name = "square"

        def forward(self, z, out=None):
            return np.multiply(z, z, out=out)

    net = Network([2, 3, 1], activation=Square())
    with pytest.raises(ExportError, match=r"layer 0's activation 'square' has no ONNX equivalent"):
        network_model(net)


def test_without_onnx_the_error_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[onnx\]'"):
        Network([2, 1]).to_onnx(tmp_path / "net.onnx")
    assert not (tmp_path / "net.onnx").exists()


# --------------------------------------------------------------------- trained table models
COLOURS = ["red", "green", "blue", "light+blue (v2.0)*"]  # regex characters are literal


def write_csv(path, header, rows) -> str:
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def training_rows(rng, task: str, gaps: bool, n: int = 90) -> list[list[str]]:
    rows = []
    for i in range(n):
        x1, x2, colour = rng.normal(5, 2), rng.uniform(-100, 100), COLOURS[i % 4]
        score = x1 - 5 + (1.5 if colour == "red" else -0.5) + x2 / 100
        target = {
            "binary": "yes" if score > 0 else "no",
            "multiclass": "low" if score < -1 else "mid" if score < 1 else "high",
            "regression": f"{1000 + 50 * score:.3f}",
        }[task]
        cells = [f"{x1:.4f}", f"{x2:.2f}", colour, target]
        if gaps and i % 9 == 4:
            cells[i % 3] = ["", "NA", "?"][i % 3]
        rows.append(cells)
    return rows


# Prediction rows with every kind of cell the preprocessing handles: gaps in each column
# spelled as chainrule reads them, infinities, padded categories and a category with a space.
PREDICT_ROWS = [
    ["4.5", "10", "red"],
    ["", "-3", "green"],
    ["NaN", "99.5", "  blue\t"],
    ["7.25", "n/a", "light+blue (v2.0)*"],
    ["inf", "0", " NULL "],
    ["3", "-inf", "?"],
    ["6.125", "55", ""],
    ["-", "None", "None"],
    ["12", "-80", "\u3000red\u00a0"],
]


def feed(pre, table) -> dict:
    """The graph's inputs from a table's cells: numbers as float32 (gaps NaN), categories as text."""
    inputs = {}
    for name in pre.features:
        cells = table.column(name)
        if name in pre.categorical:
            inputs[name] = np.array(cells, dtype=object).reshape(-1, 1)
        else:
            values = [np.nan if c.strip().lower() in MISSING else float(c) for c in cells]
            inputs[name] = np.array(values, dtype=np.float32).reshape(-1, 1)
    return inputs


def trained(tmp_path, rng, task, impute="mean", dtype="float32", loss=None):
    rows = training_rows(rng, task, gaps=impute is not None)
    table = read_table(write_csv(tmp_path / "train.csv", ["x1", "x2", "colour", "y"], rows))
    config = TrainConfig(
        target="y", task="regression" if task == "regression" else "classification", hidden=(6, 5),
        activation="tanh", epochs=15, verbose=0, impute=impute, dtype=dtype, seed=3, loss=loss,
    )  # fmt: skip
    return train_table(table, config).network


@pytest.mark.parametrize(
    ("task", "dtype", "impute", "loss", "output"),
    [
        ("binary", "float32", "mean", None, "sigmoid"),
        ("binary", "float32", "mean", "cross_entropy", "softmax"),
        ("multiclass", "float32", "median", None, "softmax"),
        ("multiclass", "float64", "mean", None, "softmax"),
        ("regression", "float32", "median", None, "identity"),
        ("regression", "float64", "mean", None, "identity"),
    ],
)
def test_table_model_matches_predict_table(tmp_path, rng, task, dtype, impute, loss, output):
    net = trained(tmp_path, rng, task, impute, dtype, loss)
    assert net.output_activation.name == output
    table = read_table(write_csv(tmp_path / "new.csv", ["x1", "x2", "colour"], PREDICT_ROWS))
    expected, probabilities, _ = predict_table(net, table)
    expected = [str(v) for v in expected]
    model = table_model(net)
    onnx.checker.check_model(model, full_check=True)
    types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    assert types == {
        "x1": onnx.TensorProto.FLOAT,
        "x2": onnx.TensorProto.FLOAT,
        "colour": onnx.TensorProto.STRING,
    }
    got = run(model, feed(net.preprocessor, table))
    if task == "regression":
        assert list(got) == ["variable"] and got["variable"].shape == (len(PREDICT_ROWS), 1)
        np.testing.assert_allclose(got["variable"][:, 0], [float(v) for v in expected], rtol=RTOL)
    else:
        assert list(got) == ["label", "probabilities"]
        assert got["label"].tolist() == expected
        assert got["probabilities"].dtype == np.float32
        np.testing.assert_allclose(got["probabilities"], probabilities, rtol=RTOL)


def test_whitespace_and_missing_spellings_read_as_chainrule_reads_them(tmp_path, rng):
    """Every character Python's str.strip removes is stripped; every MISSING spelling is a gap."""
    net = trained(tmp_path, rng, "multiclass")
    padded = [[f"{4 + i % 3}", "1", f"{c}{COLOURS[i % 4]}{c}"] for i, c in enumerate(WHITESPACE)]
    gaps = [[g, g.upper(), f" {g.title()} "] for g in sorted(MISSING)]
    table = read_table(write_csv(tmp_path / "new.csv", ["x1", "x2", "colour"], padded + gaps))
    expected, probabilities, _ = predict_table(net, table)
    expected = [str(v) for v in expected]
    got = run(table_model(net), feed(net.preprocessor, table))
    assert got["label"].tolist() == expected
    np.testing.assert_allclose(got["probabilities"], probabilities, rtol=RTOL)


@pytest.mark.parametrize(
    ("impute", "row", "column"),
    [
        (None, ["", "1", "red"], "x1"),
        (None, ["1", "inf", "red"], "x2"),
        (None, ["1", "1", "NA"], "colour"),
        ("mean", ["1", "1", "purple"], "colour"),
        ("mean", ["1", "1", "lightblue (v2.0)"], "colour"),
        ("mean", ["1", "1", "\u200bred"], "colour"),  # a zero-width space is not whitespace
    ],
)
def test_rows_predict_table_refuses_fail_the_run(tmp_path, rng, impute, row, column):
    net = trained(tmp_path, rng, "binary", impute)
    table = read_table(write_csv(tmp_path / "new.csv", ["x1", "x2", "colour"], [["2", "3", "red"], row]))
    with pytest.raises(DataError):
        predict_table(net, table)
    with pytest.raises(ort.capi.onnxruntime_pybind11_state.Fail, match=rf"Name:'{column}: "):
        run(table_model(net), feed(net.preprocessor, table))


@pytest.mark.parametrize(
    ("task", "names"), [("binary", ("label", "probabilities")), ("regression", ("variable",))]
)
def test_a_column_named_as_an_output_is_fed_under_another_name_and_predicts_the_same(
    tmp_path, rng, task, names
):
    rows = training_rows(rng, task, gaps=True)
    header = [names[0], f"{names[0]}_input", "colour", "y"]  # the first free name is then label_input_
    table = read_table(write_csv(tmp_path / "train.csv", header, rows))
    config = TrainConfig(target="y", hidden=(6,), epochs=5, verbose=0, impute="mean", seed=3)
    net = train_table(table, config).network
    new = read_table(write_csv(tmp_path / "new.csv", header[:3], PREDICT_ROWS[:4]))
    model = table_model(net)
    inputs = feed(net.preprocessor, new)
    inputs[f"{names[0]}_input_"] = inputs.pop(names[0])
    assert [i.name for i in model.graph.input] == [f"{names[0]}_input_", f"{names[0]}_input", "colour"]
    got = run(model, inputs)
    predictions, probabilities, _ = predict_table(net, new)
    expected = predictions if probabilities is None else probabilities
    np.testing.assert_allclose(
        np.asarray(got[names[-1]], np.float64).reshape(expected.shape), expected, rtol=1e-5, atol=1e-6
    )
    described = {p.key: p.value for p in model.metadata_props}
    assert described[f"input:{names[0]}_input_"].startswith(f"the column {names[0]!r}, float32: the number")
    assert notes(net.preprocessor)[0] == (
        f"column {names[0]!r} is fed as input '{names[0]}_input_': {names[0]!r} is the name of an output"
    )


# ------------------------------------------------------------------- chainrule export MODEL
def test_export_model_writes_the_trained_model(tmp_path, rng):
    net = trained(tmp_path, rng, "multiclass")
    net.save(tmp_path / "model.safetensors")
    export_model(load(tmp_path / "model.safetensors"), tmp_path / "model.onnx")
    table = read_table(write_csv(tmp_path / "new.csv", ["x1", "x2", "colour"], PREDICT_ROWS))
    expected, probabilities, _ = predict_table(net, table)
    expected = [str(v) for v in expected]
    got = run(str(tmp_path / "model.onnx"), feed(net.preprocessor, table))
    assert got["label"].tolist() == expected
    np.testing.assert_allclose(got["probabilities"], probabilities, rtol=RTOL)
    checked(tmp_path / "model.onnx")
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "model.onnx",
        "model.safetensors",
        "new.csv",
        "train.csv",
    ]


def test_export_model_errors_are_one_line(tmp_path):
    Network([2, 1]).save(tmp_path / "bare.safetensors")
    with pytest.raises(
        ExportError, match=r"bare.safetensors: this model has no stored preprocessing"
    ) as error:
        export_model(
            load(tmp_path / "bare.safetensors"), tmp_path / "bare.onnx", tmp_path / "bare.safetensors"
        )
    assert "\n" not in str(error.value) and not (tmp_path / "bare.onnx").exists()
    (tmp_path / "junk.safetensors").write_bytes(b"not a model")
    with pytest.raises(ModelFormatError):
        export_model(load(tmp_path / "junk.safetensors"), tmp_path / "junk.onnx")


def test_exporting_an_estimator_file_names_the_call_that_keeps_its_labels(tmp_path):
    pytest.importorskip("sklearn")
    from chainrule import MLPClassifier

    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    estimator = MLPClassifier(hidden_layer_sizes=(2,), max_iter=2, random_state=0)
    with pytest.warns(Warning):  # ConvergenceWarning after 2 iterations
        estimator.fit(X, ["a", "b", "a", "b"])
    estimator.save(tmp_path / "est.safetensors")
    with pytest.raises(
        ExportError, match=r"estimator.save\(\); export it with chainrule.load\(path\).to_onnx\(out\)"
    ) as error:
        export_model(Network.load(tmp_path / "est.safetensors"), tmp_path / "est.onnx", "est.safetensors")
    assert "\n" not in str(error.value) and "net.to_onnx" not in str(error.value)


@pytest.mark.parametrize("where", ["no_such_folder/out.onnx", "."])
def test_an_unwritable_path_is_one_line_and_leaves_nothing(tmp_path, rng, where):
    net = trained(tmp_path, rng, "binary")
    net.save(tmp_path / "model.safetensors")
    before = sorted(tmp_path.iterdir())
    with pytest.raises(ExportError, match=r"cannot write the ONNX file .*; choose a writable path") as error:
        export_model(load(tmp_path / "model.safetensors"), tmp_path / where)
    assert "\n" not in str(error.value) and sorted(tmp_path.iterdir()) == before


def test_path_must_be_a_path():
    with pytest.raises(ValueError, match=r"path must be a file path, got 3"):
        Network([2, 1]).to_onnx(3)


def test_export_a_model_trained_on_the_command_line(tmp_path, rng):
    """``chainrule train`` in a subprocess writes the model; the export predicts as ``predict_table``."""
    from cli_runner import chainrule_cli

    data = write_csv(
        tmp_path / "train.csv", ["x1", "x2", "colour", "y"], training_rows(rng, "binary", gaps=True)
    )
    done = chainrule_cli("train", data, "--target", "y", "--impute", "mean", "--epochs", "5", "--hidden", "4",
                         "--out", tmp_path / "run", "--quiet")  # fmt: skip
    assert done.returncode == 0, done.stderr
    export_model(load(tmp_path / "run" / "model.safetensors"), tmp_path / "model.onnx")
    net = load(tmp_path / "run" / "model.safetensors")
    table = read_table(write_csv(tmp_path / "new.csv", ["x1", "x2", "colour"], PREDICT_ROWS))
    expected, probabilities, _ = predict_table(net, table)
    expected = [str(v) for v in expected]
    got = run(str(tmp_path / "model.onnx"), feed(net.preprocessor, table))
    assert got["label"].tolist() == expected
    np.testing.assert_allclose(got["probabilities"], probabilities, rtol=RTOL)
