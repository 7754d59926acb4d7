"""Task 7: head_mean and attention_rollout."""
import numpy as np
import pytest
import torch

from conftest import as_tensor, assert_close, assert_rows_sum_to_one, random_attention


@pytest.mark.points(1)
def test_head_mean(submission, rng, ref):
    """The head mean averages the head axis (dimension 1) of an (L, H, T, T) tensor."""
    attn = random_attention(rng, (3, 5, 6, 6))
    got = as_tensor(submission.head_mean(torch.from_numpy(attn)), "head_mean")
    assert_close(got, ref.head_mean(attn), 1e-12, "head_mean should be the mean over dimension 1 (heads)")


@pytest.mark.points(2)
def test_rollout_first_layer_is_rownorm_a_plus_identity(submission, rng):
    """Rollout's first layer is rownorm(A + I): the residual connection adds the identity, then rows renormalise."""
    mean_attn = random_attention(rng, (4, 6, 6))
    got = as_tensor(submission.attention_rollout(torch.from_numpy(mean_attn)), "attention_rollout")
    assert tuple(got.shape) == (4, 6, 6), f"expected (L, T, T) = (4, 6, 6), got {tuple(got.shape)}"
    aug = mean_attn[0] + np.eye(6)
    assert_close(got[0], aug / aug.sum(-1, keepdims=True), 1e-10,
                 "R[0] should be rownorm(A[0] + I): add the identity for the residual stream, renormalise each row")
    assert_rows_sum_to_one(got, "attention_rollout")


@pytest.mark.points(2)
def test_rollout_matches_reference(submission, rng, ref):
    """Rollout multiplies the layers in order, later layers on the left: R[l] = rownorm(A[l] + I) @ R[l-1]."""
    mean_attn = random_attention(rng, (5, 7, 7), scale=3.0)
    got = as_tensor(submission.attention_rollout(torch.from_numpy(mean_attn)), "attention_rollout")
    assert_close(got, ref.attention_rollout(mean_attn), 1e-10,
                 "attention_rollout differs from R[l] = rownorm(A[l] + I) @ R[l - 1] (mind the product's order)")
