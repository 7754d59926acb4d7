"""stem and lemmatize: exact outputs against NLTK and spaCy's lookup table, on words the notebook does not show."""

import pytest

WORDS = [
    "generous", "general", "relational", "rational", "conditional", "hopefulness", "happily", "ponies",
    "caresses", "skies", "dying", "lying", "agreed", "feed", "performances", "directed", "unforgettable",
    "cinematography", "emotional", "was", "ran", "news", "3-d", "21st", "1990s", "co-writer", "amélie",
    "overrated", "sentimentality", "not", "n't", "fairly", "knives", "loved", "loving", "lovely",
]
NON_WORDS = [":D", ":P", ":-D", "'re", "'s", "'ve", "'ll", "'m", "'d", "<url>", "!!!", "...", "--", "\u2014", "</3"]
SENTENCE = ["the", "actors", "'re", "loving", "it", ":D", "<url>", "!!!", "directed", "by", "o'brien", "'s"]


def compare(got, expected, call, rule):
    assert isinstance(got, (list, tuple)), f"{call} should return a list of strings, got {type(got).__name__}"
    assert len(got) == len(expected), (
        f"{call} should return one string per input token ({len(expected)}), got {len(got)}: {list(got)[:10]}...")
    diffs = [(e, g) for e, g in zip(expected, list(got)) if e != g]
    assert not diffs, f"{call}: {len(diffs)} tokens differ, e.g. expected {diffs[0][0]!r}, got {diffs[0][1]!r} ({rule})"


@pytest.mark.points(1)
def test_porter_stems(submission, ref):
    compare(submission.stem(WORDS, "porter"), ref.stem(WORDS, "porter"), "stem(words, 'porter')",
            "use nltk's PorterStemmer() in its default mode")


@pytest.mark.points(1)
def test_snowball_stems(submission, ref):
    compare(submission.stem(WORDS, "snowball"), ref.stem(WORDS, "snowball"), "stem(words, 'snowball')",
            "use nltk's SnowballStemmer('english')")


@pytest.mark.points(1)
def test_stem_leaves_non_words_unchanged(submission, ref):
    for algorithm in ("porter", "snowball"):
        compare(submission.stem(NON_WORDS, algorithm), NON_WORDS, f"stem(non_words, {algorithm!r})",
                "stem only tokens with is_word(token) True: Porter lower-cases ':D', Snowball strips \"'re\"")
        compare(submission.stem(SENTENCE, algorithm), ref.stem(SENTENCE, algorithm),
                f"stem(sentence, {algorithm!r})", "stem the words, keep everything else")
    assert submission.stem([], "porter") == [], "stem([]) should return []"


@pytest.mark.points(1)
def test_stem_rejects_unknown_algorithm(submission, ref):
    from autograder.testing import student_raises

    assert submission.stem(["films"], "porter") == ref.stem(["films"], "porter"), "stem(['films']) is wrong"
    for name in ("lancaster", "Porter", ""):
        with student_raises("ValueError", message=f"stem(tokens, {name!r}) should raise ValueError: only 'porter' "
                                                  "and 'snowball' exist (names are case-sensitive)"):
            submission.stem(["films"], name)


LEMMA_WORDS = [
    "were", "better", "best", "worst", "geese", "mice", "funnier", "studies", "running", "ran", "films", "is",
    "are", "has", "children", "wolves", "went", "knives", "amélie", "unforgettably", "performances", "lying",
    "does", "did", "ca", "wo", "3-d", "co-writer", "zzzunknown",
]


@pytest.mark.points(1)
def test_lemmas_of_words(submission, ref):
    compare(submission.lemmatize(LEMMA_WORDS), ref.lemmatize(LEMMA_WORDS), "lemmatize(words)",
            "use get_nlp()'s lookup lemmatizer and read token.lemma_")


@pytest.mark.points(1)
def test_lemmatize_keeps_alignment(submission, ref):
    tokens = ["<url>", "co-writer", "3-d", "o'brien", "e.g.", "don't", "rock'n'roll", "cannot", "u.s.", "films"]
    compare(submission.lemmatize(tokens), ref.lemmatize(tokens), "lemmatize(tokens)",
            "build Doc(nlp.vocab, words=tokens) so that spaCy does not re-tokenize; one output per input token")
    assert submission.lemmatize([]) == [], "lemmatize([]) should return []"


@pytest.mark.points(1)
def test_lemmatize_leaves_non_words_unchanged(submission, ref):
    compare(submission.lemmatize(NON_WORDS), NON_WORDS, "lemmatize(non_words)",
            "lemmatize only tokens with is_word(token) True: the lookup table maps \"'s\" to 'have'")
    compare(submission.lemmatize(SENTENCE), ref.lemmatize(SENTENCE), "lemmatize(sentence)",
            "lemmatize the words, keep everything else")
