"""chainrule's estimators in the places scikit-learn users put them, on data scikit-learn ships."""

from __future__ import annotations

import pickle

import joblib
import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris, load_wine
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV, cross_val_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import chainrule
from chainrule import MLPClassifier, MLPRegressor

FAST = {"hidden_layer_sizes": (16,), "learning_rate_init": 0.01, "max_iter": 60, "random_state": 0}


pytestmark = pytest.mark.usefixtures("quiet_convergence")  # short runs, on purpose (conftest.py)


def test_pipeline_breast_cancer():
    X, y = load_breast_cancer(return_X_y=True)
    model = make_pipeline(StandardScaler(), MLPClassifier(**FAST)).fit(X, y)
    assert model.score(X, y) > 0.97


def test_column_transformer_and_set_output_on_a_frame():
    frame = load_wine(as_frame=True).frame
    frame["band"] = np.where(frame["alcohol"] > 13, "high", "low")
    X, y = frame.drop(columns="target"), frame["target"]
    numbers = [c for c in X.columns if c != "band"]
    columns = ColumnTransformer(
        [("scale", StandardScaler(), numbers), ("code", OneHotEncoder(sparse_output=False), ["band"])]
    )
    model = Pipeline([("columns", columns), ("mlp", MLPClassifier(**FAST))]).set_output(transform="pandas")
    model.fit(X, y)
    assert model.score(X, y) > 0.95
    assert list(model[-1].feature_names_in_) == list(model[0].get_feature_names_out())


def test_grid_search_in_two_processes():
    X, y = load_iris(return_X_y=True)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), MLPClassifier(**FAST)),
        {"mlpclassifier__alpha": [1e-4, 1e-2], "mlpclassifier__solver": ["adam", "lbfgs"]},
        cv=3,
        n_jobs=2,
    ).fit(X, y)
    assert search.best_score_ > 0.9


def test_randomized_search_in_two_processes():
    X, y = load_diabetes(return_X_y=True)
    search = RandomizedSearchCV(
        make_pipeline(StandardScaler(), MLPRegressor(solver="lbfgs", max_iter=50, random_state=0)),
        {"mlpregressor__alpha": [1e-3, 1e-1, 1.0], "mlpregressor__hidden_layer_sizes": [(4,), (8,)]},
        n_iter=3,
        cv=3,
        n_jobs=2,
        random_state=0,
    ).fit(X, y / 100)
    assert search.best_score_ > 0.3


def test_cross_val_score_regression():
    X, y = load_diabetes(return_X_y=True)
    scores = cross_val_score(
        make_pipeline(
            StandardScaler(), MLPRegressor(hidden_layer_sizes=(8,), solver="lbfgs", alpha=1.0, max_iter=100)
        ),
        X,
        y / 100,
        cv=3,
    )
    assert scores.mean() > 0.3


def test_clone_keeps_parameters_and_drops_the_fit():
    model = MLPClassifier(dropout=0.2, class_weight="balanced", activation=["relu", "tanh"], **FAST)
    model.set_params(hidden_layer_sizes=(16, 8))
    X, y = load_iris(return_X_y=True)
    copy = clone(model.fit(X, y))
    assert copy.get_params() == model.get_params()
    assert not hasattr(copy, "coefs_")


@pytest.mark.parametrize("dump", ["pickle", "joblib"])
def test_pickle_and_joblib_round_trips(tmp_path, dump):
    X, y = load_iris(return_X_y=True)
    model = MLPClassifier(**FAST).fit(X, y)
    path = tmp_path / "model.bin"
    if dump == "pickle":
        path.write_bytes(pickle.dumps(model))
        again = pickle.loads(path.read_bytes())
    else:
        joblib.dump(model, path)
        again = joblib.load(path)
    np.testing.assert_array_equal(again.predict_proba(X), model.predict_proba(X))
    again.partial_fit(X, y)  # the network and its coefs_ stay one and the same after loading
    assert again.coefs_[0] is again.network_.layers[0].weight


def test_safe_file_round_trip_gives_the_estimator_back(tmp_path):
    frame = load_breast_cancer(as_frame=True)
    model = make_pipeline(StandardScaler().set_output(transform="pandas"), MLPClassifier(**FAST))
    model.fit(frame.data, frame.target)
    mlp = model[-1]
    path = tmp_path / "mlp.safetensors"
    mlp.save(path)
    loaded = chainrule.load(path)
    assert isinstance(loaded, MLPClassifier)
    assert loaded.get_params() == mlp.get_params()
    X = model[0].transform(frame.data)
    np.testing.assert_array_equal(loaded.predict_proba(X), mlp.predict_proba(X))
    np.testing.assert_array_equal(loaded.feature_names_in_, mlp.feature_names_in_)
    assert loaded.loss_curve_ == mlp.loss_curve_
    loaded.partial_fit(X, frame.target)


def test_safe_file_round_trip_regressor_with_string_free_targets(tmp_path):
    X, y = load_diabetes(return_X_y=True)
    model = MLPRegressor(loss="huber", **FAST).fit(X, np.c_[y, -y] / 100)
    model.save(tmp_path / "r.safetensors")
    loaded = chainrule.load(tmp_path / "r.safetensors")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.loss == "huber"


def test_string_labels_survive_the_safe_file(tmp_path):
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    model = MLPClassifier(**FAST).fit(X, labels)
    model.save(tmp_path / "s.safetensors")
    loaded = chainrule.load(tmp_path / "s.safetensors")
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize(
    "setting",
    [
        {"class_weight": {0: 1.0, 1: 3.0}},  # JSON keys are text; the classes are numbers
        {"class_weight": {False: 2.0, True: 0.5}},
        {"n_iter_no_change": np.inf},  # JSON has no infinity
        {"hidden_layer_sizes": np.array([4, 3])},  # an array is not JSON
    ],
)
def test_safe_file_keeps_parameters_json_would_change(tmp_path, setting):
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    if False in setting.get("class_weight", {}):
        y = y.astype(bool)
    model = MLPClassifier(**{**FAST, "max_iter": 5, **setting}).fit(X, y)
    model.save(tmp_path / "p.safetensors")
    loaded = chainrule.load(tmp_path / "p.safetensors")
    ((name, value),) = setting.items()
    saved = loaded.get_params()[name]
    assert type(saved) is type(value)
    if isinstance(value, np.ndarray):
        np.testing.assert_array_equal(saved, value)
        assert saved.dtype == value.dtype
    else:
        assert saved == value
        if isinstance(value, dict):
            assert [type(k) for k in saved] == [type(k) for k in value]
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    loaded.partial_fit(X, y)  # it trains on
    clone(loaded).fit(X, y)


def test_date_labels_survive_the_safe_file(tmp_path):
    X, y = load_iris(return_X_y=True)
    days = np.array(["2020-01-01", "2021-06-01", "2022-12-31"], dtype="datetime64[D]")
    model = MLPClassifier(**FAST).fit(X, days[y])
    model.save(tmp_path / "d.safetensors")
    loaded = chainrule.load(tmp_path / "d.safetensors")
    assert loaded.classes_.dtype == days.dtype
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("missing", ["sklearn", "scipy"])
def test_without_scikit_learn_the_error_names_the_extra(missing):
    import subprocess
    import sys

    code = f"""
import importlib.abc, sys
class Missing(importlib.abc.MetaPathFinder):  # as if {missing} were not installed
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] == {missing!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
sys.meta_path.insert(0, Missing())
import chainrule
try:
    chainrule.MLPClassifier()
except ImportError as error:
    print(error)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == (
        f"chainrule's scikit-learn estimators need {missing}: pip install 'chainrule[sklearn]'"
    )


def test_importing_chainrule_does_not_import_sklearn():
    import subprocess
    import sys

    code = "import sys, chainrule; assert 'sklearn' not in sys.modules; chainrule.MLPClassifier; assert 'sklearn' in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
