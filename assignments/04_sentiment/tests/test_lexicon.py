"""lexicon_score: valence sums with the stated negation window (exact to 1e-9)."""

import pytest
from conftest import vader_lexicon

LEXICON = {"good": 1.9, "bad": -2.5, "fun": 2.3, "dull": -1.7, ":)": 2.0, ":(": -1.9, "no": -1.2, "<3": 1.9}


def check(submission, cases, lexicon, rule, ref=None):
    """ref: also check the hand-written expectations against the reference (a suite self-check)."""
    if ref is not None:
        for (tokens, expected), reference in zip(cases, ref.lexicon_scores([t for t, _ in cases], lexicon)):
            assert abs(reference - expected) < 1e-9, f"suite bug on {tokens}"
    for tokens, expected in cases:
        got = submission.lexicon_score(tokens, lexicon)
        assert isinstance(got, (int, float)), f"lexicon_score should return a float, got {type(got).__name__}"
        assert abs(got - expected) < 1e-9, (
            f"lexicon_score returned {got!r}, expected {expected:.4f} ({rule}); tokens {tokens}")


@pytest.mark.points(1)
def test_sum_of_valences(submission, ref):
    check(submission, [
        ([], 0.0),
        (["an", "unrated", "film"], 0.0),
        (["good", "fun", ":)", "<3"], 1.9 + 2.3 + 2.0 + 1.9),
        (["bad", "and", "dull", "and", "bad", ":("], -2.5 - 1.7 - 2.5 - 1.9),
        ([":)", ":D"], 2.0),
    ], LEXICON, "add the valence of every token found in the lexicon, repeated tokens each time; "
                "look tokens up exactly as they are", ref)


@pytest.mark.points(2)
def test_negation_window(submission, ref):
    s = -0.74
    check(submission, [
        (["not", "good"], 1.9 * s),
        (["never", "a", "dull", "moment"], -1.7 * s),
        (["nothing", "is", "really", "fun"], 2.3 * s),
        (["nothing", "is", "really", "that", "fun"], 2.3),
        (["good", "not"], 1.9),
        (["not", "good", "not", "bad"], 1.9 * s + -2.5 * s),
        (["no", "dull", "moment"], -1.2 + -1.7 * s),
        (["not", "no", "fun"], -1.2 * s + 2.3 * s),
        (["without", "fun", ",", "good", "and", "bad"], 2.3 * s + 1.9 * s + -2.5),
        (["neither", "good", "nor", "bad"], 1.9 * s + -2.5 * s),
        (["not", "good", ":)"], 1.9 * s + 2.0 * s),
    ], LEXICON, "multiply a valence by NEGATION_SCALE = -0.74 when one of the 3 tokens just BEFORE it (not the "
                "token itself, fewer at the start) is in NEGATORS; a negator never flips more than once", ref)


@pytest.mark.points(1)
def test_with_the_vader_lexicon(submission, review_docs, ref):
    lexicon = vader_lexicon()
    docs = [d for d in review_docs if any(t in lexicon for t in d)][:12]
    # the reference reads only the entries of tokens that occur: the same scores, a small recorded fingerprint
    used = {t: lexicon[t] for d in docs for t in d if t in lexicon}
    cases = list(zip(docs, ref.lexicon_scores(docs, used)))
    check(submission, cases, lexicon, "the full VADER lexicon on review sentences")
