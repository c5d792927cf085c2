"""Optimizers and schedules against their closed forms, one step at a time.

Each optimizer is fed hand-picked slopes and its update is compared with the
formula written out in the test. Gradient clipping is checked through ``fit``
(that is where it happens), with an optimizer that records the slopes it is given.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from chainrule import Network
from chainrule.optim import SGD, Adam, Optimizer, get_optimizer
from chainrule.schedules import (
    Constant,
    ExponentialDecay,
    InverseScaling,
    ReduceOnPlateau,
    StepDecay,
    get_schedule,
)


def _params():
    """A weight matrix and a bias vector with exactly representable values."""
    return [np.array([[1.0, -2.0], [0.5, 3.0]]), np.array([0.25, -0.75])]


def _grads():
    return [np.array([[0.5, -1.0], [2.0, 0.25]]), np.array([-0.5, 1.5])]


def _grads2():
    return [np.array([[-0.25, 0.75], [1.0, -2.0]]), np.array([0.125, 0.5])]


def _apply(optimizer: Optimizer, *grad_sets):
    params = _params()
    for grads in grad_sets:
        optimizer.update(params, [g.copy() for g in grads])
    return params


# ----------------------------------------------------------------------------- SGD
def test_sgd_one_step_is_w_minus_lr_times_slope():
    lr = 0.1
    params = _apply(SGD(lr=lr), _grads())
    for param, w, g in zip(params, _params(), _grads()):
        np.testing.assert_array_equal(param, w - lr * g)
    # exact numbers for the first weight: 1 - 0.1 × 0.5 and -2 - 0.1 × (-1)
    assert params[0][0, 0] == 1.0 - 0.1 * 0.5
    assert params[0][0, 1] == -2.0 + 0.1 * 1.0


def test_sgd_updates_in_place_and_counts_steps():
    optimizer = SGD(lr=0.5)
    params = _params()
    ids = [id(p) for p in params]
    optimizer.update(params, _grads())
    optimizer.update(params, _grads())
    assert [id(p) for p in params] == ids
    assert optimizer.steps == 2


def test_sgd_momentum_two_steps():
    lr, mu = 0.1, 0.9
    params = _apply(SGD(lr=lr, momentum=mu), _grads(), _grads2())
    for param, w0, g1, g2 in zip(params, _params(), _grads(), _grads2()):
        v1 = g1
        w1 = w0 - lr * v1
        v2 = mu * v1 + g2
        w2 = w1 - lr * v2
        np.testing.assert_allclose(param, w2, rtol=1e-15, atol=1e-15)


def test_nesterov_two_steps():
    lr, mu = 0.1, 0.9
    params = _apply(SGD(lr=lr, momentum=mu, nesterov=True), _grads(), _grads2())
    for param, w0, g1, g2 in zip(params, _params(), _grads(), _grads2()):
        v1 = g1
        w1 = w0 - lr * (g1 + mu * v1)
        v2 = mu * v1 + g2
        w2 = w1 - lr * (g2 + mu * v2)
        np.testing.assert_allclose(param, w2, rtol=1e-15, atol=1e-15)


def test_nesterov_first_step_exact_number():
    # v = g = 0.5; step = g + μ v = 0.5 + 0.9 × 0.5 = 0.95; w = 1 - 0.1 × 0.95 = 0.905
    params = _apply(SGD(lr=0.1, momentum=0.9, nesterov=True), _grads())
    assert params[0][0, 0] == pytest.approx(0.905, rel=1e-15)


@pytest.mark.parametrize("nesterov", [False, True])
def test_velocity_with_the_learning_rate_in_it(nesterov):
    # scikit-learn's form: v ← μ v - lr g; w ← w + v (Nesterov: w ← w + μ v - lr g).
    lr1, lr2, mu = 0.1, 0.025, 0.9
    optimizer = SGD(lr=lr1, momentum=mu, nesterov=nesterov, velocity_lr=True)
    params = _params()
    optimizer.update(params, _grads())
    optimizer.lr = lr2
    optimizer.update(params, _grads2())
    for param, w0, g1, g2 in zip(params, _params(), _grads(), _grads2()):
        v1 = -lr1 * g1
        w1 = w0 + (mu * v1 - lr1 * g1 if nesterov else v1)
        v2 = mu * v1 - lr2 * g2
        w2 = w1 + (mu * v2 - lr2 * g2 if nesterov else v2)
        np.testing.assert_allclose(param, w2, rtol=1e-15, atol=1e-15)
    # with one rate throughout, both forms take the same steps
    same = _apply(SGD(lr=lr1, momentum=mu, nesterov=nesterov), _grads(), _grads2())
    other = _apply(SGD(lr=lr1, momentum=mu, nesterov=nesterov, velocity_lr=True), _grads(), _grads2())
    for a, b in zip(same, other):
        np.testing.assert_allclose(a, b, rtol=1e-14, atol=1e-15)
    assert SGD(momentum=0.5, velocity_lr=True).config()["velocity_lr"] is True
    assert "velocity_lr" not in SGD(momentum=0.5).config()  # earlier checkpoints still match


def test_momentum_velocity_is_optimizer_state():
    optimizer = SGD(lr=0.1, momentum=0.5)
    _apply(optimizer, _grads(), _grads2())
    state = optimizer.state_arrays()
    assert len(state) == 2
    for velocity, g1, g2 in zip(state, _grads(), _grads2()):
        np.testing.assert_array_equal(velocity, 0.5 * g1 + g2)


# ----------------------------------------------------------------------------- Adam
def _adam_textbook(w0, grads, lr, beta1, beta2, eps):
    """Kingma & Ba, Algorithm 1: m̂ / (√v̂ + ε) with bias-corrected moments."""
    w, m, v = w0.copy(), np.zeros_like(w0), np.zeros_like(w0)
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w


@pytest.mark.parametrize(("lr", "beta1", "beta2", "eps"), [(0.001, 0.9, 0.999, 1e-8), (0.05, 0.5, 0.9, 1e-3)])
def test_adam_two_steps_against_the_textbook_formula(lr, beta1, beta2, eps):
    optimizer = Adam(lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    params = _apply(optimizer, _grads(), _grads2())
    for param, w0, g1, g2 in zip(params, _params(), _grads(), _grads2()):
        expected = _adam_textbook(w0, [g1, g2], lr, beta1, beta2, eps)
        np.testing.assert_allclose(param, expected, rtol=1e-12, atol=0)
    assert optimizer.steps == 2


def test_adam_first_step_moves_each_weight_by_about_lr():
    # m̂ = g and v̂ = g² after one step, so the step is lr × g / (|g| + ε) ≈ lr × sign(g).
    lr, eps = 0.01, 1e-8
    params = _apply(Adam(lr=lr, eps=eps), _grads())
    for param, w0, g in zip(params, _params(), _grads()):
        np.testing.assert_allclose(param, w0 - lr * g / (np.abs(g) + eps), rtol=1e-12)


def test_adam_moments_are_optimizer_state():
    optimizer = Adam(lr=0.01, beta1=0.5, beta2=0.75)
    _apply(optimizer, _grads())
    first, second = optimizer.first_moments, optimizer.second_moments
    for m, v, g in zip(first, second, _grads()):
        np.testing.assert_allclose(m, 0.5 * g, rtol=1e-15)
        np.testing.assert_allclose(v, 0.25 * g * g, rtol=1e-15)
    assert len(optimizer.state_arrays()) == 4


# ----------------------------------------------------------------------------- weight decay
def test_sgd_weight_decay_adds_decay_times_weight_to_the_slope():
    lr, decay = 0.1, 0.01
    params = _apply(SGD(lr=lr, weight_decay=decay), _grads())
    for param, w, g in zip(params, _params(), _grads()):
        np.testing.assert_allclose(param, w - lr * (g + decay * w), rtol=1e-15)
    # 1 - 0.1 × (0.5 + 0.01 × 1) = 0.949
    assert params[0][0, 0] == pytest.approx(0.949, rel=1e-15)


def test_weight_decay_alone_shrinks_weights_geometrically():
    lr, decay = 0.1, 0.5
    params = _apply(SGD(lr=lr, weight_decay=decay), [np.zeros((2, 2)), np.zeros(2)])
    for param, w in zip(params, _params()):
        np.testing.assert_allclose(param, w * (1 - lr * decay), rtol=1e-15)


def test_sgd_momentum_with_weight_decay():
    lr, mu, decay = 0.1, 0.9, 0.01
    params = _apply(SGD(lr=lr, momentum=mu, weight_decay=decay), _grads(), _grads2())
    for param, w0, g1, g2 in zip(params, _params(), _grads(), _grads2()):
        v1 = g1 + decay * w0
        w1 = w0 - lr * v1
        v2 = mu * v1 + g2 + decay * w1
        w2 = w1 - lr * v2
        np.testing.assert_allclose(param, w2, rtol=1e-14)


def test_adam_weight_decay_is_added_to_the_slope():
    lr, decay = 0.01, 0.1
    params = _apply(Adam(lr=lr, weight_decay=decay), _grads())
    for param, w0, g in zip(params, _params(), _grads()):
        expected = _adam_textbook(w0, [g + decay * w0], lr, 0.9, 0.999, 1e-8)
        np.testing.assert_allclose(param, expected, rtol=1e-12)


def test_plain_sgd_and_decorated_sgd():
    assert SGD(lr=0.1).plain
    assert not SGD(lr=0.1, momentum=0.5).plain
    assert not SGD(lr=0.1, weight_decay=0.1).plain
    assert not Adam().plain


def test_float32_parameters_stay_float32():
    for optimizer in (SGD(lr=0.1), SGD(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1), Adam(lr=0.1)):
        params = [p.astype(np.float32) for p in _params()]
        optimizer.update(params, [g.astype(np.float32) for g in _grads()])
        optimizer.update(params, [g.astype(np.float32) for g in _grads2()])
        assert all(p.dtype == np.float32 for p in params)
        assert all(a.dtype == np.float32 for a in optimizer.state_arrays())


# ----------------------------------------------------------------------------- gradient clipping (in fit)
class RecordingSGD(SGD):
    """SGD that keeps a copy of every slope list it applies."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.applied: list[list[np.ndarray]] = []

    def update(self, params, grads):
        self.applied.append([g.copy() for g in grads])
        super().update(params, grads)


def _norm(grads) -> float:
    return math.sqrt(sum(float(np.vdot(g, g)) for g in grads))


def _flat(arrays) -> np.ndarray:
    """Arrays laid end to end, in order (fit may hand the optimizer one flat vector or a list)."""
    return np.concatenate([np.ravel(a) for a in arrays])


def _regression(rng, n=40):
    X = rng.normal(size=(n, 3))
    y = X @ np.array([3.0, -2.0, 1.0]) + 5.0
    return X, y


def test_clip_norm_scales_the_applied_slope_to_norm_clip_norm(rng):
    X, y = _regression(rng)
    net = Network([3, 5, 1], activation="tanh", seed=0)
    expected = [g for pair in net.gradients(X, y, "mse") for g in pair]
    assert _norm(expected) > 0.5  # the clipping below does happen
    optimizer = RecordingSGD(lr=0.01)
    net.fit(X, y, optimizer=optimizer, epochs=1, clip_norm=0.5, verbose=0)
    (applied,) = optimizer.applied
    assert _norm(applied) == pytest.approx(0.5, rel=1e-12)
    scale = 0.5 / _norm(expected)
    # same direction, only shorter
    np.testing.assert_allclose(_flat(applied), _flat(expected) * scale, rtol=1e-10, atol=1e-14)


def test_clip_norm_leaves_small_slopes_alone(rng):
    X, y = _regression(rng)
    net = Network([3, 5, 1], activation="tanh", seed=0)
    expected = [g for pair in net.gradients(X, y, "mse") for g in pair]
    optimizer = RecordingSGD(lr=0.01)
    net.fit(X, y, optimizer=optimizer, epochs=1, clip_norm=10 * _norm(expected), verbose=0)
    np.testing.assert_allclose(_flat(optimizer.applied[0]), _flat(expected), rtol=1e-12, atol=1e-15)


def test_clip_norm_applies_to_every_minibatch(rng):
    X, y = _regression(rng, n=64)
    net = Network([3, 5, 1], activation="tanh", seed=0)
    optimizer = RecordingSGD(lr=0.001, momentum=0.5)
    net.fit(X, y, optimizer=optimizer, epochs=2, batch_size=8, seed=1, clip_norm=0.25, verbose=0)
    assert len(optimizer.applied) == 16
    for grads in optimizer.applied:
        assert _norm(grads) <= 0.25 * (1 + 1e-12)


# ----------------------------------------------------------------------------- schedules
def _sequence(schedule, lr0, n, losses=None):
    schedule.start(lr0)
    losses = losses or [1.0] * n
    return [schedule.step(epoch, loss) for epoch, loss in zip(range(1, n + 1), losses)]


def test_constant_schedule():
    assert _sequence(Constant(), 0.1, 4) == [0.1] * 4
    assert isinstance(get_schedule(None), Constant)


def test_step_decay_sequence():
    # lr0 × gamma^floor(epoch / step_size)
    assert _sequence(StepDecay(step_size=2, gamma=0.5), 1.0, 6) == [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]


def test_exponential_decay_sequence():
    got = _sequence(ExponentialDecay(gamma=0.5), 0.8, 4)
    assert got == [0.4, 0.2, 0.1, 0.05]


def test_inverse_scaling_sequence():
    got = _sequence(InverseScaling(power_t=0.5), 1.0, 3)
    np.testing.assert_allclose(got, [1 / math.sqrt(2), 1 / math.sqrt(3), 1 / 2], rtol=1e-15)
    got = _sequence(InverseScaling(power_t=1.0), 0.6, 3)
    np.testing.assert_allclose(got, [0.3, 0.2, 0.15], rtol=1e-15)


def test_reduce_on_plateau_sequence():
    schedule = ReduceOnPlateau(factor=0.5, patience=1, min_delta=0.0, min_lr=0.1)
    losses = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    got = _sequence(schedule, 1.0, len(losses), losses)
    # improvement resets the wait; the second epoch without improvement halves lr; never below 0.1
    assert got == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.1]


def test_reduce_on_plateau_min_delta():
    schedule = ReduceOnPlateau(factor=0.1, patience=0, min_delta=0.05)
    # 0.97 improves on 1.0 by less than min_delta: no improvement
    assert _sequence(schedule, 1.0, 3, [1.0, 0.97, 0.5]) == [1.0, 0.1, 0.1]


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("step", StepDecay),
        ("exponential", ExponentialDecay),
        ("invscaling", InverseScaling),
        ("plateau", ReduceOnPlateau),
        ("constant", Constant),
        ("Step", StepDecay),
    ],
)
def test_schedules_by_name(name, cls):
    assert type(get_schedule(name)) is cls


def test_schedule_object_passes_through():
    schedule = StepDecay(step_size=3)
    assert get_schedule(schedule) is schedule


class LearningRates:
    """A callback that reads the optimizer's learning rate after every epoch."""

    def __init__(self, optimizer):
        self.optimizer, self.rates = optimizer, []

    def __call__(self, epoch, logs):
        self.rates.append(self.optimizer.lr)


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        (StepDecay(step_size=2, gamma=0.5), [0.4, 0.2, 0.2, 0.1, 0.1]),
        (ExponentialDecay(gamma=0.5), [0.2, 0.1, 0.05, 0.025, 0.0125]),
        ("exponential", [0.4 * 0.95**e for e in range(1, 6)]),
    ],
)
def test_fit_applies_the_schedule_at_the_end_of_every_epoch(rng, schedule, expected):
    X, y = _regression(rng)
    optimizer = SGD(lr=0.4)
    rates = LearningRates(optimizer)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    net.fit(X, y, optimizer=optimizer, epochs=5, schedule=schedule, callbacks=[rates], verbose=0)
    np.testing.assert_allclose(rates.rates, expected, rtol=1e-15)


def test_scheduled_plain_sgd_uses_the_new_rate_in_the_next_epoch(rng):
    """Epoch 2 of a step decay halves the step: compare with two single steps by hand."""
    X, y = _regression(rng)
    net = Network([3, 4, 1], activation="tanh", seed=0)
    reference = net.copy()
    net.fit(X, y, lr=0.1, epochs=2, schedule=StepDecay(step_size=1, gamma=0.5), verbose=0)
    reference.step(X, y, "mse", lr=0.1)
    reference.step(X, y, "mse", lr=0.05)
    for got, want in zip(net.parameters(), reference.parameters()):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- lookup and invalid values
def test_get_optimizer_by_name_and_object():
    sgd = get_optimizer("sgd", lr=0.3, momentum=0.5)
    assert isinstance(sgd, SGD) and (sgd.lr, sgd.momentum) == (0.3, 0.5)
    adam = get_optimizer("ADAM", lr=0.02)
    assert isinstance(adam, Adam) and adam.lr == 0.02
    assert get_optimizer(adam) is adam
    assert Adam().lr == 0.001


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda: SGD(lr=0), "lr"),
        (lambda: SGD(lr=-1), "lr"),
        (lambda: SGD(lr=float("nan")), "lr"),
        (lambda: SGD(lr=float("inf")), "lr"),
        (lambda: SGD(lr="fast"), "lr"),
        (lambda: SGD(lr=None), "lr"),
        (lambda: SGD(momentum=1.0), "momentum"),
        (lambda: SGD(momentum=-0.1), "momentum"),
        (lambda: SGD(momentum=float("nan")), "momentum"),
        (lambda: SGD(nesterov=True), "nesterov"),
        (lambda: SGD(weight_decay=-0.1), "weight_decay"),
        (lambda: SGD(weight_decay=float("nan")), "weight_decay"),
        (lambda: Adam(lr=0), "lr"),
        (lambda: Adam(beta1=1.0), "beta1"),
        (lambda: Adam(beta1=-0.5), "beta1"),
        (lambda: Adam(beta2=1.0), "beta2"),
        (lambda: Adam(eps=0), "eps"),
        (lambda: Adam(eps=-1e-8), "eps"),
        (lambda: Adam(weight_decay=-1), "weight_decay"),
        (lambda: get_optimizer("rmsprop"), "optimizer"),
        (lambda: get_optimizer("sgd", lr=0.1, beta1=0.9), "optimizer"),
        (lambda: StepDecay(step_size=0), "step_size"),
        (lambda: StepDecay(gamma=0), "gamma"),
        (lambda: StepDecay(gamma=1.5), "gamma"),
        (lambda: ExponentialDecay(gamma=0), "gamma"),
        (lambda: ExponentialDecay(gamma=-0.5), "gamma"),
        (lambda: InverseScaling(power_t=0), "power_t"),
        (lambda: ReduceOnPlateau(factor=1.0), "factor"),
        (lambda: ReduceOnPlateau(factor=0), "factor"),
        (lambda: ReduceOnPlateau(patience=-1), "patience"),
        (lambda: get_schedule("cosine"), "schedule"),
        (lambda: get_schedule(3), "schedule"),
    ],
)
def test_invalid_hyperparameters_raise_value_error_naming_them(make, name):
    with pytest.raises(ValueError, match=name):
        make()


@pytest.mark.parametrize(
    ("make", "name"),
    [
        # a bool is an int to Python, a string converts with float(): neither is a setting
        (lambda: SGD(lr=True), "lr"),
        (lambda: SGD(lr="0.1"), "lr"),
        (lambda: get_optimizer("adam", lr=True), "lr"),
        (lambda: SGD(momentum="0.9"), "momentum"),
        (lambda: SGD(momentum=0.9, nesterov="no"), "nesterov"),
        (lambda: SGD(weight_decay=float("inf")), "weight_decay"),
        (lambda: SGD(weight_decay=True), "weight_decay"),
        (lambda: Adam(beta1="0.9"), "beta1"),
        (lambda: Adam(eps=float("inf")), "eps"),
        (lambda: Adam(weight_decay=float("inf")), "weight_decay"),
        # step sizes and patiences count epochs: whole numbers, not truncated
        (lambda: StepDecay(step_size=2.5), "step_size"),
        (lambda: StepDecay(step_size=True), "step_size"),
        (lambda: StepDecay(step_size="3"), "step_size"),
        (lambda: StepDecay(gamma=True), "gamma"),
        (lambda: InverseScaling(power_t=float("inf")), "power_t"),
        (lambda: InverseScaling(power_t="1"), "power_t"),
        (lambda: ReduceOnPlateau(factor="0.5"), "factor"),
        (lambda: ReduceOnPlateau(patience=1.5), "patience"),
        (lambda: ReduceOnPlateau(min_delta=-1e-3), "min_delta"),
        (lambda: ReduceOnPlateau(min_delta=float("nan")), "min_delta"),
        (lambda: ReduceOnPlateau(min_delta=float("inf")), "min_delta"),
        (lambda: ReduceOnPlateau(min_lr=-0.1), "min_lr"),
        (lambda: ReduceOnPlateau(min_lr=float("nan")), "min_lr"),
        (lambda: ReduceOnPlateau(min_lr=float("inf")), "min_lr"),
    ],
)
def test_settings_that_were_silently_accepted_are_refused(make, name):
    with pytest.raises(ValueError, match=name):
        make()


def test_numpy_scalars_are_accepted_as_settings():
    assert SGD(lr=np.float32(0.5), momentum=np.float64(0.5)).lr == 0.5
    assert StepDecay(step_size=np.int64(3)).step_size == 3
    assert ReduceOnPlateau(patience=np.int32(2), min_lr=np.float32(0.0)).patience == 2


def test_adam_with_eps_on_the_raw_second_moment_is_scikit_learns_step():
    """eps_corrected=False: w ← w - lr √(1-β2ᵗ)/(1-β1ᵗ) × m / (√v + ε), one step by hand."""
    w, g = np.array([0.5, -1.0, 2.0]), np.array([1e-9, -0.2, 3.0])
    adam = Adam(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, eps_corrected=False)
    param = w.copy()
    adam.update([param], [g.copy()])
    m, v = 0.1 * g, 0.001 * g * g
    expected = w - 0.1 * np.sqrt(1 - 0.999) / (1 - 0.9) * m / (np.sqrt(v) + 1e-8)
    np.testing.assert_allclose(param, expected, rtol=1e-14)
    corrected = w.copy()
    Adam(lr=0.1, eps=1e-8).update([corrected], [g.copy()])
    assert corrected[0] != param[0]  # where √v is near ε the two differ
    np.testing.assert_allclose(corrected[1:], param[1:], rtol=1e-6)
    with pytest.raises(ValueError, match=r"^eps_corrected must be True or False, got 'no'$"):
        Adam(eps_corrected="no")


def test_a_pickled_optimizer_keeps_its_state_but_not_its_scratch_array():
    import pickle

    param, grad = np.ones(4), np.full(4, 0.5)
    adam = Adam(lr=0.1)
    adam.update([param], [grad])
    copy = pickle.loads(pickle.dumps(adam))
    assert copy._buffers == {} and copy.steps == 1
    np.testing.assert_array_equal(copy.first_moments[0], adam.first_moments[0])
    twin = param.copy()
    adam.update([param], [grad])
    copy.update([twin], [grad])  # the scratch array comes back on the next update
    np.testing.assert_array_equal(twin, param)
