"""The verdict ranks the scores as it prints them: a difference the four printed decimals do
not show is a tie, for R² and accuracy alike (probe 24: 0.9902 against 0.9902 'beat' both)."""

from __future__ import annotations

import pytest

from chainrule.workflow.baselines import printed, verdict

MEAN = {"model": "mean of the training targets", "r2": -0.0447}
MAJORITY = {"model": "majority class 'no'", "accuracy": 0.6}


def test_a_score_is_ranked_as_printed():
    assert printed(0.9902043) == printed(0.9901902) == 0.9902
    assert printed(0.82504) == printed(0.82496) == 0.825 and printed(0.82506) == 0.8251
    assert printed(-0.00004) == 0.0


@pytest.mark.parametrize(
    ("network", "linear", "trivial"),
    [
        ({"r2": 0.9902043}, {"r2": 0.9901902}, MEAN),  # probe 24's m14_odd_headers, seed 0
        ({"accuracy": 0.825004}, {"accuracy": 0.824996}, MAJORITY),
    ],
    ids=["regression", "classification"],
)
def test_scores_that_print_the_same_are_a_tie(network, linear, trivial):
    line = verdict(network, linear, trivial)
    shown = f"{next(iter(linear.values())):.4f}"
    assert f"network {shown}, linear {shown}," in line  # printed the same...
    assert "the network only ties the linear model" in line and "beats both" not in line  # ...and so ranked


@pytest.mark.parametrize(
    ("network", "linear", "trivial"),
    [({"r2": 0.7501}, {"r2": 0.7500}, MEAN), ({"accuracy": 0.8251}, {"accuracy": 0.8250}, MAJORITY)],
    ids=["regression", "classification"],
)
def test_a_difference_that_shows_in_print_still_counts(network, linear, trivial):
    assert verdict(network, linear, trivial).endswith("the network beats both baselines")


def test_a_network_that_prints_as_the_trivial_baseline_does_no_better():
    line = verdict({"r2": 0.10004}, {"r2": 0.3}, {"model": "mean of the training targets", "r2": 0.09996})
    assert "the network does no better than mean of the training targets" in line
    kept = verdict({"accuracy": 0.7}, {"accuracy": 0.600004}, {**MAJORITY, "accuracy": 0.599996}, "linear")
    assert "the linear model is the saved model" in kept and "does no better than majority class 'no'" in kept
