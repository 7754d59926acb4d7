"""Task 7: PCA and k-means on the standardized numeric features of the houses."""
import numpy as np
import pandas as pd
import pytest


@pytest.mark.points(2)
def test_pca_projection_scores(submission, ref, helpers, features):
    X, _ = features
    scores, _ = submission.pca_projection(X, n_components=3)
    want, _ = ref.pca(X, 3)
    scores = np.asarray(scores, dtype=float)
    assert scores.shape == want.shape, f"pca_projection(X, n_components=3) scores: expected shape {want.shape}, got {scores.shape}"
    assert np.allclose(helpers.align_signs(scores, want), want, rtol=1e-3, atol=1e-6), (
        "the principal-component scores differ from PCA on the standardized numeric columns (up to the sign of "
        "each axis): keep only X.select_dtypes(include='number'), standardize it with StandardScaler, then "
        "PCA(n_components).fit_transform. Unscaled, landValue (dollars) alone decides the first axis"
    )


@pytest.mark.points(1)
def test_pca_projection_explained_variance_ratio(submission, ref, features):
    X, _ = features
    _, ratio = submission.pca_projection(X, n_components=3)
    _, want = ref.pca(X, 3)
    ratio = np.asarray(ratio, dtype=float)
    assert ratio.shape == want.shape and np.allclose(ratio, want, rtol=1e-6), (
        f"explained variance ratios: expected {np.round(want, 4)}, got {np.round(ratio, 4)}. Return "
        "explained_variance_ratio_ (fractions that sum to 1 over all components), not explained_variance_, of "
        "PCA on the STANDARDIZED numeric columns"
    )


@pytest.mark.points(2)
def test_kmeans_segments_reach_a_good_optimum(submission, ref, helpers, features):
    X, _ = features
    labels = np.asarray(submission.kmeans_segments(X, n_clusters=4))
    assert labels.shape == (len(X),), f"expected one label per house, shape ({len(X)},), got {labels.shape}"
    assert set(np.unique(labels).tolist()) == {0, 1, 2, 3}, (
        f"with n_clusters=4 the labels should be 0..3, got {sorted(np.unique(labels).tolist())}"
    )
    objective = helpers.within_cluster_ss(ref.standardized_numeric(X), labels)
    best = ref.kmeans_objective(X, 4)
    assert objective <= 1.05 * best, (
        f"the within-cluster sum of squares of your segments on the standardized numeric features is "
        f"{objective:.0f}, the reference reaches {best:.0f} (tolerance 5%): cluster the STANDARDIZED numeric "
        "columns with KMeans(n_clusters, n_init=10, random_state=random_state)"
    )


@pytest.mark.points(1)
def test_kmeans_segments_are_scale_free(submission, rng):
    n = 40
    X = pd.DataFrame({
        "rooms": np.r_[rng.normal(4, 0.4, n), rng.normal(9, 0.4, n)],  # two clear groups...
        "noise_dollars": rng.normal(0, 60_000, 2 * n),                   # ...and a big-number noise column
        "fuel": ["gas", "oil"] * n,                                      # text columns are ignored
    })
    labels = np.asarray(submission.kmeans_segments(X, n_clusters=2, random_state=0))
    assert labels.shape == (2 * n,), f"expected {2 * n} labels, got shape {labels.shape}"
    first, second = labels[:n], labels[n:]
    assert len(set(first)) == 1 and len(set(second)) == 1 and first[0] != second[0], (
        "k-means did not recover two groups that differ only in 'rooms' next to a noise column measured in "
        "dollars: standardize the numeric columns before clustering, or distances are all about the dollars"
    )
