"""Task 3: the sinusoidal positional encoding and RotaryEmbedding (against Hugging Face's Llama RoPE)."""
import pytest
import torch

from conftest import LlamaRotaryEmbedding, apply_rotary_pos_emb, llama_config, max_err, rope_cos_sin


@pytest.mark.points(2)
def test_sinusoidal_encoding(submission, ref):
    """Sinusoidal encoding: PE[p, 2i] = sin(p / 10000^(2i/d)) at even indices, cos at the odd index 2i+1."""
    for T, d in ((50, 16), (7, 6)):
        got = submission.sinusoidal_positional_encoding(T, d)
        assert isinstance(got, torch.Tensor) and got.dtype == torch.float32, (
            f"sinusoidal_positional_encoding should return a float32 tensor; got {type(got).__name__} "
            f"{getattr(got, 'dtype', '')}")
        err = max_err(got, ref.sinusoidal_positional_encoding(T, d), f"sinusoidal_positional_encoding({T}, {d})")
        assert err <= 1e-5, (
            f"sinusoidal_positional_encoding({T}, {d}) differs from the formula by {err:.1e}: sin at even indices 2i, "
            "cos at odd indices 2i+1, both with frequency 10000**(-2i/d) (angles in float64)")


@pytest.mark.points(1)
def test_rope_has_no_parameters(submission):
    """RoPE has nothing to learn: the module has no parameters and an empty state_dict."""
    rope = submission.RotaryEmbedding(8)
    state = rope.state_dict()
    assert isinstance(state, dict) and len(state) == 0, (
        f"RotaryEmbedding(8).state_dict() should be empty (use persistent=False buffers or plain attributes); "
        f"has {sorted(state) if isinstance(state, dict) else state}")
    assert len([p for p in rope.parameters()]) == 0, "RotaryEmbedding must not have parameters"


@pytest.mark.points(2)
def test_rope_matches_hugging_face(submission):
    """RoPE rotates pair (m, m + d/2) by position * base^(-2m/d), exactly as Llama's apply_rotary_pos_emb (float64)."""
    gen = torch.Generator().manual_seed(5)
    for head_dim, base, positions in ((8, 10000.0, torch.arange(12)), (16, 500.0, torch.arange(5, 45, 4))):
        x = torch.randn(2, 3, len(positions), head_dim, generator=gen, dtype=torch.float64)
        cos, sin = rope_cos_sin(positions, head_dim, base)
        want, _ = apply_rotary_pos_emb(x, x, cos[None], sin[None])
        got = submission.RotaryEmbedding(head_dim, base)(x, positions)
        err = max_err(got, want, "RotaryEmbedding(x, positions)")
        assert err <= 1e-6, (
            f"RotaryEmbedding({head_dim}, base={base}) differs from Hugging Face's apply_rotary_pos_emb by {err:.1e}: "
            "pair coordinate m with m + head_dim/2 (rotate_half(x) = [-x2, x1]), angle position * base**(-2m/head_dim), "
            "at the given positions (not 0..T-1)")


@pytest.mark.points(1)
def test_rope_float32_matches_llama_rotary_embedding(submission):
    """In float32, RoPE agrees with Hugging Face's LlamaRotaryEmbedding and keeps the input's dtype."""
    gen = torch.Generator().manual_seed(6)
    x = torch.randn(1, 4, 16, 8, generator=gen)
    positions = torch.arange(16)
    rotary = LlamaRotaryEmbedding(llama_config(32, 4, 64))
    cos, sin = rotary(x, positions[None])
    want, _ = apply_rotary_pos_emb(x, x, cos, sin)
    got = submission.RotaryEmbedding(8)(x, positions)
    assert isinstance(got, torch.Tensor) and got.dtype == torch.float32, (
        f"RotaryEmbedding on a float32 input should return float32 (cast cos and sin to x.dtype); got "
        f"{getattr(got, 'dtype', type(got).__name__)}")
    err = max_err(got, want, "RotaryEmbedding(x, positions)")
    assert err <= 1e-5, f"in float32 RotaryEmbedding differs from LlamaRotaryEmbedding + apply_rotary_pos_emb by {err:.1e}"
