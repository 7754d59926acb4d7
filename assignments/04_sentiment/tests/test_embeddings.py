"""mean_pool, embed, and the end-to-end gate: frozen MiniLM embeddings + logistic regression reach
>= 0.65 cross-validated accuracy.

Tolerances: mean_pool to 1e-6 (float32 arithmetic is fine); embed to 1e-5 of SentenceTransformer.encode
(a float32 model). The tests of embed run it on the suite's mean_pool (conftest's trusted_mean_pool), and the
gate cross-validates on the trusted side: embed is judged apart from mean_pool and cross_val_proba."""

import numpy as np
import pytest
from conftest import EMBEDDING_DIM, assert_close, sk_folds

SENTENCES = [
    "a gorgeous , witty , seductive movie .",
    "dull .",
    "the plot is nothing but boilerplate clichés from start to finish , and the script assumes that not only "
    "would subtlety be lost on the target audience , but that it's also too stupid to realize that they've "
    "already seen this exact same movie a hundred times",
    "i didn't laugh once :(",
    "",
    "an absolute joy <3 see www.example.com",
    "not bad at all",
]


@pytest.mark.points(2)
def test_mean_pool_ignores_padding(submission, rng, ref):
    B, T, d = 6, 9, 5
    H = rng.normal(size=(B, T, d))
    lengths = np.array([9, 1, 4, 7, 2, 5])
    M = (np.arange(T)[None, :] < lengths[:, None]).astype(np.int64)
    H[M == 0] += 100.0  # padding positions carry large garbage: averaging them in is obvious
    expected = ref.mean_pool(H, M)
    got = np.asarray(submission.mean_pool(H, M), dtype=float)
    assert got.shape == (B, d), f"mean_pool: expected shape {(B, d)}, got {got.shape}"
    assert_close(got, expected, atol=1e-6, msg=(
        "mean_pool: average only the positions where the mask is 1 (sum(M*H) / sum(M)), then scale each row to "
        "unit L2 norm"))
    got32 = np.asarray(submission.mean_pool(H.astype(np.float32), M.astype(np.float32)), dtype=float)
    assert_close(got32, expected, atol=1e-5, msg="mean_pool with float32 inputs")


@pytest.mark.points(1)
def test_mean_pool_empty_mask_gives_zeros(submission, rng, ref):
    H = rng.normal(size=(3, 4, 6))
    M = np.array([[1, 1, 0, 0], [0, 0, 0, 0], [1, 0, 0, 0]])
    got = np.asarray(submission.mean_pool(H, M), dtype=float)
    assert not np.isnan(got).any(), "mean_pool returned NaN for a row whose mask is all zeros (0 / 0): clamp"
    assert_close(got[1], np.zeros(6), atol=1e-12, msg="a row with no real token should come back as zeros")
    assert_close(got, ref.mean_pool(H, M), atol=1e-6, msg="mean_pool: the other rows")


@pytest.mark.points(2)
def test_embed_matches_sentence_transformers(submission, minilm, trusted_mean_pool):
    expected = minilm.encode(SENTENCES, normalize_embeddings=True, convert_to_numpy=True)
    for batch_size in (3, 32):
        got = np.asarray(submission.embed(SENTENCES, batch_size=batch_size), dtype=float)
        assert got.shape == (len(SENTENCES), EMBEDDING_DIM), (
            f"embed(sentences, batch_size={batch_size}): expected shape {(len(SENTENCES), EMBEDDING_DIM)}, "
            f"got {got.shape}")
        assert_close(got, expected, atol=1e-5, msg=(
            f"embed(..., batch_size={batch_size}) differs from SentenceTransformer.encode(normalize_embeddings=True): "
            "mask the padding in mean_pool, cover every sentence (including a last, shorter batch), keep the order"))


@pytest.mark.points(2)
def test_embedding_cv_accuracy_gate(submission, reviews, trusted_mean_pool):
    """End to end: embed the 200 reviews, 5 stratified folds, logistic regression (C=1): accuracy >= 0.65.

    The reference reaches about 0.72 here (0.71-0.77 over fold seeds); bag of words is at chance (about 0.55)."""
    sentences, y = reviews
    E = np.asarray(submission.embed(sentences, batch_size=64), dtype=float)
    assert E.shape == (200, EMBEDDING_DIM), f"embed(reviews): expected shape (200, {EMBEDDING_DIM}), got {E.shape}"
    folds = sk_folds(y, n_splits=5, seed=0)
    # the suite's own cross-validation (make_classifier's model) on the trusted side: cross_val_proba has its own tests
    from sklearn.linear_model import LogisticRegression

    proba = np.full(shape=len(y), fill_value=np.nan)
    for train, test in folds:
        proba[test] = LogisticRegression(C=1.0, max_iter=1000).fit(E[train], y[train]).predict_proba(E[test])[:, 1]
    acc = float(np.mean((proba >= 0.5) == y))
    assert acc >= 0.65, (
        f"MiniLM embeddings + logistic regression reach only {acc:.3f} 5-fold accuracy (gate 0.65, reference about "
        "0.72): check embed (every sentence, in order, one mean_pool per batch)")
