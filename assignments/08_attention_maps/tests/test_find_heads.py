"""Task 9: find_heads (top-k heads by a score, ties by (layer, head))."""
import numpy as np
import pytest
import torch


def pairs(value) -> list:
    assert isinstance(value, list), f"find_heads should return a list of (layer, head) pairs, got {type(value).__name__}"
    return [tuple(int(x) for x in p) for p in value]


@pytest.mark.points(2)
def test_find_heads_largest_with_ties(submission, rng, ref):
    """The k heads with the largest score come first; equal scores are ordered by layer, then head."""
    score = np.round(rng.random((6, 12)), 1)   # rounding makes many ties
    for k in (1, 5, 17):
        got = pairs(submission.find_heads(torch.from_numpy(score), k))
        want = ref.find_heads(score, k, True)
        assert got == [tuple(p) for p in want], (
            f"find_heads(score, {k}): expected {want}, got {got} (largest first, ties by smaller layer then head)")


@pytest.mark.points(1)
def test_find_heads_smallest(submission, rng, ref):
    """largest=False finds the heads with the smallest score, e.g. the most focused (lowest entropy) heads."""
    score = np.round(rng.random((4, 5)), 1)
    got = pairs(submission.find_heads(torch.from_numpy(score), 6, largest=False))
    want = ref.find_heads(score, 6, False)
    assert got == [tuple(p) for p in want], f"find_heads(score, 6, largest=False): expected {want}, got {got}"
