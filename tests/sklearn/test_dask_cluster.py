"""chainrule's estimators on a real Dask cluster: a ``LocalCluster`` of two worker processes
of one thread each, on loopback, with no dashboard, reached through a ``Client`` just as a
cluster of many machines is (``Client("tcp://scheduler:8786")``).

- ``GridSearchCV`` and ``RandomizedSearchCV`` under ``joblib.parallel_backend("dask")`` give
  the very numbers of a sequential run: fits are seeded, so where they run cannot matter.
- A worker killed in the middle of a search: Dask runs its lost task again on the other
  worker, the nanny starts a new worker process, and the numbers are still the same.
- dask-ml's ``Incremental`` passes the model from process to process, one chunk per task,
  and ends with the model a single process makes.
"""

from __future__ import annotations

import itertools
import os
import signal

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("distributed")
pytest.importorskip("dask_ml")

import dask
import dask.array as da
import joblib
from dask_ml.wrappers import Incremental
from distributed import Client, LocalCluster, get_worker
from scipy.stats import loguniform
from sklearn.datasets import load_breast_cancer, load_diabetes
from sklearn.model_selection import GridSearchCV, ParameterGrid, RandomizedSearchCV, StratifiedKFold
from sklearn.preprocessing import StandardScaler

from chainrule import MLPClassifier, MLPRegressor

#: The environment variable that names the marker file of the worker-loss test (set in the
#: workers only, never in this process).
KILL_ONCE = "CHAINRULE_TEST_KILL_ONCE"

SETTINGS = {"max_iter": 40, "learning_rate_init": 0.01, "random_state": 0}
GRID = {"alpha": [1e-4, 1e-2], "hidden_layer_sizes": [(8,), (16,)]}
LAST = list(ParameterGrid(GRID))[-1]  # the grid's last candidate
DISTRIBUTIONS = {"alpha": loguniform(1e-5, 1e-1), "learning_rate_init": [0.003, 0.01]}


pytestmark = pytest.mark.usefixtures("quiet_convergence")  # short runs, on purpose (conftest.py)


@pytest.fixture(scope="module")
def kill_marker(tmp_path_factory):
    return tmp_path_factory.mktemp("dask") / "worker-killed"


@pytest.fixture(scope="module")
def client(kill_marker):
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            host="127.0.0.1",
            env={KILL_ONCE: str(kill_marker)},
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _data(kind):
    """scikit-learn's bundled data, standardised (the target too, for the regressor)."""
    X, y = load_breast_cancer(return_X_y=True) if kind == "classifier" else load_diabetes(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    return (X, y) if kind == "classifier" else (X, (y - y.mean()) / y.std())


def _search(how, estimator):
    if how == "grid":
        return GridSearchCV(estimator, GRID, cv=3)
    return RandomizedSearchCV(estimator, DISTRIBUTIONS, n_iter=4, cv=3, random_state=0)


def _assert_same_search(mine, theirs, X):
    """The same candidates, the same score on every split, the same best model."""
    scores = [key for key in theirs.cv_results_ if key.endswith("test_score")]
    assert mine.cv_results_["params"] == theirs.cv_results_["params"]
    for key in scores:
        np.testing.assert_array_equal(mine.cv_results_[key], theirs.cv_results_[key], err_msg=key)
    assert mine.best_params_ == theirs.best_params_
    np.testing.assert_array_equal(mine.best_estimator_.predict(X), theirs.best_estimator_.predict(X))


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("how", ["grid", "randomized"])
def test_search_on_the_cluster_equals_a_sequential_run(client, how, kind):
    X, y = _data(kind)
    estimator = MLPClassifier(**SETTINGS) if kind == "classifier" else MLPRegressor(**SETTINGS)
    sequential = _search(how, estimator).fit(X, y)
    with joblib.parallel_backend("dask"):
        on_the_cluster = _search(how, estimator).fit(X, y)
    _assert_same_search(on_the_cluster, sequential, X)


class KillsItsWorkerOnce(MLPClassifier):
    """MLPClassifier whose fit of the grid's last candidate, run in a Dask worker, kills that
    worker's process (SIGKILL) the first time: the marker file named by ``KILL_ONCE`` is
    created then, and later fits see it and train as usual. Never kills outside a worker."""

    def fit(self, X, y, sample_weight=None):
        marker = os.environ.get(KILL_ONCE)
        if marker and all(getattr(self, name) == value for name, value in LAST.items()):
            try:
                get_worker()  # ValueError outside a Dask worker
                os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
            except (ValueError, FileExistsError):
                pass
            else:
                os.kill(os.getpid(), signal.SIGKILL)
        return super().fit(X, y, sample_weight=sample_weight)


def test_a_search_survives_losing_a_worker(client, kill_marker):
    """The grid's candidates run in order, so by the last one most fits have come back; one
    of its fits then kills its worker mid-task.

    Dask runs a lost task again, but it cannot remake data a client scattered
    (dask/distributed#3149), and joblib scatters every argument over 1 kB to one worker:
    the data and each fold's row indices. So every worker gets a copy of all of them first
    (``scatter=``, with the folds made up front so they are the very objects the search
    passes on), and the scheduler's active memory manager, which would drop the extra
    copies within seconds, is paused meanwhile; then no argument is lost with a worker."""
    X, y = _data("classifier")
    sequential = GridSearchCV(MLPClassifier(**SETTINGS), GRID, cv=3).fit(X, y)
    folds = list(StratifiedKFold(n_splits=3).split(X, y))  # what cv=3 means for a classifier
    workers = set(client.run(os.getpid).values())
    assert not kill_marker.exists()

    client.amm.stop()
    try:
        with joblib.parallel_backend("dask", scatter=[X, y, *itertools.chain.from_iterable(folds)]):
            survived = GridSearchCV(KillsItsWorkerOnce(**SETTINGS), GRID, cv=folds).fit(X, y)
    finally:
        client.amm.start()

    assert kill_marker.exists()  # a worker died in the middle of a fit ...
    _assert_same_search(survived, sequential, X)  # ... and that fit was run again
    client.wait_for_workers(2, timeout=60)
    assert len(workers & set(client.run(os.getpid).values())) == 1  # the nanny started a new one


def test_incremental_across_worker_processes_equals_one_process(client):
    """Each chunk's partial_fit is a task, so the model (with Adam's moments) is pickled from
    worker to worker; the result must be what the threaded scheduler makes in this process."""
    X, y = _data("classifier")
    dX, dy = da.from_array(X, chunks=(25, X.shape[1])), da.from_array(y, chunks=25)
    assert dX.numblocks[0] >= 20

    def trained(scheduler):
        with dask.config.set(scheduler=scheduler):
            model = Incremental(MLPClassifier(**SETTINGS), random_state=0)
            return model.fit(dX, dy, classes=[0, 1]).partial_fit(dX, dy, classes=[0, 1]).estimator_

    here, there = trained("threads"), trained("dask.distributed")
    for mine, theirs in zip(there.coefs_ + there.intercepts_, here.coefs_ + here.intercepts_):
        np.testing.assert_array_equal(mine, theirs)
