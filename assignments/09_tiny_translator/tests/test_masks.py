"""Task 2: padding_mask, causal_mask."""
import pytest
import torch

from conftest import EOS, PAD, causal


@pytest.mark.points(1)
def test_padding_mask_is_true_at_padding(submission):
    """The key padding mask is True exactly where the token is padding."""
    gen = torch.Generator().manual_seed(21)
    ids = torch.randint(1, 20, (4, 9), generator=gen)
    ids[1, 5:] = PAD
    ids[3, 2:] = PAD
    got = submission.padding_mask(ids)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.bool and tuple(got.shape) == (4, 9), (
        "padding_mask(ids) should be a bool tensor of the same shape as ids")
    assert torch.equal(got, ids == PAD), "padding_mask should be True exactly at PAD positions (True = ignore)"
    other = submission.padding_mask(torch.tensor([[7, EOS, 7]]), pad_id=7)
    assert other.tolist() == [[True, False, True]], "padding_mask should use its pad_id argument"


@pytest.mark.points(3)
def test_causal_mask_blocks_exactly_the_future(submission):
    """The causal mask lets position i attend to positions j <= i and blocks every j > i."""
    for size in (1, 2, 5, 11, 33):
        got = submission.causal_mask(size)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.bool and tuple(got.shape) == (size, size), (
            f"causal_mask({size}) should be a ({size}, {size}) bool tensor")
        want = causal(size)
        if torch.equal(got, ~want):
            raise AssertionError("causal_mask is inverted: in PyTorch's convention True means 'may not attend'")
        assert torch.equal(got, want), (
            f"causal_mask({size}) should be True strictly above the diagonal (j > i), like "
            "nn.Transformer.generate_square_subsequent_mask; yours is off (check the diagonal: position i must see itself)")
