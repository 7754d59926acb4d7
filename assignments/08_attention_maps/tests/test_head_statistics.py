"""Task 8: attention_entropy, previous_token_score, special_share on random (L, H, T, T) tensors."""
import numpy as np
import pytest
import torch

from conftest import as_tensor, assert_close, random_attention


@pytest.mark.points(2)
def test_attention_entropy(submission, rng, ref):
    """Entropy per head: mean over query rows of -sum p ln p (nats), with 0 ln 0 = 0 (no NaN for zero weights)."""
    attn = random_attention(rng, (3, 4, 8, 8), zero_keys=(2, 5))
    got = as_tensor(submission.attention_entropy(torch.from_numpy(attn)), "attention_entropy")
    assert_close(got, ref.attention_entropy(attn), 1e-9,
                 "attention_entropy: -sum_j p ln p over keys, averaged over queries; natural log; 0 ln 0 = 0")


@pytest.mark.points(2)
def test_previous_token_score(submission, rng, ref):
    """The previous-token score averages attn[i, i-1] over queries i >= 1 (the token just before, not after)."""
    attn = random_attention(rng, (2, 5, 9, 9))
    got = as_tensor(submission.previous_token_score(torch.from_numpy(attn)), "previous_token_score")
    assert_close(got, ref.previous_token_score(attn), 1e-10,
                 "previous_token_score: mean of attn[..., i, i - 1] for i = 1 .. T-1 (the diagonal just below)")


@pytest.mark.points(2)
def test_special_share(submission, rng, ref):
    """The special share is the attention that goes to the [CLS]/[SEP] key columns, averaged over all queries."""
    attn = random_attention(rng, (2, 3, 10, 10))
    special = np.zeros(10, dtype=bool)
    special[[0, 9]] = True
    got = as_tensor(submission.special_share(torch.from_numpy(attn), torch.from_numpy(special)), "special_share")
    assert_close(got, ref.special_share(attn, special), 1e-10,
                 "special_share: sum over the special key columns, mean over all query rows")
