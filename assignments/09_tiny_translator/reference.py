"""Instructor-only reference code for the 09_tiny_translator hidden suite (never published).

The tests reach these functions through the ``ref`` fixture: live in the course repository, replayed from a
recorded snapshot in the published grader. Every argument is the suite's own seeded input or release data,
never a value that came back from a submission, and every answer is plain data (tensors, lists, floats).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]
PAD, BOS, EOS, UNK = 0, 1, 2, 3


# ---------------------------------------------------------------- task 1: vocabulary

def build_vocab(texts: list[str]) -> tuple[list[str], dict[str, int]]:
    itos = SPECIALS + sorted(set("".join(texts)))
    return itos, {tok: i for i, tok in enumerate(itos)}


def encode(text: str, stoi: dict[str, int]) -> list[int]:
    return [stoi.get(ch, UNK) for ch in text] + [EOS]


def decode(ids: list[int], itos: list[str]) -> str:
    out = []
    for i in ids:
        if i == EOS:
            break
        if i in (PAD, BOS):
            continue
        out.append(itos[i])
    return "".join(out)


def pad_batch(seqs: list[list[int]], pad_id: int = PAD) -> torch.Tensor:
    width = max(len(s) for s in seqs)
    return torch.tensor([s + [pad_id] * (width - len(s)) for s in seqs], dtype=torch.long)


# ---------------------------------------------------------------- task 2: masks

def padding_mask(ids: torch.Tensor, pad_id: int = PAD) -> torch.Tensor:
    return ids == pad_id


def causal_mask(size: int) -> torch.Tensor:
    return torch.triu(torch.ones(size, size, dtype=torch.bool), diagonal=1)


# ---------------------------------------------------------------- task 3: embeddings and positions

def sinusoidal_positions(max_len: int, d_model: int) -> torch.Tensor:
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    div = torch.pow(10000.0, torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)
    pe = torch.zeros(max_len, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos / div)
    pe[:, 1::2] = torch.cos(pos / div)
    return pe.float()


def embed(weight: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
    """TokenEmbedding's output (no dropout) for an embedding matrix ``weight`` (V, d) and ids (B, L)."""
    d_model = weight.shape[1]
    return weight[ids] * math.sqrt(d_model) + sinusoidal_positions(ids.shape[1], d_model)


# ---------------------------------------------------------------- task 4: the model

class TokenEmbedding(nn.Module):
    def __init__(self, vocab_size: int, d_model: int, max_len: int = 64, dropout: float = 0.0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, d_model)
        nn.init.normal_(self.embed.weight, std=d_model ** -0.5)
        self.register_buffer("pe", sinusoidal_positions(max_len, d_model), persistent=False)
        self.dropout = nn.Dropout(dropout)
        self.d_model = d_model

    def forward(self, ids):
        return self.dropout(self.embed(ids) * math.sqrt(self.d_model) + self.pe[: ids.shape[1]])


class Seq2SeqTransformer(nn.Module):
    def __init__(self, vocab_size: int, d_model: int = 64, nhead: int = 4, num_encoder_layers: int = 2,
                 num_decoder_layers: int = 2, dim_feedforward: int = 128, dropout: float = 0.1,
                 max_len: int = 64):
        super().__init__()
        self.src_embed = TokenEmbedding(vocab_size, d_model, max_len, dropout)
        self.tgt_embed = TokenEmbedding(vocab_size, d_model, max_len, dropout)
        self.transformer = nn.Transformer(d_model, nhead, num_encoder_layers, num_decoder_layers, dim_feedforward,
                                          dropout, batch_first=True, norm_first=True)
        self.generator = nn.Linear(d_model, vocab_size)

    def encode(self, src, src_key_padding_mask):
        return self.transformer.encoder(self.src_embed(src), src_key_padding_mask=src_key_padding_mask)

    def decode(self, tgt_in, memory, tgt_mask, tgt_key_padding_mask=None, memory_key_padding_mask=None):
        out = self.transformer.decoder(self.tgt_embed(tgt_in), memory, tgt_mask=tgt_mask,
                                       tgt_key_padding_mask=tgt_key_padding_mask,
                                       memory_key_padding_mask=memory_key_padding_mask)
        return self.generator(out)

    def forward(self, src, tgt_in):
        src_mask = padding_mask(src)
        memory = self.encode(src, src_mask)
        return self.decode(tgt_in, memory, causal_mask(tgt_in.shape[1]).to(src.device), padding_mask(tgt_in),
                           src_mask)


def model_logits(weights: dict, config: dict, src, tgt_in) -> torch.Tensor:
    """Logits of a reference model carrying ``weights`` (no dropout) on trusted inputs."""
    model = Seq2SeqTransformer(**config)
    model.load_state_dict(weights)
    model.eval()
    with torch.no_grad():
        return model(src, tgt_in)


# ---------------------------------------------------------------- task 5: teacher forcing, loss, schedule

def shift_right(y: torch.Tensor, bos_id: int = BOS) -> torch.Tensor:
    return torch.cat([torch.full_like(y[:, :1], bos_id), y[:, :-1]], dim=1)


def label_smoothed_loss(logits, targets, smoothing: float = 0.1, ignore_index: int = PAD):
    return F.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), label_smoothing=smoothing,
                           ignore_index=ignore_index)


def warmup_lr(step: int, d_model: int, warmup: int, factor: float = 1.0) -> float:
    step = max(step, 1)
    return factor * d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)


# ---------------------------------------------------------------- task 7: decoding

def markov_decode(table: torch.Tensor, first: int, tokens: list[int]) -> float:
    """Total log-probability of ``tokens`` (EOS included if present) under a MarkovModel table, for source row ``first``."""
    total, prev = 0.0, BOS
    T = table.shape[1]
    for t, tok in enumerate(tokens):
        total += table[first, min(t, T - 1), prev, tok].item()
        prev = tok
    return total


def exact_match(preds: list[str], targets: list[str]) -> float:
    return sum(p == t for p, t in zip(preds, targets)) / len(targets)


def markov_greedy(table: torch.Tensor, firsts: list[int], max_len: int) -> list[list[int]]:
    """Greedy outputs (ids without EOS) of a MarkovModel table (already log-softmaxed) for source rows ``firsts``."""
    T = table.shape[1]
    outs = []
    for first in firsts:
        prev, out = BOS, []
        for t in range(max_len):
            tok = int(table[first, min(t, T - 1), prev].argmax())
            if tok == EOS:
                break
            out.append(tok)
            prev = tok
        outs.append(out)
    return outs
