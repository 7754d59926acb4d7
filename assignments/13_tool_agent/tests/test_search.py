import pytest

QUERIES = ["how tall is the Eiffel Tower", "highest mountain", "speed of light in vacuum", "river in South America",
           "capital of France", "zzz qqq"]


@pytest.mark.points(1)
def test_search_returns_web_search_shaped_results(submission):
    """search returns a list of at most k dicts with exactly title, url and snippet."""
    hits = submission.search("the longest wall in China", k=2)
    assert isinstance(hits, list) and 0 < len(hits) <= 2, "search should return a list of at most k results"
    for hit in hits:
        assert isinstance(hit, dict) and set(hit) == {"title", "url", "snippet"}, \
            "each result must be a dict with exactly the keys title, url, snippet"
        assert all(isinstance(v, str) for v in hit.values()), "title, url and snippet are strings"


@pytest.mark.points(2)
def test_search_ranks_by_distinct_query_words(submission, ref, release_dir):
    """Results are ranked by the number of distinct query words they contain, ties in corpus order, zeros dropped."""
    for query in QUERIES:
        for k in (1, 3):
            assert submission.search(query, k=k) == ref.search(str(release_dir / "data" / "corpus.json"), query, k), \
                f"search({query!r}, k={k}) differs: count distinct words, keep ties in corpus order, drop score 0, " \
                "snippet = text[:SNIPPET_CHARS]"
