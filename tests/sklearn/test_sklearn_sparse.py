"""Sparse X (SciPy) stays sparse: the first layer's X @ W and Xᵀ @ dL/dz are SciPy's sparse
products, batches are CSR rows, and the predictions equal those for the same X made dense."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

sp = pytest.importorskip("scipy.sparse")
pytest.importorskip("sklearn")


from chainrule import MLPClassifier, MLPRegressor, Network  # noqa: E402

pytestmark = pytest.mark.usefixtures("quiet_convergence")  # short runs, on purpose (conftest.py)


def _small(rng, n=120, d=40, density=0.1):
    X = sp.random(n, d, density=density, format="csr", random_state=rng, dtype=np.float64)
    w = rng.normal(size=d)
    return X, X @ w


@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
@pytest.mark.parametrize("form", ["csr", "csc", "coo"])
def test_sparse_fit_and_predict_equal_the_dense_input(rng, solver, form):
    X, target = _small(rng)
    labels = (target > np.median(target)).astype(int) + (target > np.quantile(target, 0.8))
    X_sparse, X_dense = X.asformat(form), X.toarray()
    options = {
        "hidden_layer_sizes": (7,),
        "max_iter": 5,
        "random_state": 0,
        "solver": solver,
        "batch_size": 32,
    }
    sparse = MLPClassifier(**options).fit(X_sparse, labels)
    dense = MLPClassifier(**options).fit(X_dense, labels)
    for mine, theirs in zip(sparse.coefs_, dense.coefs_):
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(sparse.predict_proba(X_sparse), dense.predict_proba(X_dense), rtol=1e-9)
    np.testing.assert_array_equal(sparse.predict(X_sparse), dense.predict(X_dense))
    assert sparse.score(X_sparse, labels) == dense.score(X_dense, labels)


def test_sparse_regressor_partial_fit_early_stopping_and_weights(rng):
    X, y = _small(rng, n=200)
    weights = rng.uniform(0.5, 2.0, size=200)
    options = {"hidden_layer_sizes": (5,), "random_state": 0, "batch_size": 50}
    for extra in ({"max_iter": 4, "early_stopping": True}, {"max_iter": 4, "early_stopping": "loss"}):
        sparse = MLPRegressor(**options, **extra).fit(X, y, sample_weight=weights)
        dense = MLPRegressor(**options, **extra).fit(X.toarray(), y, sample_weight=weights)
        np.testing.assert_allclose(sparse.predict(X), dense.predict(X.toarray()), rtol=1e-9, atol=1e-12)
    sparse, dense = MLPRegressor(**options), MLPRegressor(**options)
    for _ in range(2):
        sparse.partial_fit(X, y)
        dense.partial_fit(X.toarray(), y)
    np.testing.assert_allclose(sparse.predict(X), dense.predict(X.toarray()), rtol=1e-9, atol=1e-12)
    assert sparse.score(X, y) == pytest.approx(dense.score(X.toarray(), y), rel=1e-9)


def test_network_fit_and_predict_take_sparse_x(rng):
    X, y = _small(rng)
    sparse, dense = Network([40, 6, 1], seed=3), Network([40, 6, 1], seed=3)
    sparse.fit(X, y, epochs=3, batch_size=16, verbose=0, seed=1)
    dense.fit(X.toarray(), y, epochs=3, batch_size=16, verbose=0, seed=1)
    np.testing.assert_allclose(sparse.predict(X), dense.predict(X.toarray()), rtol=1e-9, atol=1e-12)


def test_sparse_nan_is_refused_naming_row_and_column():
    X = sp.csr_matrix(np.array([[0.0, 1.0], [0.0, np.nan]]))
    with pytest.raises(ValueError, match=r"row 1, column 1: nan"):
        Network([2, 1], seed=0).predict(X)


def test_a_sparse_matrix_too_large_to_make_dense_fits_and_predicts():
    """20,000 × 200,000 at 0.05 % density: about 24 MB sparse, 29.8 GiB as a dense float64
    array. Fitting two epochs and predicting must allocate far less than its dense form."""
    rng = np.random.RandomState(0)
    n, d = 20_000, 200_000
    per_row = 100  # 0.05 % of 200,000
    columns = rng.randint(0, d, n * per_row)
    X = sp.csr_matrix((rng.rand(n * per_row), columns, np.arange(0, n * per_row + 1, per_row)), shape=(n, d))
    X.sum_duplicates()
    y = rng.randint(0, 2, n)
    tracemalloc.start()
    try:
        model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2, random_state=0).fit(X, y)
        probabilities = model.predict_proba(X)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert probabilities.shape == (n, 2)
    assert np.isfinite(probabilities).all()
    assert model.n_iter_ == 2
    assert peak < 1 << 30, f"peak allocation {peak / 2**20:.0f} MiB"
