"""Training's BLAS thread choice: one thread for small matrix products, BLAS's own for large."""

import contextlib

import numpy as np
import pytest

from chainrule import Network
from chainrule.train.threads import SINGLE_THREAD_FLOPS, blas_threads_for

threadpoolctl = pytest.importorskip("threadpoolctl", reason="the thread limit needs threadpoolctl")


def _blas_threads() -> list[int]:
    return [info["num_threads"] for info in threadpoolctl.threadpool_info() if info["user_api"] == "blas"]


def test_small_products_run_on_one_blas_thread():
    before = _blas_threads()
    with blas_threads_for(64, [(50, 128), (128, 128), (128, 1)]):
        inside = _blas_threads()
    assert inside and all(n == 1 for n in inside)
    assert _blas_threads() == before


def test_tiny_products_are_left_alone():
    # The course network: BLAS runs (360 × 6) @ (6 × 2) on one thread by itself.
    assert isinstance(blas_threads_for(360, [(6, 2), (2, 1)]), contextlib.nullcontext)


def test_large_products_keep_every_thread():
    context = blas_threads_for(512, [(784, 1024), (1024, 1024), (1024, 10)])
    assert isinstance(context, contextlib.nullcontext)


def test_the_threshold_is_on_the_largest_product():
    # 2 × 100 × (100 × 300) = 6e6: exactly at the threshold, so every thread.
    assert SINGLE_THREAD_FLOPS == 2 * 100 * 100 * 300
    assert isinstance(blas_threads_for(100, [(100, 300), (300, 1)]), contextlib.nullcontext)
    assert not isinstance(blas_threads_for(99, [(100, 300), (300, 1)]), contextlib.nullcontext)


def test_fit_trains_small_batches_on_one_thread_and_restores_the_setting_after_a_failure():
    before = _blas_threads()
    seen = []

    def look_then_fail(epoch, logs):
        seen.append(_blas_threads())
        raise RuntimeError("stop here")

    # (64 × 50) @ (50 × 128): big enough for BLAS to thread it, small enough to run faster on one.
    net = Network([50, 128, 1], seed=0)
    X = np.random.default_rng(0).normal(size=(128, 50))
    with pytest.raises(RuntimeError, match="stop here"):
        net.fit(X, X[:, 0], epochs=2, batch_size=64, verbose=0, callbacks=[look_then_fail])
    assert seen and all(n == 1 for n in seen[0])
    assert _blas_threads() == before
