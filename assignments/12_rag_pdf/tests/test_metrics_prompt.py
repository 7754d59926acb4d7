import pytest

QUESTION = "What does the handbook say about overlap?"
HITS = [{"text": "Chunks share characters.", "page": 4, "start_index": 10, "score": 0.8},
        {"text": "Overlap keeps sentences whole.", "page": 0, "start_index": 0, "score": 0.7},
        {"text": "A third passage.", "page": 11, "start_index": 230, "score": 0.5}]


def ranked_lists(rng, n=12):
    ranked, relevant = [], []
    for _ in range(n):
        ranked.append([int(p) for p in rng.permutation(15)[: int(rng.integers(1, 8))]])
        relevant.append([int(p) for p in rng.choice(15, size=int(rng.integers(1, 4)), replace=False)])
    return ranked, relevant


@pytest.mark.points(1)
def test_ranked_pages_keep_first_appearances(submission, ref, rng):
    """The ranked pages of the hits: duplicates removed, each page at its first appearance, in order."""
    hits = [{"page": int(p), "text": "t"} for p in rng.integers(0, 6, size=15)]
    assert submission.ranked_pages(hits) == ref.ranked_pages(hits), (
        "ranked_pages should list each page once, in the order it first appears (not sorted, not a set)")


@pytest.mark.points(2)
def test_recall_at_k_follows_trec_eval(submission, ref, rng):
    """recall@k: the share of each query's relevant items in its first k, averaged over queries."""
    ranked, relevant = ranked_lists(rng)
    for k in (1, 3, 5, 10):
        got = submission.recall_at_k(ranked, relevant, k)
        assert abs(got - ref.recall_at_k(ranked, relevant, k)) < 1e-9, (
            f"recall_at_k(k={k}) is wrong: per query |first k ∩ relevant| / |relevant| (not / k), then the mean")


@pytest.mark.points(2)
def test_mrr_follows_trec_eval(submission, ref, rng):
    """MRR: the mean of 1 / rank of the first relevant item, counting 0 when no relevant item was retrieved."""
    ranked, relevant = ranked_lists(rng)
    ranked.append([1, 2, 3])
    relevant.append([9])
    got = submission.mean_reciprocal_rank(ranked, relevant)
    assert abs(got - ref.mean_reciprocal_rank(ranked, relevant)) < 1e-9, (
        "mean_reciprocal_rank is wrong: 1/rank with 1-based ranks, only the first relevant item, 0 when none, "
        "averaged over all queries")


@pytest.mark.points(2)
def test_prompt_cites_pages_in_the_exact_layout(submission, ref):
    """The page-citing prompt: system rules, then the passages labelled by 1-based page, then the question."""
    got = submission.build_prompt(QUESTION, HITS)
    want = ref.build_prompt(QUESTION, HITS)
    assert isinstance(got, list) and [m.get("role") for m in got if isinstance(m, dict)] == ["system", "user"], (
        "build_prompt should return [system message, user message] as dicts with role and content")
    assert got[0]["content"] == want[0]["content"], "the system message should be SYSTEM_PROMPT, unchanged"
    assert got[1]["content"] == want[1]["content"], (
        "the user message differs: 'Context:\\n', passages '[page P] text' with P = page + 1, joined by blank "
        "lines, in retrieval order, then '\\n\\nQuestion: ' and the question")
