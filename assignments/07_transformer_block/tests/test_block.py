"""Task 6: the pre-norm TransformerBlock: its wiring (with its own sub-layers) and against a Hugging Face
LlamaDecoderLayer carrying the same weights (an end-to-end check that also needs attention, RoPE, RMSNorm, SwiGLU)."""
import pytest
import torch

from conftest import (block_shapes, causal, check_shapes, hf_block_forward, load, max_err, pair,
                      trusted_weights)

D, H, DFF = 32, 4, 64


def trusted_block(submission, seed: int):
    block = submission.TransformerBlock(D, H, DFF).double()
    check_shapes(block, block_shapes(D, DFF), f"TransformerBlock({D}, {H}, {DFF})")
    weights = trusted_weights(block_shapes(D, DFF), seed)
    load(block, weights)
    return block, weights


@pytest.mark.points(1)
def test_block_parameters(submission):
    """The block holds attn_norm, attn (four bias-free projections), ffn_norm and a SwiGLU ffn, nothing else."""
    check_shapes(submission.TransformerBlock(D, H, DFF), block_shapes(D, DFF), f"TransformerBlock({D}, {H}, {DFF})")


@pytest.mark.points(3)
def test_block_is_pre_norm_with_residuals(submission):
    """Pre-norm residual wiring: h = x + attn(attn_norm(x)), then y = h + ffn(ffn_norm(h))."""
    block, _ = trusted_block(submission, seed=19)
    x = torch.randn(2, 6, D, generator=torch.Generator().manual_seed(20), dtype=torch.float64)
    mask = causal(6)
    out, kv = pair(block(x, mask=mask), "TransformerBlock.forward")
    # the expected value is composed here from the student's own sub-layers, so only the wiring is judged
    a, kv_sub = pair(block.attn(block.attn_norm(x), mask=mask), "block.attn")
    h = x + a
    want = h + block.ffn(block.ffn_norm(h))
    err = max_err(out, want, "the block's output")
    assert err <= 1e-10, (
        f"the block's output differs by {err:.1e} from h = x + attn(attn_norm(x)); y = h + ffn(ffn_norm(h)) computed "
        "with its own sub-layers: normalise the input of each sub-layer (pre-LN), add the sub-layer's output to the "
        "un-normalised residual, and never normalise the sum (that is post-LN)")
    err = max_err(pair(kv, "the returned (k, v)")[0], pair(kv_sub, "attn's (k, v)")[0], "the returned k")
    assert err <= 1e-10, "the block should return the (k, v) its attention returned"


@pytest.mark.points(2)
def test_block_matches_llama_decoder_layer(submission):
    """End to end: the block with copied weights equals Hugging Face's LlamaDecoderLayer (eager, float64, 1e-5)."""
    block, weights = trusted_block(submission, seed=21)
    x = torch.randn(2, 9, D, generator=torch.Generator().manual_seed(22), dtype=torch.float64)
    want = hf_block_forward(weights, x, causal(9), H)
    out, _ = pair(block(x, mask=causal(9)), "TransformerBlock.forward")
    err = max_err(out, want, "the block's output")
    assert err <= 1e-5, (
        f"the block differs from a LlamaDecoderLayer with the same weights by {err:.1e}: if the earlier tests of "
        "attention, RoPE, RMSNorm, SwiGLU and the wiring pass, check that attn uses RoPE (use_rope=True) at "
        "positions 0..T-1, no biases, and eps=1e-6 in both norms")
