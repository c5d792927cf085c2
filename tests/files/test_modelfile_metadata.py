"""Hand-edited metadata with valid checksums: refused at load, in one line, by every command.

The checksums are plain SHA-256, so whoever edits a model file can recompute them; the files
here are written with ``safefile.write_container``, which does. What ``read`` must refuse is
what a command would otherwise trip on later: a statistic that overflows (a JSON integer
float() cannot take, a standard deviation of 1e-308), a loss the output layer cannot take,
an ``info`` that is no object, an output activation changed on its own.
"""

from __future__ import annotations

import pytest

import chainrule
from chainrule import ModelFormatError, Network, safefile
from chainrule.files.modelfile_checks import SPREAD_FLOOR, STATISTIC_LIMIT
from chainrule.tables.preprocess import Preprocessor
from chainrule.tables.read import Table
from cli_runner import chainrule_cli, one_line_error

COLUMNS = {
    "size": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    "colour": ["red", "blue", "red", "green", "blue", "green"],
}
KEPT = ("kind", "architecture", "preprocessing", "info")


def table_model(task: str) -> Network:
    """A [4, 3, 1] model of ``size`` and ``colour`` (one-hot): a binary classifier of ``label``
    (one sigmoid output, binary cross-entropy) or a regression of ``value``."""
    target = {"label": ["yes", "no"] * 3} if task == "classification" else {"value": [3.0, 1, 4, 1, 5, 9]}
    pre, _ = Preprocessor.fit(Table.from_columns("<test>", {**COLUMNS, **target}), next(iter(target)), task)
    output, loss = ("sigmoid", "binary_cross_entropy") if task == "classification" else ("identity", "mse")
    net = Network([4, 3, 1], activation="tanh", output_activation=output, seed=5)
    net.preprocessor, net.info = pre, {"task": task, "loss": loss}
    return net


def edited(tmp_path, change, task="classification", name="model.safetensors"):
    """A model file of ``table_model(task)`` whose metadata ``change`` edited, checksums recomputed."""
    path = tmp_path / name
    table_model(task).save(path)
    tensors, metadata = safefile.read_container(path)
    kept = {key: metadata[key] for key in KEPT}
    change(kept)
    safefile.write_container(path, tensors, kept)
    return path


def refused(path, *needles: str) -> str:
    """The one-line ModelFormatError loading ``path`` raises, checked to hold each of ``needles``."""
    with pytest.raises(ModelFormatError) as caught:
        chainrule.load(path)
    message = str(caught.value)
    assert "\n" not in message
    for needle in needles:
        assert needle in message, message
    return message


def numeric(key, value):
    return lambda meta: meta["preprocessing"]["numeric"]["size"].update({key: value})


def stored(key, value):
    return lambda meta: meta["preprocessing"].update({key: value})


# ------------------------------------------------------------------------------ statistics
@pytest.mark.parametrize(
    ("change", "field"),
    [
        (numeric("mean", 10**400), "numeric['size'].mean"),
        (numeric("std", 10**400), "numeric['size'].std"),
        (numeric("fill", 10**400), "numeric['size'].fill"),
        (stored("target_mean", 10**400), "target_mean"),
        (stored("target_std", 10**400), "target_std"),
    ],
    ids=["mean", "std", "fill", "target_mean", "target_std"],
)
def test_an_integer_too_large_for_a_float_is_refused_naming_the_field(tmp_path, change, field):
    refused(edited(tmp_path, change), f"preprocessing {field} is 1000000", "restore the file")


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (numeric("std", 1e-308), "numeric['size'].std is 1e-308"),
        (numeric("std", 1e200), "numeric['size'].std is 1e+200"),
        (numeric("std", -1.0), "numeric['size'].std is -1"),
        (numeric("mean", -1e300), "numeric['size'].mean is -1e+300"),
        (numeric("fill", 1e300), "numeric['size'].fill is 1e+300"),
        (stored("target_mean", 1e308), "target_mean is 1e+308"),
        (stored("target_std", 1e308), "target_std is 1e+308"),
        (stored("target_std", 1e-300), "target_std is 1e-300"),
    ],
    ids=[
        "tiny std",
        "huge std",
        "negative std",
        "huge mean",
        "huge fill",
        "target mean",
        "target std",
        "tiny",
    ],
)
def test_statistics_that_could_overflow_are_refused(tmp_path, change, field):
    refused(edited(tmp_path, change), field, "could overflow")


def test_statistics_at_the_limits_load(tmp_path):
    def change(meta):
        meta["preprocessing"]["numeric"]["size"].update(mean=-STATISTIC_LIMIT, std=SPREAD_FLOOR, fill=1e150)
        meta["preprocessing"].update(target_mean=STATISTIC_LIMIT, target_std=STATISTIC_LIMIT)

    assert chainrule.load(edited(tmp_path, change)).preprocessor.numeric["size"]["std"] == SPREAD_FLOOR


def test_predict_refuses_extreme_statistics_in_one_line_without_warnings(tmp_path):
    """Before: NumPy's overflow warnings on stderr, and (target) exit 0 with values near 1e308."""
    data = tmp_path / "new.csv"
    data.write_text("size,colour\n2.5,red\n4,blue\n")
    tiny = edited(tmp_path, numeric("std", 1e-308), name="tiny.safetensors")
    one_line_error(chainrule_cli("predict", tiny, data), "numeric['size'].std is 1e-308")
    target = edited(tmp_path, stored("target_std", 1e308), task="regression", name="target.safetensors")
    result = chainrule_cli("predict", target, data)
    one_line_error(result, "target_std is 1e+308")
    assert result.stdout == ""


# ------------------------------------------------------------------------------ info.loss
def loss(value):
    return lambda meta: meta["info"].update(loss=value)


def output_activation(name):
    return lambda meta: meta["architecture"]["activations"][-1].update(name=name)


@pytest.mark.parametrize(
    ("change", "needles"),
    [
        (loss("os.system"), ("info.loss must be one of", "'os.system'")),
        (loss(5), ("info.loss must be one of", "got 5")),
        (loss("cross_entropy"), ("info.loss is 'cross_entropy'", "ending in 'sigmoid'")),
        (loss("poisson"), ("info.loss is 'poisson'",)),
        (lambda meta: meta["info"].pop("loss"), ("info has no loss",)),
        (lambda meta: meta.update(info="x"), ("info must be a JSON object, got 'x'",)),
        (lambda meta: meta.update(info=[1]), ("info must be a JSON object",)),
        (output_activation("identity"), ("output activation is 'identity'", "ends in 'sigmoid'")),
        (output_activation("exp"), ("output activation is 'exp'",)),
        (output_activation("softmax"), ("output activation is 'softmax'",)),
    ],
    ids=[
        "unknown loss",
        "loss not a string",
        "cross_entropy on one sigmoid",
        "poisson on sigmoid",
        "no loss",
        "info a string",
        "info a list",
        "identity output",
        "exp output",
        "softmax on one output",
    ],
)
def test_a_loss_or_output_the_network_cannot_use_is_refused_at_load(tmp_path, change, needles):
    refused(edited(tmp_path, change), *needles)


def test_a_regression_model_with_a_classification_loss_is_refused(tmp_path):
    refused(edited(tmp_path, loss("binary_cross_entropy"), task="regression"), "ending in 'identity'")


@pytest.mark.parametrize("name", ["bce", "MSE", "binary_cross_entropy_sum"])
def test_a_loss_the_output_takes_loads_in_any_spelling_evaluate_reads(tmp_path, name):
    assert chainrule.load(edited(tmp_path, loss(name))).info["loss"] == name


def test_a_bare_network_keeps_its_free_form_info(tmp_path):
    """Without preprocessing no command computes the loss: info stays the user's own."""
    net = Network([2, 3, 1], seed=1)
    net.info = {"loss": 0.25, "note": "anything"}
    net.save(tmp_path / "net.safetensors")
    assert chainrule.load(tmp_path / "net.safetensors").info == net.info


@pytest.mark.parametrize("command", ["evaluate", "explain", "predict", "info"])
def test_every_command_refuses_such_a_file_in_one_line(tmp_path, command):
    """Before: predict and info worked, evaluate and explain ended in "internal error"."""
    data = tmp_path / "data.csv"
    data.write_text("size,colour,label\n2.5,red,yes\n4,blue,no\n")
    path = edited(tmp_path, loss("cross_entropy"))
    args = {"evaluate": [data], "explain": [data, "--row", "1"], "predict": [data], "info": []}[command]
    one_line_error(chainrule_cli(command, path, *args), "info.loss is 'cross_entropy'")
