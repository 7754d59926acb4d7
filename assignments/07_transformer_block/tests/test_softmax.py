"""Task 2a: softmax in PyTorch (float32 and float64, any dim, stable under a shift of +1000)."""
import pytest
import torch

from conftest import max_err


@pytest.mark.points(1)
def test_softmax_matches_torch(submission):
    """softmax along any dim equals torch.softmax, in float32 and float64."""
    gen = torch.Generator().manual_seed(1)
    for dtype, atol in ((torch.float32, 1e-6), (torch.float64, 1e-12)):
        x = 3 * torch.randn(2, 5, 6, generator=gen, dtype=dtype)
        for dim in (-1, 1, 0):
            err = max_err(submission.softmax(x, dim=dim), torch.softmax(x, dim=dim), "softmax(x)")
            assert err <= atol, (f"({dtype}) softmax(x, dim={dim}) differs from torch.softmax by {err:.1e}: "
                                 "normalise along `dim` with keepdim=True")


@pytest.mark.points(1)
def test_softmax_is_stable(submission):
    """A stable softmax subtracts the maximum: x + 1000 gives the same probabilities, -inf gives exactly 0."""
    gen = torch.Generator().manual_seed(2)
    x = torch.randn(4, 9, generator=gen, dtype=torch.float64)
    got = submission.softmax(x + 1000, dim=-1)
    assert torch.isfinite(got).all(), "softmax(x + 1000) returned inf or nan: subtract the maximum before torch.exp"
    err = max_err(got, torch.softmax(x, -1), "softmax(x + 1000)")
    assert err <= 1e-12, f"softmax(x + 1000) must equal softmax(x) in float64; differs by {err:.1e}"
    x32 = x.float() + 1000
    err = max_err(submission.softmax(x32, dim=-1), torch.softmax(x32, -1), "softmax(x + 1000) in float32")
    assert err <= 1e-5, f"softmax(x + 1000) in float32 differs from torch.softmax by {err:.1e}"
    x[:, 3] = float("-inf")
    got = submission.softmax(x, dim=-1)
    assert bool((got[:, 3] == 0).all()) and torch.allclose(got.sum(-1), torch.ones(4, dtype=torch.float64)), (
        "a score of -inf must get probability exactly 0 and the rest must still sum to 1")
