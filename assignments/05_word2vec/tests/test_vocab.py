"""Task 1-2: build_vocab and encode."""
import numpy as np
import pytest

from conftest import MIN_COUNT


def random_sentences(rng, n_sentences=40, vocab_size=30, max_len=25):
    """Sentences over words w00..w29 with Zipf-like frequencies, so that many counts tie."""
    words = [f"w{i:02d}" for i in range(vocab_size)]
    p = 1.0 / np.arange(1, vocab_size + 1)
    p = p / p.sum()
    return [[words[i] for i in rng.choice(vocab_size, size=rng.integers(0, max_len), p=p)] for _ in range(n_sentences)]


@pytest.mark.points(2)
def test_build_vocab_order_and_counts(submission, rng, ref):
    sents = random_sentences(rng)
    rng.shuffle(sents)
    want_w2i, want_i2w, want_counts = ref.build_vocab(sents, 3)
    w2i, i2w, counts = submission.build_vocab(sents, 3)
    assert list(i2w) == want_i2w, (
        f"idx2word should be {want_i2w[:8]}... ({len(want_i2w)} words with count >= 3, by decreasing count, ties "
        f"alphabetical), got {list(i2w)[:8]}... ({len(i2w)} words)")
    assert dict(w2i) == want_w2i, "word2idx must map every kept word to its position in idx2word"
    counts = np.asarray(counts)
    assert counts.dtype == np.int64, f"counts must be int64, got {counts.dtype}"
    assert counts.tolist() == want_counts.tolist(), f"counts should be {want_counts.tolist()}, got {counts.tolist()}"


@pytest.mark.points(1)
def test_build_vocab_real_corpus(submission, sentences, vocab):
    w2i, i2w, counts = submission.build_vocab(sentences, MIN_COUNT)
    assert len(i2w) == len(vocab[1]) == 1750, f"lee_background.cor has 1,750 words with count >= 5, got {len(i2w)}"
    assert list(i2w) == vocab[1], "the vocabulary of the real corpus differs from the reference (order: count desc, then alphabetical)"
    assert np.asarray(counts).tolist() == vocab[2].tolist(), "the counts of the real corpus differ from the reference"


@pytest.mark.points(1)
def test_build_vocab_edge_cases(submission):
    sents = [["b", "a"], [], ["a", "c", "c", "c"]]
    w2i, i2w, counts = submission.build_vocab(sents, 1)
    assert list(i2w) == ["c", "a", "b"] and np.asarray(counts).tolist() == [3, 2, 1], (
        f"min_count=1 keeps every word: expected ['c', 'a', 'b'] with counts [3, 2, 1], got {list(i2w)}, {np.asarray(counts).tolist()}")
    w2i, i2w, counts = submission.build_vocab(sents, 10)
    assert len(i2w) == 0 and len(w2i) == 0 and np.asarray(counts).shape == (0,), (
        "no word reaches min_count=10: expected an empty vocabulary ({}, [], counts of shape (0,))")


@pytest.mark.points(1)
def test_encode(submission, rng, ref):
    sents = random_sentences(rng)
    sents[3] = []
    sents[7] = ["zzz_unknown", "yyy_unknown"]
    w2i, _, _ = ref.build_vocab(sents, 4)
    want = ref.encode(sents, w2i)
    got = submission.encode(sents, w2i)
    assert len(got) == len(want), f"expected one array per sentence ({len(want)}), got {len(got)}: keep empty sentences"
    for k, (g, w) in enumerate(zip(got, want)):
        g = np.asarray(g)
        assert g.dtype == np.int64, f"sentence {k}: expected an int64 array, got {g.dtype}"
        assert g.tolist() == w.tolist(), (
            f"sentence {k}: expected ids {w.tolist()[:10]}, got {g.tolist()[:10]} (out-of-vocabulary words are dropped, "
            "the others keep their order)")
