"""Activations: each slope against central differences, the edges, out= buffers and dtypes."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule import ACTIVATIONS, Activation, Network
from chainrule.nn.activations import (
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    Softmax,
    Tanh,
    get_activation,
)

ELEMENTWISE = ["identity", "relu", "leaky_relu", "tanh", "sigmoid", "exp"]
ALL = [*ELEMENTWISE, "softmax"]


def _away_from_zero(rng, shape, margin=0.05):
    """Node inputs that keep clear of the ReLU kink at 0 by at least ``margin``."""
    z = rng.normal(0.0, 2.0, size=shape)
    return np.where(np.abs(z) < margin, np.copysign(margin, z) + z, z)


# ----------------------------------------------------------------------------- slopes
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_slope_matches_central_differences(name, rng):
    act = get_activation(name)
    z = _away_from_zero(rng, (6, 5))
    h = 1e-6
    numerical = (act.forward(z + h) - act.forward(z - h)) / (2 * h)
    np.testing.assert_allclose(act.slope(z, act.forward(z)), numerical, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_backward_is_slope_times_upstream(name, rng):
    act = get_activation(name)
    z = _away_from_zero(rng, (6, 5))
    a = act.forward(z)
    dL_da = rng.normal(size=z.shape)
    np.testing.assert_allclose(act.backward(z, a, dL_da), act.slope(z, a) * dL_da, rtol=1e-15)


def test_softmax_backward_matches_central_differences(rng):
    """dL/dz for L = Σ v ⊙ softmax(z): the Jacobian-vector product, checked node by node."""
    act = Softmax()
    z = rng.normal(0.0, 2.0, size=(4, 5))
    v = rng.normal(size=z.shape)
    analytic = act.backward(z, act.forward(z), v)
    h = 1e-6
    numerical = np.empty_like(z)
    for i in np.ndindex(z.shape):
        step = np.zeros_like(z)
        step[i] = h
        numerical[i] = ((v * act.forward(z + step)).sum() - (v * act.forward(z - step)).sum()) / (2 * h)
    np.testing.assert_allclose(analytic, numerical, rtol=1e-7, atol=1e-10)


def test_softmax_backward_equals_its_full_jacobian(rng):
    act = Softmax()
    z = rng.normal(size=(3, 4))
    a = act.forward(z)
    v = rng.normal(size=z.shape)
    for row in range(z.shape[0]):
        jacobian = np.diag(a[row]) - np.outer(a[row], a[row])  # da_j/dz_i = a_j (δ_ij - a_i)
        np.testing.assert_allclose(act.backward(z, a, v)[row], jacobian @ v[row], rtol=1e-12, atol=1e-15)


def test_softmax_has_no_per_node_slope():
    z = np.zeros((1, 3))
    with pytest.raises(TypeError, match="backward"):
        Softmax().slope(z, Softmax().forward(z))


# ----------------------------------------------------------------------------- edges
def test_sigmoid_saturates_exactly_without_warnings():
    for dtype in (np.float64, np.float32):
        z = np.array([[1000.0, -1000.0, 0.0]], dtype=dtype)
        a = Sigmoid().forward(z)
        assert a[0, 0] == 1.0
        assert a[0, 1] == 0.0
        assert a[0, 2] == 0.5
        np.testing.assert_array_equal(Sigmoid().slope(z, a), [[0.0, 0.0, 0.25]])


def _sigmoid_reference(z):
    """1 / (1 + e^-z) for z >= 0 and e^z / (1 + e^z) below: accurate to a few ulps everywhere."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def test_sigmoid_is_symmetric_and_within_a_few_ulps_of_one_absolutely(rng):
    z = rng.normal(0.0, 10.0, size=(50, 3))
    a = Sigmoid().forward(z)
    np.testing.assert_allclose(a + Sigmoid().forward(-z), 1.0, rtol=1e-15)
    np.testing.assert_allclose(a, _sigmoid_reference(z), rtol=0, atol=4e-16)


def test_sigmoid_keeps_relative_accuracy_in_the_left_tail():
    z = np.array([[-5.0, -15.0, -30.0, -100.0, -700.0]])
    np.testing.assert_allclose(Sigmoid().forward(z), _sigmoid_reference(z), rtol=1e-12)


def test_softmax_rows_sum_to_one_and_are_shift_invariant(rng):
    z = rng.normal(0.0, 3.0, size=(7, 5))
    a = Softmax().forward(z)
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-15)
    assert np.all(a > 0)
    shift = rng.normal(0.0, 100.0, size=(7, 1))
    np.testing.assert_allclose(Softmax().forward(z + shift), a, rtol=1e-12)


def test_softmax_of_huge_inputs_is_finite(rng):
    z = rng.normal(0.0, 1000.0, size=(6, 4))
    a = Softmax().forward(z)
    assert np.isfinite(a).all()
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-15)
    np.testing.assert_array_equal(Softmax().forward(np.array([[1000.0, -1000.0]])), [[1.0, 0.0]])
    np.testing.assert_allclose(Softmax().forward(np.array([[1000.0, 1000.0]])), [[0.5, 0.5]])


def test_relu_slope_at_zero_is_zero():
    z = np.array([[-1.0, 0.0, 2.0]])
    a = ReLU().forward(z)
    np.testing.assert_array_equal(a, [[0.0, 0.0, 2.0]])
    np.testing.assert_array_equal(ReLU().slope(z, a), [[0.0, 0.0, 1.0]])
    np.testing.assert_array_equal(ReLU().backward(z, a, np.full_like(z, 3.0)), [[0.0, 0.0, 3.0]])


def test_leaky_relu_negative_slope_is_one_hundredth():
    act = LeakyReLU()
    assert act.negative_slope == 0.01
    z = np.array([[-2.0, -0.5, 0.0, 3.0]])
    a = act.forward(z)
    np.testing.assert_allclose(a, [[-0.02, -0.005, 0.0, 3.0]], rtol=1e-15)
    # The slope below 0 is the leak, and (documented) at 0 too.
    np.testing.assert_array_equal(act.slope(z, a), [[0.01, 0.01, 0.01, 1.0]])


def test_leaky_relu_takes_another_slope_and_rejects_bad_ones():
    act = LeakyReLU(negative_slope=0.2)
    np.testing.assert_allclose(act.forward(np.array([[-5.0, 5.0]])), [[-1.0, 5.0]])
    for bad in (-0.1, 1.0, 2.0):
        with pytest.raises(ValueError, match="negative_slope"):
            LeakyReLU(negative_slope=bad)


def test_identity_and_tanh_values():
    z = np.array([[-1.0, 0.0, 2.0]])
    np.testing.assert_array_equal(Identity().forward(z), z)
    assert Identity().forward(z) is z  # a is z itself: the identity computes and copies nothing
    np.testing.assert_array_equal(Identity().slope(z, z), np.ones_like(z))
    np.testing.assert_allclose(Tanh().forward(z), np.tanh(z), rtol=0)
    np.testing.assert_allclose(Tanh().slope(z, np.tanh(z)), 1 - np.tanh(z) ** 2, rtol=1e-15)


# ----------------------------------------------------------------------------- inputs untouched
@pytest.mark.parametrize("name", ALL)
def test_functions_leave_their_inputs_alone(name, rng):
    act = get_activation(name)
    z = _away_from_zero(rng, (5, 4))
    a = act.forward(z)
    dL_da = rng.normal(size=z.shape)
    saved = z.copy(), a.copy(), dL_da.copy()
    act.forward(z)
    if act.elementwise:
        act.slope(z, a)
    act.backward(z, a, dL_da)
    for before, after in zip(saved, (z, a, dL_da)):
        np.testing.assert_array_equal(before, after)


# ----------------------------------------------------------------------------- names and dtypes
def test_unknown_names_raise_value_error_naming_the_argument():
    with pytest.raises(ValueError, match=r"^activation must be one of .*'swish'"):
        get_activation("swish")
    with pytest.raises(ValueError, match=r"^output_activation must be one of .*'swish'"):
        get_activation("swish", "output_activation")
    with pytest.raises(ValueError, match=r"^activation must be one of"):
        get_activation(3)
    with pytest.raises(ValueError, match=r"^activation must be one of"):
        Network([2, 3, 1], activation="swish")
    with pytest.raises(ValueError, match=r"^output_activation must be one of"):
        Network([2, 3, 1], output_activation="swish")


def test_names_are_case_insensitive_and_aliases_resolve():
    assert isinstance(get_activation("ReLU"), ReLU)
    assert isinstance(get_activation("linear"), Identity)
    assert isinstance(get_activation("logistic"), Sigmoid)
    custom = LeakyReLU(0.3)
    assert get_activation(custom) is custom
    assert set(ELEMENTWISE) | {"softmax"} <= set(ACTIVATIONS)
    assert all(issubclass(cls, Activation) for cls in ACTIVATIONS.values())


@pytest.mark.parametrize("name", ALL)
def test_float32_in_float32_out(name, rng):
    act = get_activation(name)
    z = _away_from_zero(rng, (5, 4)).astype(np.float32)
    a = act.forward(z)
    assert a.dtype == np.float32
    if act.elementwise:
        assert act.slope(z, a).dtype == np.float32
    assert act.backward(z, a, np.ones_like(z)).dtype == np.float32
    np.testing.assert_allclose(a, act.forward(z.astype(np.float64)), rtol=1e-6, atol=1e-7)
