"""Tasks 9-11: sgns_loss, sgns_gradients and SkipGramModel."""
import math

import numpy as np
import pytest
import torch


def random_inputs(rng, B, K, D, scale=1.0, dtype=torch.float64):
    make = lambda *shape: torch.tensor(scale * rng.normal(size=shape), dtype=dtype)  # noqa: E731
    return make(B, D), make(B, D), make(B, K, D)


@pytest.mark.points(2)
def test_sgns_loss_value(submission, rng, ref):
    v, u, n = random_inputs(rng, 16, 5, 8)
    got = submission.sgns_loss(v, u, n)
    want = ref.sgns_loss(v, u, n).item()
    assert isinstance(got, torch.Tensor), f"return a tensor, got {type(got).__name__}"
    assert got.dim() == 0, f"return the batch mean as a 0-dim tensor, got shape {tuple(got.shape)}"
    assert math.isclose(got.item(), want, rel_tol=1e-10), (
        f"expected {want:.8f}, got {got.item():.8f}: -mean_b[log sigma(u_o.v_c) + sum_k log sigma(-u_k.v_c)]; "
        "check the sign inside the negative term, the sum over K and the mean over the batch")


@pytest.mark.points(1)
def test_sgns_loss_numerically_stable(submission, rng, ref):
    for dtype, scale in [(torch.float32, 12.0), (torch.float64, 40.0)]:
        v, u, n = random_inputs(rng, 8, 3, 10, scale=scale, dtype=dtype)  # scores of order +-1000 (float32 +-400)
        got = submission.sgns_loss(v, u, n).item()
        want = ref.sgns_loss(v.double(), u.double(), n.double()).item()
        assert math.isfinite(got), (
            f"the loss is {got} for large scores ({dtype}): log(sigmoid(x)) underflows, use F.logsigmoid(x)")
        assert math.isclose(got, want, rel_tol=1e-4), f"large scores ({dtype}): expected {want:.2f}, got {got:.2f}"


@pytest.mark.points(1)
def test_sgns_loss_single_example(submission):
    v = torch.tensor([[0.5, -1.0]], dtype=torch.float64)
    u = torch.tensor([[2.0, 1.0]], dtype=torch.float64)
    n = torch.tensor([[[1.0, 1.0]]], dtype=torch.float64)
    want = -(math.log(1 / (1 + math.exp(0.0))) + math.log(1 / (1 + math.exp(-0.5))))  # s_o = 0, s_1 = -0.5
    got = submission.sgns_loss(v, u, n)
    assert math.isclose(got.item(), want, rel_tol=1e-10), f"B = K = 1: expected {want:.6f}, got {got.item():.6f}"


@pytest.mark.points(6)
def test_sgns_gradients_match_autograd(submission, rng, ref):
    for B, K, D, scale in [(12, 5, 6, 1.0), (3, 1, 4, 3.0), (1, 7, 2, 0.5)]:
        v, u, n = random_inputs(rng, B, K, D, scale=scale)
        want = ref.sgns_autograd(v, u, n)
        got = submission.sgns_gradients(v, u, n)
        assert len(got) == 3, f"return three gradients (v_center, u_context, u_negative), got {len(got)}"
        for name, g, w in zip(["grad_v_center", "grad_u_context", "grad_u_negative"], got, want):
            g = torch.as_tensor(g, dtype=torch.float64)
            assert tuple(g.shape) == tuple(w.shape), f"{name} (B={B}, K={K}, D={D}): expected shape {tuple(w.shape)}, got {tuple(g.shape)}"
            err = (g - w).abs().max().item()
            assert err < 1e-10, (
                f"{name} (B={B}, K={K}, D={D}) differs from autograd by {err:.2e} (tolerance 1e-10, float64). "
                "Check the sign of sigma(s_o) - 1, the +sigma(s_k) of the negatives and the 1/B of the mean")


@pytest.mark.points(1)
def test_skipgram_model_initialisation(submission):
    V, D = 500, 40
    model = submission.SkipGramModel(V, D)
    state = model.state_dict()
    assert set(state) == {"in_embed.weight", "out_embed.weight"}, (
        f"expected exactly the parameters in_embed.weight and out_embed.weight (two nn.Embedding), got {sorted(state)}")
    w_in, w_out = np.asarray(state["in_embed.weight"]), np.asarray(state["out_embed.weight"])
    assert w_in.shape == (V, D) and w_out.shape == (V, D), f"both tables must be (vocab_size, dim) = ({V}, {D})"
    assert np.all(w_out == 0), "out_embed must be initialised to zeros"
    bound = 0.5 / D
    assert np.abs(w_in).max() <= bound, f"in_embed must be uniform in [-0.5/dim, 0.5/dim], but max |w| = {np.abs(w_in).max():.4f} > {bound:.4f}"
    assert abs(w_in.std() - bound / math.sqrt(3)) < 0.05 * bound / math.sqrt(3), (
        f"in_embed should fill [-0.5/dim, 0.5/dim] uniformly (std {bound / math.sqrt(3):.5f}), got std {w_in.std():.5f}")


@pytest.mark.points(2)
def test_skipgram_model_forward(submission, rng, ref):
    V, D, B, K = 30, 6, 10, 4
    model = submission.SkipGramModel(V, D)
    w_in = torch.tensor(rng.normal(size=(V, D)), dtype=torch.float32)
    w_out = torch.tensor(rng.normal(size=(V, D)), dtype=torch.float32)
    model.load_state_dict({"in_embed.weight": w_in, "out_embed.weight": w_out})
    center = torch.tensor(rng.integers(0, V, size=B))
    context = torch.tensor(rng.integers(0, V, size=B))
    negatives = torch.tensor(rng.integers(0, V, size=(B, K)))
    got = model(center, context, negatives)
    want = ref.sgns_loss(w_in[center].double(), w_out[context].double(), w_out[negatives].double()).item()
    swapped = ref.sgns_loss(w_out[center].double(), w_in[context].double(), w_in[negatives].double()).item()
    got = float(torch.as_tensor(got).item())
    assert not math.isclose(got, swapped, rel_tol=1e-5), "centers must be looked up in in_embed, contexts and negatives in out_embed (they are swapped)"
    assert math.isclose(got, want, rel_tol=1e-5), (
        f"forward(center, context, negatives) should be sgns_loss(in_embed(center), out_embed(context), "
        f"out_embed(negatives)) = {want:.5f}, got {got:.5f}")
