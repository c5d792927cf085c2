"""Optimizers: how a slope becomes a change of weight.

Plain gradient descent is the course's rule, ``w ← w - learning rate × slope``.
Every optimizer updates the parameter arrays in place and keeps its state
(velocities, moment estimates, step count) as arrays so checkpoints can save it.
"""

from __future__ import annotations

import numpy as np

from .._registry import Registry
from .._validation import fraction, non_negative_number, positive_number

__all__ = ["Optimizer", "SGD", "Adam", "get_optimizer"]


class Optimizer:
    """Base class. ``update(params, grads)`` changes each parameter array in place.

    ``weight_decay`` adds L2 regularisation: the slope used is g + weight_decay × w
    (the slope of (weight_decay / 2) × Σ w²).
    """

    name = "optimizer"

    def __init__(self, lr: float = 0.01, weight_decay: float = 0.0):
        self.lr = positive_number(lr, "lr")
        self.weight_decay = non_negative_number(weight_decay, "weight_decay")
        self.steps = 0
        self._buffers: dict[int, np.ndarray] = {}  # scratch for the update's products, not state

    @property
    def plain(self) -> bool:
        """True for plain gradient descent, w ← w - lr × g (no momentum, no decay)."""
        return False

    @property
    def learning_rate(self) -> float:
        """The current learning rate, ``lr`` (scikit-learn's optimizers call it learning_rate)."""
        return self.lr

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.lr = positive_number(value, "learning_rate")

    def config(self) -> dict:
        """The hyperparameters, as plain data (for checkpoints and model files)."""
        return {"name": self.name, "lr": self.lr, "weight_decay": self.weight_decay}

    def state_arrays(self) -> list[np.ndarray]:
        """The arrays of the optimizer's state, in a fixed order."""
        return []

    def _set_state_arrays(self, arrays: list[np.ndarray]) -> None:
        if arrays:
            raise ValueError(f"{self.name} keeps no arrays, got {len(arrays)}")

    def state_dict(self) -> dict:
        """Everything an update depends on besides the settings: the step count, the current
        learning rate (a schedule may have moved it) and the state arrays (not copies)."""
        return {"steps": self.steps, "lr": self.lr, "arrays": self.state_arrays()}

    def load_state_dict(self, state: dict, params: list[np.ndarray] | None = None) -> None:
        """Continue from ``state_dict()``'s output; the arrays are copied, and checked
        against ``params`` (each state array matches a parameter) when given."""
        arrays = [np.array(a, copy=True) for a in state["arrays"]]
        if params is not None:
            for index, array in enumerate(arrays):
                param = params[index % len(params)]
                if array.shape != param.shape or array.dtype != param.dtype:
                    raise ValueError("optimizer state does not match the network's parameters")
        self._set_state_arrays(arrays)
        self.steps = int(state["steps"])
        self.lr = positive_number(state["lr"], "lr")

    def descend_prescaled(self, param: np.ndarray, scaled: np.ndarray) -> None:
        """w ← w - s for slopes that already carry the learning rate (s = lr × dL/dw), in
        place: the training fast path folds lr into backpropagation, which is only right when
        the optimizer is ``plain`` (the caller checks; this runs every step)."""
        self.steps += 1
        np.subtract(param, scaled, param)

    def __getstate__(self) -> dict:
        """Pickled without the scratch arrays (an estimator keeps its optimizer for warm starts)."""
        return {**self.__dict__, "_buffers": {}}

    def _scratch(self, index: int, param: np.ndarray) -> np.ndarray:
        """A reused array shaped like parameter ``index`` for the update's products (not state)."""
        buffer = self._buffers.get(index)
        if buffer is None or buffer.shape != param.shape or buffer.dtype != param.dtype:
            buffer = self._buffers[index] = np.empty_like(param)
        return buffer

    def _decayed(self, param: np.ndarray, grad: np.ndarray) -> np.ndarray:
        if self.weight_decay:
            return grad + param * param.dtype.type(self.weight_decay)
        return grad

    def update(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items() if k != "name")
        return f"{type(self).__name__}({args})"


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum.

    Without momentum: w ← w - lr × g.
    With momentum μ: v ← μ v + g, then w ← w - lr × v;
    Nesterov: v ← μ v + g, then w ← w - lr × (g + μ v).

    ``velocity_lr=True`` keeps the learning rate inside the velocity, as scikit-learn's MLP
    does: v ← μ v - lr × g, then w ← w + v (Nesterov: w ← w + μ v - lr × g). With a fixed
    learning rate the two are the same steps; when a schedule changes lr they differ, since
    here the old steps keep the old rate.
    """

    name = "sgd"
    velocity_lr = False  # what an SGD pickled before the option existed did

    def __init__(
        self,
        lr: float = 0.01,
        momentum: float = 0.0,
        nesterov: bool = False,
        weight_decay: float = 0.0,
        velocity_lr: bool = False,
    ):
        super().__init__(lr, weight_decay)
        self.momentum = fraction(momentum, "momentum")
        if not isinstance(nesterov, (bool, np.bool_)):
            raise ValueError(f"nesterov must be True or False, got {nesterov!r}")
        if nesterov and self.momentum == 0:
            raise ValueError("nesterov=True needs momentum > 0")
        if not isinstance(velocity_lr, (bool, np.bool_)):
            raise ValueError(f"velocity_lr must be True or False, got {velocity_lr!r}")
        self.nesterov = bool(nesterov)
        self.velocity_lr = bool(velocity_lr)
        self.velocities: list[np.ndarray] = []

    @property
    def plain(self) -> bool:
        return self.momentum == 0 and self.weight_decay == 0

    def config(self) -> dict:
        config = {**super().config(), "momentum": self.momentum, "nesterov": self.nesterov}
        return {**config, "velocity_lr": True} if self.velocity_lr else config

    def state_arrays(self) -> list[np.ndarray]:
        return self.velocities

    def _set_state_arrays(self, arrays):
        self.velocities = arrays

    def update(self, params, grads):
        self.steps += 1
        if self.momentum and not self.velocities:
            self.velocities = [np.zeros_like(p) for p in params]
        for index, (param, grad) in enumerate(zip(params, grads)):
            grad = self._decayed(param, grad)
            lr = param.dtype.type(self.lr)
            if not self.momentum:
                param -= grad * lr
                continue
            velocity = self.velocities[index]
            velocity *= param.dtype.type(self.momentum)
            if self.velocity_lr:
                self._descend_with_lr_in(param, grad, velocity, lr, index)
                continue
            velocity += grad
            step = self._scratch(index, param)  # lr × (g + μ v) or lr × v, without a new array
            if self.nesterov:
                np.multiply(velocity, param.dtype.type(self.momentum), out=step)
                np.add(grad, step, out=step)
                step *= lr
            else:
                np.multiply(velocity, lr, out=step)
            param -= step

    def _descend_with_lr_in(self, param, grad, velocity, lr, index) -> None:
        """v ← μ v - lr × g (v already holds μ v), then w ← w + v, or w + μ v - lr × g."""
        step = np.multiply(grad, lr, out=self._scratch(index, param))
        velocity -= step
        if self.nesterov:
            np.subtract(velocity * param.dtype.type(self.momentum), step, out=step)
            param += step
        else:
            param += velocity


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015).

    m ← β1 m + (1 - β1) g;  v ← β2 v + (1 - β2) g²;
    w ← w - lr × m̂ / (√v̂ + ε), with m̂ = m / (1 - β1ᵗ) and v̂ = v / (1 - β2ᵗ).

    ``eps_corrected=False`` adds ε to √v instead of √v̂, as scikit-learn's MLP does:
    w ← w - lr √(1-β2ᵗ)/(1-β1ᵗ) × m / (√v + ε). The two differ only where √v is near ε.
    """

    name = "adam"

    def __init__(
        self,
        lr: float = 0.001,
        beta1: float = 0.9,
        beta2: float = 0.999,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        eps_corrected: bool = True,
    ):
        super().__init__(lr, weight_decay)
        self.beta1, self.beta2 = fraction(beta1, "beta1"), fraction(beta2, "beta2")
        self.eps = positive_number(eps, "eps")
        if not isinstance(eps_corrected, (bool, np.bool_)):
            raise ValueError(f"eps_corrected must be True or False, got {eps_corrected!r}")
        self.eps_corrected = bool(eps_corrected)
        self.first_moments: list[np.ndarray] = []
        self.second_moments: list[np.ndarray] = []

    def config(self) -> dict:
        config = {**super().config(), "beta1": self.beta1, "beta2": self.beta2, "eps": self.eps}
        return config if self.eps_corrected else {**config, "eps_corrected": False}

    def state_arrays(self) -> list[np.ndarray]:
        return self.first_moments + self.second_moments

    def _set_state_arrays(self, arrays):
        if len(arrays) % 2:
            raise ValueError("adam keeps first and second moments in pairs")
        half = len(arrays) // 2
        self.first_moments, self.second_moments = arrays[:half], arrays[half:]

    def update(self, params, grads):
        if not self.first_moments:
            self.first_moments = [np.zeros_like(p) for p in params]
            self.second_moments = [np.zeros_like(p) for p in params]
        self.steps += 1
        t = self.steps
        step_size = self.lr * np.sqrt(1 - self.beta2**t) / (1 - self.beta1**t)
        eps_hat = self.eps * np.sqrt(1 - self.beta2**t) if self.eps_corrected else self.eps
        for index, (param, grad, m, v) in enumerate(
            zip(params, grads, self.first_moments, self.second_moments)
        ):
            kind = param.dtype.type
            grad = self._decayed(param, grad)
            scratch = self._scratch(index, param)  # every product below is written into it
            m *= kind(self.beta1)
            m += np.multiply(grad, kind(1 - self.beta1), out=scratch)
            v *= kind(self.beta2)
            np.square(grad, out=scratch)
            scratch *= kind(1 - self.beta2)
            v += scratch
            # lr m̂ / (√v̂ + ε) written as lr √(1-β2ᵗ)/(1-β1ᵗ) × m / (√v + ε √(1-β2ᵗ)).
            denominator = np.sqrt(v, out=scratch)
            denominator += kind(eps_hat)
            np.divide(m, denominator, out=denominator)
            denominator *= kind(step_size)
            param -= denominator


OPTIMIZERS = Registry("optimizer", {"sgd": SGD, "adam": Adam})


def get_optimizer(optimizer: str | Optimizer, lr: float | None = None, **options) -> Optimizer:
    """An Optimizer from a name ("sgd", "adam") and options, or the instance itself."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    cls = OPTIMIZERS.resolve(optimizer, "optimizer")
    if lr is not None:
        options["lr"] = lr
    try:
        return cls(**options)
    except TypeError as error:
        raise ValueError(f"optimizer {optimizer!r}: {error}") from None
