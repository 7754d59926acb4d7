"""Tasks 3-4: keep_probabilities and subsample."""
import numpy as np
import pytest
from numpy.testing import assert_allclose

from conftest import worker_rng


@pytest.mark.points(2)
def test_keep_probabilities_formula(submission, rng, ref):
    counts = np.concatenate([[50_000, 9_000, 1_200], rng.integers(1, 300, size=60)]).astype(np.int64)
    for t in (1e-3, 1e-4):
        got = np.asarray(submission.keep_probabilities(counts, t), dtype=np.float64)
        want = ref.keep_probabilities(counts, t)
        assert got.shape == want.shape, f"expected shape {want.shape}, got {got.shape}"
        assert_allclose(got, want, rtol=1e-10, err_msg=(
            f"keep probabilities for t={t:g} differ from min(1, (sqrt(f/t) + 1) * t / f) with f = count / total count "
            "(rtol 1e-10)"))


@pytest.mark.points(1)
def test_keep_probabilities_disabled(submission):
    got = np.asarray(submission.keep_probabilities(np.array([100, 10, 1]), 0.0), dtype=np.float64)
    assert got.tolist() == [1.0, 1.0, 1.0], f"sample=0 switches subsampling off: expected all ones, got {got.tolist()}"


KEEP = np.array([0.05, 0.1, 0.3, 0.5, 0.7, 0.9, 1.0, 1.0, 0.0, 0.2])


@pytest.mark.points(2)
def test_subsample_statistics(submission, rng):
    corpus = [rng.integers(0, len(KEEP), size=400) for _ in range(50)] + [np.zeros(0, dtype=np.int64)]
    out = submission.subsample(corpus, KEEP, worker_rng(submission, 11))
    assert len(out) == len(corpus), f"expected one array per sentence ({len(corpus)}), got {len(out)}"
    for k, (s, o) in enumerate(zip(corpus, out)):
        o = np.asarray(o)
        # o must be a subsequence of s: walk through s once
        it = iter(s.tolist())
        assert all(any(x == y for y in it) for x in o.tolist()), (
            f"sentence {k}: the output is not the input with some tokens removed (order must be preserved)")
    total = np.bincount(np.concatenate(corpus), minlength=len(KEEP))
    kept = np.bincount(np.concatenate([np.asarray(o, dtype=np.int64) for o in out]), minlength=len(KEEP))
    for w, p in enumerate(KEEP):
        n = total[w]
        sigma = np.sqrt(n * p * (1 - p))
        assert abs(kept[w] - n * p) <= 5 * sigma, (
            f"word {w} has keep probability {p}: expected about {n * p:.0f} of its {n} occurrences to survive "
            f"(5 sigma = {5 * sigma:.0f}), got {kept[w]}. Keep a token when u < keep_prob[token]")


@pytest.mark.points(1)
def test_subsample_follows_the_stated_draws(submission, rng, ref):
    corpus = [rng.integers(0, len(KEEP), size=int(rng.integers(0, 60))) for _ in range(30)]
    got = submission.subsample(corpus, KEEP, worker_rng(submission, 5))
    want = ref.subsample(corpus, KEEP, 5)
    again = submission.subsample(corpus, KEEP, worker_rng(submission, 5))
    assert all(np.array_equal(np.asarray(a), np.asarray(b)) for a, b in zip(got, again)), (
        "two calls with generators of the same seed gave different results: draw from the rng argument, not np.random")
    assert all(np.array_equal(np.asarray(g), w) for g, w in zip(got, want)), (
        "the result differs from the stated recipe: one rng.random(len(sentence)) per sentence, in order, and keep "
        "the tokens with u < keep_prob[token]")
