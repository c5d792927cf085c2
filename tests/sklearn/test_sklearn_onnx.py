"""``estimator.to_onnx(path)``: the exported graph, run by onnxruntime, gives the estimator's
own predict and predict_proba (float32 in the graph: 1e-5 relative)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
pytest.importorskip("onnx")

from sklearn.datasets import load_diabetes, load_iris, make_multilabel_classification
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler

from chainrule import MLPClassifier, MLPRegressor
from onnx_runner import checked, run

RTOL = 1e-5


pytestmark = pytest.mark.usefixtures("quiet_convergence")  # short runs, on purpose (conftest.py)


def _iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("labels", ["multiclass", "binary", "strings", "one class"])
def test_classifier_graph_gives_predict_and_predict_proba(tmp_path, labels):
    X, y = _iris()
    if labels == "binary":
        y = (y == 2).astype(int)
    elif labels == "one class":
        y = np.full(len(y), 7)
    elif labels == "strings":
        y = np.array(["setosa", "versicolor", "virginica"])[y]
    model = MLPClassifier((8,), max_iter=50, random_state=0).fit(X, y)
    model.to_onnx(tmp_path / "model.onnx")
    checked(tmp_path / "model.onnx")
    out = run(str(tmp_path / "model.onnx"), {"X": X.astype(np.float32)})
    np.testing.assert_array_equal(out["label"], model.predict(X))
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), rtol=RTOL, atol=1e-6)


def test_multilabel_classifier_graph(tmp_path):
    X, Y = make_multilabel_classification(n_samples=60, n_features=5, n_classes=3, random_state=0)
    model = MLPClassifier((6,), max_iter=50, random_state=0).fit(X, Y)
    model.to_onnx(tmp_path / "model.onnx")
    out = run(str(tmp_path / "model.onnx"), {"X": X.astype(np.float32)})
    np.testing.assert_array_equal(out["label"], model.predict(X))
    np.testing.assert_allclose(out["probabilities"], model.predict_proba(X), rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_graph_gives_predict(tmp_path, loss):
    X, y = load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    model = MLPRegressor(loss=loss, hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(X, y / 100)
    model.to_onnx(tmp_path / "model.onnx")
    checked(tmp_path / "model.onnx")
    out = run(str(tmp_path / "model.onnx"), {"X": X.astype(np.float32)})
    np.testing.assert_allclose(out["variable"][:, 0], model.predict(X), rtol=RTOL, atol=1e-5)


@pytest.mark.parametrize("Estimator", [MLPClassifier, MLPRegressor])
def test_an_unfitted_estimator_has_no_graph(tmp_path, Estimator):
    with pytest.raises(NotFittedError, match=f"This {Estimator.__name__} instance is not fitted yet"):
        Estimator().onnx_model()
    with pytest.raises(NotFittedError, match=f"This {Estimator.__name__} instance is not fitted yet"):
        Estimator().to_onnx(tmp_path / "model.onnx")
    assert not (tmp_path / "model.onnx").exists()
