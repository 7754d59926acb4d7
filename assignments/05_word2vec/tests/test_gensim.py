"""Task 14: train_gensim (reproducible gensim Word2Vec with our hyper-parameters)."""
import numpy as np
import pytest

from conftest import DIM, MIN_COUNT, NEGATIVES, SAMPLE, WINDOW, rank_of

pytestmark = pytest.mark.task("train_gensim")  # test_gensim_neighbours reuses the cached model, calling nothing

GENSIM_EPOCHS = 20
_cache = {}


def real_model(submission, sentences):
    """The gensim model of the real corpus (seed 0), trained once per grading run."""
    if "run" not in _cache:
        try:
            model = submission.train_gensim(sentences, 0, GENSIM_EPOCHS)
            _cache["run"] = {"vectors": np.asarray(model.wv.vectors), "words": list(model.wv.index_to_key)}
        except Exception as exc:  # fail the other gensim tests at once, for the same reason
            _cache["run"] = exc
    if isinstance(_cache["run"], Exception):
        raise _cache["run"]
    return _cache["run"]


@pytest.mark.points(1)
def test_gensim_hyperparameters(submission):
    tiny = [["the", "reserve", "bank", "kept", "rates", "on", "hold"]] * 8
    model = submission.train_gensim(tiny, 7, 2)
    want = {"sg": 1, "hs": 0, "negative": NEGATIVES, "window": WINDOW, "vector_size": DIM, "min_count": MIN_COUNT,
            "sample": SAMPLE, "workers": 1, "seed": 7, "epochs": 2, "ns_exponent": 0.75}
    wrong = {name: getattr(model, name) for name in want if getattr(model, name) != want[name]}
    assert not wrong, (
        "gensim's Word2Vec was not built with our settings: "
        + ", ".join(f"{name}={value!r} (expected {want[name]!r})" for name, value in wrong.items()))


@pytest.mark.points(1)
def test_gensim_vocabulary(submission, sentences, vocab):
    words = real_model(submission, sentences)["words"]
    assert set(words) == set(vocab[1]), (
        f"gensim's vocabulary has {len(words)} words, ours {len(vocab[1])}: use min_count=MIN_COUNT on the same sentences")


@pytest.mark.points(1)
def test_gensim_is_reproducible(submission, sentences):
    first = real_model(submission, sentences)["vectors"]
    second = np.asarray(submission.train_gensim(sentences, 0, GENSIM_EPOCHS).wv.vectors)
    assert first.shape == second.shape and np.array_equal(first, second), (
        "two gensim runs with seed 0 gave different vectors: pass workers=1 and seed=seed")


@pytest.mark.points(1)
def test_gensim_neighbours(submission, sentences):
    run = real_model(submission, sentences)
    ranks = {(q, t): rank_of(run["vectors"], run["words"], q, t) for q, t in [("president", "bush"), ("bank", "reserve")]}
    assert ranks[("president", "bush")] <= 1 and ranks[("bank", "reserve")] <= 3, (
        f"after {GENSIM_EPOCHS} epochs, 'bush' should be the nearest neighbour of 'president' (rank "
        f"{ranks[('president', 'bush')]}) and 'reserve' in the top 3 of 'bank' (rank {ranks[('bank', 'reserve')]}): "
        "check sg=1 (skip-gram) and the other hyper-parameters")
