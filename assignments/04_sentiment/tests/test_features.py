"""build_vocabulary, bag_of_words, fit_idf, tfidf_transform against scikit-learn on seeded hidden corpora.

Tolerances: counts and vocabularies exactly; idf and TF-IDF values to 1e-10 (relative) / 1e-12 (absolute)."""

import numpy as np
import pytest
from conftest import assert_close, random_corpus, sk_count_vectorizer, sk_vocabulary


@pytest.mark.points(2)
def test_vocabulary_matches_sklearn(submission, rng):
    docs = random_corpus(rng, 40, max_len=7)
    for min_df in (1, 2, 3):
        expected = sk_vocabulary(docs, min_df)
        got = submission.build_vocabulary(docs, min_df=min_df)
        assert isinstance(got, dict), f"build_vocabulary should return a dict, got {type(got).__name__}"
        got = {str(k): int(v) for k, v in got.items()}
        missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
        assert not missing and not extra, (
            f"build_vocabulary(min_df={min_df}): missing tokens {missing[:5]}, unexpected tokens {extra[:5]} "
            "(min_df counts the documents a token occurs in, not its occurrences)")
        assert got == expected, (
            f"build_vocabulary(min_df={min_df}) has the right tokens but the wrong indices, e.g. "
            f"{[(t, got[t], expected[t]) for t in expected if got[t] != expected[t]][:3]} (token, yours, expected): "
            "number the tokens 0, 1, 2, ... in sorted() order ('Zoe' < 'a' < 'é')")
    repeated = [["once", "once", "once", "both"], ["both", "also"], ["also"]]  # 'once': 3 times, in 1 document
    got = submission.build_vocabulary(repeated, min_df=2)
    assert {str(k): int(v) for k, v in dict(got).items()} == sk_vocabulary(repeated, 2), (
        f"build_vocabulary({repeated}, min_df=2) returned {got}: 'once' occurs three times but in one document "
        "only, so it is dropped (min_df counts documents, not occurrences)")
    assert submission.build_vocabulary([[], []]) == {}, "documents without tokens give an empty vocabulary"


@pytest.mark.points(2)
def test_bag_of_words_matches_sklearn(submission, rng):
    train = random_corpus(rng, 30, vocab_size=18)
    new = random_corpus(rng, 12, vocab_size=26, empty_every=4) + [["never-seen", "x"], []]
    cv = sk_count_vectorizer(train)
    vocab = {t: int(j) for t, j in cv.vocabulary_.items()}
    for docs, what in ((train, "training documents"), (new, "new documents (unknown tokens, empty documents)")):
        got = np.asarray(submission.bag_of_words(docs, vocab))
        expected = cv.transform(docs).toarray()
        assert got.shape == expected.shape, (
            f"bag_of_words on {what}: expected shape {expected.shape} (documents x vocabulary), got {got.shape}")
        assert_close(got, expected, msg=(
            f"bag_of_words on {what} differs from CountVectorizer (count every occurrence; ignore tokens "
            "missing from vocab; an empty document is a row of zeros)"))


@pytest.mark.points(3)
def test_smoothed_idf(submission, rng):
    from sklearn.feature_extraction.text import TfidfTransformer

    for n_docs in (1, 7, 50):
        X = rng.poisson(0.6, size=(n_docs, 12)).astype(np.int64)
        X[:, 3] = 0  # a column no document contains: smoothing keeps it finite
        got = np.asarray(submission.fit_idf(X, smooth=True), dtype=float)
        expected = TfidfTransformer(smooth_idf=True).fit(X).idf_
        assert got.shape == expected.shape, f"fit_idf: expected shape {expected.shape}, got {got.shape}"
        assert_close(got, expected, rtol=1e-10, msg=(
            f"fit_idf(smooth=True) on {n_docs} documents: use ln((1 + n) / (1 + df)) + 1 with df = number of "
            "documents whose count is > 0 (natural log)"))


@pytest.mark.points(2)
def test_unsmoothed_idf(submission, rng):
    from sklearn.feature_extraction.text import TfidfTransformer

    X = rng.poisson(0.8, size=(25, 10)).astype(np.int64)
    X[0] = 1  # every term occurs in at least one document
    got = np.asarray(submission.fit_idf(X, smooth=False), dtype=float)
    expected = TfidfTransformer(smooth_idf=False).fit(X).idf_
    assert_close(got, expected, rtol=1e-10, msg=(
        "fit_idf(smooth=False): use ln(n / df) + 1 (no +1 inside the log)"))


@pytest.mark.points(3)
def test_tfidf_transform_matches_sklearn(submission, rng):
    from sklearn.feature_extraction.text import TfidfTransformer

    X_train = rng.poisson(0.7, size=(30, 15)).astype(np.int64)
    X_new = rng.poisson(0.7, size=(9, 15)).astype(np.int64)
    X_new[2] = 0  # a document with no known token
    ref = TfidfTransformer().fit(X_train)
    for X, what in ((X_train, "training counts"), (X_new, "new counts, including an all-zero row")):
        got = np.asarray(submission.tfidf_transform(X, ref.idf_, sublinear_tf=False), dtype=float)
        expected = ref.transform(X).toarray()
        assert got.shape == expected.shape, f"tfidf_transform: expected shape {expected.shape}, got {got.shape}"
        assert not np.isnan(got).any(), "tfidf_transform returned NaN: an all-zero row must stay zero"
        assert_close(got, expected, rtol=1e-10, atol=1e-12, msg=(
            f"tfidf_transform on {what} differs from TfidfTransformer: multiply counts by idf, then scale each "
            "row to unit L2 norm"))


@pytest.mark.points(2)
def test_sublinear_tf(submission, rng):
    from sklearn.feature_extraction.text import TfidfTransformer

    X_train = rng.poisson(1.5, size=(20, 8)).astype(np.int64)
    X_new = np.vstack([rng.poisson(2.0, size=(5, 8)), np.zeros((1, 8), dtype=np.int64)])
    ref = TfidfTransformer(sublinear_tf=True).fit(X_train)
    got = np.asarray(submission.tfidf_transform(X_new, ref.idf_, sublinear_tf=True), dtype=float)
    assert not np.isnan(got).any() and not np.isinf(got).any(), (
        "tfidf_transform(sublinear_tf=True) returned NaN/inf: apply 1 + ln(count) only where count > 0")
    assert_close(got, ref.transform(X_new).toarray(), rtol=1e-10, atol=1e-12, msg=(
        "tfidf_transform(sublinear_tf=True): tf = 1 + ln(count) for count > 0, 0 otherwise, then idf and L2"))
