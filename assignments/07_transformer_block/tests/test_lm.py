"""Task 7: TinyLM (embedding, blocks, final norm, tied head), next_token_loss and train_lm."""
import math

import pytest
import torch
import torch.nn.functional as F

from conftest import as_tensor, check_shapes, hf_lm_logits, lm_shapes, load, max_err, pair, trusted_weights

V, D, H, L, DFF = 40, 32, 4, 2, 64


def trusted_lm(submission, seed: int, emb_scale: float = 1.0):
    model = submission.TinyLM(V, d_model=D, n_heads=H, n_layers=L, d_ff=DFF).double()
    check_shapes(model, lm_shapes(V, D, DFF, L), f"TinyLM({V}, d_model={D}, n_heads={H}, n_layers={L}, d_ff={DFF})")
    weights = trusted_weights(lm_shapes(V, D, DFF, L), seed, emb_scale=emb_scale)
    load(model, weights)
    model.eval()
    return model, weights


def logits_of(model, ids, what="model(ids)"):
    out = pair(model(ids), what)
    return as_tensor(out[0], "logits"), out[1]


@pytest.mark.points(2)
def test_lm_structure_and_weight_tying(submission):
    """The LM is tok_emb, n_layers blocks, a final RMSNorm and a head whose weight is the embedding's (tied)."""
    model = submission.TinyLM(V, d_model=D, n_heads=H, n_layers=3)
    check_shapes(model, lm_shapes(V, D, 4 * D, 3), f"TinyLM({V}, d_model={D}, n_heads={H}, n_layers=3) (d_ff = 4 * d_model)")
    n_tensors = len([p for p in model.parameters()])  # parameters() lists a shared tensor once
    n_names = len(lm_shapes(V, D, 4 * D, 3))
    assert n_tensors == n_names - 1, (
        f"the head must share the embedding's weight (self.head.weight = self.tok_emb.weight): the model has "
        f"{n_tensors} distinct parameter tensors, a tied model has {n_names - 1}")


@pytest.mark.points(2)
def test_lm_loss_at_init_is_near_ln_vocab(submission):
    """An untrained LM predicts almost uniformly: its next-token loss starts within 0.1 of ln(V)."""
    for vocab in (100, 256):
        model = submission.TinyLM(vocab, d_model=32, n_heads=4, n_layers=2)
        model.eval()
        ids = torch.randint(0, vocab, (8, 32), generator=torch.Generator().manual_seed(vocab))
        logits, _ = logits_of(model, ids)
        loss = F.cross_entropy(logits[:, :-1].reshape(-1, vocab).double(), ids[:, 1:].reshape(-1)).item()
        assert abs(loss - math.log(vocab)) <= 0.1, (
            f"at initialisation the loss should be within 0.1 of ln({vocab}) = {math.log(vocab):.3f}; got {loss:.3f}. "
            "With a tied head the embedding's scale sets the logits' scale: initialise tok_emb.weight ~ N(0, 0.02^2)")


@pytest.mark.points(1)
def test_lm_is_causal(submission):
    """The LM is causal: changing later tokens never changes the logits at earlier positions."""
    model, _ = trusted_lm(submission, seed=23)
    gen = torch.Generator().manual_seed(24)
    ids = torch.randint(0, V, (2, 12), generator=gen)
    changed = ids.clone()
    changed[:, 6:] = (changed[:, 6:] + 1 + torch.randint(0, V - 1, (2, 6), generator=gen)) % V
    a, _ = logits_of(model, ids)
    b, _ = logits_of(model, changed)
    err = (a[:, :6] - b[:, :6]).abs().max().item()
    assert err <= 1e-10, (
        f"changing tokens 6..11 changed the logits at positions 0..5 by {err:.1e}: position t may only see tokens "
        "<= t (build the mask with causal_mask and pass it to every block)")


@pytest.mark.points(2)
def test_lm_matches_llama_for_causal_lm(submission):
    """End to end: TinyLM with copied weights equals Hugging Face's LlamaForCausalLM (tied embeddings, float64)."""
    model, weights = trusted_lm(submission, seed=25)
    ids = torch.randint(0, V, (2, 11), generator=torch.Generator().manual_seed(26))
    want = hf_lm_logits(weights, ids, H)
    logits, presents = logits_of(model, ids)
    err = max_err(logits, want, "logits")
    assert err <= 1e-5, (
        f"TinyLM's logits differ from LlamaForCausalLM with the same weights by {err:.1e}: embedding -> blocks "
        "(causal mask) -> norm -> tied head; if the block tests pass, look at the mask and the final norm")
    assert isinstance(presents, list) and len(presents) == L, f"presents should be a list of {L} (k, v) pairs, one per block"


@pytest.mark.points(2)
def test_next_token_loss(submission):
    """The next-token loss compares the logits at position t with the token at t + 1 (the target is shifted)."""
    gen = torch.Generator().manual_seed(27)
    for B, T, vocab in ((3, 7, 11), (2, 2, 5)):
        logits = torch.randn(B, T, vocab, generator=gen, dtype=torch.float64)
        ids = torch.randint(0, vocab, (B, T), generator=gen)
        got = as_tensor(submission.next_token_loss(logits, ids), "next_token_loss(...)")
        assert got.dim() == 0, f"next_token_loss should return a scalar tensor; got shape {tuple(got.shape)}"
        want = F.cross_entropy(logits[:, :-1].reshape(-1, vocab), ids[:, 1:].reshape(-1)).item()
        assert abs(got.item() - want) <= 1e-10, (
            f"next_token_loss should be the mean cross-entropy of logits[:, :-1] against ids[:, 1:] ({want:.6f}); got "
            f"{got.item():.6f}: shift the target by one (comparing logits[:, t] with ids[:, t] teaches the model to copy)")


@pytest.mark.points(3)
@pytest.mark.timeout(120)
def test_train_lm_overfits_one_batch(submission):
    """End to end: 100 AdamW steps (lr 1e-2) on one fixed batch drive the next-token loss below 0.05."""
    model = submission.TinyLM(64, d_model=32, n_heads=4, n_layers=2)
    data = torch.randint(0, 64, (4, 16), generator=torch.Generator().manual_seed(3))
    losses = submission.train_lm(model, data, 100, lr=1e-2, progress=False)
    assert isinstance(losses, list) and len(losses) == 100 and all(isinstance(v, float) for v in losses), (
        "train_lm should return the list of its 100 losses as Python floats (loss.item())")
    model.eval()
    logits, _ = logits_of(model, data)
    loss = F.cross_entropy(logits[:, :-1].reshape(-1, 64).double(), data[:, 1:].reshape(-1)).item()
    assert loss < 0.05, (
        f"after 100 steps on one batch of 4 x 16 tokens the next-token loss (targets shifted by one) should be "
        f"below 0.05 (the reference reaches about 0.004); yours is {loss:.3f}. Check the loss's shift, zero_grad / "
        "backward / step every step, and that all of `data` is used when batch_size is None")
