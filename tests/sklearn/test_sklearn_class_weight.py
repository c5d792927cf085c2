"""``class_weight`` (``chainrule.sklearn._class_weight``): each form equals the sample weights it
stands for, in ``fit`` and in ``partial_fit``, and each refusal names what is accepted."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import make_classification, make_multilabel_classification

import chainrule
from chainrule import MLPClassifier

pytestmark = pytest.mark.usefixtures("quiet_convergence")  # short runs, on purpose (conftest.py)

SETTINGS = {"hidden_layer_sizes": (8,), "random_state": 0, "max_iter": 5}


def _three_classes():
    return make_classification(300, 5, n_informative=3, n_classes=3, random_state=0)


def _multilabel():
    return make_multilabel_classification(100, 5, n_classes=3, random_state=0)


def _same_model(a, b, X):
    for mine, theirs in zip(a.coefs_, b.coefs_):
        np.testing.assert_array_equal(mine, theirs)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_a_dict_weighs_the_classes_it_names_and_1_the_others():
    X, y = _three_classes()
    by_class = MLPClassifier(class_weight={0: 2.0}, **SETTINGS).fit(X, y)
    by_sample = MLPClassifier(**SETTINGS).fit(X, y, sample_weight=np.where(y == 0, 2.0, 1.0))
    _same_model(by_class, by_sample, X)


def test_partial_fit_resolves_a_dict_against_classes_not_the_batch():
    # the second batch lacks class 0, the one the dict names: it trains as fit would on it
    X, y = _three_classes()
    later = y > 0
    by_class = MLPClassifier(class_weight={0: 2.0}, **SETTINGS)
    by_class.partial_fit(X, y, classes=[0, 1, 2])
    by_class.partial_fit(X[later], y[later])
    by_sample = MLPClassifier(**SETTINGS)
    by_sample.partial_fit(X, y, classes=[0, 1, 2], sample_weight=np.where(y == 0, 2.0, 1.0))
    by_sample.partial_fit(X[later], y[later], sample_weight=np.ones(later.sum()))
    _same_model(by_class, by_sample, X)


def test_partial_fit_refuses_balanced_as_scikit_learns_sgd_classifier_does():
    # a batch's class frequencies are not the data's
    X, y = _three_classes()
    model = MLPClassifier(class_weight="balanced", **SETTINGS)
    with pytest.raises(
        ValueError, match=r"class_weight='balanced' is not supported in partial_fit.*compute_class_weight"
    ):
        model.partial_fit(X, y, classes=[0, 1, 2])
    assert not hasattr(model, "coefs_")


def test_a_dict_naming_no_class_is_refused_naming_it():
    X, y = _three_classes()
    with pytest.raises(
        ValueError, match=r"class_weight names 5, which is not one of the classes \[0, 1, 2\]"
    ):
        MLPClassifier(class_weight={5: 2.0}, **SETTINGS).fit(X, y)


@pytest.mark.parametrize("weight", [-1.0, np.inf, "heavy"])
def test_a_weight_that_is_not_a_number_at_least_0_is_refused_naming_its_class(weight):
    X, y = _three_classes()
    with pytest.raises(
        ValueError, match=r"^class_weight(\[1\] must be finite and >= 0| must map classes to numbers)"
    ):
        MLPClassifier(class_weight={1: weight}, **SETTINGS).fit(X, y)


def test_multilabel_y_takes_one_dict_per_label_column():
    X, Y = _multilabel()
    class_weight = [{0: 1.0, 1: 2.0}, {0: 1.0, 1: 1.0}, {0: 0.5, 1: 3.0}]
    by_class = MLPClassifier(class_weight=class_weight, **SETTINGS).fit(X, Y)
    sample_weight = np.where(Y[:, 0] == 1, 2.0, 1.0) * np.where(Y[:, 2] == 1, 3.0, 0.5)
    by_sample = MLPClassifier(**SETTINGS).fit(X, Y, sample_weight=sample_weight)
    _same_model(by_class, by_sample, X)


def test_multilabel_partial_fit_takes_a_batch_where_a_column_holds_one_value():
    X, Y = _multilabel()
    rows = Y[:, 0] == 0
    model = MLPClassifier(class_weight=[{1: 2.0}, {}, {}], **SETTINGS)
    model.partial_fit(X[rows], Y[rows], classes=[0, 1, 2])
    assert model.n_iter_ == 1


def test_multilabel_y_with_one_dict_says_what_it_takes():
    X, Y = _multilabel()
    with pytest.raises(ValueError, match=r"y is multi-label \(3 label columns\): give a list of 3 dicts"):
        MLPClassifier(class_weight={0: 1.0, 1: 2.0}, **SETTINGS).fit(X, Y)


def test_a_list_of_the_wrong_length_or_for_one_label_per_sample_is_refused():
    X, Y = _multilabel()
    with pytest.raises(ValueError, match=r"class_weight lists 2 dicts, but y has 3 label columns"):
        MLPClassifier(class_weight=[{1: 2.0}, {1: 2.0}], **SETTINGS).fit(X, Y)
    X, y = _three_classes()
    with pytest.raises(ValueError, match=r"but y holds one label per sample: give one dict"):
        MLPClassifier(class_weight=[{1: 2.0}], **SETTINGS).fit(X, y)


def test_a_list_of_dicts_survives_clone_and_the_model_file(tmp_path):
    X, Y = _multilabel()
    model = MLPClassifier(class_weight=[{0: 1.0, 1: 2.0}, {}, {1: 3.0}], **SETTINGS).fit(X, Y)
    assert clone(model).get_params()["class_weight"] == model.class_weight
    model.save(tmp_path / "model.safetensors")
    assert chainrule.load(tmp_path / "model.safetensors").class_weight == model.class_weight
