"""How many BLAS threads training's matrix products use.

Splitting a small matrix product across threads costs more in synchronisation than
it saves: on the 2-core development machine a (64 × 128) @ (128 × 128) product takes
24 µs on one thread and 37 µs on two, while (256 × 128) @ (128 × 128) is the other
way round (94 µs and 54 µs). So training runs its small products on one thread and
leaves large ones to every thread BLAS has.

The limit is set through threadpoolctl (installed with scikit-learn, or the
``fast`` extra); without it training simply runs with BLAS's own setting.
"""

from __future__ import annotations

import contextlib

__all__ = ["BLAS_SINGLE_THREAD_FLOPS", "SINGLE_THREAD_FLOPS", "blas_threads_for"]

#: A step whose largest matrix product has fewer floating-point operations than this
#: (2 × rows × inputs × outputs) runs on one BLAS thread.
SINGLE_THREAD_FLOPS = 6e6
#: Below this many operations OpenBLAS keeps a product on one thread by itself
#: (m × n × k ≤ 65536 × 4), so there is nothing to limit and no cost to pay for it.
BLAS_SINGLE_THREAD_FLOPS = 2 * 65536 * 4

_controller = None


def blas_threads_for(batch_size: int, layer_shapes: list[tuple[int, int]]):
    """A context manager that runs training on one BLAS thread when its products are small.

    ``layer_shapes`` are the ``(n_in, n_out)`` of every weight matrix; the largest
    product of a step is about 2 × batch_size × max(n_in × n_out) operations.
    """
    largest = 2.0 * batch_size * max(n_in * n_out for n_in, n_out in layer_shapes)
    if largest >= SINGLE_THREAD_FLOPS or largest <= BLAS_SINGLE_THREAD_FLOPS:
        return contextlib.nullcontext()
    controller = _get_controller()
    if controller is None:
        return contextlib.nullcontext()
    return controller.limit(limits=1, user_api="blas")


def _get_controller():
    """threadpoolctl's controller, built once (inspecting the loaded libraries takes ~1 ms)."""
    global _controller
    if _controller is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _controller = False
        else:
            _controller = ThreadpoolController()
    return _controller or None
