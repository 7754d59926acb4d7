"""Task 5: layer0_attention by hand, against the model's layer-0 attentions (1e-5) and a float64 reference."""
import numpy as np
import pytest
import torch

from conftest import N_HEADS, as_tensor, assert_close, assert_rows_sum_to_one, layer0_weights, model_outputs

HINT = ("Q = X W_q^T + b_q, K = X W_k^T + b_k, split into heads with reshape(T, H, d_h).transpose(0, 1), "
        "scores / sqrt(d_h), softmax over the keys")


@pytest.mark.points(3)
def test_layer0_attention_equals_the_model(submission, minilm):
    """softmax(Q K^T / sqrt(d_h)) per head, from the model's own weights, reproduces its layer-0 attention."""
    text = "Attention weights are not explanations, but they are informative."
    _, out = model_outputs(minilm, text)
    hidden = out.hidden_states[0][0].clone()
    got = as_tensor(submission.layer0_attention(hidden, *layer0_weights(minilm), N_HEADS), "layer0_attention")
    assert_rows_sum_to_one(got, "layer0_attention")
    assert_close(got, out.attentions[0][0].numpy(), 1e-5, f"layer0_attention differs from the model's: {HINT}")


@pytest.mark.points(2)
def test_layer0_attention_masks_padding(submission, minilm):
    """Padding keys get exactly zero weight (score -inf before the softmax); real rows match the model."""
    texts = ("She gave him the book because he asked for it politely.", "A short one.")
    enc, out = model_outputs(minilm, *texts)
    mask = enc["attention_mask"][1].clone()
    hidden = out.hidden_states[0][1].clone()
    got = as_tensor(submission.layer0_attention(hidden, *layer0_weights(minilm), N_HEADS, mask),
                    "layer0_attention(..., attention_mask)")
    pad = mask == 0
    assert tuple(got.shape) == tuple(out.attentions[0][1].shape), (
        f"expected (H, T, T) = {tuple(out.attentions[0][1].shape)}, got {tuple(got.shape)}")
    leak = got[..., pad].abs().max().item()
    assert leak <= 1e-7, f"padding keys received attention {leak:.2e}: set their scores to -inf before the softmax"
    assert_rows_sum_to_one(got, "layer0_attention with padding")
    assert_close(got, out.attentions[0][1].numpy(), 1e-5, f"with padding, layer0_attention differs: {HINT}")


@pytest.mark.points(2)
def test_layer0_attention_small_heads_float64(submission, rng, ref):
    """Head h uses feature block h (consecutive d_h columns); the scale is 1/sqrt(d_h), not 1/sqrt(d)."""
    T, d, H = 7, 12, 3
    hidden = rng.normal(size=(T, d))
    w_q, w_k = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    b_q, b_k = rng.normal(size=d), rng.normal(size=d)
    args = [torch.from_numpy(a) for a in (hidden, w_q, b_q, w_k, b_k)]
    got = as_tensor(submission.layer0_attention(*args, H), "layer0_attention")
    assert got.dtype == torch.float64, f"keep the input dtype (float64 here), got {got.dtype}"
    assert_close(got, ref.layer0_attention(hidden, w_q, b_q, w_k, b_k, H), 1e-10,
                 f"layer0_attention on random float64 weights (T=7, d=12, H=3): {HINT}")
