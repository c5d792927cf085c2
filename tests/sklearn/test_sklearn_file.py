"""estimator.save refuses a parameter it cannot store (an object) in one line naming it,
rather than writing None in its place; parameters that are data come back as they were."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning

import chainrule
from chainrule.schedules import StepDecay


def _fitted(**params):
    X, y = load_iris(return_X_y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return chainrule.MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, **params).fit(X, y)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"random_state": np.random.RandomState(0)}, r"random_state=RandomState.*set random_state to an int"),
        (
            {"random_state": 0, "lr_schedule": StepDecay(step_size=5, gamma=0.1)},
            r"lr_schedule=.*schedule's name",
        ),
    ],
)
def test_an_object_parameter_is_refused_at_save_naming_it(tmp_path, params, message):
    estimator = _fitted(**params)
    with pytest.raises(ValueError, match=message) as error:
        estimator.save(tmp_path / "model.safetensors")
    assert "\n" not in str(error.value) and "pickle or joblib" in str(error.value)
    assert not (tmp_path / "model.safetensors").exists()


def test_data_parameters_come_back_as_they_were(tmp_path):
    estimator = _fitted(random_state=3, lr_schedule="step")
    estimator.save(tmp_path / "model.safetensors")
    loaded = chainrule.load(tmp_path / "model.safetensors")
    assert loaded.get_params() == estimator.get_params()
