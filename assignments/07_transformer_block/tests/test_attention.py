"""Task 2b: scaled_dot_product_attention against F.scaled_dot_product_attention, and torch.autograd.gradcheck."""
import pytest
import torch
import torch.nn.functional as F

from conftest import causal, max_err, pair, worker_import

TOL = {torch.float32: 1e-5, torch.float64: 1e-10}


def _cases(gen, dtype):
    q, k, v = (torch.randn(2, 3, 6, 8, generator=gen, dtype=dtype) for _ in range(3))
    yield "no mask", q, k, v, None
    yield "the causal mask", q, k, v, causal(6)
    kk, vv = torch.randn(2, 3, 9, 8, generator=gen, dtype=dtype), torch.randn(2, 3, 9, 5, generator=gen, dtype=dtype)
    mask = torch.rand(2, 1, 6, 9, generator=gen) < 0.5
    mask[..., 0] = True
    yield "a random (B, 1, T_q, T_k) mask broadcast over heads, T_k != T_q, d_v != d_k", q, kk, vv, mask


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_attention_matches_sdpa(submission, dtype):
    """Scaled dot-product attention is softmax(q k^T / sqrt(d_k)) v; mask True means 'may attend'."""
    gen = torch.Generator().manual_seed(3)
    for what, q, k, v, mask in _cases(gen, dtype):
        out, weights = pair(submission.scaled_dot_product_attention(q, k, v, mask), "scaled_dot_product_attention")
        want = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        err = max_err(out, want, "out")
        assert err <= TOL[dtype], (
            f"({dtype}, {what}) the output differs from F.scaled_dot_product_attention by {err:.1e} > {TOL[dtype]}: "
            "divide the scores by sqrt(d_k) = sqrt(q.shape[-1]), and fill scores with -inf where the mask is False")
        scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
        want_w = torch.softmax(scores if mask is None else scores.masked_fill(~mask, float("-inf")), dim=-1)
        err = max_err(weights, want_w, "weights")
        assert err <= TOL[dtype], f"({dtype}, {what}) the returned attention weights differ by {err:.1e}"


@pytest.mark.points(2)
def test_attention_gradcheck(submission):
    """Attention is differentiable: torch.autograd.gradcheck passes on q, k and v in float64 (with a mask)."""
    gen = torch.Generator().manual_seed(4)
    q, k, v = (torch.randn(1, 2, 4, 3, generator=gen, dtype=torch.float64) for _ in range(3))
    b, ft = worker_import(submission, "builtins"), worker_import(submission, "functools")
    nn_w, ag = worker_import(submission, "torch.nn"), worker_import(submission, "torch.autograd")
    # tensors reach the worker without requires_grad: wrap them as Parameters there and zip them into (q, k, v)
    inputs = b.zip(*[nn_w.ParameterList([t]).parameters() for t in (q, k, v)])
    fn = ft.partial(submission.scaled_dot_product_attention, mask=causal(4))
    result = b.list(b.map(ag.gradcheck, [fn], inputs))
    assert result == [True], (
        "torch.autograd.gradcheck failed on scaled_dot_product_attention: compute it with differentiable torch "
        "operations only (no numpy, .detach(), .item() or in-place edits of the inputs)")
