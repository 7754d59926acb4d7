"""Task 1: softmax_np, causal_mask_np and attention_np in NumPy, against PyTorch in float64."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from numpy.testing import assert_allclose


def _arr(value, what):
    assert isinstance(value, np.ndarray), f"{what} should return a numpy array; got {type(value).__name__}"
    return value


@pytest.mark.points(1)
def test_softmax_np_matches_torch(submission, rng):
    """softmax_np computes exp(x_i) / sum_j exp(x_j) along the requested axis."""
    x = rng.normal(size=(3, 4, 5)) * 3
    for axis in (-1, 0, 1):
        got = _arr(submission.softmax_np(x, axis=axis), "softmax_np")
        assert got.shape == x.shape, f"softmax_np must keep the shape {x.shape}; got {got.shape} (axis={axis})"
        assert_allclose(got, torch.softmax(torch.tensor(x), dim=axis).numpy(), atol=1e-12,
                        err_msg=f"softmax_np(x, axis={axis}) differs from torch.softmax: normalise along `axis`, "
                                "with keepdims=True so the division broadcasts")


@pytest.mark.points(1)
def test_softmax_np_is_stable(submission, rng):
    """A stable softmax subtracts the maximum first: x + 1000 gives the same result, and -inf gives 0."""
    x = rng.normal(size=(4, 6))
    want = torch.softmax(torch.tensor(x), dim=-1).numpy()
    got = _arr(submission.softmax_np(x + 1000.0), "softmax_np")
    assert np.all(np.isfinite(got)), "softmax_np(x + 1000) returned inf or nan: subtract the row maximum before np.exp"
    assert_allclose(got, want, atol=1e-12, err_msg="softmax_np(x + 1000) must equal softmax(x)")
    x[:, 2] = -np.inf
    got = _arr(submission.softmax_np(x), "softmax_np")
    assert np.all(got[:, 2] == 0) and np.allclose(got.sum(-1), 1), "a score of -inf must get probability exactly 0"


@pytest.mark.points(1)
def test_causal_mask_np(submission):
    """The causal mask lets position i attend to positions j <= i (lower triangle with the diagonal)."""
    for T in (1, 2, 6):
        got = _arr(submission.causal_mask_np(T), f"causal_mask_np({T})")
        assert got.dtype == bool, f"causal_mask_np must return a boolean array; got {got.dtype}"
        assert got.tolist() == np.tril(np.ones((T, T), dtype=bool)).tolist(), (
            f"causal_mask_np({T}) must be True exactly where j <= i (diagonal included); got\n{got.astype(int)}")


@pytest.mark.points(2)
def test_attention_np_matches_sdpa(submission, rng):
    """attention_np computes softmax(q k^T / sqrt(d_k)) v with masked scores set to -inf, like PyTorch."""
    q, k, v = rng.normal(size=(2, 3, 5, 8)), rng.normal(size=(2, 3, 7, 8)), rng.normal(size=(2, 3, 7, 4))
    mask = rng.random(size=(2, 1, 5, 7)) < 0.6
    mask[..., 0] = True  # every query may attend to at least one key
    for m in (None, mask):
        out = submission.attention_np(q, k, v, m)
        assert isinstance(out, tuple) and len(out) == 2, "attention_np should return the pair (out, weights)"
        got, weights = _arr(out[0], "out"), _arr(out[1], "weights")
        tq, tk, tv = (torch.tensor(a) for a in (q, k, v))
        want = F.scaled_dot_product_attention(tq, tk, tv, attn_mask=None if m is None else torch.tensor(m)).numpy()
        assert got.shape == want.shape, f"out should have shape (..., T_q, d_v) = {want.shape}; got {got.shape}"
        what = "without a mask" if m is None else "with a boolean mask (True = may attend)"
        assert_allclose(got, want, atol=1e-10,
                        err_msg=f"attention_np differs from F.scaled_dot_product_attention {what}: is the scale "
                                "1/sqrt(d_k), and are masked scores -inf before the softmax?")
        assert weights.shape == (2, 3, 5, 7), f"weights should have shape (..., T_q, T_k) = (2, 3, 5, 7); got {weights.shape}"
        if m is not None:
            assert np.all(weights[np.broadcast_to(~m, weights.shape)] == 0), "masked positions must get weight exactly 0"
