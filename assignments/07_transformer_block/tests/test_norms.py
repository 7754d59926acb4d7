"""Task 5: LayerNorm and RMSNorm against torch and Hugging Face, SwiGLU against Llama's MLP."""
import pytest
import torch

from conftest import LlamaMLP, LlamaRMSNorm, cast, check_shapes, llama_config, load, max_err, trusted_weights

TOL = {torch.float32: 1e-5, torch.float64: 1e-6}
DTYPES = pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])


def _x(seed, dtype, d=24):
    gen = torch.Generator().manual_seed(int(seed))
    return (4 * torch.randn(3, 5, d, generator=gen, dtype=torch.float64) + 2).to(dtype)


@pytest.mark.points(1)
@DTYPES
def test_layer_norm_matches_torch(submission, dtype):
    """LayerNorm subtracts the mean, divides by sqrt(biased variance + eps), then scales and shifts (weight, bias)."""
    gen = torch.Generator().manual_seed(13)
    for eps in (1e-5, 1e-2):
        ln = cast(submission.LayerNorm(24, eps=eps), dtype)
        check_shapes(ln, {"weight": (24,), "bias": (24,)}, "LayerNorm(24)")
        w, b = 1 + 0.3 * torch.randn(24, generator=gen, dtype=dtype), 0.5 * torch.randn(24, generator=gen, dtype=dtype)
        load(ln, {"weight": w, "bias": b})
        x = _x(14, dtype)
        want = torch.nn.functional.layer_norm(x, (24,), w, b, eps)
        err = max_err(ln(x), want, "LayerNorm(x)")
        assert err <= TOL[dtype], (
            f"({dtype}, eps={eps}) LayerNorm differs from nn.LayerNorm by {err:.1e}: the variance is the biased one "
            "(mean of squared deviations, divide by d), eps goes inside the sqrt, normalise over the last dim")


@pytest.mark.points(1)
@DTYPES
def test_rms_norm_matches_torch_and_llama(submission, dtype):
    """RMSNorm divides by the root mean square sqrt(mean(x^2) + eps), without centring, then scales by weight."""
    gen = torch.Generator().manual_seed(15)
    rms = cast(submission.RMSNorm(24), dtype)
    check_shapes(rms, {"weight": (24,)}, "RMSNorm(24)")
    w = 1 + 0.3 * torch.randn(24, generator=gen, dtype=dtype)
    load(rms, {"weight": w})
    x = _x(16, dtype)
    want = torch.nn.functional.rms_norm(x, (24,), w, 1e-6)
    err = max_err(rms(x), want, "RMSNorm(x)")
    assert err <= TOL[dtype], (
        f"({dtype}) RMSNorm differs from nn.RMSNorm(eps=1e-6) by {err:.1e}: x / sqrt(mean(x**2, last dim) + eps) * "
        "weight, no mean subtracted and no bias")
    hf = LlamaRMSNorm(24, eps=1e-6).to(dtype)
    with torch.no_grad():
        hf.weight.copy_(w)
        err = max_err(rms(x), hf(x), "RMSNorm(x)")
    assert err <= TOL[dtype], f"({dtype}) RMSNorm differs from Hugging Face's LlamaRMSNorm by {err:.1e}"


@pytest.mark.points(2)
def test_swiglu_matches_llama_mlp(submission):
    """SwiGLU is down_proj(silu(gate_proj(x)) * up_proj(x)), exactly Llama's MLP with the same weights."""
    shapes = {"gate_proj.weight": (40, 24), "up_proj.weight": (40, 24), "down_proj.weight": (24, 40)}
    ffn = submission.SwiGLU(24, 40).double()
    check_shapes(ffn, shapes, "SwiGLU(24, 40)")
    weights = trusted_weights(shapes, seed=17)
    load(ffn, weights)
    mlp = LlamaMLP(llama_config(24, 4, 40)).double()
    mlp.load_state_dict(weights)
    x = _x(18, torch.float64)
    with torch.no_grad():
        want = mlp(x)
    err = max_err(ffn(x), want, "SwiGLU(x)")
    assert err <= 1e-10, (
        f"SwiGLU differs from Llama's MLP by {err:.1e}: down_proj(silu(gate_proj(x)) * up_proj(x)) with "
        "silu(z) = z * sigmoid(z); which projection is gated matters")
