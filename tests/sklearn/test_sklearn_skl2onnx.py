"""skl2onnx converts a Pipeline that holds a chainrule estimator once
``chainrule.sklearn.register_skl2onnx()`` has run; the oracle is the pipeline's own
predict/predict_proba, run through the real onnxruntime."""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("skl2onnx")
ort = pytest.importorskip("onnxruntime")

from skl2onnx import to_onnx  # noqa: E402
from sklearn.datasets import load_iris, make_multilabel_classification  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from chainrule import MLPClassifier, MLPRegressor  # noqa: E402
from chainrule.sklearn import register_skl2onnx  # noqa: E402


@pytest.fixture(autouse=True)
def _registered():
    register_skl2onnx()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


def _run(onx, X):
    session = ort.InferenceSession(onx.SerializeToString())
    outputs = session.run(None, {session.get_inputs()[0].name: X})
    return dict(zip([o.name for o in session.get_outputs()], outputs))


@pytest.mark.parametrize("labels", ["multiclass", "binary", "text"])
def test_a_pipeline_with_a_scaler_converts_and_predicts_as_the_pipeline(labels):
    X, y = load_iris(return_X_y=True)
    y = {"multiclass": y, "binary": (y == 1).astype(int), "text": np.array(["a", "b", "c"])[y]}[labels]
    pipe = make_pipeline(
        StandardScaler(), MLPClassifier(hidden_layer_sizes=(8,), max_iter=80, random_state=0)
    )
    pipe.fit(X, y)
    X32 = X.astype(np.float32)
    got = _run(to_onnx(pipe, X32[:1], options={id(pipe[-1]): {"zipmap": False}}), X32)
    np.testing.assert_array_equal(got["label"], pipe.predict(X))
    np.testing.assert_allclose(got["probabilities"], pipe.predict_proba(X), rtol=1e-5, atol=1e-6)
    zipped = _run(to_onnx(pipe, X32[:1]), X32)  # skl2onnx's default: probabilities as a ZipMap
    np.testing.assert_array_equal(zipped["output_label"], pipe.predict(X))
    first = zipped["output_probability"][0]
    np.testing.assert_allclose([first[c] for c in pipe.classes_], pipe.predict_proba(X[:1])[0], rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_regressor_pipeline_converts_for_float_and_double_inputs(dtype):
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), max_iter=80, random_state=0))
    pipe.fit(X, y * 10.0)
    (variable,) = _run(to_onnx(pipe, X[:1].astype(dtype)), X.astype(dtype)).values()
    assert variable.dtype == dtype and variable.shape == (150, 1)
    np.testing.assert_allclose(variable[:, 0], pipe.predict(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_outputs", [1, 2, 3])
def test_a_regressor_declares_the_width_it_outputs(dtype, n_outputs):
    """The declared ``variable`` is ``(N, n_outputs)``, as the graph computes it (skl2onnx's own
    shape calculator says ``(N, 1)``, and onnxruntime then warns of the mismatch)."""
    X, y = load_iris(return_X_y=True)
    Y = y * 10.0 if n_outputs == 1 else np.column_stack([X[:, j] * (j + 1) for j in range(n_outputs)])
    pipe = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), max_iter=80, random_state=0))
    pipe.fit(X, Y)
    onx = to_onnx(pipe, X[:1].astype(dtype))
    (output,) = onx.graph.output
    assert [d.dim_value for d in output.type.tensor_type.shape.dim][1:] == [n_outputs]
    (variable,) = _run(onx, X.astype(dtype)).values()
    assert variable.shape == (150, n_outputs)
    np.testing.assert_allclose(variable, pipe.predict(X).reshape(150, n_outputs), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fitted_on", [np.float64, np.float32])
def test_a_double_conversion_computes_and_outputs_in_double(fitted_on):
    # as scikit-learn's own MLP converter: the double graph agrees with predict to rounding,
    # not to float32's 1e-7 (also for a model fitted on float32: predict widens its weights)
    X, y = load_iris(return_X_y=True)
    pipe = make_pipeline(StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), max_iter=80, random_state=0))
    pipe.fit(X.astype(fitted_on), y * 1000.0)
    (variable,) = _run(to_onnx(pipe, X[:1]), X).values()
    assert variable.dtype == np.float64
    np.testing.assert_allclose(variable[:, 0], pipe.predict(X), rtol=1e-13)


@pytest.mark.parametrize("labels", ["multiclass", "binary", "multi-label"])
@pytest.mark.parametrize("fitted_on", [np.float64, np.float32])
def test_a_double_conversion_gives_double_probabilities(labels, fitted_on):
    X, y = load_iris(return_X_y=True)
    if labels == "binary":
        y = (y == 1).astype(int)
    elif labels == "multi-label":
        X, y = make_multilabel_classification(150, 4, n_classes=3, random_state=0)
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=80, random_state=0)
    model.fit(X.astype(fitted_on), y)
    got = _run(to_onnx(model, X[:1], options={id(model): {"zipmap": False}}), X)
    assert got["probabilities"].dtype == np.float64
    np.testing.assert_array_equal(got["label"], model.predict(X))
    np.testing.assert_allclose(got["probabilities"], model.predict_proba(X), rtol=1e-13, atol=1e-15)


def test_importing_chainrule_does_not_import_skl2onnx():
    code = "import sys, chainrule, chainrule.sklearn; print('skl2onnx' in sys.modules, 'onnx' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
