"""Tasks 1-2: chunking by headings and BM25."""
import pytest

DOC = "preface line\n# Alpha\none two\n\nthree\n## Beta two\nfour\n# Gamma\n\n### Delta\nfive six\n#nohead\n"
DOCS = ["the cat sat on the mat", "a dog and a cat", "cat cat cat", "birds fly", "the the the dog"]


@pytest.mark.points(2)
def test_chunks_split_at_headings_with_source_and_heading(submission, ref):
    """Each Markdown heading starts a chunk that remembers its file and heading; empty chunks are dropped."""
    got = submission.chunk_by_headings(DOC, "notes.md")
    want = ref.chunk_by_headings(DOC, "notes.md")
    assert isinstance(got, list) and len(got) == len(want), (
        f"expected {len(want)} chunks: a heading is 1-6 '#' then a space, text before the first heading is a chunk "
        "with heading '', and chunks with an empty body are dropped")
    for n, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"chunk {n} differs: keys source/heading/text, heading without '#', bodies stripped"


@pytest.mark.points(1)
def test_tokenize_lowercases_alphanumeric_runs(submission, ref):
    """Tokens are the lower-cased runs of letters and digits."""
    text = "BM25's k1=1.5, Top-K!"
    assert submission.tokenize(text) == ref.tokenize(text), "lower-case first, then take runs of [a-z0-9]"


@pytest.mark.points(3)
def test_bm25_scores_match_the_formula(submission, ref):
    """BM25 combines idf (from document frequency), saturated term frequency and length normalisation."""
    for query in ("cat", "the dog", "cat cat mat", "zebra"):
        got = submission.bm25_scores(query, DOCS)
        want = ref.bm25_scores(query, DOCS)
        assert len(got) == len(want), "one score per document"
        for g, w in zip(got, want):
            assert abs(float(g) - w) < 1e-9, (
                f"query {query!r}: scores differ from BM25 with k1=1.5, b=0.75. Check idf uses the number of "
                "documents containing the word (not its count), the +1 inside the log, and each query word once")


@pytest.mark.points(1)
def test_top_k_ranks_chunks_by_score(submission, ref):
    """top_k returns the best-scoring chunks, best first, ties in document order."""
    chunks = ref.chunk_by_headings(DOC, "notes.md")
    for q, k in (("two", 2), ("five six", 1), ("three four", 3)):
        assert submission.top_k(q, chunks, k) == ref.top_k(q, chunks, k), (
            f"query {q!r}, k={k}: score heading + newline + text, sort by score descending, ties by position")
