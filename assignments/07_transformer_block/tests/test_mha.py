"""Task 4: MultiHeadSelfAttention: head split and merge, and the whole module against torch.nn.MultiheadAttention."""
import pytest
import torch
import torch.nn.functional as F

from conftest import (as_tensor, causal, check_shapes, load, max_err, pair, student_raises_value_error, trusted_weights,
                      with_library_attention)

D, H = 16, 4


def _mha_shapes(bias: bool) -> dict:
    shapes = {}
    for p in ("q", "k", "v", "o"):
        shapes[f"{p}_proj.weight"] = (D, D)
        if bias:
            shapes[f"{p}_proj.bias"] = (D,)
    return shapes


@pytest.mark.points(1)
def test_split_heads(submission):
    """split_heads reshapes (B, T, d_model) to (B, H, T, d_head): channel c belongs to head c // d_head."""
    mha = submission.MultiHeadSelfAttention(D, H)
    x = torch.randn(2, 5, D, generator=torch.Generator().manual_seed(7), dtype=torch.float64)
    want = x.view(2, 5, H, D // H).transpose(1, 2)
    got = as_tensor(mha.split_heads(x), "split_heads(x)")
    assert tuple(got.shape) == (2, H, 5, D // H), f"split_heads should give (B, H, T, d_head) = {(2, H, 5, D // H)}; got {tuple(got.shape)}"
    assert torch.equal(got, want), (
        "split_heads(x)[:, h, t] must be x[:, t, h*d_head:(h+1)*d_head]: view as (B, T, H, d_head), then transpose(1, 2)")


@pytest.mark.points(1)
def test_merge_heads(submission):
    """merge_heads undoes split_heads: (B, H, T, d_head) back to (B, T, d_model), heads side by side in order."""
    mha = submission.MultiHeadSelfAttention(D, H)
    heads = torch.randn(2, H, 5, D // H, generator=torch.Generator().manual_seed(8), dtype=torch.float64)
    want = heads.transpose(1, 2).reshape(2, 5, D)
    got = as_tensor(mha.merge_heads(heads), "merge_heads(x)")
    assert tuple(got.shape) == (2, 5, D), f"merge_heads should give (B, T, d_model) = (2, 5, {D}); got {tuple(got.shape)}"
    assert torch.equal(got, want), (
        "merge_heads(x)[:, t, h*d_head:(h+1)*d_head] must be x[:, h, t]: transpose(1, 2) back to (B, T, H, d_head) "
        "before reshaping (a reshape straight from (B, H, T, d_head) mixes positions and heads)")


@pytest.mark.points(1)
def test_mha_parameters(submission):
    """The attention has four d_model x d_model projections (with biases when bias=True) and rejects bad head counts."""
    check_shapes(submission.MultiHeadSelfAttention(D, H), _mha_shapes(False), f"MultiHeadSelfAttention({D}, {H})")
    check_shapes(submission.MultiHeadSelfAttention(D, H, bias=True), _mha_shapes(True),
                 f"MultiHeadSelfAttention({D}, {H}, bias=True)")
    check_shapes(submission.MultiHeadSelfAttention(D, H, use_rope=True), _mha_shapes(False),
                 f"MultiHeadSelfAttention({D}, {H}, use_rope=True) (RoPE adds nothing to the state_dict)")
    student_raises_value_error(submission.MultiHeadSelfAttention, 10, 3,
                               message="MultiHeadSelfAttention(10, 3) must raise ValueError: 10 is not divisible by 3")


def _nn_mha(weights: dict, dtype) -> torch.nn.MultiheadAttention:
    ref = torch.nn.MultiheadAttention(D, H, bias=True, batch_first=True).to(dtype).eval()
    with torch.no_grad():
        ref.in_proj_weight.copy_(torch.cat([weights[f"{p}_proj.weight"] for p in "qkv"]))
        ref.in_proj_bias.copy_(torch.cat([weights[f"{p}_proj.bias"] for p in "qkv"]))
        ref.out_proj.weight.copy_(weights["o_proj.weight"])
        ref.out_proj.bias.copy_(weights["o_proj.bias"])
    return ref


@pytest.mark.points(2)
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_mha_matches_nn_multihead_attention(submission, dtype):
    """With copied weights, multi-head self-attention equals torch.nn.MultiheadAttention (heads and projections)."""
    tol = {torch.float32: 1e-5, torch.float64: 1e-10}[dtype]
    mha = submission.MultiHeadSelfAttention(D, H, bias=True)
    mha = mha.double() if dtype == torch.float64 else mha.float()
    weights = {k: v.to(dtype) for k, v in trusted_weights(_mha_shapes(True), seed=9).items()}
    load(mha, weights)
    ref = _nn_mha(weights, dtype)
    x = torch.randn(3, 7, D, generator=torch.Generator().manual_seed(10), dtype=dtype)
    for what, mask in (("no mask", None), ("the causal mask", causal(7))):
        with with_library_attention(submission):  # judged apart from your attention, which has its own tests
            out, kv = pair(mha(x, mask=mask), "MultiHeadSelfAttention.forward")
        with torch.no_grad():
            want, _ = ref(x, x, x, attn_mask=None if mask is None else ~mask, need_weights=False)
        err = max_err(out, want, "the attention output")
        assert err <= tol, (
            f"({dtype}, {what}) MultiHeadSelfAttention differs from nn.MultiheadAttention with the same weights by "
            f"{err:.1e}: project q, k, v, split the heads, attend per head, merge, then o_proj")
        k, v = pair(kv, "the returned (k, v)")
        want_k = F.linear(x, weights["k_proj.weight"], weights["k_proj.bias"]).view(3, 7, H, D // H).transpose(1, 2)
        err = max_err(k, want_k, "the returned k")
        assert err <= tol, f"({dtype}) the returned k should be split_heads(k_proj(x)) (no RoPE here); differs by {err:.1e}"


@pytest.mark.points(1)
def test_mha_appends_past_kv(submission):
    """Given past_kv, the new keys and values are appended after the cached ones and the query attends to all."""
    mha = submission.MultiHeadSelfAttention(D, H).double()
    weights = trusted_weights(_mha_shapes(False), seed=11)
    load(mha, weights)
    gen = torch.Generator().manual_seed(12)
    past_k, past_v = (torch.randn(2, H, 4, D // H, generator=gen, dtype=torch.float64) for _ in range(2))
    x = torch.randn(2, 3, D, generator=gen, dtype=torch.float64)
    mask = causal(3, 7)
    with with_library_attention(submission):  # judged apart from your attention, which has its own tests
        out, kv = pair(mha(x, mask=mask, past_kv=(past_k, past_v)), "MultiHeadSelfAttention.forward")
    split = lambda t: t.view(2, 3, H, D // H).transpose(1, 2)  # noqa: E731
    k = torch.cat([past_k, split(F.linear(x, weights["k_proj.weight"]))], dim=2)
    v = torch.cat([past_v, split(F.linear(x, weights["v_proj.weight"]))], dim=2)
    q = split(F.linear(x, weights["q_proj.weight"]))
    att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    want = F.linear(att.transpose(1, 2).reshape(2, 3, D), weights["o_proj.weight"])
    got_k, got_v = pair(kv, "the returned (k, v)")
    err = max(max_err(got_k, k, "the returned k"), max_err(got_v, v, "the returned v"))
    assert err <= 1e-10, (
        f"with past_kv, the returned k and v should be torch.cat([past, new], dim=2), (B, H, 4 + 3, d_head); "
        f"differ by {err:.1e}")
    err = max_err(out, want, "the attention output")
    assert err <= 1e-10, f"with past_kv the output should attend over the cached and the new keys; differs by {err:.1e}"
