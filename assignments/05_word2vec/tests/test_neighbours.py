"""Task 13: most_similar (cosine nearest neighbours)."""
import numpy as np
import pytest


def words_of(n):
    return [f"word{i}" for i in range(n)]


def check(result, want_words, want_sims, what):
    result = list(result)
    got_words = [w for w, _ in result]
    got_sims = np.array([float(s) for _, s in result])
    assert got_words == want_words, f"{what}: expected {want_words}, got {got_words}"
    assert np.allclose(got_sims, want_sims, atol=1e-9), (
        f"{what}: expected similarities {np.round(want_sims, 4).tolist()}, got {np.round(got_sims, 4).tolist()}")


@pytest.mark.points(2)
def test_most_similar_matches_reference(submission, rng, ref):
    words = words_of(60)
    E = rng.normal(size=(60, 10)).astype(np.float32)
    w2i = {w: i for i, w in enumerate(words)}
    for query in ["word0", "word17", "word59"]:
        want_words, want_sims = ref.most_similar(query, words, E, 7)
        check(submission.most_similar(query, w2i, words, E, 7), want_words, want_sims, f"top 7 of {query}")


@pytest.mark.points(1)
def test_most_similar_uses_cosine_not_dot_product(submission, rng, ref):
    words = words_of(40)
    E = rng.normal(size=(40, 5)) * rng.choice([0.01, 1.0, 100.0], size=(40, 1))  # very different lengths
    w2i = {w: i for i, w in enumerate(words)}
    want_words, want_sims = ref.most_similar("word3", words, E, 10)
    check(submission.most_similar("word3", w2i, words, E, 10), want_words, want_sims,
          "vectors of very different lengths (rank by cosine: normalise the rows before the dot product)")


@pytest.mark.points(1)
def test_most_similar_edge_cases(submission, rng, ref):
    words = words_of(6)
    E = rng.normal(size=(6, 4))
    E[2] = E[0] * 3.0   # same direction as the query: similarity 1, first
    E[4] = 0.0          # no direction: similarity 0, not NaN
    w2i = {w: i for i, w in enumerate(words)}
    want_words, want_sims = ref.most_similar("word0", words, E, 50)
    check(submission.most_similar("word0", w2i, words, E, 50), want_words, want_sims,
          "topn larger than V - 1 (return the 5 other words), with a zero row and a parallel row")
