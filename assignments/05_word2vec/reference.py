"""Instructor-only reference answers of the 05_word2vec hidden suite (never published).

The tests reach these functions through the ``ref`` fixture: live in the course repository, replayed from
the recorded snapshot in the published grader. Every argument is a seeded input of the suite or the corpus
(never a value that came back from a submission), and every answer is plain data. Functions that the
notebook gives a numpy Generator take its seed here instead (a generator is not plain data).
"""
from __future__ import annotations

from collections import Counter

import numpy as np
import torch
import torch.nn.functional as F


# ---------------------------------------------------------------- Tasks 1-2: vocabulary and encoding

def build_vocab(sentences, min_count):
    counter = Counter(w for s in sentences for w in s)
    kept = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda item: (-item[1], item[0]))
    idx2word = [w for w, _ in kept]
    return {w: i for i, w in enumerate(idx2word)}, idx2word, np.array([c for _, c in kept], dtype=np.int64)


def encode(sentences, word2idx):
    return [np.array([word2idx[w] for w in s if w in word2idx], dtype=np.int64) for s in sentences]


# ---------------------------------------------------------------- Tasks 3-4: subsampling

def keep_probabilities(counts, sample):
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    f = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(f / sample) + 1.0) * sample / f)


def subsample(corpus, keep_prob, seed: int):
    """The stated recipe with np.random.default_rng(seed): one rng.random(len(s)) per sentence, in order."""
    rng = np.random.default_rng(seed)
    keep_prob = np.asarray(keep_prob)
    return [np.asarray(s, dtype=np.int64)[rng.random(len(s)) < keep_prob[np.asarray(s, dtype=np.int64)]] for s in corpus]


# ---------------------------------------------------------------- Tasks 5-6: skip-gram pairs

def skipgram_pairs(sentence, spans):
    """Plain double loop, deliberately unlike the notebook's vectorised solution."""
    rows = []
    n = len(sentence)
    for i in range(n):
        b = int(spans[i])
        for j in range(max(0, i - b), min(n, i + b + 1)):
            if j != i:
                rows.append((int(sentence[i]), int(sentence[j])))
    return np.array(rows, dtype=np.int64).reshape(-1, 2)


def corpus_pairs(corpus, window: int, seed: int):
    """The stated recipe with np.random.default_rng(seed): one rng.integers(1, window + 1, size=len(s)) per sentence."""
    rng = np.random.default_rng(seed)
    parts = [skipgram_pairs(s, rng.integers(1, window + 1, size=len(s))) for s in corpus]
    return np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)


# ---------------------------------------------------------------- Tasks 7-8: noise

def noise_distribution(counts, power=0.75):
    w = np.asarray(counts, dtype=np.float64) ** power
    return w / w.sum()


# ---------------------------------------------------------------- Tasks 9-11: the loss and its gradients

def sgns_loss(v, u, n):
    pos = F.logsigmoid((v * u).sum(-1))
    neg = F.logsigmoid(-(n * v.unsqueeze(1)).sum(-1)).sum(-1)
    return -(pos + neg).mean()


def sgns_autograd(v, u, n):
    """Autograd gradients of sgns_loss with respect to its three inputs."""
    leaves = [t.clone().requires_grad_(True) for t in (v, u, n)]
    sgns_loss(*leaves).backward()
    return tuple(leaf.grad for leaf in leaves)


# ---------------------------------------------------------------- Task 13: nearest neighbours

def most_similar(query, idx2word, E, topn):
    """(the topn words, their cosine similarities), best first, query excluded."""
    E = np.asarray(E, dtype=np.float64)
    unit = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
    q = idx2word.index(query)
    sims = unit @ unit[q]
    sims[q] = -np.inf
    order = np.argsort(-sims, kind="stable")[:min(topn, len(idx2word) - 1)]
    return [idx2word[i] for i in order], sims[order]
