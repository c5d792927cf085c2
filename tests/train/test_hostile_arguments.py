"""Arguments a user can get wrong: each is refused with an error naming the argument, before
anything is trained, written or allocated."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import Network
from chainrule.errors import ModelFormatError


@pytest.fixture
def data(rng):
    X = rng.normal(size=(12, 3))
    return X, (X.sum(axis=1) > 0).astype(float)


# ------------------------------------------------------------ targets that don't fit the loss
@pytest.mark.parametrize("bad", [2.0, -1.0, 1.5])
def test_binary_cross_entropy_refuses_targets_outside_0_1(data, bad):
    X, y = data
    y = y.copy()
    y[3] = bad
    net = Network([3, 4, 1], output_activation="sigmoid", seed=0)
    with pytest.raises(ValueError, match=r"^y .*\[0, 1\]"):
        net.fit(X, y, loss="binary_cross_entropy", epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"^y "):
        net.loss(X, y, "binary_cross_entropy")


@pytest.mark.parametrize("row", [[0.0, 0.0, 0.0], [-1.0, 1.0, 1.0], [2.0, -1.0, 0.0]])
def test_cross_entropy_refuses_rows_that_are_not_class_probabilities(data, row):
    X, _ = data
    y = np.eye(3)[np.arange(12) % 3]
    y[5] = row
    net = Network([3, 4, 3], output_activation="softmax", seed=0)
    with pytest.raises(ValueError, match=r"^y .*row 5"):
        net.fit(X, y, loss="cross_entropy", epochs=1, verbose=0)


def test_soft_labels_that_sum_to_one_are_accepted(data):
    X, _ = data
    y = np.full((12, 3), 1 / 3)
    Network([3, 4, 3], output_activation="softmax", seed=0).fit(
        X, y, loss="cross_entropy", epochs=1, verbose=0
    )


# ------------------------------------------------------------ Python API arguments
def test_lr_none_is_refused_not_replaced_by_a_default(data):
    X, y = data
    with pytest.raises(ValueError, match=r"^lr must be"):
        Network([3, 2, 1], seed=0).fit(X, y, lr=None, epochs=1, verbose=0)


@pytest.mark.parametrize("callbacks", [5, "progress", object()])
def test_callbacks_that_are_not_a_list_are_refused_by_name(data, callbacks):
    X, y = data
    with pytest.raises(ValueError, match=r"^callbacks must be"):
        Network([3, 2, 1], seed=0).fit(X, y, callbacks=callbacks, epochs=1, verbose=0)


@pytest.mark.parametrize("value", [np.float32(0.5), np.float64(0.25), np.float16(0.5)])
def test_numpy_scalar_fractions_are_accepted(data, value):
    X, y = data
    history = Network([3, 2, 1], seed=0).fit(
        X, y, validation_split=value, momentum=value, epochs=1, verbose=0
    )
    assert history.params["validation_samples"] == round(12 * float(value))


@pytest.mark.parametrize("seed", [-1, 1.5, "abc", [1, -2]])
def test_a_bad_seed_is_named(data, seed):
    X, y = data
    with pytest.raises(ValueError, match=r"^seed must be"):
        Network([3, 2, 1], seed=0).fit(X, y, seed=seed, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=r"^seed must be"):
        Network([3, 2, 1], seed=seed)


def test_save_into_a_missing_folder_names_the_path(tmp_path):
    path = tmp_path / "missing" / "model.safetensors"
    with pytest.raises(FileNotFoundError) as caught:
        Network([3, 2, 1], seed=0).save(path)
    assert str(path) in str(caught.value) and ".tmp" not in str(caught.value)


# ------------------------------------------------------------ checkpoint as model
def test_a_checkpoint_path_holding_a_model_is_refused_not_overwritten(data, tmp_path):
    X, y = data
    model = tmp_path / "model.safetensors"
    Network([3, 2, 1], seed=0).save(model)
    before = model.read_bytes()
    with pytest.raises(ValueError, match=r"^checkpoint=.*model.safetensors.*not a checkpoint"):
        Network([3, 2, 1], seed=1).fit(X, y, checkpoint=model, epochs=2, verbose=0)
    assert model.read_bytes() == before


def test_a_checkpoint_path_holding_anything_else_is_refused(data, tmp_path):
    X, y = data
    notes = tmp_path / "notes.txt"
    notes.write_text("my notes")
    with pytest.raises(ValueError, match=r"^checkpoint="):
        Network([3, 2, 1], seed=0).fit(X, y, checkpoint=notes, epochs=2, verbose=0)
    assert notes.read_text() == "my notes"


def test_an_existing_checkpoint_may_be_overwritten_by_a_new_run(data, tmp_path):
    X, y = data
    path = tmp_path / "run.ckpt"
    Network([3, 2, 1], seed=0).fit(X, y, checkpoint=path, epochs=2, verbose=0)
    Network([3, 2, 1], seed=1).fit(X, y, checkpoint=path, epochs=3, verbose=0)
    with pytest.raises(ModelFormatError):
        from chainrule import load

        load(path)  # a checkpoint, not a model
