"""Instructor-only reference answers for the 01_house_prices hidden suite (never published).

The hidden tests reach these through the engine's ``ref`` fixture (``ref.pca(X, 3)``): live in the course
repository, replayed from the recorded snapshot in the published grader. Every argument is the release's
data or one of the suite's seeded tables, never something the submission returned.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.linear_model import Ridge
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import KFold, train_test_split
from sklearn.preprocessing import StandardScaler

SEED = 42


def split_index(X: pd.DataFrame, y: pd.Series, test_size: float, random_state: int) -> tuple[list, list]:
    """The row labels of train_test_split(X, y, test_size, random_state)'s training and test parts."""
    X_train, X_test, _, _ = train_test_split(X, y, test_size=test_size, random_state=random_state)
    return [int(i) for i in X_train.index], [int(i) for i in X_test.index]


def standardized_numeric(X: pd.DataFrame) -> np.ndarray:
    return StandardScaler().fit_transform(X.select_dtypes(include="number"))


def _within_cluster_ss(Z: np.ndarray, labels: np.ndarray) -> float:
    return float(sum(((Z[labels == c] - Z[labels == c].mean(axis=0)) ** 2).sum() for c in np.unique(labels)))


def kmeans_objective(X: pd.DataFrame, n_clusters: int) -> float:
    """The within-cluster sum of squares that KMeans(n_init=10, random_state=42) reaches on the standardized
    numeric columns."""
    Z = standardized_numeric(X)
    labels = KMeans(n_clusters=n_clusters, n_init=10, random_state=SEED).fit_predict(Z)
    return _within_cluster_ss(Z, labels)


def pca(X: pd.DataFrame, n_components: int) -> tuple[np.ndarray, np.ndarray]:
    Z = standardized_numeric(X)
    model = PCA(n_components=n_components).fit(Z)
    return model.transform(Z), model.explained_variance_ratio_


def cross_validated_rmse(X: pd.DataFrame, y: pd.Series, n_splits: int, random_state: int) -> np.ndarray:
    scores = []
    for train, test in KFold(n_splits=n_splits, shuffle=True, random_state=random_state).split(X):
        model = Ridge(alpha=1.0).fit(X.iloc[train], y.iloc[train])
        scores.append(root_mean_squared_error(y.iloc[test], model.predict(X.iloc[test])))
    return np.array(scores)
