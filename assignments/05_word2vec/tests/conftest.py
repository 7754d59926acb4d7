"""Trusted-side data and helpers for the 05_word2vec hidden suite.

Everything in this file runs in the grading process, never in the worker: the corpus is read here
from the copy inside the installed gensim package (the same file the notebook reads), reference answers
come from ``reference.py`` through the ``ref`` fixture (from trusted inputs only), and student results
are compared against them here. Student outputs themselves are only ever judged with library code
(scipy's cosine distance) or properties, never fed to the reference.
"""
from __future__ import annotations

import functools
import numpy as np
import pytest
import torch
from scipy.spatial.distance import cdist

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
def vocab(sentences, ref):
    """(word2idx, idx2word, counts) of the real corpus at MIN_COUNT, by the reference."""
    return ref.build_vocab(sentences, MIN_COUNT)


@pytest.fixture(scope="session")
def encoded(sentences, vocab, ref):
    return ref.encode(sentences, vocab[0])


def worker_rng(submission, seed: int):
    """A numpy Generator that lives in the worker (student functions take the generator itself)."""
    from autograder.testing import worker_import

    return worker_import(submission, "numpy.random").default_rng(seed)


# ---------------------------------------------------------------- assertion helpers

def sorted_rows(pairs) -> np.ndarray:
    """Rows of a (P, 2) array in lexicographic order, to compare pair multisets."""
    pairs = np.asarray(pairs).reshape(-1, 2)
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]


def rank_of(embeddings, idx2word, query: str, target: str) -> int:
    """1-based rank of `target` among the cosine neighbours of `query` (trusted, for the end-to-end gates).

    Library oracle: scipy's cosine distance in float64. A word at exactly the target's distance counts as
    closer (ties never favour the target); a word whose distance is undefined (a zero or NaN row) does not,
    and an undefined distance to the target itself gives the worst rank.
    """
    vectors = np.asarray(embeddings, dtype=np.float64)
    q, t = idx2word.index(query), idx2word.index(target)
    with np.errstate(all="ignore"):
        d = cdist(vectors[q:q + 1], vectors, "cosine")[0]
    if not np.isfinite(d[t]):
        return len(idx2word) - 1
    others = np.ones(len(d), dtype=bool)
    others[[q, t]] = False
    return 1 + int(np.count_nonzero(others & (d <= d[t])))
