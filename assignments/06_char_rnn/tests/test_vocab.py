"""Task 1: build_vocab, encode, decode."""
import pytest
import torch

from conftest import as_tensor, expect_raises


@pytest.mark.points(2)
def test_build_vocab_of_the_corpus(submission, corpus):
    itos, stoi = submission.build_vocab(corpus.text)
    assert list(itos) == corpus.itos, (
        f"build_vocab(corpus) should return the {corpus.vocab_size} distinct characters sorted by code point "
        f"(sorted(set(text))); got {len(itos)} characters starting {list(itos)[:8]!r}")
    assert stoi == corpus.stoi, "stoi must map each character to its index in itos (stoi[itos[i]] == i)"


@pytest.mark.points(1)
def test_build_vocab_edge_cases(submission, ref):
    assert tuple(submission.build_vocab("")) == ([], {}), "an empty text must give ([], {})"
    text = "zébra\tZ\n  é\u00e9\u2014a"  # accents, a tab, an em dash, repeats
    itos, stoi = submission.build_vocab(text)
    want_itos, want_stoi = ref.build_vocab(text)
    assert list(itos) == want_itos and stoi == want_stoi, (
        f"build_vocab({text!r}) should give itos={want_itos!r}; got {list(itos)!r} "
        "(sort by code point, each character once, whitespace included)")


@pytest.mark.points(2)
def test_encode_matches_reference(submission, corpus, rng):
    start = int(rng.integers(0, len(corpus.text) - 5000))
    piece = corpus.text[start:start + 5000]
    got = as_tensor(submission.encode(piece, corpus.stoi), "encode(...)")
    assert got.dtype == torch.int64, f"encode must return dtype torch.int64; got {got.dtype}"
    assert tuple(got.shape) == (5000,), f"encode of 5000 characters should have shape (5000,); got {tuple(got.shape)}"
    want = corpus.ids[start:start + 5000]  # the reference encoding of the whole corpus
    wrong = (got != want).nonzero().flatten()
    assert len(wrong) == 0, (
        f"encode differs from stoi at {len(wrong)} of 5000 positions, first at {int(wrong[0])}: "
        f"{piece[int(wrong[0])]!r} should be {int(want[wrong[0]])}, got {int(got[wrong[0]])}")


@pytest.mark.points(1)
def test_decode_inverts_encode(submission, corpus, rng):
    start = int(rng.integers(0, len(corpus.text) - 3000))
    piece = corpus.text[start:start + 3000]
    ids = corpus.ids[start:start + 3000]
    assert submission.decode(ids, corpus.itos) == piece, "decode(tensor of ids, itos) should give back the text"
    assert submission.decode(ids[:50].tolist(), corpus.itos) == piece[:50], "decode must also accept a list of ints"
    assert submission.decode([], corpus.itos) == "", "decode of no ids is the empty string"


@pytest.mark.points(1)
def test_encode_empty_text_and_unknown_character(submission, corpus):
    empty = as_tensor(submission.encode("", corpus.stoi), "encode('')")
    assert tuple(empty.shape) == (0,) and empty.dtype == torch.int64, (
        f"encode('') should have shape (0,) and dtype int64 (pass dtype=torch.long); got shape "
        f"{tuple(empty.shape)} and dtype {empty.dtype}")
    expect_raises("KeyError", submission.encode, "news \u00bb", corpus.stoi)  # '»' is not in the corpus
