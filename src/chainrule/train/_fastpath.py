"""The training fast path: the chain rule of ``nn.propagation`` run through reused buffers.

This is the one place the training loop's speed tricks live, so that ``nn/`` reads
like the maths:

- every z, a, dL/da, dL/dz, dL/dW and dL/db is written with ``out=`` into a
  ``Workspace`` allocated once per batch size (no allocation per step);
- the weight slopes are views into one flat vector laid out like the network's
  flat parameters, so the divergence check and the update are one operation each;
- for plain gradient descent the learning rate is folded into the output slope,
  so every weight slope comes out as lr × dL/dW and the update is one subtraction;
- it runs under ``np.errstate`` with overflow silenced (the loop checks the loss and
  the slopes for non-finite values itself), so the sigmoid skips its own guard;
- a sparse X (SciPy CSR) meets only the first layer: its z = X W and dL/dW = Xᵀ dL/dz
  are SciPy's sparse products, copied into the same buffers;
- a softmax output keeps z - max(z) and Σ exp, so the cross-entropy's value reuses them
  instead of recomputing the log-sum-exp, and each row's max is read at its argmax
  (the same number, without a slow reduction over short rows).

Each kernel computes exactly the operations of its plain counterpart in the same
order, so in float64 the fast path gives the plain path's numbers bit for bit
(with the learning rate folded in, bit for bit when lr is a power of two, since
scaling by one is exact): ``tests/train/test_fastpath.py`` checks it.
"""

from __future__ import annotations

import numpy as np

from ..nn.activations import Exp, Identity, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from ..nn.layers import Dense
from ..nn.losses import (
    BinaryCrossEntropy,
    BinaryCrossEntropySum,
    CrossEntropy,
    HalfMeanSquaredError,
    Loss,
    MeanSquaredError,
    Poisson,
    SumSquaredError,
)
from ..nn.propagation import Slopes, Trace

__all__ = ["Workspace", "forward", "output_slopes", "backward_from", "add_l2"]


class Workspace:
    """Preallocated arrays for one batch size, reused by every training step.

    Holds z and a for every layer (the Trace) and dL/da, dL/dz, dL/dW, dL/db (the
    Slopes). Build one per batch size with ``Workspace(layers, n)``.
    """

    def __init__(self, layers: list[Dense], n_samples: int):
        dtype = layers[0].weight.dtype
        self.n_samples = n_samples
        shapes = [(n_samples, layer.n_outputs) for layer in layers]
        self.z = [np.empty(shape, dtype) for shape in shapes]
        self.a = [np.empty(shape, dtype) for shape in shapes]
        self.dL_da = [np.empty(shape, dtype) for shape in shapes]
        self.dL_dz = [np.empty(shape, dtype) for shape in shapes]
        sizes = [p.size for layer in layers for p in (layer.weight, layer.bias) if p is not None]
        #: Every weight slope is a view into this one vector, laid out like the flat parameters.
        self.flat_gradient = np.empty(sum(sizes), dtype)
        self.dL_dW, self.dL_db = [], []
        offset = 0
        for layer in layers:
            size = layer.weight.size
            self.dL_dW.append(self.flat_gradient[offset : offset + size].reshape(layer.weight.shape))
            offset += size
            if layer.bias is None:
                self.dL_db.append(None)
                continue
            self.dL_db.append(self.flat_gradient[offset : offset + layer.bias.size])
            offset += layer.bias.size
        #: The bias node's value for every sample: dL/db = ones @ dL/dz.
        self.ones = np.ones(n_samples, dtype)
        #: Each layer's activation as a kernel writing into a buffer (looked up once, not per step).
        self.activate = [_kernel_for(layer.activation, shape, dtype) for layer, shape in zip(layers, shapes)]
        self.activation_backward = [
            _BACKWARD.get(type(layer.activation), _plain_backward) for layer in layers
        ]
        n_layers = len(layers)
        #: a × mask for each hidden layer with dropout, allocated on first use.
        self.kept: list[np.ndarray | None] = [None] * n_layers
        self.trace = Trace([None] * n_layers, [None] * n_layers, [None] * n_layers)
        self.slopes = Slopes([None] * n_layers, [None] * n_layers, [None] * n_layers)


# --------------------------------------------------------------- activations
def _identity_forward(activation, z, out):
    return z


def _relu_forward(activation, z, out):
    return np.maximum(z, 0.0, out=out)


def _leaky_forward(activation, z, out):
    return np.maximum(z, z * z.dtype.type(activation.negative_slope), out=out)


def _tanh_forward(activation, z, out):
    return np.tanh(z, out=out)


def _sigmoid_forward(activation, z, out):
    a = np.negative(z, out)
    np.exp(a, a)
    np.add(a, 1.0, a)
    return np.reciprocal(a, a)


class SoftmaxKernel:
    """The softmax of one (n, k) layer, keeping what the cross-entropy's value needs.

    a = exp(z - m) / s with m = max(z) and s = Σ exp(z - m) per row, as ``Softmax.forward``
    computes it; ``shifted`` (z - m) and ``sums`` (s) stay for ``cross_entropy``:
    L = -Σ y (z - m - log s) / n, the log-sum-exp of ``CrossEntropy.value``, bit for bit.
    """

    def __init__(self, shape: tuple[int, int], dtype):
        n, k = shape
        self.shifted = np.empty(shape, dtype)
        self.sums = np.empty((n, 1), dtype)
        self.row_max = np.empty((n, 1), dtype)
        self.row_starts = np.arange(n)[:, None] * k  # flat index of each row's first node

    def __call__(self, activation, z, out):
        # max(z) per row, read at its argmax: a reduction over rows of k ≈ 10 numbers is slow.
        np.take(z, self.row_starts + z.argmax(axis=1)[:, None], out=self.row_max)
        np.subtract(z, self.row_max, out=self.shifted)
        np.exp(self.shifted, out=out)
        np.add.reduce(out, axis=1, keepdims=True, out=self.sums)
        return np.divide(out, self.sums, out=out)

    def cross_entropy(self, y: np.ndarray) -> float:
        """-Σ y log a / n from the kept z - m and s (the latest call's)."""
        log_a = self.shifted - np.log(self.sums)
        return float(-np.vdot(y, log_a) / y.shape[0])


def _exp_forward(activation, z, out):
    return np.exp(z, out=out)


def _identity_backward(activation, z, a, dL_da, out):
    return dL_da


def _relu_backward(activation, z, a, dL_da, out):
    return np.multiply(dL_da, np.greater(z, 0.0), out=out)


def _leaky_backward(activation, z, a, dL_da, out):
    return np.multiply(dL_da, activation.slope(z, a), out=out)


def _tanh_backward(activation, z, a, dL_da, out):
    slope = np.multiply(a, a, out=out)
    np.subtract(1.0, slope, out=slope)
    return np.multiply(dL_da, slope, out=slope)


def _sigmoid_backward(activation, z, a, dL_da, out):
    dL_dz = np.subtract(1.0, a, out)
    np.multiply(dL_dz, a, dL_dz)  # slope a (1 - a)
    return np.multiply(dL_dz, dL_da, dL_dz)


def _exp_backward(activation, z, a, dL_da, out):
    return np.multiply(dL_da, a, out=out)


def _softmax_backward(activation, z, a, dL_da, out):
    weighted = (a * dL_da).sum(axis=1, keepdims=True)
    dL_dz = np.subtract(dL_da, weighted, out=out)
    dL_dz *= a
    return dL_dz


_FORWARD = {
    Identity: _identity_forward,
    ReLU: _relu_forward,
    LeakyReLU: _leaky_forward,
    Tanh: _tanh_forward,
    Sigmoid: _sigmoid_forward,
    Exp: _exp_forward,
}
_BACKWARD = {
    Identity: _identity_backward,
    ReLU: _relu_backward,
    LeakyReLU: _leaky_backward,
    Tanh: _tanh_backward,
    Sigmoid: _sigmoid_backward,
    Softmax: _softmax_backward,
    Exp: _exp_backward,
}


def _plain_forward(activation, z, out):
    return activation.forward(z)  # an activation without a kernel: its own formula


def _plain_backward(activation, z, a, dL_da, out):
    return activation.backward(z, a, dL_da)


def _kernel_for(activation, shape: tuple[int, int], dtype):
    """The forward kernel of ``activation`` for node values of ``shape`` (softmax keeps buffers)."""
    if type(activation) is Softmax:
        return SoftmaxKernel(shape, dtype)
    return _FORWARD.get(type(activation), _plain_forward)


def _activate(activation, z, out):
    return _kernel_for(activation, z.shape, z.dtype)(activation, z, out)


def _activation_backward(activation, z, a, dL_da, out):
    return _BACKWARD.get(type(activation), _plain_backward)(activation, z, a, dL_da, out)


# -------------------------------------------------------------- propagation
def forward(layers: list[Dense], X: np.ndarray, ws: Workspace, masks=None) -> Trace:
    """``nn.propagation.forward`` into the workspace (with dropout ``masks``, as there);
    returns the workspace's Trace."""
    trace = ws.trace
    trace.masks = masks
    x = X
    for index, layer in enumerate(layers):
        trace.inputs[index] = x
        if isinstance(x, np.ndarray):
            z = np.dot(x, layer.weight, out=ws.z[index])
        else:  # a sparse X (first layer only): SciPy's sparse @ dense product, copied in
            z = ws.z[index]
            np.copyto(z, x @ layer.weight)
        if layer.bias is not None:
            np.add(z, layer.bias, out=z)
        trace.node_inputs[index] = z
        x = trace.node_outputs[index] = ws.activate[index](layer.activation, z, ws.a[index])
        if masks is not None and masks[index] is not None:
            if ws.kept[index] is None:
                ws.kept[index] = np.empty_like(ws.a[index])
            x = np.multiply(x, masks[index], out=ws.kept[index])
    return trace


def output_slopes(
    loss: Loss, layers: list[Dense], trace: Trace, y: np.ndarray, ws: Workspace, lr=None, weights=None
):
    """``(loss value, dL/dz at the output)``, the slope multiplied by ``lr`` when given.

    ``weights`` ``(n,)``: row weights (``propagation.row_weights``) multiply the rows of the
    first slope formed, as ``propagation.backward`` does. The squared errors compute the
    error a - y once for the value and the slope.
    """
    z, a = trace.node_inputs[-1], trace.node_outputs[-1]
    activation = layers[-1].activation
    dL_da_out, dL_dz_out = ws.dL_da[-1], ws.dL_dz[-1]
    rows = None if weights is None else weights[:, None].astype(a.dtype, copy=False)
    factor = _SQUARED.get(type(loss))
    if factor is not None:  # dL/da = factor (a - y) / size, the value Σ (a - y)² factor / (2 size)
        error = np.subtract(a, y, dL_da_out)
        size = a.size if loss.reduction == "mean" else 1
        if rows is None:
            total = float(np.vdot(error, error))
            value = total / size if factor == 2.0 else total / (2 * size)
        else:
            value = loss.weighted_value(z, a, y, weights)
        np.multiply(error, float(factor / size if lr is None else factor * lr / size), error)  # dL/da (× lr)
        if rows is not None:
            np.multiply(error, rows, error)
        return value, ws.activation_backward[-1](activation, z, a, error, dL_dz_out)
    kernel = ws.activate[-1]
    if weights is None and type(loss) is CrossEntropy and isinstance(kernel, SoftmaxKernel):
        value = kernel.cross_entropy(y)
    else:
        value = loss.weighted_value(z, a, y, weights)
    if loss.fused:
        scale = _FUSED.get(type(loss))
        if scale is None:  # another fused loss: its own output_delta
            dL_dz = loss.output_delta(activation, z, a, y)
        else:  # dL/dz = (a - y) / n(k), the activation's slope cancelled
            dL_dz = np.subtract(a, y, out=dL_dz_out)
            dL_dz *= scale(a)
        if rows is not None:
            np.multiply(dL_dz, rows, dL_dz)
        if lr is not None:
            np.multiply(dL_dz, float(lr), dL_dz)
        return value, dL_dz
    dL_da = loss.slope(a, y)
    if rows is not None:
        np.multiply(dL_da, rows, dL_da)
    if lr is not None:
        np.multiply(dL_da, float(lr), dL_da)
    return value, ws.activation_backward[-1](activation, z, a, dL_da, dL_dz_out)


#: The squared errors and the factor of their slope dL/da = factor (a - y) / size.
_SQUARED = {MeanSquaredError: 2.0, SumSquaredError: 2.0, HalfMeanSquaredError: 1.0}
#: The scale 1 / n(k) of each fused loss's dL/dz = (a - y) / n(k).
_FUSED = {
    BinaryCrossEntropy: lambda a: 1.0 / a.size,
    CrossEntropy: lambda a: 1.0 / a.shape[0],
    BinaryCrossEntropySum: lambda a: 1.0 / a.shape[0],
    Poisson: lambda a: 1.0 / a.size,
}


def backward_from(layers: list[Dense], trace: Trace, dL_dz: np.ndarray, ws: Workspace) -> Slopes:
    """``nn.propagation.backward_from`` into the workspace; returns the workspace's Slopes."""
    slopes = ws.slopes
    slopes.dL_da[-1] = None
    for index in range(len(layers) - 1, -1, -1):
        layer = layers[index]
        slopes.dL_dz[index] = dL_dz
        x = trace.inputs[index]
        if isinstance(x, np.ndarray):
            dL_dW = np.dot(x.T, dL_dz, out=ws.dL_dW[index])
        else:  # a sparse X: xᵀ @ dL/dz as SciPy's sparse product
            dL_dW = ws.dL_dW[index]
            np.copyto(dL_dW, x.T @ dL_dz)
        dL_db = None if layer.bias is None else np.dot(ws.ones, dL_dz, out=ws.dL_db[index])
        slopes.weights[index] = (dL_dW, dL_db)
        if index == 0:
            break
        dL_da = slopes.dL_da[index - 1] = np.dot(dL_dz, layer.weight.T, out=ws.dL_da[index - 1])
        if trace.masks is not None and trace.masks[index - 1] is not None:
            np.multiply(dL_da, trace.masks[index - 1], out=dL_da)  # × the dropout mask
        before = index - 1
        dL_dz = ws.activation_backward[before](
            layers[before].activation,
            trace.node_inputs[before],
            trace.node_outputs[before],
            dL_da,
            ws.dL_dz[before],
        )
    return slopes


def add_l2(layers: list[Dense], ws: Workspace, strength: float, total_weight: float) -> float:
    """``nn.propagation.add_l2`` in place on the workspace's dL/dW; returns the penalty."""
    factor = strength / total_weight
    squares = 0.0
    for layer, dL_dW in zip(layers, ws.dL_dW):
        squares += float(np.vdot(layer.weight, layer.weight))
        dL_dW += layer.weight * dL_dW.dtype.type(factor)
    return 0.5 * factor * squares
