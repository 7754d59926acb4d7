"""Task 3: merge_subtokens (sum over key pieces, mean over query pieces)."""
import numpy as np
import pytest
import torch

from conftest import as_tensor, assert_close, assert_rows_sum_to_one, random_attention


@pytest.mark.points(2)
def test_merge_subtokens_matches_reference(submission, rng, ref):
    """Word attention: sum the columns of a word's pieces (attention received), average its rows (attention paid)."""
    groups = [0, 1, 1, 1, 2, 3, 3, 4, 5]
    attn = random_attention(rng, (2, 3, 9, 9))
    got = as_tensor(submission.merge_subtokens(torch.from_numpy(attn), groups), "merge_subtokens")
    assert_close(got, ref.merge_subtokens(attn, groups), 1e-10,
                 "merge_subtokens differs from the rule (sum over the key pieces, mean over the query pieces)")


@pytest.mark.points(1)
def test_merged_rows_sum_to_one(submission, rng):
    """Merged attention stays a distribution: every row sums to 1 (to 1e-6), for any leading shape."""
    groups = [0, 1, 2, 2, 2, 2, 3]
    attn = random_attention(rng, (7, 7), dtype=np.float32)
    got = as_tensor(submission.merge_subtokens(torch.from_numpy(attn), groups), "merge_subtokens")
    assert tuple(got.shape) == (4, 4), f"a (T, T) input with 4 units should give (4, 4), got {tuple(got.shape)}"
    assert_rows_sum_to_one(got, "merge_subtokens (averaging the key columns too breaks this)")
