"""Byte-level BPE: merges learned on the shipped reviews, encoding in merge order, byte-level round trips."""

import random

import pytest

N_MERGES = 120


def corpus(reviews):
    return list(reviews[0][:60])


def as_pairs(merges):
    return [tuple(int(x) for x in p) for p in merges]


@pytest.mark.points(2)
def test_bpe_merges_on_a_hand_sized_corpus(submission):
    """The most frequent adjacent pair is merged first, ties go to the smallest pair, new ids count from 256."""
    got = as_pairs(submission.train_bpe(["abab", "abc"], 3))
    # counts: ab=3, ba=1, bc=1 -> (97,98)=256; then "256 256", "256 c": (256,99) < (256,256) both once -> stop
    assert got == [(97, 98)], (
        f"train_bpe(['abab', 'abc'], 3) returned {got}: expected one merge of the byte pair 'ab' into 256, then a "
        "stop because no pair occurs twice (count pairs inside each text, never across texts)"
    )
    got = as_pairs(submission.train_bpe(["aaaa", "bb"], 2))
    assert got[:1] == [(97, 97)], (
        f"train_bpe(['aaaa','bb'], 2) started with {got[:1]}: 'aa' occurs 3 times (overlapping pairs count), "
        "merge it first; a merge replaces non-overlapping occurrences left to right"
    )


@pytest.mark.points(3)
def test_bpe_merges_match_the_reference_on_the_reviews(submission, ref, reviews):
    """On 60 shipped reviews the learned merges (with the smallest-pair tie-break) match the reference exactly."""
    texts = corpus(reviews)
    expected = ref.train_bpe(texts, N_MERGES)
    got = as_pairs(submission.train_bpe(texts, N_MERGES))
    assert len(got) == len(expected), (
        f"train_bpe learned {len(got)} merges where {len(expected)} were expected (stop only when no pair occurs "
        "twice)"
    )
    first = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), None)
    assert first is None, (
        f"merge number {first} differs from the reference: check the pair counts after each merge and the tie-break "
        "(among equally frequent pairs take the smallest (a, b))"
    )


@pytest.mark.points(2)
def test_bpe_encode_applies_merges_in_order(submission, ref, reviews):
    """Encoding starts from the UTF-8 bytes and applies the merges in the order they were learned."""
    merges = ref.train_bpe(corpus(reviews), N_MERGES)
    texts = list(reviews[0][150:160]) + ["the the theatre", "unseen wordz: qqqq", ""]
    expected = ref.bpe_encode_all(texts, merges)
    for text, exp in zip(texts, expected):
        got = [int(i) for i in submission.bpe_encode(text, merges)]
        assert got == exp, (
            f"bpe_encode({text[:40]!r}) differs from the reference ({len(got)} ids, expected {len(exp)}): apply "
            "merge k (new id 256 + k) to the whole sequence before merge k + 1"
        )


def random_text(rng, n):
    pools = [(0x20, 0x7E), (0xC0, 0x24F), (0x370, 0x3FF), (0x4E00, 0x4FFF), (0x1F600, 0x1F64F)]
    out = []
    for _ in range(n):
        lo, hi = pools[int(rng.integers(len(pools)))]
        out.append(chr(int(rng.integers(lo, hi + 1))))
    return "".join(out)


@pytest.mark.points(3)
def test_bpe_round_trips_any_utf8_text(submission, ref, reviews, rng):
    """Byte-level BPE has no unknown token: decode(encode(text)) gives back any UTF-8 text, emoji and CJK included."""
    merges = ref.train_bpe(corpus(reviews), N_MERGES)
    texts = ["", "a", "naïve café résumé", "Ünïcödé ÀÉÎÕÜ", "東京で映画を見た", "great 😀👍🏽 movie 🎬",
             "\u0000 tab\tnew\nline", reviews[0][0]]
    texts += [random_text(rng, int(rng.integers(1, 40))) for _ in range(20)]
    for text, ids in zip(texts, ref.bpe_encode_all(texts, merges)):
        back = submission.bpe_decode(ids, merges)
        assert back == text, (
            f"bpe_decode(bpe_encode({text[:30]!r})) returned {back[:30]!r}: decode ids to bytes, join ALL the bytes, "
            "then decode UTF-8 once (a multi-byte character can be split across tokens)"
        )
