"""``estimator_to_onnx``: skl2onnx's conventions, checked against skl2onnx itself.

A scikit-learn MLP is fitted, its weights are copied into a chainrule Network by hand, and both
are exported: chainrule's graph must have skl2onnx's input and output names, element types and
ranks, and give the same labels and probabilities (to 1e-5 relative in float32) as skl2onnx's
graph and as scikit-learn.
"""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnxruntime")
skl2onnx = pytest.importorskip("skl2onnx")

from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule import Network  # noqa: E402
from chainrule.files.onnx import estimator_model, estimator_to_onnx  # noqa: E402
from onnx_runner import checked, run, signature  # noqa: E402

RTOL = 1e-5
ACTIVATION = {"relu": "relu", "tanh": "tanh", "logistic": "sigmoid", "identity": "identity"}
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def chainrule_copy(mlp) -> Network:
    """A float64 chainrule Network with the fitted scikit-learn MLP's weights and activations."""
    return Network.from_weights(
        mlp.coefs_,
        mlp.intercepts_,
        ACTIVATION[mlp.activation],
        ACTIVATION.get(mlp.out_activation_, "softmax"),
    )


def skl2onnx_model(mlp, X):
    options = {id(mlp): {"zipmap": False}} if hasattr(mlp, "classes_") else None
    return skl2onnx.to_onnx(mlp, X[:1].astype(np.float32), options=options, target_opset=21)


@pytest.mark.parametrize(
    ("activation", "classes"),
    [
        ("relu", np.array(["cat", "dog", "emu"])),
        ("tanh", np.array([3, 7])),
        ("logistic", np.array([False, True])),
        ("identity", np.array([-1.0, 0.0, 2.0])),
    ],
)
def test_classifier_follows_skl2onnx(tmp_path, rng, activation, classes):
    X = rng.normal(size=(60, 4))
    y = classes[(X[:, 0] + X[:, 1] > 0).astype(int) + (len(classes) > 2) * (X[:, 2] > 1)]
    mlp = MLPClassifier(hidden_layer_sizes=(5, 4), activation=activation, max_iter=30, random_state=0).fit(
        X, y
    )
    estimator_to_onnx(chainrule_copy(mlp), tmp_path / "mlp.onnx", kind="classifier", classes=mlp.classes_)
    ours, theirs = checked(tmp_path / "mlp.onnx"), skl2onnx_model(mlp, X)
    assert signature(ours.graph.input) == signature(theirs.graph.input)
    assert signature(ours.graph.output) == signature(theirs.graph.output)
    X32 = X.astype(np.float32)
    got, reference = run(ours, {"X": X32}), run(theirs, {"X": X32})
    assert got["label"].tolist() == reference["label"].tolist() == mlp.predict(X32).tolist()
    np.testing.assert_allclose(got["probabilities"], mlp.predict_proba(X32), rtol=RTOL)
    np.testing.assert_allclose(got["probabilities"], reference["probabilities"], rtol=RTOL)


def test_multilabel_classifier_follows_skl2onnx(rng):
    X = rng.normal(size=(60, 3))
    Y = (X @ rng.normal(size=(3, 3)) > 0).astype(int)
    mlp = MLPClassifier(hidden_layer_sizes=(6,), max_iter=30, random_state=0).fit(X, Y)
    ours = estimator_model(chainrule_copy(mlp), kind="classifier", classes=mlp.classes_, multilabel=True)
    theirs = skl2onnx_model(mlp, X)
    # skl2onnx declares the (n, n_labels) label as rank 1; chainrule declares the rank it has.
    assert [s[:2] for s in signature(ours.graph.output)] == [s[:2] for s in signature(theirs.graph.output)]
    assert signature(ours.graph.output)[0][2] == 2
    X32 = X.astype(np.float32)
    got, reference = run(ours, {"X": X32}), run(theirs, {"X": X32})
    np.testing.assert_array_equal(got["label"], reference["label"])
    np.testing.assert_array_equal(got["label"], mlp.predict(X32))
    np.testing.assert_allclose(got["probabilities"], mlp.predict_proba(X32), rtol=RTOL)


def test_regressor_follows_skl2onnx(rng):
    X = rng.normal(size=(50, 3))
    mlp = MLPRegressor(hidden_layer_sizes=(5,), activation="tanh", max_iter=30, random_state=0).fit(
        X, X @ [1.0, -2.0, 0.5]
    )
    ours, theirs = estimator_model(chainrule_copy(mlp), kind="regressor"), skl2onnx_model(mlp, X)
    assert signature(ours.graph.input) == signature(theirs.graph.input)
    assert signature(ours.graph.output) == signature(theirs.graph.output)
    X32 = X.astype(np.float32)
    got = run(ours, {"X": X32})["variable"]
    np.testing.assert_allclose(got[:, 0], mlp.predict(X32), rtol=RTOL)
    np.testing.assert_allclose(got, run(theirs, {"X": X32})["variable"], rtol=RTOL)


def test_regressor_with_several_outputs(rng):
    net = Network([3, 4, 2], activation="relu", seed=1, dtype="float32")
    X = rng.normal(size=(10, 3)).astype(np.float32)
    got = run(estimator_model(net, kind="regressor"), {"X": X})["variable"]
    assert got.shape == (10, 2)
    np.testing.assert_allclose(got, net.predict(X), rtol=RTOL)


def test_binary_label_is_p_above_one_half():
    """The single sigmoid output is the second class's probability; exactly 0.5 is the first class."""
    net = Network.from_weights([[1.0]], [[0.0]], output_activation="sigmoid")
    got = run(
        estimator_model(net, kind="classifier", classes=["no", "yes"]),
        {"X": np.array([[-1], [0], [1]], np.float32)},
    )
    assert got["label"].tolist() == ["no", "no", "yes"]
    np.testing.assert_allclose(got["probabilities"][:, 1], net.predict([[-1], [0], [1]])[:, 0], rtol=RTOL)


@pytest.mark.parametrize(
    ("net", "options", "message"),
    [
        (
            Network([2, 3]),
            {"kind": "clusterer"},
            r"kind must be 'classifier' or 'regressor', got 'clusterer'",
        ),
        (
            Network([2, 3], output_activation="softmax"),
            {"kind": "classifier"},
            r"classes must list 3 classes",
        ),
        (
            Network([2, 1], output_activation="sigmoid"),
            {"kind": "classifier", "classes": [1, 2, 3]},
            r"must list 2",
        ),
        (Network([2, 2]), {"kind": "classifier", "classes": [0, 1]}, r"must end in sigmoid .* or softmax"),
        (
            Network([2, 2], output_activation="softmax"),
            {"kind": "classifier", "classes": [0.5, 1.5]},
            r"classes must be strings, whole numbers or booleans",
        ),
        (
            Network([2, 3], output_activation="softmax"),
            {"kind": "classifier", "classes": [0, 1, 2], "multilabel": True},
            r"multilabel needs a sigmoid output per label",
        ),
    ],
)
def test_bad_arguments_are_named(net, options, message):
    with pytest.raises(ValueError, match=message):
        estimator_model(net, **options)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_a_row_with_nan_or_infinity_fails_the_run_as_predict_refuses_it(kind, bad):
    """Without the guard a NaN row got the first class with NaN probabilities; the estimator
    refuses it, and so does the graph, naming why in the failing node."""
    import onnxruntime as ort

    net = Network(
        [3, 4, 3 if kind == "classifier" else 1],
        output_activation="softmax" if kind == "classifier" else "identity",
        seed=0,
    )
    model = estimator_model(net, kind=kind, classes=["a", "b", "c"] if kind == "classifier" else None)
    X = np.array([[0.1, 0.2, 0.3], [0.5, bad, 0.0]], dtype=np.float32)
    with pytest.raises(ort.capi.onnxruntime_pybind11_state.Fail, match="a row holds NaN or infinity"):
        run(model, {"X": X})
    good = run(model, {"X": X[:1]})
    expected = net.predict(X[:1])
    got = good["probabilities"] if kind == "classifier" else good["variable"]
    np.testing.assert_allclose(got, expected, rtol=1e-5)
    assert run(model, {"X": X[:0]})[("label" if kind == "classifier" else "variable")].shape[0] == 0
