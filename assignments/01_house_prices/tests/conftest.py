"""Trusted-side data and assertion helpers for the 01_house_prices hidden suite.

Everything here runs in the grading process, never in the worker: the data is read from the release and
student results are compared against reference answers. Those come from the engine's `ref` fixture
(``assignments/01_house_prices/reference.py`` in the course repository, its recorded answers in the
published grader); the `helpers` fixture below holds this suite's checking tools.
"""
from __future__ import annotations

import functools
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import sklearn.cluster  # noqa: F401  the reference answers' heavy imports load at collection, beside the worker's load
import sklearn.decomposition  # noqa: F401
import sklearn.linear_model  # noqa: F401
import sklearn.model_selection  # noqa: F401
import sklearn.preprocessing  # noqa: F401
from autograder.testing import remote_type, worker_import
from threadpoolctl import threadpool_limits

CSV = Path("data") / "saratoga_houses.csv"
TARGET = "price"
SEED = 42
NUMERIC = ["lotSize", "age", "landValue", "livingArea", "pctCollege", "bedrooms", "fireplaces", "bathrooms", "rooms"]
CATEGORICAL = ["heating", "fuel", "sewer", "waterfront", "newConstruction", "centralAir"]


@pytest.fixture(autouse=True)
def _one_thread_on_the_trusted_side():
    """References (k-means, PCA, ridge) run single-threaded here: OpenMP on a busy 2-core runner can be 100x
    slower with 2 threads, and the results do not depend on it. The worker keeps its own settings."""
    with threadpool_limits(1):
        yield


@functools.lru_cache(maxsize=2)
def _read(path: str) -> pd.DataFrame:
    return pd.read_csv(path)


@pytest.fixture
def houses(release_dir) -> pd.DataFrame:
    """The full Saratoga table (1728 x 16), read on the trusted side."""
    return _read(str(Path(release_dir) / CSV)).copy()


@pytest.fixture
def features(houses) -> tuple[pd.DataFrame, pd.Series]:
    return houses.drop(columns=[TARGET]), houses[TARGET]


@pytest.fixture
def split(features, ref):
    """The reference split (test_size=0.2, random_state=42): (X_train, X_test, y_train, y_test)."""
    X, y = features
    train, test = ref.split_index(X, y, 0.2, SEED)
    return X.loc[train], X.loc[test], y.loc[train], y.loc[test]


def within_cluster_ss(Z: np.ndarray, labels: np.ndarray) -> float:
    """k-means objective of a labelling: squared distances to each cluster's mean."""
    return float(sum(((Z[labels == c] - Z[labels == c].mean(axis=0)) ** 2).sum() for c in np.unique(labels)))


def align_signs(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Principal axes are defined up to sign: flip each column of ``scores`` to agree with ``reference``."""
    signs = np.sign(np.sum(scores * reference, axis=0))
    signs[signs == 0] = 1
    return scores * signs


def dense(matrix) -> np.ndarray:
    """A transformer's output as a dense array (a sparse matrix stays in the worker until densified)."""
    if isinstance(matrix, np.ndarray):
        return matrix
    return np.asarray(matrix.toarray())


def find_column(Z: np.ndarray, column: np.ndarray, atol: float = 1e-6) -> bool:
    """Whether some column of Z equals ``column`` (any order of the output columns is accepted)."""
    return bool(np.any(np.all(np.abs(Z - np.asarray(column, dtype=float)[:, None]) <= atol, axis=0)))


def type_name(remote) -> str:
    """The qualified name of a worker-side object's type, e.g. 'sklearn.linear_model._ridge.Ridge'."""
    return remote_type(remote)


def worker_class(submission, module: str, name: str):
    """A scikit-learn class living in the worker, to build estimators there for the student's functions."""
    return getattr(worker_import(submission, module), name)


@pytest.fixture
def helpers():
    """This suite's checking tools, as plain functions (the reference answers come from the engine's `ref`)."""
    return SimpleNamespace(
        within_cluster_ss=within_cluster_ss, align_signs=align_signs, dense=dense, find_column=find_column,
        type_name=type_name, worker_class=worker_class, NUMERIC=NUMERIC, CATEGORICAL=CATEGORICAL,
    )
