"""Task 3: sinusoidal_positions, TokenEmbedding."""
import math

import pytest
import torch

from autograder.testing import student_raises
from conftest import PAD, as_tensor


@pytest.mark.points(2)
def test_sinusoidal_positions_match_the_formula(submission, ref):
    """Column 2i of the positional encoding is sin(pos / 10000^(2i/d)) and column 2i+1 the matching cosine."""
    for max_len, d in ((50, 64), (7, 6), (1, 2), (64, 16)):
        got = as_tensor(submission.sinusoidal_positions(max_len, d), "sinusoidal_positions")
        assert tuple(got.shape) == (max_len, d) and got.dtype == torch.float32, (
            f"sinusoidal_positions({max_len}, {d}) should be a ({max_len}, {d}) float32 tensor; got {tuple(got.shape)} {got.dtype}")
        want = ref.sinusoidal_positions(max_len, d)
        err = (got - want).abs().max().item()
        assert err <= 1e-6, (
            f"sinusoidal_positions({max_len}, {d}) differs from the formula by up to {err:.2e}: sin in the even "
            "columns, cos in the odd ones, and the exponent 2i/d uses the pair index i (columns 2i and 2i+1 share a frequency)")
    with student_raises("ValueError"):
        submission.sinusoidal_positions(10, 7)


@pytest.mark.points(3)
def test_token_embedding_scales_tokens_then_adds_positions(submission, ref):
    """The embedding output is sqrt(d) times the token vector plus the positional encoding."""
    V, d = 19, 12
    emb = submission.TokenEmbedding(V, d, max_len=30, dropout=0.0)
    keys = sorted(emb.state_dict())
    assert keys == ["embed.weight"], (
        f"TokenEmbedding's state_dict should hold only embed.weight (self.embed = nn.Embedding; register pe with "
        f"persistent=False); got {keys}")
    weight = torch.randn(V, d, generator=torch.Generator().manual_seed(31)) * d ** -0.5
    emb.load_state_dict({"embed.weight": weight})
    emb.eval()
    ids = torch.randint(1, V, (3, 17), generator=torch.Generator().manual_seed(32))
    ids[2, 10:] = PAD
    got = as_tensor(emb(ids), "TokenEmbedding(ids)")
    assert tuple(got.shape) == (3, 17, d), f"TokenEmbedding should return (B, L, d_model) = (3, 17, {d}); got {tuple(got.shape)}"
    want = ref.embed(weight, ids)
    err = (got - want).abs().max().item()
    if err > 1e-5:
        pos = ref.sinusoidal_positions(17, d)
        hint = ""
        if torch.allclose(got, weight[ids] + pos, atol=1e-5):
            hint = ": the token embeddings are not multiplied by sqrt(d_model)"
        elif torch.allclose(got, (weight[ids] + pos) * math.sqrt(d), atol=1e-4):
            hint = ": the positions were scaled too; multiply only the token embeddings by sqrt(d_model), then add P"
        elif torch.allclose(got, weight[ids] * math.sqrt(d), atol=1e-5):
            hint = ": the positional encoding is missing"
        raise AssertionError(f"TokenEmbedding differs from sqrt(d) * embed(ids) + P[:L] by up to {err:.2e}{hint}")


@pytest.mark.points(1)
def test_token_embedding_initialisation_has_variance_one_over_d(submission):
    """The token embeddings start with standard deviation 1/sqrt(d), so that sqrt(d) times them is on the scale of P."""
    emb = submission.TokenEmbedding(400, 64)
    weight = as_tensor(emb.state_dict()["embed.weight"], "embed.weight")
    std = weight.std().item()
    assert abs(std - 64 ** -0.5) < 0.02, (
        f"embed.weight should be initialised with nn.init.normal_(..., std=d_model ** -0.5) = 0.125; its std is {std:.3f}")
