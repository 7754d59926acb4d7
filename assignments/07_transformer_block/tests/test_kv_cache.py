"""Task 8: incremental decoding with the KV cache equals the full forward pass; generate is greedy."""
import pytest
import torch

from conftest import as_tensor, pair
from test_lm import H, V, logits_of, trusted_lm  # noqa: F401


@pytest.mark.points(3)
def test_kv_cache_equals_full_forward(submission):
    """Feeding a prompt, then a chunk, then one token at a time with past_kvs gives the full pass's logits (1e-6)."""
    model, _ = trusted_lm(submission, seed=28)
    ids = torch.randint(0, V, (2, 12), generator=torch.Generator().manual_seed(29))
    full, _ = logits_of(model, ids)
    pieces, past = [], None
    for start, stop in ((0, 5), (5, 8), (8, 9), (9, 10), (10, 11), (11, 12)):
        logits, past = pair(model(ids[:, start:stop], past) if past is not None else model(ids[:, start:stop]),
                            "model(ids, past_kvs)")
        pieces.append(as_tensor(logits, "logits"))
    got = torch.cat(pieces, dim=1)
    err = (got.double() - full.double()).abs().max().item()
    assert err <= 1e-6, (
        f"prompt (5 tokens), a chunk of 3, then 4 single tokens with past_kvs differ from one full pass by {err:.1e}: "
        "RoPE must rotate new tokens at their absolute positions T_past.., new keys and values go after the cached "
        "ones, and the mask for T new queries over T_past + T keys is causal_mask(T, T_past + T)")
    k = as_tensor(pair(past[0], "presents[0]")[0], "the cached k")
    assert tuple(k.shape) == (2, H, 12, 32 // H), f"after 12 tokens the cached k should be (2, {H}, 12, {32 // H}); got {tuple(k.shape)}"


@pytest.mark.points(2)
def test_generate_is_greedy(submission):
    """generate appends, one at a time, the most likely next token given everything before it."""
    # small embeddings (std 0.1): the next token then depends on the context, not only on the last token
    model, _ = trusted_lm(submission, seed=30, emb_scale=0.1)
    prompt = torch.randint(0, V, (2, 4), generator=torch.Generator().manual_seed(31))
    out = as_tensor(submission.generate(model, prompt, 10), "generate(...)")
    assert tuple(out.shape) == (2, 14) and torch.equal(out[:, :4], prompt), (
        f"generate(model, prompt of shape (2, 4), 10) should return (2, 14), the prompt followed by 10 tokens; got "
        f"{tuple(out.shape)}")
    logits, _ = logits_of(model, out[:, :-1])
    want = logits.argmax(-1)[:, 3:]
    assert torch.equal(out[:, 4:], want), (
        "each generated token should be the argmax of the logits at the previous position (greedy); check the "
        "cached path (past_kvs) and that you feed the newest token, not the whole sequence, with the cache")
