"""Instructor-only reference code for the 06_char_rnn hidden suite (never published).

The tests reach these functions through the ``ref`` fixture (``ref.make_windows(ids, 16)``): live in the
course repository, replayed from a recorded snapshot in the published grader. Every argument is the
suite's own seeded input or release data, never a value that came back from a submission, and every
answer is plain data (tensors, lists, dicts, floats).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


# ---------------------------------------------------------------- task 1: vocabulary

def build_vocab(text: str) -> tuple[list[str], dict[str, int]]:
    itos = sorted(set(text))
    return itos, {ch: i for i, ch in enumerate(itos)}


def encode(text: str, stoi: dict[str, int]) -> torch.Tensor:
    return torch.tensor([stoi[ch] for ch in text], dtype=torch.long)


# ---------------------------------------------------------------- task 2: windows

def make_windows(ids: torch.Tensor, seq_len: int) -> tuple[torch.Tensor, torch.Tensor]:
    m = max((len(ids) - 1) // seq_len, 0)
    return ids[: m * seq_len].reshape(m, seq_len), ids[1 : m * seq_len + 1].reshape(m, seq_len)


# ---------------------------------------------------------------- task 5: the model

class ReferenceCharRNN(nn.Module):
    """The notebook's CharRNN, with the parameter names the notebook prescribes."""

    def __init__(self, vocab_size: int, hidden_size: int = 256, cell: str = "gru", embed_dim: int = 64,
                 num_layers: int = 1):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_dim)
        self.rnn = {"gru": nn.GRU, "lstm": nn.LSTM}[cell](embed_dim, hidden_size, num_layers=num_layers,
                                                          batch_first=True)
        self.head = nn.Linear(hidden_size, vocab_size)

    def forward(self, x, state=None):
        out, state = self.rnn(self.embed(x), state)
        return self.head(out), state


def char_rnn_forward(weights: dict[str, torch.Tensor], x: torch.Tensor, cell: str):
    """``(logits, state)`` of a one-layer reference CharRNN carrying ``weights`` (a state_dict) on ids ``x``."""
    vocab_size, embed_dim = weights["embed.weight"].shape
    hidden_size = weights["rnn.weight_hh_l0"].shape[1]
    model = ReferenceCharRNN(vocab_size, hidden_size, cell, embed_dim)
    model.load_state_dict(weights)
    model.eval()
    with torch.no_grad():
        return model(x)


# ---------------------------------------------------------------- task 6: bits per character

def bits_per_char(logits: torch.Tensor, targets: torch.Tensor) -> float:
    nats = F.cross_entropy(logits.double().reshape(-1, logits.shape[-1]), targets.reshape(-1))
    return nats.item() / math.log(2)


# ---------------------------------------------------------------- task 7: training

def unigram_sgd_replay(start: torch.Tensor, batches: list, lr: float, clip: float) -> list:
    """SGD on a unigram model's logits with the gradient clipped to global norm ``clip``, one step per (x, y).

    Returns, for every step, ``(loss in nats before the update, gradient norm before clipping, logits after)``.
    """
    logits = start.clone().requires_grad_(True)
    vocab = logits.shape[0]
    steps = []
    for x, y in batches:
        loss = F.cross_entropy(logits.expand(*x.shape, vocab).reshape(-1, vocab), y.reshape(-1))
        (grad,) = torch.autograd.grad(loss, logits)
        norm = grad.norm().item()
        with torch.no_grad():
            logits -= lr * grad * min(1.0, clip / (norm + 1e-6))
        steps.append((loss.item(), norm, logits.detach().clone()))
    return steps


# ---------------------------------------------------------------- task 8: sampling

def temperature_probs(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    if temperature == 0:
        return F.one_hot(logits.argmax(dim=-1), logits.shape[-1]).to(logits.dtype)
    return torch.softmax(logits / temperature, dim=-1)
