"""Trusted-side data and reference computations for the 05_word2vec hidden suite.

Everything in this file runs in the grading process, never in the worker: the corpus is read here
from the copy inside the installed gensim package (the same file the notebook reads), references are
computed here with NumPy and PyTorch, and student results are compared against them.
"""
from __future__ import annotations

import functools
from collections import Counter

import numpy as np
import pytest
import torch
import torch.nn.functional as F

torch.set_num_threads(2)

# The notebook's configuration (setup_config); the end-to-end tests train with exactly these.
MIN_COUNT = 5
SAMPLE = 1e-3
WINDOW = 5
NEGATIVES = 5
DIM = 100


# ---------------------------------------------------------------- data

@functools.lru_cache(maxsize=1)
def lee_sentences() -> tuple[tuple[str, ...], ...]:
    """lee_background.cor tokenised as the notebook does (simple_preprocess, one sentence per article)."""
    from gensim.test.utils import datapath
    from gensim.utils import simple_preprocess

    with open(datapath("lee_background.cor"), encoding="utf-8") as f:
        return tuple(tuple(simple_preprocess(line)) for line in f)


@pytest.fixture(scope="session")
def sentences() -> list[list[str]]:
    sents = [list(s) for s in lee_sentences()]
    assert len(sents) == 300 and sum(map(len, sents)) == 58152, "unexpected lee_background.cor"
    return sents


@pytest.fixture(scope="session")
def vocab(sentences):
    """(word2idx, idx2word, counts) of the real corpus at MIN_COUNT, by the reference."""
    return build_vocab(sentences, MIN_COUNT)


@pytest.fixture(scope="session")
def encoded(sentences, vocab):
    return encode(sentences, vocab[0])


def worker_rng(submission, seed: int):
    """A numpy Generator that lives in the worker (student functions take the generator itself)."""
    from autograder.testing import worker_import

    return worker_import(submission, "numpy.random").default_rng(seed)


# ---------------------------------------------------------------- references

def build_vocab(sentences, min_count):
    counter = Counter(w for s in sentences for w in s)
    kept = sorted(((w, c) for w, c in counter.items() if c >= min_count), key=lambda item: (-item[1], item[0]))
    idx2word = [w for w, _ in kept]
    return {w: i for i, w in enumerate(idx2word)}, idx2word, np.array([c for _, c in kept], dtype=np.int64)


def encode(sentences, word2idx):
    return [np.array([word2idx[w] for w in s if w in word2idx], dtype=np.int64) for s in sentences]


def keep_probabilities(counts, sample):
    counts = np.asarray(counts, dtype=np.float64)
    if sample <= 0:
        return np.ones_like(counts)
    f = counts / counts.sum()
    return np.minimum(1.0, (np.sqrt(f / sample) + 1.0) * sample / f)


def subsample(corpus, keep_prob, rng):
    return [np.asarray(s, dtype=np.int64)[rng.random(len(s)) < keep_prob[np.asarray(s, dtype=np.int64)]] for s in corpus]


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


def corpus_pairs(corpus, window, rng):
    parts = [skipgram_pairs(s, rng.integers(1, window + 1, size=len(s))) for s in corpus]
    return np.concatenate(parts) if parts else np.zeros((0, 2), dtype=np.int64)


def sorted_rows(pairs) -> np.ndarray:
    """Rows of a (P, 2) array in lexicographic order, to compare pair multisets."""
    pairs = np.asarray(pairs).reshape(-1, 2)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def noise_distribution(counts, power=0.75):
    w = np.asarray(counts, dtype=np.float64) ** power
    return w / w.sum()


def sgns_loss(v, u, n):
    pos = F.logsigmoid((v * u).sum(-1))
    neg = F.logsigmoid(-(n * v.unsqueeze(1)).sum(-1)).sum(-1)
    return -(pos + neg).mean()


def cosine_ranks(embeddings: np.ndarray, idx2word: list[str], query: str) -> list[str]:
    """All other words by decreasing cosine similarity to `query` (trusted, for the end-to-end gates)."""
    E = np.asarray(embeddings, dtype=np.float64)
    unit = E / np.maximum(np.linalg.norm(E, axis=1, keepdims=True), 1e-12)
    q = idx2word.index(query)
    sims = unit @ unit[q]
    sims[q] = -np.inf
    return [idx2word[i] for i in np.argsort(-sims, kind="stable")[:-1]]


def rank_of(embeddings, idx2word, query: str, target: str) -> int:
    """1-based rank of `target` among the cosine neighbours of `query`."""
    return cosine_ranks(embeddings, idx2word, query).index(target) + 1
