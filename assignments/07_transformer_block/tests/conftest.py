"""Trusted-side oracles and helpers for the 07_transformer_block hidden suite.

Everything here runs in the grading process, never in the worker. Student code is reached only through the
``submission`` fixture. The oracles are library calls (torch's softmax, F.scaled_dot_product_attention,
nn.MultiheadAttention, nn.LayerNorm, nn.RMSNorm; Hugging Face's Llama modules built from a tiny config with
random weights, offline) applied to the suite's own seeded inputs and weights. Student modules get trusted
weights with ``load_state_dict`` after their parameter names and shapes are checked, so a test of one part
does not depend on how another part initialises.
"""
from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from transformers import LlamaConfig
from transformers.models.llama.modeling_llama import (LlamaDecoderLayer, LlamaForCausalLM, LlamaMLP, LlamaRMSNorm,
                                                      LlamaRotaryEmbedding, apply_rotary_pos_emb)

from autograder.testing import replaced, worker_function, worker_import

torch.backends.cuda.matmul.allow_tf32 = False  # the trusted oracles on a GPU runner: full float32
torch.backends.cudnn.allow_tf32 = False

__all__ = ["LlamaDecoderLayer", "LlamaForCausalLM", "LlamaMLP", "LlamaRMSNorm", "LlamaRotaryEmbedding",
           "apply_rotary_pos_emb", "worker_import", "math", "F"]


# ---------------------------------------------------------------- small helpers

def as_tensor(value, what: str) -> torch.Tensor:
    assert isinstance(value, torch.Tensor), f"{what} should be a torch.Tensor; got {type(value).__name__}"
    return value


def max_err(got: torch.Tensor, want: torch.Tensor, what: str) -> float:
    got = as_tensor(got, what)
    assert tuple(got.shape) == tuple(want.shape), f"{what} should have shape {tuple(want.shape)}; got {tuple(got.shape)}"
    return (got.to(want.dtype) - want).abs().max().item()


def pair(value, what: str) -> tuple:
    assert isinstance(value, (tuple, list)) and len(value) == 2, f"{what} should return a pair (see its docstring)"
    return tuple(value)


def randn(gen: torch.Generator, *shape, dtype=torch.float64, scale: float = 1.0) -> torch.Tensor:
    return scale * torch.randn(*shape, generator=gen, dtype=dtype)


def causal(T_q: int, T_k: int | None = None) -> torch.Tensor:
    n_keys = T_k or T_q
    return torch.ones(T_q, n_keys, dtype=torch.bool).tril(n_keys - T_q)


def additive(mask: torch.Tensor, dtype) -> torch.Tensor:
    """A boolean mask (True = may attend) as the additive float mask Hugging Face's eager attention takes."""
    return torch.zeros(mask.shape, dtype=dtype).masked_fill(~mask, torch.finfo(dtype).min)


def rope_cos_sin(positions: torch.Tensor, head_dim: int, base: float = 10000.0):
    """cos, sin of the RoPE angles in Llama's rotate_half layout, in float64: (T, head_dim) each."""
    inv_freq = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    angles = positions.to(torch.float64)[:, None] * inv_freq[None, :]
    angles = angles.repeat(1, 2)  # Llama's rotate_half layout: the same angles for both halves
    return angles.cos(), angles.sin()


# ---------------------------------------------------------------- trusted weights

def block_shapes(d: int, d_ff: int, prefix: str = "") -> dict:
    return {f"{prefix}attn_norm.weight": (d,), f"{prefix}attn.q_proj.weight": (d, d),
            f"{prefix}attn.k_proj.weight": (d, d), f"{prefix}attn.v_proj.weight": (d, d),
            f"{prefix}attn.o_proj.weight": (d, d), f"{prefix}ffn_norm.weight": (d,),
            f"{prefix}ffn.gate_proj.weight": (d_ff, d), f"{prefix}ffn.up_proj.weight": (d_ff, d),
            f"{prefix}ffn.down_proj.weight": (d, d_ff)}


def lm_shapes(V: int, d: int, d_ff: int, n_layers: int) -> dict:
    shapes = {"tok_emb.weight": (V, d)}
    for i in range(n_layers):
        shapes.update(block_shapes(d, d_ff, f"blocks.{i}."))
    shapes.update({"norm.weight": (d,), "head.weight": (V, d)})
    return shapes


def check_shapes(student_module, want: dict, what: str) -> None:
    state = student_module.state_dict()
    assert isinstance(state, dict), f"{what}.state_dict() did not come back as a dictionary of tensors"
    got = {k: tuple(as_tensor(v, k).shape) for k, v in state.items()}
    assert got == want, (f"{what} should have exactly the parameters {want} (names as the notebook prescribes); "
                         f"yours are {got}")


def trusted_weights(shapes: dict, seed: int, dtype=torch.float64, emb_scale: float = 1.0) -> dict:
    """Seeded weights: norms near 1, projections ~ N(0, 1/fan_in), embeddings ~ N(0, emb_scale^2); tied heads share."""
    gen = torch.Generator().manual_seed(int(seed))
    weights = {}
    for name, shape in shapes.items():
        if name == "head.weight" and "tok_emb.weight" in weights:
            weights[name] = weights["tok_emb.weight"]
        elif name.endswith("norm.weight"):
            weights[name] = 1 + 0.2 * torch.randn(*shape, generator=gen, dtype=dtype)
        elif name == "tok_emb.weight":
            weights[name] = emb_scale * torch.randn(*shape, generator=gen, dtype=dtype)
        else:
            weights[name] = torch.randn(*shape, generator=gen, dtype=dtype) / math.sqrt(shape[-1])
    return weights


def load(student_module, weights: dict) -> None:
    student_module.load_state_dict(weights)


# ---------------------------------------------------------------- Hugging Face oracles

def llama_config(d: int, n_heads: int, d_ff: int, V: int = 32, n_layers: int = 1) -> LlamaConfig:
    config = LlamaConfig(hidden_size=d, intermediate_size=d_ff, num_attention_heads=n_heads,
                         num_key_value_heads=n_heads, num_hidden_layers=n_layers, vocab_size=V, rms_norm_eps=1e-6,
                         max_position_embeddings=256, tie_word_embeddings=True, attention_bias=False,
                         attn_implementation="eager")
    config._attn_implementation = "eager"
    return config


HF_BLOCK_NAMES = {"attn_norm": "input_layernorm", "attn": "self_attn", "ffn_norm": "post_attention_layernorm",
                  "ffn": "mlp"}


def to_hf_block(name: str) -> str:
    head, _, rest = name.partition(".")
    return f"{HF_BLOCK_NAMES[head]}.{rest}"


def hf_block_forward(weights: dict, x: torch.Tensor, mask: torch.Tensor, n_heads: int) -> torch.Tensor:
    """A Hugging Face LlamaDecoderLayer carrying ``weights`` (student names) applied to x at positions 0..T-1."""
    d = x.shape[-1]
    d_ff = weights["ffn.gate_proj.weight"].shape[0]
    torch.manual_seed(0)
    layer = LlamaDecoderLayer(llama_config(d, n_heads, d_ff), layer_idx=0).to(x.dtype).eval()
    layer.load_state_dict({to_hf_block(k): v for k, v in weights.items()})
    cos, sin = rope_cos_sin(torch.arange(x.shape[1]), d // n_heads)
    with torch.no_grad():
        out = layer(x, attention_mask=additive(mask, x.dtype)[None, None],
                    position_embeddings=(cos.to(x.dtype)[None], sin.to(x.dtype)[None]))
    return out[0] if isinstance(out, tuple) else out


def hf_lm_logits(weights: dict, ids: torch.Tensor, n_heads: int, dtype=torch.float64) -> torch.Tensor:
    """Logits of a Hugging Face LlamaForCausalLM (tied embeddings, eager attention) carrying ``weights``."""
    V, d = weights["tok_emb.weight"].shape
    d_ff = weights["blocks.0.ffn.gate_proj.weight"].shape[0]
    n_layers = 1 + max(int(k.split(".")[1]) for k in weights if k.startswith("blocks."))
    torch.manual_seed(0)
    model = LlamaForCausalLM(llama_config(d, n_heads, d_ff, V, n_layers)).to(dtype).eval()
    state = {"model.embed_tokens.weight": weights["tok_emb.weight"], "model.norm.weight": weights["norm.weight"],
             "lm_head.weight": weights["head.weight"]}
    for k, v in weights.items():
        if k.startswith("blocks."):
            _, i, rest = k.split(".", 2)
            state[f"model.layers.{i}.{to_hf_block(rest)}"] = v
    model.load_state_dict(state)
    with torch.no_grad():
        return model(input_ids=ids).logits


# ---------------------------------------------------------------- worker-side composition

def call_on_device(submission, device: str, fn, *tensors: torch.Tensor, **kwargs):
    """``fn(*tensors moved to device, **kwargs)`` evaluated in the worker; the result comes back (on the CPU).

    Tensors always reach the worker on the CPU, so the move happens there: map(Tensor.to(device=...), [t]).
    """
    b = worker_import(submission, "builtins")
    ft = worker_import(submission, "functools")
    wt = worker_import(submission, "torch")
    to = ft.partial(wt.Tensor.to, device=device)
    moved = [b.map(to, [t]) for t in tensors]
    call = ft.partial(fn, **kwargs) if kwargs else fn
    return b.list(b.map(call, *moved))[0]


def full_fp32(submission, device: str) -> None:
    """On a GPU, make the worker's float32 matmuls exact float32 (TF32 off); harmless on the CPU."""
    if device == "cuda":
        worker_import(submission, "torch").set_float32_matmul_precision("highest")


@pytest.fixture
def wtorch(submission):
    return worker_import(submission, "torch")


def student_raises_value_error(call, *args, message: str = "", **kwargs) -> None:
    """The student's code must raise the built-in ValueError (or a subclass)."""
    from autograder.testing import student_raises

    with student_raises("ValueError", message=message):
        call(*args, **kwargs)


def cast(module, dtype):
    """A worker-side module in float32 or float64 (dtype objects do not cross: call .float() / .double())."""
    return module.double() if dtype == torch.float64 else module.float()


# The suite's stand-in for the student's attention (PyTorch's own), so that the tests of multi-head attention
# judge the heads and projections alone: a wrong attention loses only the attention task's points.
LIBRARY_ATTENTION = """
import torch
import torch.nn.functional as F


def scaled_dot_product_attention(q, k, v, mask=None):
    scores = torch.matmul(q, k.transpose(-2, -1)) * q.shape[-1] ** -0.5
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(float("-inf"), dtype=scores.dtype))
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask), torch.softmax(scores, dim=-1)
"""


def with_library_attention(submission):
    """Inside the block the student's MultiHeadSelfAttention calls PyTorch's attention instead of theirs."""
    glue = worker_function(submission, LIBRARY_ATTENTION, "scaled_dot_product_attention")
    return replaced(submission, scaled_dot_product_attention=glue)
