"""Task 4: Seq2SeqTransformer (encode, decode, forward).

The student's model carries seeded trusted weights. Its encode/decode are compared with torch's own
nn.Transformer (same weights) applied to the outputs of the student's own embeddings, with masks built here:
a wrong TokenEmbedding or a wrong mask function costs only the tests of those tasks.
"""
import pytest
import torch

from conftest import BOS, EOS, PAD, SMALL, as_tensor, causal, load_trusted, trusted_transformer


def batch(seed: int):
    gen = torch.Generator().manual_seed(int(seed))
    src = torch.randint(4, SMALL["vocab_size"], (3, 9), generator=gen)
    src[:, -1] = EOS
    src[1, 6] = EOS
    src[1, 7:] = PAD
    src[2, 3] = EOS
    src[2, 4:] = PAD
    tgt_in = torch.randint(4, SMALL["vocab_size"], (3, 7), generator=gen)
    tgt_in[:, 0] = BOS
    tgt_in[2, 5:] = PAD
    return src, tgt_in


def small_model(submission, seed: int):
    model = submission.Seq2SeqTransformer(**SMALL)
    weights = load_trusted(model, SMALL, seed)
    return model, weights


@pytest.mark.points(1)
def test_model_has_the_prescribed_parameters(submission):
    """The model holds two token embeddings, an nn.Transformer (pre-LN, batch-first) and an output layer, by name."""
    model, _ = small_model(submission, 40)  # load_trusted checks names and shapes
    assert bool(model.transformer.encoder.layers[0].norm_first), (
        "build nn.Transformer with norm_first=True (pre-LN: x + sublayer(LayerNorm(x)))")
    assert bool(model.transformer.encoder.layers[0].self_attn.batch_first), (
        "build nn.Transformer with batch_first=True: every tensor is (B, L, ...)")


@pytest.mark.points(3)
def test_encode_and_decode_match_nn_transformer(submission):
    """encode runs the encoder on the source embeddings; decode runs the decoder on memory and the target embeddings, then the output layer."""
    model, weights = small_model(submission, 41)
    transformer, generator = trusted_transformer(weights, SMALL)
    src, tgt_in = batch(42)
    src_mask, tgt_pad = src == PAD, tgt_in == PAD
    with torch.no_grad():
        src_emb = as_tensor(model.src_embed(src), "model.src_embed(src)")
        tgt_emb = as_tensor(model.tgt_embed(tgt_in), "model.tgt_embed(tgt_in)")
        want_memory = transformer.encoder(src_emb, src_key_padding_mask=src_mask)
        want_logits = generator(transformer.decoder(tgt_emb, want_memory, tgt_mask=causal(7),
                                                    tgt_key_padding_mask=tgt_pad, memory_key_padding_mask=src_mask))
    memory = as_tensor(model.encode(src, src_mask), "model.encode(src, mask)")
    assert tuple(memory.shape) == (3, 9, SMALL["d_model"]), f"encode should return (B, S, d_model); got {tuple(memory.shape)}"
    err = (memory - want_memory).abs().max().item()
    assert err <= 1e-4, (
        f"encode differs from self.transformer.encoder(self.src_embed(src), src_key_padding_mask=...) by {err:.2e}: "
        "is the encoder pre-LN (norm_first=True), and is the mask passed as src_key_padding_mask?")
    logits = as_tensor(model.decode(tgt_in, want_memory, causal(7), tgt_pad, src_mask), "model.decode(...)")
    assert tuple(logits.shape) == (3, 7, SMALL["vocab_size"]), f"decode should return (B, T, V); got {tuple(logits.shape)}"
    err = (logits - want_logits).abs().max().item()
    assert err <= 1e-4, (
        f"decode differs from generator(transformer.decoder(tgt_embed(tgt_in), memory, tgt_mask, "
        f"tgt_key_padding_mask, memory_key_padding_mask)) by {err:.2e}: pass each mask to its own argument")


@pytest.mark.points(2)
def test_forward_builds_the_masks_from_the_ids(submission):
    """forward masks the source padding, the target padding and the future of every target position."""
    model, weights = small_model(submission, 43)
    transformer, generator = trusted_transformer(weights, SMALL)
    src, tgt_in = batch(44)
    with torch.no_grad():
        src_emb = as_tensor(model.src_embed(src), "model.src_embed(src)")
        tgt_emb = as_tensor(model.tgt_embed(tgt_in), "model.tgt_embed(tgt_in)")
        memory = transformer.encoder(src_emb, src_key_padding_mask=src == PAD)
        want = generator(transformer.decoder(tgt_emb, memory, tgt_mask=causal(7), tgt_key_padding_mask=tgt_in == PAD,
                                             memory_key_padding_mask=src == PAD))
    got = as_tensor(model(src, tgt_in), "model(src, tgt_in)")
    assert tuple(got.shape) == tuple(want.shape), f"forward should return logits (B, T, V) {tuple(want.shape)}; got {tuple(got.shape)}"
    err = (got - want).abs().max().item()
    assert err <= 1e-4, (
        f"forward(src, tgt_in) differs by {err:.2e} from the model run with padding_mask(src) (encoder and "
        "cross-attention), padding_mask(tgt_in) and a causal tgt_mask: check the masks it builds, and your "
        "padding_mask / causal_mask")
