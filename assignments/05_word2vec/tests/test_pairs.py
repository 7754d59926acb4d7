"""Tasks 5-6: skipgram_pairs and corpus_pairs."""
import numpy as np
import pytest

from autograder.testing import replaced, worker_function
from conftest import sorted_rows, worker_rng

# The suite's own pairs of one sentence (a mask of the allowed offsets, not the notebook's loops): while a
# corpus_pairs test runs, the student's corpus_pairs calls this in place of their skipgram_pairs, so a wrong
# skipgram_pairs costs Task 5's points only, not Task 6's as well.
TRUSTED_PAIRS = '''
import numpy as _np


def _skipgram_pairs(sentence, spans):
    sentence = _np.asarray(sentence, dtype=_np.int64)
    n = len(sentence)
    gap = _np.abs(_np.arange(n)[:, None] - _np.arange(n)[None, :])
    i, j = _np.nonzero((gap >= 1) & (gap <= _np.asarray(spans, dtype=_np.int64).reshape(n, 1)))
    return _np.stack([sentence[i], sentence[j]], axis=1)
'''


@pytest.fixture
def trusted_pairs(submission):
    """Inside it, the student's corpus_pairs runs on the suite's skipgram_pairs."""
    with replaced(submission, skipgram_pairs=worker_function(submission, TRUSTED_PAIRS, "_skipgram_pairs")):
        yield


def check_pairs(got, want, what):
    got = np.asarray(got)
    assert got.ndim == 2 and got.shape[1:] == (2,), f"{what}: expected an array of shape (P, 2), got shape {got.shape}"
    assert got.dtype == np.int64, f"{what}: expected int64, got {got.dtype}"
    assert len(got) == len(want), (
        f"{what}: expected {len(want)} pairs, got {len(got)}. Too few: the window stops one short of spans[i] "
        "(j must reach i + spans[i]); too many: the center itself or positions beyond spans[i] are included")
    g, w = sorted_rows(got), sorted_rows(want)
    bad = np.flatnonzero(np.any(g != w, axis=1))
    assert len(bad) == 0, f"{what}: the pairs differ from the reference, e.g. expected {w[bad[0]].tolist()}, got {g[bad[0]].tolist()}"


@pytest.mark.points(2)
def test_skipgram_pairs_random_sentences(submission, rng, ref):
    for k in range(8):
        n = int(rng.integers(2, 40))
        sentence = rng.integers(0, 1000, size=n)
        spans = rng.integers(1, 7, size=n)
        check_pairs(submission.skipgram_pairs(sentence, spans), ref.skipgram_pairs(sentence, spans),
                    f"sentence of length {n} with spans {spans.tolist()[:8]}...")


@pytest.mark.points(1)
def test_skipgram_pairs_edge_cases(submission, ref):
    cases = [
        (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), "an empty sentence"),
        (np.array([7]), np.array([3]), "a one-word sentence"),
        (np.array([1, 2, 3]), np.array([9, 9, 9]), "spans wider than the sentence"),
        (np.array([4, 4, 4, 5]), np.array([1, 2, 1, 3]), "a repeated word (skip the center *position*, not every equal id)"),
    ]
    for sentence, spans, what in cases:
        check_pairs(submission.skipgram_pairs(sentence, spans), ref.skipgram_pairs(sentence, spans), what)


@pytest.mark.points(1)
def test_corpus_pairs_window_one(submission, trusted_pairs, rng, ref):
    corpus = [rng.integers(0, 50, size=int(rng.integers(0, 12))) for _ in range(25)] + [np.array([3])]
    # window=1: every span is 1 whatever the generator draws; pairs never cross sentence boundaries
    want = np.concatenate([ref.skipgram_pairs(s, np.ones(len(s), dtype=np.int64)) for s in corpus])
    check_pairs(submission.corpus_pairs(corpus, 1, worker_rng(submission, 0)), want,
                "window=1 on 26 short sentences (pairs must not cross from one sentence into the next)")
    empty = np.asarray(submission.corpus_pairs([np.array([5]), np.zeros(0, dtype=np.int64)], 5, worker_rng(submission, 0)))
    assert empty.shape == (0, 2), f"a corpus without any pair must give shape (0, 2), got {empty.shape}"


@pytest.mark.points(2)
def test_corpus_pairs_dynamic_window(submission, trusted_pairs):
    W, n, m = 5, 1000, 30
    corpus = [np.arange(k * 10_000, k * 10_000 + n) for k in range(m)]  # ids = positions: |c - o| is the distance
    pairs = np.asarray(submission.corpus_pairs(corpus, W, worker_rng(submission, 3)))
    assert pairs.ndim == 2 and pairs.shape[1:] == (2,), f"expected shape (P, 2), got {pairs.shape}"
    dist = np.abs(pairs[:, 0] - pairs[:, 1])
    assert dist.min() >= 1 and dist.max() <= W, (
        f"pair distances must lie in 1..window = 1..{W}, got {dist.min()}..{dist.max()}")
    d = np.arange(1, W + 1)
    share = np.bincount(dist, minlength=W + 1)[1:] / (2 * m * (n - d))
    theory = (W - d + 1) / W
    # each center draws its span once: the share at distance d is a mean of ~30,000 Bernoulli(p), sd < 0.003
    assert np.allclose(share, theory, atol=0.02), (
        f"share of the possible pairs used at distance 1..{W} should be (W - d + 1) / W = {theory.round(2).tolist()}, got "
        f"{share.round(3).tolist()}. Draw each position's span uniformly from 1..window: rng.integers(1, window + 1)")


@pytest.mark.points(1)
def test_corpus_pairs_follows_the_stated_draws(submission, trusted_pairs, rng, ref):
    corpus = [rng.integers(0, 200, size=int(rng.integers(0, 30))) for _ in range(20)]
    want = ref.corpus_pairs(corpus, 4, 9)
    check_pairs(submission.corpus_pairs(corpus, 4, worker_rng(submission, 9)), want,
                "corpus_pairs with a seeded generator (one rng.integers(1, window + 1, size=len(sentence)) per sentence)")
