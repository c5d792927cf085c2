"""Ensembles as one network: members side by side, their logits averaged."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import Network
from chainrule.see.explain import explain
from chainrule.tables.datasets import load_dataset
from chainrule.workflow.config import TrainConfig
from chainrule.workflow.ensemble import (
    fixed_weights,
    member_seed,
    member_sizes,
    members_of,
    side_by_side,
    trained_parameters,
)
from chainrule.workflow.train import train_table


def _logits(net: Network, X: np.ndarray) -> np.ndarray:
    return net.forward(X).node_inputs[-1]


@pytest.mark.parametrize("output", ["identity", "sigmoid", "softmax"])
@pytest.mark.parametrize("widths", [[(5,), (3,)], [(4, 6), (7, 2), (3, 3)], [(), ()]])
def test_side_by_side_averages_the_members_logits(rng, output, widths):
    k_out = 3 if output == "softmax" else 1
    members = [
        Network([4, *hidden, k_out], output_activation=output, init="he_normal", seed=i)
        for i, hidden in enumerate(widths)
    ]
    for net in members:  # biases away from 0, so averaging them is checked too
        for layer in net.layers:
            layer.bias[...] = rng.normal(size=layer.bias.shape)
    together = side_by_side(members)
    assert together.sizes == [4, *map(sum, zip(*widths)), k_out]
    X = rng.normal(size=(20, 4))
    mean = np.mean([_logits(net, X) for net in members], axis=0)
    np.testing.assert_allclose(_logits(together, X), mean, rtol=0, atol=1e-12)


def test_averaged_predictions_lose_no_more_than_the_members_on_average(rng):
    # Squared error is convex: the mean prediction's MSE <= the members' mean MSE.
    X, y = rng.normal(size=(50, 3)), rng.normal(size=(50, 1))
    members = [Network([3, 8, 1], init="he_normal", seed=i) for i in range(4)]
    assert side_by_side(members).loss(X, y, "mse") <= np.mean([m.loss(X, y, "mse") for m in members])


def test_side_by_side_refuses_members_that_do_not_match():
    with pytest.raises(ValueError, match="same inputs, outputs, depth"):
        side_by_side([Network([3, 4, 1]), Network([3, 4, 2], output_activation="softmax")])
    with pytest.raises(ValueError, match="at least one network"):
        side_by_side([])


def test_member_seeds_start_at_the_runs_own_and_differ():
    assert member_seed(7, 0) == 7
    seeds = {member_seed(7, m) for m in range(1, 6)} | {member_seed(8, m) for m in range(1, 6)}
    assert len(seeds) == 10


def test_regression_defaults_to_five_linear_started_networks_in_one_model():
    table, dataset = load_dataset("diabetes")
    config = TrainConfig(target=dataset.target, verbose=0, linear_fallback=False, epochs=30)
    result = train_table(table, config)
    ensemble = result.metrics["ensemble"]
    assert ensemble["members"] == 5 and len(ensemble["best_epochs"]) == 5
    # Members of an average are 4 × inputs wide: 64 nodes + the linear start's 2, five times.
    assert result.network.sizes == [10, 5 * 66, 5 * 66, 1]
    one = train_table(
        table, TrainConfig(target=dataset.target, verbose=0, linear_fallback=False, epochs=30, ensemble=1)
    )
    assert one.network.sizes == [10, 34, 34, 1] and "ensemble" not in one.metrics
    # Member 0 is the one-network run of its widths itself, bit for bit.
    alone = TrainConfig(
        target=dataset.target, verbose=0, linear_fallback=False, epochs=30, ensemble=1, hidden=(64, 64)
    )
    np.testing.assert_array_equal(
        result.network.layers[0].weight[:, :66], train_table(table, alone).network.layers[0].weight
    )
    again = train_table(table, config)
    for a, b in zip(result.network.parameters(), again.network.parameters()):
        np.testing.assert_array_equal(a, b)
    # Each member holds out its own validation rows (member 0 the run's), so together they
    # learn from every training row.
    held_out = [set(m.validation_rows.tolist()) for m in result.members]
    assert held_out[0] == set(one.members[0].validation_rows.tolist())
    assert len({frozenset(rows) for rows in held_out}) == 5
    assert not set.intersection(*held_out)
    assert all(len(rows) == len(held_out[0]) for rows in held_out)


def test_classification_defaults_to_one_network_and_takes_an_ensemble_when_asked():
    table, dataset = load_dataset("iris")
    single = train_table(
        table, TrainConfig(target=dataset.target, verbose=0, epochs=5, linear_fallback=False)
    )
    assert "ensemble" not in single.metrics and single.network.sizes == [4, 16, 16, 3]
    three = train_table(
        table, TrainConfig(target=dataset.target, verbose=0, epochs=5, ensemble=3, linear_fallback=False)
    )
    assert three.metrics["ensemble"]["members"] == 3 and three.network.sizes == [4, 48, 48, 3]
    # The others trained on some of member 0's validation rows: member 0 alone is compared there.
    assert three.metrics["choice"]["judged"].startswith("member 0")
    member_0 = three.members[0]
    assert three.metrics["choice"]["network_val_loss"] == pytest.approx(
        member_0.history.history["val_loss"][member_0.history.best_epoch - 1], rel=1e-5
    )


def test_a_streamed_run_refuses_an_ensemble_naming_the_option(tmp_path):
    from chainrule.errors import OptionError
    from chainrule.tables.stream import open_files
    from chainrule.workflow.stream import train_files

    path = tmp_path / "rows.csv"
    path.write_text("x,y\n" + "".join(f"{i},{2 * i + 1}\n" for i in range(40)))
    with pytest.raises(OptionError, match="ensemble"):
        train_files(open_files(str(path), 10, "y"), TrainConfig(target="y", verbose=0, ensemble=3))


def test_an_ensemble_too_large_for_max_memory_is_refused_before_training():
    from chainrule.errors import OptionError
    from chainrule.workflow.ensemble import side_by_side_sizes

    assert side_by_side_sizes([10, 34, 34, 1], 5) == [10, 170, 170, 1]
    table, dataset = load_dataset("diabetes")
    config = TrainConfig(target=dataset.target, verbose=0, ensemble=1000, max_memory=50e6)
    with pytest.raises(OptionError, match=r"ensemble is 1000: side by side, sizes \[10, 66000, 66000, 1\]"):
        train_table(table, config)


def _ensemble(rng, members: int = 3):
    """``members`` networks of [4, 5, 6, 1] side by side, recorded as train records them."""
    nets = [Network([4, 5, 6, 1], init="he_normal", seed=i) for i in range(members)]
    together = side_by_side(nets)
    together.info = {"metrics": {"model": "network", "ensemble": {"members": members}}}
    return nets, together


def test_the_weights_between_members_are_fixed_and_counted_out(rng):
    nets, together = _ensemble(rng)
    assert members_of(together) == 3 and member_sizes(together.sizes, 3) == [4, 5, 6, 1]
    masks = fixed_weights(together, 3)
    assert masks[0] is None and masks[2] is None and masks[1].shape == (15, 18)
    assert masks[1].sum() == 15 * 18 - 3 * 5 * 6 and not masks[1][:5, :6].any() and masks[1][:5, 6:].all()
    assert (together.layers[1].weight[masks[1]] == 0).all()
    own = sum(p.size for p in nets[0].parameters())
    assert trained_parameters(together.sizes, 3) == 3 * own - 2  # the output bias is one, shared
    together.info["metrics"]["model"] = "linear"
    assert members_of(together) == 1 and fixed_weights(together, 1) is None


def test_explain_gives_the_fixed_weights_no_slope_and_leaves_them_out_of_its_table(rng):
    _, together = _ensemble(rng)
    x, y = rng.normal(size=4), np.array([0.5])
    masks = fixed_weights(together, 3)
    plain, marked = together.explain(x, y), explain(together, x, y, fixed=masks)
    fixed = [r for r in marked.weights if r.fixed]
    assert len(fixed) == 15 * 18 - 90 and all(r.slope == 0 and r.weight == 0 and r.layer == 1 for r in fixed)
    assert any(
        r.slope != 0 for r in plain.weights if r.layer == 1 and masks[1][int(r.source[7:]), int(r.target[7:])]
    )
    for a, b in zip(plain.weights, marked.weights):
        assert b.fixed or a.slope == b.slope  # every trained weight's slope as before
    text = str(marked)
    assert f"{len(fixed)} weights between the networks averaged side by side are 0 and never trained" in text
    assert "node_0_0 → node_1_6 " not in text and "node_0_0 → node_1_0 " in text
    with pytest.raises(ValueError, match="one mask"):
        explain(together, x, y, fixed=masks[:2])


def test_the_picture_leaves_out_the_weights_between_members(rng):
    pytest.importorskip("matplotlib")
    from chainrule.see.network_picture import _caption
    from chainrule.see.records import numbers

    _, together = _ensemble(rng)
    nums = numbers(together, rng.normal(size=4), np.array([0.5]), fixed=fixed_weights(together, 3))
    assert nums.fixed[1] is not None and nums.weight_slopes[1][nums.fixed[1]].max() == 0
    assert "not drawn: the weights between the networks averaged side by side" in _caption(nums)
    assert "not drawn" not in _caption(numbers(together, rng.normal(size=4), np.array([0.5])))
