"""Instructor-only reference code for the 10_finetuning hidden suite (never published).

Every argument is the suite's own seeded input; every answer is plain data.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

IGNORE = -100


def pack_blocks(docs_ids, block_size, eos_id):
    flat = [i for doc in docs_ids for i in list(doc) + [eos_id]]
    n = len(flat) // block_size
    ids = torch.tensor(flat[: n * block_size], dtype=torch.long).view(n, block_size)
    return {"input_ids": ids, "labels": ids.clone()}


def pad_batch(seqs, pad_id):
    L = max(len(s) for s in seqs)
    ids = torch.full((len(seqs), L), pad_id, dtype=torch.long)
    mask = torch.zeros((len(seqs), L), dtype=torch.long)
    for k, s in enumerate(seqs):
        ids[k, : len(s)] = torch.tensor(list(s), dtype=torch.long)
        mask[k, : len(s)] = 1
    return {"input_ids": ids, "attention_mask": mask, "labels": ids.masked_fill(mask == 0, IGNORE)}


def causal_lm_loss(logits, labels):
    return F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]).float(), labels[:, 1:].reshape(-1),
                           ignore_index=IGNORE)


def lr_at(step, lr, warmup, total):
    if step < warmup:
        return lr * (step + 1) / warmup
    return lr * max(0.0, (total - step) / max(1, total - warmup))
