"""A table model's ONNX inputs: float32 or double per column, and how each is fed (metadata).

The oracle is ``workflow.predict_table`` on the same text, run against the exported graph in the
real onnxruntime, fed in the types the graph declares.
"""

from __future__ import annotations

import csv

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

from chainrule import load  # noqa: E402
from chainrule.files.onnx import export_model, table_model  # noqa: E402
from chainrule.files.onnx_inputs import FLOAT32_SPREAD, description, input_dtype, output_dtype  # noqa: E402
from chainrule.tables.preprocess import Preprocessor  # noqa: E402
from chainrule.tables.read import read_table  # noqa: E402
from chainrule.workflow.apply import predict_table  # noqa: E402
from chainrule.workflow.config import TrainConfig  # noqa: E402
from chainrule.workflow.train import train_table  # noqa: E402
from onnx_runner import checked, run  # noqa: E402

RTOL = 1e-5
START_MS = 1_700_000_000_000  # epoch milliseconds, November 2023


def write_csv(path, header, rows) -> str:
    with open(path, "w", newline="") as file:
        csv.writer(file).writerows([header, *rows])
    return str(path)


def typed_feed(model, columns: dict) -> dict:
    """Each column's values ``(n, 1)`` in the NumPy type its graph input declares."""
    types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    return {
        name: np.asarray(values, dtype=onnx.helper.tensor_dtype_to_np_dtype(types[name])).reshape(-1, 1)
        for name, values in columns.items()
    }


def metadata(path) -> dict:
    """``metadata_props`` as onnx reads them, checked against what onnxruntime reads."""
    props = {p.key: p.value for p in checked(path).metadata_props}
    assert ort.InferenceSession(str(path)).get_modelmeta().custom_metadata_map == props
    return props


def train(tmp_path, header, rows, **options):
    table = read_table(write_csv(tmp_path / "train.csv", header, rows))
    config = TrainConfig(target=header[-1], hidden=(6,), epochs=15, verbose=0, seed=3, **options)
    net = train_table(table, config).network
    net.save(tmp_path / "model.safetensors")
    return load(tmp_path / "model.safetensors")


def compare(net, model, table, columns) -> None:
    """The graph ``model`` on ``columns`` gives what ``predict_table`` gives on ``table``."""
    expected, probabilities, _ = predict_table(net, table)
    got = run(model, typed_feed(model, columns))
    if "variable" in got:
        expected = np.array(expected, dtype=np.float64)
        atol = RTOL * np.ptp(expected)
        np.testing.assert_allclose(got["variable"][:, 0], expected, rtol=RTOL, atol=atol)
    else:
        assert got["label"].tolist() == [str(v) for v in expected]
        np.testing.assert_allclose(got["probabilities"], probabilities, rtol=RTOL, atol=1e-6)


# ------------------------------------------------------------------------ float32 or double
def timestamp_rows(rng, task: str, n: int = 300) -> list[list[str]]:
    """Epoch milliseconds over 10 minutes (float32 steps there are 131,072 ms) and a small x."""
    stamps = START_MS + rng.integers(0, 600_000, n)
    x = rng.normal(0, 1, n)
    minutes = (stamps - START_MS) / 60_000 + 0.5 * x
    target = minutes if task == "regression" else np.where(minutes > 5, "late", "early")
    return [
        [str(s), f"{v:.4f}", f"{t:.4f}" if task == "regression" else t] for s, v, t in zip(stamps, x, target)
    ]


@pytest.mark.parametrize(
    ("task", "dtype"), [("regression", "float32"), ("regression", "float64"), ("classification", "float32")]
)
def test_epoch_milliseconds_are_a_double_input_and_the_graph_gives_what_predict_gives(
    tmp_path, rng, task, dtype
):
    """float32 would hold 1.7e12 to steps of 131,072 ms, 3/4 of the column's standard deviation."""
    rows = timestamp_rows(rng, task)
    net = train(tmp_path, ["ts_ms", "x", "y"], rows, task=task, dtype=dtype)
    notes = export_model(net, tmp_path / "model.onnx")
    new = timestamp_rows(rng, task, n=200)
    table = read_table(write_csv(tmp_path / "new.csv", ["ts_ms", "x"], [r[:2] for r in new]))
    columns = {"ts_ms": [float(r[0]) for r in new], "x": [float(r[1]) for r in new]}
    model = checked(tmp_path / "model.onnx")
    compare(net, model, table, columns)
    types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    assert types == {"ts_ms": onnx.TensorProto.DOUBLE, "x": onnx.TensorProto.FLOAT}
    assert notes == [
        "input 'ts_ms' is double, not float32: |mean| > 256 × std, so float32 would round away "
        "what the model reads; feed float64"
    ]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_target_in_epoch_milliseconds_is_a_double_output_as_predict_gives_it(tmp_path, rng, dtype):
    """float32 would give every row 1.7e12 to steps of 131,072 ms: the same number for a target
    spread over a few seconds. The output is double, and equals predict to float64 rounding."""
    x1, x2 = rng.normal(0, 1, 300), rng.normal(0, 1, 300)
    target = START_MS + 1000 * (3 * x1 - x2) + rng.normal(0, 100, 300)
    rows = [[f"{a:.3f}", f"{b:.3f}", f"{t:.1f}"] for a, b, t in zip(x1, x2, target)]
    net = train(tmp_path, ["x1", "x2", "t"], rows, dtype=dtype)
    notes = export_model(net, tmp_path / "model.onnx")
    model = checked(tmp_path / "model.onnx")
    assert [o.type.tensor_type.elem_type for o in model.graph.output] == [onnx.TensorProto.DOUBLE]
    assert notes == [
        "output 'variable' is double, not float32: the target's |mean| > 256 × std, so float32 would "
        "round away what the model predicts"
    ]
    table = read_table(write_csv(tmp_path / "new.csv", ["x1", "x2"], [r[:2] for r in rows]))
    expected = np.array(predict_table(net, table)[0], dtype=np.float64)
    got = run(model, typed_feed(model, {"x1": [r[0] for r in rows], "x2": [r[1] for r in rows]}))["variable"]
    assert got.dtype == np.float64
    assert np.ptp(got) > 5000  # the rows differ, as predict's do
    np.testing.assert_allclose(got[:, 0], expected, rtol=0, atol=1e-5 * np.std(expected))


def test_an_ordinary_target_keeps_the_float32_output(tmp_path, rng):
    net = train(tmp_path, ["age", "offset", "colour", "y"], ordinary_rows(rng))
    assert output_dtype(net.preprocessor) == np.float32
    outputs = table_model(net).graph.output
    assert [o.type.tensor_type.elem_type for o in outputs] == [onnx.TensorProto.FLOAT]


def test_a_double_input_refuses_float32_rather_than_rounding_it(tmp_path, rng):
    net = train(tmp_path, ["ts_ms", "x", "y"], timestamp_rows(rng, "regression"))
    feed = {"ts_ms": np.array([[START_MS]], np.float32), "x": np.array([[0.5]], np.float32)}
    with pytest.raises(
        ort.capi.onnxruntime_pybind11_state.InvalidArgument, match=r"expected: \(tensor\(double\)\)"
    ):
        run(table_model(net), feed)


def ordinary_rows(rng, n: int = 200) -> list[list[str]]:
    """Ages (40 ± 12), readings 15 standard deviations from zero (1500 ± 100), a category."""
    age, offset, colour = rng.normal(40, 12, n), rng.normal(1500, 100, n), rng.choice(["red", "blue"], n)
    y = (age - 40) / 12 + (offset - 1500) / 100 + (colour == "red")
    return [[f"{a:.3f}", f"{o:.4f}", c, f"{t:.4f}"] for a, o, c, t in zip(age, offset, colour, y)]


def test_ordinary_columns_keep_float32_inputs(tmp_path, rng):
    """Columns near zero, and one 15 standard deviations from it, are float32 as they always
    were, and agree with predict to 1e-5: float32 moves them by at most 2⁻²⁰ standard deviations
    near the mean."""
    rows = ordinary_rows(rng)
    net = train(tmp_path, ["age", "offset", "colour", "y"], rows)
    stats = net.preprocessor.numeric["offset"]
    assert 14 < stats["mean"] / stats["std"] < 16
    model = table_model(net)
    types = {i.name: i.type.tensor_type.elem_type for i in model.graph.input}
    assert types == {
        "age": onnx.TensorProto.FLOAT,
        "offset": onnx.TensorProto.FLOAT,
        "colour": onnx.TensorProto.STRING,
    }
    table = read_table(write_csv(tmp_path / "new.csv", ["age", "offset", "colour"], [r[:3] for r in rows]))
    columns = {name: [r[i] for r in rows] for i, name in enumerate(["age", "offset", "colour"])}
    compare(net, model, table, columns)


def test_an_ordinary_model_describes_its_inputs_and_has_no_notes(tmp_path, rng):
    net = train(tmp_path, ["age", "offset", "colour", "y"], ordinary_rows(rng))
    assert export_model(net, tmp_path / "model.onnx") == []
    assert metadata(tmp_path / "model.onnx") == {
        "input:age": "float32: the number; NaN for a gap",
        "input:offset": "float32: the number; NaN for a gap",
        "input:colour": "string: the category as written, in Unicode NFC (surrounding whitespace is ignored)",
    }


@pytest.mark.parametrize(
    ("mean", "std", "dtype"),
    [(0.0, 1.0, np.float32), (256.0, 1.0, np.float32), (-256.0, 1.0, np.float32), (256.01, 1.0, np.float64),
     (-1.7e12, 1.7e5, np.float64), (1.7e12, 1.0, np.float64), (2000.0, 10.0, np.float32),
     (7e4, 10.0, np.float64)],
)  # fmt: skip
def test_the_rule_is_mean_against_256_standard_deviations(mean, std, dtype):
    pre = Preprocessor(
        features=["c"], target="y", task="regression", numeric={"c": {"mean": mean, "std": std}}
    )
    assert FLOAT32_SPREAD == 256 and input_dtype(pre, "c") == np.dtype(dtype)


# ------------------------------------------------------------------------ numbers, not text
def percent_rows(rng, n: int = 240) -> list[list[str]]:
    """A decimal-comma file: ``a`` plain, ``pct`` as percentages (``42,0%``), a category, a class."""
    rows = []
    for i in range(n):
        a, share, colour = rng.normal(50, 5), rng.uniform(-0.1, 0.6), ["red", "blue"][i % 2]
        label = "hi" if share + (a - 50) / 50 > 0.25 else "lo"
        rows.append([f"{a:.3f}".replace(".", ","), f"{100 * share:.1f}%".replace(".", ","), colour, label])
    return rows


def number(text: str) -> float:
    """A cell of ``percent_rows`` as percent=True, decimal=',' reads it: ``42,0%`` is 0.42."""
    text = text.replace(",", ".")
    return float(text[:-1]) / 100 if text.endswith("%") else float(text)


def test_a_percent_model_records_how_each_column_is_fed_and_takes_fractions(tmp_path, rng):
    rows = percent_rows(rng)
    net = train(tmp_path, ["a", "pct", "colour", "y"], rows, percent=True, decimal=",")
    notes = export_model(net, tmp_path / "model.onnx")
    assert metadata(tmp_path / "model.onnx") == {
        "input:a": "float32: the number (feed 1234,5 as 1234.5); NaN for a gap",
        "input:pct": "float32: the number, a percentage as a fraction (feed 12,5% as 0.125); NaN for a gap",
        "input:colour": "string: the category as written, in Unicode NFC (surrounding whitespace is ignored)",
    }
    assert notes == [
        "feed numbers as numbers, not as the training file wrote them: 1234,5 as 1234.5; a percentage "
        "as a fraction, 12,5% as 0.125 (column 'pct'); the file's metadata ('input:NAME') says how for "
        "each column"
    ]
    new = percent_rows(rng, n=60)
    table = read_table(write_csv(tmp_path / "new.csv", ["a", "pct", "colour"], [r[:3] for r in new]))
    columns = {
        "a": [number(r[0]) for r in new],
        "pct": [number(r[1]) for r in new],
        "colour": [r[2] for r in new],
    }
    assert max(columns["pct"]) < 1
    compare(net, checked(tmp_path / "model.onnx"), table, columns)


def test_descriptions_of_each_number_format():
    pre = Preprocessor(features=["p", "q"], target="y", task="regression",
                       numeric={"p": {"mean": 0.0, "std": 1.0}, "q": {"mean": 0.0, "std": 1.0}})  # fmt: skip
    pre.number_format = {"thousands": ","}
    assert description(pre, "p") == "float32: the number (feed 1,234.5 as 1234.5); NaN for a gap"
    pre.number_format = {"decimal": ",", "thousands": "."}
    assert description(pre, "p") == "float32: the number (feed 1.234,5 as 1234.5); NaN for a gap"
    pre.number_format, pre.percent_columns = {"percent": True}, ["q"]
    assert description(pre, "p") == "float32: the number; NaN for a gap"
    assert description(pre, "q") == (
        "float32: the number, a percentage as a fraction (feed 12.5% as 0.125); NaN for a gap"
    )
    pre.percent_columns = None  # a model file from before percent_columns: any column may be one
    assert "a percentage as a fraction" in description(pre, "p")
