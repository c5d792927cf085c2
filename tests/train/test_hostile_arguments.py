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


# ------------------------------------------------------------ a second probe of the library
def test_poisson_refuses_negative_targets(data):
    X, _ = data
    net = Network([3, 4, 1], output_activation="exp", seed=0)
    with pytest.raises(ValueError, match=r"^y must be >= 0 for poisson.*row 0, column 0 holds -1"):
        net.fit(X, np.full(12, -1.0), loss="poisson", epochs=1, verbose=0)


@pytest.mark.parametrize("X", [np.ones((2, 3)) * (1 + 2j), np.array([["1", "2", "3"]])])
def test_complex_or_text_inputs_are_refused_not_cast(X):
    with pytest.raises(ValueError, match=r"^X must be numeric"):
        Network([3, 1], seed=0).predict(X)


def test_an_early_stopping_object_given_to_two_fits_starts_afresh(rng):
    from chainrule import EarlyStopping

    X, y = rng.normal(size=(60, 3)), rng.normal(size=60)
    shared = EarlyStopping(patience=2)
    Network([3, 8, 1], seed=1).fit(
        X, y, lr=0.05, epochs=40, validation_split=0.25, early_stopping=shared, verbose=0
    )
    second, fresh = Network([3, 8, 1], seed=2), Network([3, 8, 1], seed=2)
    options = dict(lr=0.05, epochs=40, validation_split=0.25, verbose=0)
    h1 = second.fit(X, y, early_stopping=shared, **options)
    h2 = fresh.fit(X, y, early_stopping=EarlyStopping(patience=2), **options)
    assert h1.history == h2.history and h1.best_epoch == h2.best_epoch
    np.testing.assert_array_equal(second.flat_parameters(), fresh.flat_parameters())


def test_early_stopping_refuses_a_monitor_the_run_does_not_log_before_training(data):
    from chainrule import EarlyStopping

    X, y = data
    net = Network([3, 4, 1], output_activation="sigmoid", seed=0)
    before = net.flat_parameters().copy()
    with pytest.raises(ValueError, match=r"monitor 'val_los' is not logged.*loss, accuracy, val_loss"):
        net.fit(X, y, loss="binary_cross_entropy", epochs=3, validation_split=0.25, verbose=0,
                early_stopping=EarlyStopping(monitor="val_los"))  # fmt: skip
    np.testing.assert_array_equal(net.flat_parameters(), before)


def test_early_stopping_on_an_accuracy_keeps_the_highest(rng):
    from chainrule import EarlyStopping

    X = rng.normal(size=(200, 4))
    y = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(float)
    net = Network([4, 8, 1], output_activation="sigmoid", seed=3)
    history = net.fit(X, y, loss="binary_cross_entropy", lr=0.05, epochs=30, validation_split=0.3, verbose=0,
                      early_stopping=EarlyStopping(monitor="val_accuracy", patience=30))  # fmt: skip
    accuracies = history.history["val_accuracy"]
    assert history.best_epoch == 1 + int(np.argmax(accuracies))  # the first of the highest
    with pytest.raises(ValueError, match="mode"):
        EarlyStopping(mode="up")


def test_accuracy_of_several_sigmoid_labels_counts_rows_with_every_label_right():
    X, y = np.ones((8, 1)), np.ones((8, 2))  # both labels on; the network says 0.90 and 0.10
    net = Network.from_weights([np.array([[2.2, -2.2]])], output_activation="sigmoid")
    history = net.fit(X, y, loss="binary_cross_entropy", lr=1e-9, epochs=1, verbose=0, validation_data=(X, y))
    assert history.history["accuracy"] == [0.0] and history.history["val_accuracy"] == [0.0]


@pytest.mark.parametrize("step", [float("nan"), 0.0, -1e-3])
def test_gradcheck_refuses_a_step_that_is_not_positive(data, step):
    from chainrule import gradcheck

    X, y = data
    with pytest.raises(ValueError, match=r"^step must be a finite number > 0"):
        gradcheck(Network([3, 2, 1], seed=0), X, y, step=step)


def test_an_optimizer_carrying_another_networks_state_is_refused(data):
    from chainrule.optim import Adam

    X, y = data
    adam = Adam(lr=0.01)
    Network([3, 4, 1], seed=0).fit(X, y, optimizer=adam, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="optimizer holds the state of another network"):
        Network([3, 6, 1], seed=0).fit(X, y, optimizer=adam, epochs=1, verbose=0)


@pytest.mark.parametrize(
    ("weights", "biases", "message"),
    [
        ([[[np.nan]], [[1.0]]], None, r"weights\[0\] holds NaN"),
        ([[[1.0]], [[np.inf]]], None, r"weights\[1\] holds NaN"),
        ([[[1.0]], [[1.0]]], [[0.0]], "one vector per layer"),
        ([[[1.0]], [[1.0]]], [None, [0.0]], r"biases\[0\] is None"),
        ([[[1.0]], [[1.0]]], [[0.0], [np.nan]], r"biases\[1\] holds NaN"),
    ],
)
def test_from_weights_refuses_weights_it_could_not_use(weights, biases, message):
    with pytest.raises(ValueError, match=message):
        Network.from_weights([np.array(w) for w in weights], biases)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"verbose": "x"}, "^verbose must be 0, 1 or 2"),
        ({"validation_data": "pair", "validation_split": 0.5}, "not both"),
        ({"sample_weight": np.zeros(12)}, "^sample_weight is 0 for every sample"),
        ({"shuffle": lambda epoch, n: np.zeros(n, dtype=int)}, "^shuffle's function must return an order"),
        ({"shuffle": lambda epoch, n: np.arange(n - 1)}, "^shuffle's function must return an order"),
    ],
)
def test_fit_options_that_cannot_work_are_refused(data, options, message):
    X, y = data
    if options.get("validation_data") == "pair":
        options["validation_data"] = (X, y)
    with pytest.raises(ValueError, match=message):
        Network([3, 4, 1], seed=0).fit(X, y, epochs=1, **options)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"sizes": [3.5, 2]}, r"got \[3.5, 2\]"),
        ({"sizes": [3, 2], "bias": "no"}, "^bias must be True or False"),
        ({"sizes": [3, 4, 2], "activation": None}, "^activation must name an activation"),
    ],
)
def test_network_arguments_that_cannot_work_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        Network(**arguments)


def test_one_dropout_rate_may_be_a_numpy_number(data):
    X, y = data
    Network([3, 4, 1], seed=0).fit(X, y, epochs=1, dropout=np.float32(0.2), verbose=0)


def test_full_batch_early_stopping_on_the_training_loss_keeps_the_weights_that_scored_it():
    # One update an epoch: the epoch's loss is that of the weights before its update.
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(10, 3)), rng.normal(size=10)
    net = Network([3, 4, 1], seed=0)
    history = net.fit(X, y, lr=0.8, epochs=30, early_stopping=2, verbose=0)  # best at 17 of 20
    losses = history.history["loss"]
    assert history.best_epoch == 1 + int(np.argmin(losses)) and history.best_epoch < len(losses)
    assert net.loss(X, y) == min(losses)


@pytest.mark.parametrize(
    "option, meant",
    [("learning_rate", "'lr'"), ("max_iter", "'epochs'"), ("epoch", "'epochs'"), ("foo", "help")],
)
def test_an_unknown_fit_option_is_named_as_fits_with_the_option_meant(data, option, meant):
    X, y = data
    net = Network([X.shape[1], 1], seed=0)
    with pytest.raises(TypeError, match=rf"^fit\(\) got an unexpected keyword argument '{option}'.*{meant}"):
        net.fit(X, y, verbose=0, **{option: 1})


def test_ragged_rows_are_named_as_such():
    net = Network([3, 1], seed=0)
    with pytest.raises(
        ValueError, match=r"^X has rows of different lengths \(row 0 has 3 values, row 1 has 2"
    ):
        net.predict([[1, 2, 3], [4, 5]])
    with pytest.raises(
        ValueError, match=r"^y has rows of different lengths \(row 0 has 1 value, row 1 has 2"
    ):
        net.fit([[1, 2, 3], [4, 5, 6]], [[1], [2, 3]], verbose=0)


def test_class_indices_in_a_column_are_pointed_to_the_1d_shape():
    net = Network([3, 3], output_activation="softmax", seed=0)
    with pytest.raises(ValueError, match=r"or class indices as a 1-D array of shape \(2,\)"):
        net.loss(np.ones((2, 3)), np.array([[0], [2]]), "cross_entropy")
