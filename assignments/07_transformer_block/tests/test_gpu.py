"""GPU-marked tests (run with --gpu on on a CUDA runner; validate --gpu emulate runs them on the CPU):
the block on the device equals the CPU reference (float32, TF32 off), stays close under bf16 autocast, and the
attention equals F.scaled_dot_product_attention on the device."""
import pytest
import torch
import torch.nn.functional as F

from conftest import (block_shapes, call_on_device, causal, check_shapes, full_fp32, hf_block_forward, load,
                      max_err, pair, trusted_weights, worker_import)

D, H, DFF = 32, 4, 64
BF16_RTOL = 3e-2  # max |y_bf16 - y_fp32| / max |y_fp32|: bf16 keeps 8 significant bits (0.4 %) per operation


def device_block(submission, device: str, seed: int):
    block = submission.TransformerBlock(D, H, DFF).float()
    check_shapes(block, block_shapes(D, DFF), f"TransformerBlock({D}, {H}, {DFF})")
    weights = {k: v.float() for k, v in trusted_weights(block_shapes(D, DFF), seed).items()}
    load(block, weights)
    block.eval()
    return block.to(device), weights


@pytest.mark.gpu
@pytest.mark.points(2)
def test_block_on_device_matches_cpu(submission, device):
    """On the GPU in float32 (TF32 off) the block gives the CPU reference's output to 1e-4."""
    full_fp32(submission, device)
    block, weights = device_block(submission, device, seed=32)
    x = torch.randn(2, 16, D, generator=torch.Generator().manual_seed(33))
    want = hf_block_forward(weights, x, causal(16), H)
    out, _ = pair(call_on_device(submission, device, block, x, causal(16)), "TransformerBlock.forward")
    err = max_err(out, want, f"the block's output on {device}")
    assert err <= 1e-4, (
        f"on {device} the block differs from the float32 CPU reference by {err:.1e}: create new tensors on x.device "
        "(torch.arange(..., device=x.device) in RoPE and the mask) and keep float32")


@pytest.mark.gpu
@pytest.mark.points(1)
def test_block_under_bf16_autocast(submission, device):
    """Under bf16 autocast on the GPU the block runs and stays within 3 % (of the largest output) of float32."""
    full_fp32(submission, device)
    block, weights = device_block(submission, device, seed=34)
    x = torch.randn(2, 16, D, generator=torch.Generator().manual_seed(35))
    want = hf_block_forward(weights, x, causal(16), H)
    wt = worker_import(submission, "torch")
    wt.set_autocast_dtype(device, wt.bfloat16)
    wt.set_autocast_enabled(device, True)
    try:
        out, _ = pair(call_on_device(submission, device, block, x, causal(16)), "TransformerBlock.forward")
    finally:
        wt.set_autocast_enabled(device, False)
        wt.clear_autocast_cache()
    assert isinstance(out, torch.Tensor) and bool(torch.isfinite(out.float()).all()), (
        "under bf16 autocast the block returned inf or nan: keep the softmax stable and the mask value -inf only "
        "where the mask is False")
    rel = (out.float() - want).abs().max().item() / want.abs().max().item()
    assert rel <= BF16_RTOL, (
        f"under bf16 autocast the block is {rel:.1%} of its largest output away from float32 (allowed "
        f"{BF16_RTOL:.0%}): avoid casting to bfloat16 by hand, let autocast choose")


@pytest.mark.gpu
@pytest.mark.points(2)
def test_attention_matches_sdpa_on_device(submission, device):
    """On the GPU your attention equals F.scaled_dot_product_attention (float32, TF32 off, causal mask)."""
    full_fp32(submission, device)
    gen = torch.Generator().manual_seed(36)
    q, k, v = (torch.randn(2, 4, 64, 32, generator=gen) for _ in range(3))
    mask = causal(64)
    out, _ = pair(call_on_device(submission, device, submission.scaled_dot_product_attention, q, k, v, mask),
                  "scaled_dot_product_attention")
    want = F.scaled_dot_product_attention(*(t.to(device) for t in (q, k, v)), attn_mask=mask.to(device)).cpu()
    err = max_err(out, want, f"attention on {device}")
    assert err <= 1e-5, (
        f"on {device} scaled_dot_product_attention differs from F.scaled_dot_product_attention by {err:.1e}: "
        "scale by 1/sqrt(d_k), fill masked scores with -inf, and keep everything on q's device")
