"""stratified_folds, fold_features and cross_val_proba: stratified, leak-free, equal to a scikit-learn reference.

Out-of-fold probabilities are compared to scikit-learn (same lbfgs LogisticRegression) within 1e-6. The tests of
fold_features run it on the suite's vocabulary, counts, idf and TF-IDF, and those of cross_val_proba on the suite's
fold_features too (conftest's trusted_* fixtures): each task is judged apart from the parts it composes."""

import numpy as np
import pytest
from conftest import assert_close, random_corpus, sk_count_vectorizer, sk_folds, sk_tfidf_vectorizer


def label_sets(rng):
    sorted_binary = np.array([0] * 100 + [1] * 100)                       # like the reviews: negatives first
    three_classes = rng.permutation(np.array([3] * 17 + [7] * 9 + [9] * 5))  # unbalanced, non-contiguous labels
    uneven_binary = rng.permutation(np.array([1] * 23 + [0] * 8))
    return [(sorted_binary, 5), (sorted_binary, 2), (three_classes, 5), (three_classes, 3), (uneven_binary, 4)]


def get_folds(submission, y, k, seed=0):
    folds = submission.stratified_folds(y, n_splits=k, seed=seed)
    assert isinstance(folds, (list, tuple)) and len(folds) == k, (
        f"stratified_folds(y, n_splits={k}) should return a list of {k} (train_idx, test_idx) pairs, got "
        f"{type(folds).__name__} of length {len(folds) if hasattr(folds, '__len__') else '?'}")
    out = []
    for pair in folds:
        train, test = (np.asarray(a) for a in pair)
        out.append((train, test))
    return out


@pytest.mark.points(2)
def test_folds_partition_the_indices(submission, rng):
    for y, k in label_sets(rng):
        n = len(y)
        folds = get_folds(submission, y, k)
        for i, (train, test) in enumerate(folds):
            assert train.dtype.kind in "iu" and test.dtype.kind in "iu", (
                f"fold {i}: index arrays should hold integers, got {train.dtype} and {test.dtype}")
            assert np.all(np.diff(train) > 0) and np.all(np.diff(test) > 0), (
                f"fold {i}: train_idx and test_idx should be sorted, without repeats")
            assert not set(train.tolist()) & set(test.tolist()), (
                f"fold {i}: indices {sorted(set(train.tolist()) & set(test.tolist()))[:5]} are in both train and "
                "test (leakage)")
            assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(n)), (
                f"fold {i} (n={n}, k={k}): train_idx must be exactly the complement of test_idx in 0..n-1")
        all_test = np.sort(np.concatenate([test for _, test in folds]))
        assert np.array_equal(all_test, np.arange(n)), (
            f"n={n}, k={k}: every index must be in exactly one test fold; the test folds hold "
            f"{len(all_test)} indices, {len(np.unique(all_test))} distinct")


@pytest.mark.points(2)
def test_folds_are_stratified(submission, rng):
    for y, k in label_sets(rng):
        folds = get_folds(submission, y, k)
        for c in np.unique(y):
            n_c = int((y == c).sum())
            per_fold = [int((y[test] == c).sum()) for _, test in folds]
            lo, hi = n_c // k, -(-n_c // k)
            assert all(lo <= m <= hi for m in per_fold), (
                f"class {c} has {n_c} members and k={k}, so every test fold needs {lo} or {hi} of them; "
                f"yours hold {per_fold}. Shuffle the indices of each class separately, then deal them out")


@pytest.mark.points(1)
def test_fold_sizes_differ_by_at_most_one(submission, rng):
    cases = label_sets(rng) + [(np.array([0] * 6 + [1] * 6), 5), (np.array([0] * 7 + [1] * 7 + [2] * 7), 4)]
    for y, k in cases:
        sizes = [len(test) for _, test in get_folds(submission, y, k)]
        assert max(sizes) - min(sizes) <= 1, (
            f"n={len(y)}, k={k}, class counts {np.unique(y, return_counts=True)[1].tolist()}: test-fold sizes "
            f"{sizes} differ by more than one. Splitting every class on its own piles the remainders into the "
            "first folds; concatenate the shuffled classes and deal the whole list round-robin instead")


@pytest.mark.points(1)
def test_folds_shuffle_with_the_seed(submission):
    y = np.array([0] * 50 + [1] * 50)
    first = get_folds(submission, y, 5, seed=0)
    again = get_folds(submission, y, 5, seed=0)
    for (a, b), (c, d) in zip(first, again):
        assert np.array_equal(a, c) and np.array_equal(b, d), "the same seed must give the same folds"
    assignments = set()
    for seed in range(4):
        folds = get_folds(submission, y, 5, seed=seed)
        assignments.add(tuple(folds[0][1].tolist()))
    assert len(assignments) == 4, (
        "seeds 0, 1, 2 and 3 gave only {} different first test folds: shuffle the indices of each class with "
        "np.random.default_rng(seed)".format(len(assignments)))
    strides = [np.diff(test) for _, test in first]
    assert not all(len(set(s.tolist())) == 1 for s in strides), (
        "every test fold is an evenly spaced run of indices: the folds are not shuffled")


@pytest.mark.points(1)
def test_folds_reject_impossible_splits(submission):
    from autograder.testing import student_raises

    ok = get_folds(submission, np.array([0, 0, 0, 1, 1, 1]), 3)
    assert len(ok) == 3, "three members per class and k=3 is a valid split"
    for y, k, why in ((np.array([0, 0, 1, 1, 1]), 3, "class 0 has only 2 members for 3 folds"),
                      (np.array([0, 1] * 10), 1, "n_splits must be at least 2")):
        with student_raises("ValueError", message=f"stratified_folds(y, n_splits={k}) should raise ValueError: {why}"):
            submission.stratified_folds(y, n_splits=k, seed=0)


def leaky_corpus(rng, n_docs=36):
    """Documents that each contain two tokens of their own: any leakage from the test fold shows up."""
    return random_corpus(rng, n_docs, vocab_size=20, max_len=6, unique_per_doc=2)


@pytest.mark.points(2)
def test_fold_features_tfidf_learned_from_train_only(submission, rng, trusted_features):
    docs = leaky_corpus(rng, 30)
    train, test = docs[:22], docs[22:] + [["unseen", "tokens"], []]
    vec = sk_tfidf_vectorizer(train)
    expected_train, expected_test = vec.transform(train).toarray(), vec.transform(test).toarray()
    got_train, got_test = (np.asarray(a, dtype=float) for a in submission.fold_features(train, test, kind="tfidf"))
    assert got_train.shape == expected_train.shape and got_test.shape == expected_test.shape, (
        f"fold_features: expected shapes {expected_train.shape} and {expected_test.shape} (the vocabulary comes "
        f"from the {len(train)} training documents only), got {got_train.shape} and {got_test.shape}")
    assert_close(got_train, expected_train, rtol=1e-10, atol=1e-12, msg=(
        "fold_features(kind='tfidf'): training features differ from TfidfVectorizer fitted on the training docs"))
    assert_close(got_test, expected_test, rtol=1e-10, atol=1e-12, msg=(
        "fold_features(kind='tfidf'): test features differ from TfidfVectorizer fitted on the TRAINING docs only "
        "(idf from the training counts, test-only tokens ignored)"))


@pytest.mark.points(1)
def test_fold_features_bow_and_min_df(submission, rng, trusted_features):
    docs = leaky_corpus(rng, 24)
    train, test = docs[:18], docs[18:]
    for min_df in (1, 2):
        vec = sk_count_vectorizer(train, min_df=min_df)
        got_train, got_test = (np.asarray(a, dtype=float)
                               for a in submission.fold_features(train, test, kind="bow", min_df=min_df))
        expected_test = vec.transform(test).toarray()
        assert got_test.shape == expected_test.shape, (
            f"fold_features(kind='bow', min_df={min_df}): expected test shape {expected_test.shape}, got "
            f"{got_test.shape}")
        assert_close(got_train, vec.transform(train).toarray(),
                     msg=f"fold_features(kind='bow', min_df={min_df}): training counts differ from CountVectorizer")
        assert_close(got_test, expected_test, msg=(
            f"fold_features(kind='bow', min_df={min_df}): test counts differ from CountVectorizer fitted on the "
            "training documents"))


@pytest.mark.points(2)
def test_cross_val_proba_matches_reference(submission, rng, ref, trusted_fold_features):
    docs = leaky_corpus(rng, 36)
    y = np.array([0, 1] * 18)
    folds = sk_folds(y, n_splits=4, seed=3)
    for kind, C in (("tfidf", 1.0), ("bow", 0.5)):
        expected = ref.cross_val_proba(docs, y, folds, kind=kind, C=C)
        got = np.asarray(submission.cross_val_proba(docs, y, folds, kind=kind, C=C), dtype=float)
        assert got.shape == (len(y),), f"cross_val_proba should return shape ({len(y)},), got {got.shape}"
        assert not np.isnan(got).any(), "cross_val_proba left NaN entries: predict every test index of every fold"
        assert_close(got, expected, atol=1e-6, msg=(
            f"cross_val_proba(kind={kind!r}, C={C}) differs from the reference: for each fold, build the features "
            "from the training documents only (fold_features), fit make_classifier(C) on them, and store "
            "predict_proba(X_test)[:, 1] at the test indices"))


@pytest.mark.points(1)
def test_cross_val_proba_precomputed(submission, rng, ref):
    X = rng.normal(size=(40, 6))
    y = (X[:, 0] + 0.8 * rng.normal(size=40) > 0).astype(np.int64)
    folds = sk_folds(y, n_splits=5, seed=1)
    expected = ref.cross_val_proba(X, y, folds, kind="precomputed", C=2.0)
    got = np.asarray(submission.cross_val_proba(X, y, folds, kind="precomputed", C=2.0), dtype=float)
    assert got.shape == (40,), f"cross_val_proba(kind='precomputed') should return shape (40,), got {got.shape}"
    assert_close(got, expected, atol=1e-6, msg=(
        "cross_val_proba(kind='precomputed'): use the rows of the given array as features, unchanged"))


@pytest.mark.points(2)
def test_cross_val_proba_on_reviews(submission, reviews, review_docs, ref, trusted_fold_features):
    """End to end on the 200 review sentences: TF-IDF + logistic regression, 5 stratified folds."""
    _, y = reviews
    folds = sk_folds(y, n_splits=5, seed=0)
    expected = ref.cross_val_proba(review_docs, y, folds, kind="tfidf", C=1.0)
    got = np.asarray(submission.cross_val_proba(review_docs, y, folds, kind="tfidf", C=1.0), dtype=float)
    assert got.shape == (200,), f"expected 200 out-of-fold probabilities, got shape {got.shape}"
    assert_close(got, expected, atol=1e-6, msg=(
        "TF-IDF cross-validation on the reviews differs from the reference: fit the vocabulary, the idf and the "
        "classifier on each training fold only"))
