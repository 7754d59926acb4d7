"""tokenize: exact tokens on sentences the notebook does not show, one rule per test."""

import pytest


def check_cases(submission, ref, cases, rule):
    for (text, expected), reference in zip(cases, ref.tokenize_all([text for text, _ in cases])):
        assert reference == expected, f"suite bug: the reference disagrees on {text!r}"
        got = submission.tokenize(text)
        got = list(got) if isinstance(got, tuple) else got
        assert got == expected, (
            f"tokenize({text!r}) returned {got}, expected {expected} ({rule})"
        )


@pytest.mark.points(2)
def test_words_lowercase_hyphens_digits_unicode(submission, ref):
    check_cases(submission, ref, [
        ("AMÉLIE is a Café-Society delight", ["amélie", "is", "a", "café-society", "delight"]),
        ("The 21st century's 3-D rock'n'roll epic",
         ["the", "21st", "century", "'s", "3-d", "rock'n'roll", "epic"]),
        ("co-writer/director Peter Jackson", ["co-writer", "/", "director", "peter", "jackson"]),
        ("snake_case and well- made", ["snake", "_", "case", "and", "well", "-", "made"]),
        ("Über-cool, naïve résumé (2002)", ["über-cool", ",", "naïve", "résumé", "(", "2002", ")"]),
    ], "rule 3: letters/digits of any alphabet joined by single internal ' or -, lower-cased")


@pytest.mark.points(2)
def test_contractions_and_clitics(submission, ref):
    check_cases(submission, ref, [
        ("I'm sure you'll love it, they've said we'd go",
         ["i", "'m", "sure", "you", "'ll", "love", "it", ",", "they", "'ve", "said", "we", "'d", "go"]),
        ("It Doesn't WORK and isn't funny", ["it", "does", "not", "work", "and", "is", "not", "funny"]),
        ("Can't, won't, shan't, ain't, CANNOT",
         ["can", "not", ",", "will", "not", ",", "shall", "not", ",", "is", "not", ",", "can", "not"]),
        ("I wouldn't've guessed", ["i", "would", "not", "'ve", "guessed"]),
        ("She couldn\u2019t care less about O'Brien's \u2018charm\u2019",
         ["she", "could", "not", "care", "less", "about", "o'brien", "'s", "'", "charm", "'"]),
        ("the director's cut and the actors' egos",
         ["the", "director", "'s", "cut", "and", "the", "actors", "'", "egos"]),
    ], "step 2: IRREGULAR_CONTRACTIONS first, then n't -> 'not' and the CLITICS, repeatedly from the right; "
       "curly apostrophes become ' first")


@pytest.mark.points(2)
def test_urls(submission, ref):
    check_cases(submission, ref, [
        ("Trailer: https://www.youtube.com/watch?v=abc123.", ["trailer", ":", "<url>", "."]),
        ("(see www.imdb.com/title/tt0120737)!", ["(", "see", "<url>", ")", "!"]),
        ("HTTP://EXAMPLE.COM rocks", ["<url>", "rocks"]),
        ("visit http://a.b/c?!...", ["visit", "<url>", "?", "!", "..."]),
        ("two links:http://x.io,www.y.org", ["two", "links", ":", "<url>"]),
        ("'http://q.com/it's'", ["'", "<url>", "'"]),
        ("the www. prefix alone", ["the", "www", ".", "prefix", "alone"]),
    ], "rule 1: a URL runs to the next whitespace minus trailing . , ! ? ; : ) ' \" and becomes '<url>'")


@pytest.mark.points(2)
def test_emoticons(submission, ref):
    check_cases(submission, ref, [
        ("Loved it :D :-D <3", ["loved", "it", ":D", ":-D", "<3"]),
        ("meh :/ and :'( but </3 ;-) =)", ["meh", ":/", "and", ":'(", "but", "</3", ";-)", "=)"]),
        ("great:) :))", ["great", ":)", ":)", ")"]),
        ("Note:Please <33 x<3", ["note", ":", "please", "<", "33", "x", "<3"]),
        ("so :d :-P :p!", ["so", ":", "d", ":", "-", "p", ":p", "!"]),
    ], "rule 2: only the strings in EMOTICONS (case-sensitive, longest first), kept verbatim, and only when "
       "no letter or digit follows")


@pytest.mark.points(1)
def test_punctuation_runs(submission, ref):
    check_cases(submission, ref, [
        ("Wait... what?!?! No!!", ["wait", "...", "what", "?", "!", "?", "!", "no", "!!"]),
        ("a -- b \u2014 c \u2026 d", ["a", "--", "b", "\u2014", "c", "\u2026", "d"]),
        ("$5 (or 10%) 4/10 **** ,,,", ["$", "5", "(", "or", "10", "%", ")", "4", "/", "10", "****", ",,,"]),
        ('"quoted" ""double""', ['"', "quoted", '"', '""', "double", '""']),
    ], "rule 4: a run of the same character is one token, different characters are separate tokens")


@pytest.mark.points(1)
def test_empty_and_whitespace(submission, ref):
    check_cases(submission, ref, [
        ("", []),
        ("   \t\n ", []),
        (" \tFine\n\nfilm\u00a0!  ", ["fine", "film", "!"]),
    ], "whitespace of any kind separates tokens and is dropped")


@pytest.mark.points(2)
def test_real_reviews_tokenized_exactly(submission, reviews, review_docs):
    sentences, _ = reviews
    wrong = []
    for sentence, expected in zip(sentences, review_docs):
        got = submission.tokenize(sentence)
        assert isinstance(got, (list, tuple)), f"tokenize should return a list of strings, got {type(got).__name__}"
        if list(got) != expected:
            wrong.append((sentence, got, expected))
    if wrong:
        sentence, got, expected = wrong[0]
        got = list(got)
        k = next((i for i, (a, b) in enumerate(zip(got, expected)) if a != b), min(len(got), len(expected)))
        raise AssertionError(
            f"{len(wrong)} of the {len(sentences)} review sentences are tokenized differently; first: the sentence "
            f"starting {sentence[:40]!r}, from token {k} on you give {got[k:k + 4]}, expected {expected[k:k + 4]}")
