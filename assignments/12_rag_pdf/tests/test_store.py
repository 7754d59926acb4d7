import numpy as np
import pytest
from numpy.testing import assert_allclose

from conftest import RECALL3_GATE

PROBES = ["Gradient descent moves the weights against the gradient.", "A house price model",
          "Attention weights sum to one."]


@pytest.mark.points(2)
def test_embeddings_are_minilm_unit_vectors(submission, ref):
    """HuggingFaceEmbeddings on the local MiniLM with normalize_embeddings: 384-dimensional unit vectors."""
    emb = submission.make_embeddings(submission.MINILM_PATH)
    got = np.asarray(emb.embed_documents(PROBES), dtype=np.float64)
    assert got.shape == (3, 384), f"expected 3 vectors of 384 numbers (MiniLM), got shape {got.shape}"
    norms = np.linalg.norm(got, axis=1)
    assert np.allclose(norms, 1, atol=1e-4), (
        "the embeddings should have length 1: pass encode_kwargs={'normalize_embeddings': True}")
    assert_allclose(got, ref.embed(PROBES), atol=2e-4,
                    err_msg="the vectors differ from all-MiniLM-L6-v2's normalised embeddings (model_name=model_path?)")


@pytest.mark.points(2)
def test_store_scores_by_inner_product(pipeline):
    """The LangChain FAISS store holds one vector per chunk in an inner-product index (MAX_INNER_PRODUCT)."""
    assert pipeline["ntotal"] == len(pipeline["chunks"]), (
        f"the store should hold one vector per chunk ({len(pipeline['chunks'])}), holds {pipeline['ntotal']}")
    assert pipeline["strategy"] == "MAX_INNER_PRODUCT", (
        "build the store with distance_strategy=DistanceStrategy.MAX_INNER_PRODUCT (cosine for unit vectors), "
        f"not {pipeline['strategy']}")
    assert pipeline["index_type"].endswith("IndexFlatIP"), (
        f"the store's index should be a faiss IndexFlatIP, got {pipeline['index_type']} (L2 distances are not "
        "similarities)")


@pytest.mark.points(2)
def test_raw_search_matches_faiss_on_random_vectors(submission, ref, rng):
    """Your raw IndexFlatIP search: inner-product scores best first and the row ids, for several queries."""
    x = rng.normal(size=(60, 16))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    q = rng.normal(size=(4, 16))
    scores, ids = submission.raw_search(x, q, 5)
    want_scores, want_ids = ref.faiss_search(x, q, 5)
    assert np.shape(ids) == (4, 5) and np.shape(scores) == (4, 5), (
        f"raw_search should return (scores, ids), both (n_queries, k) = (4, 5); got {np.shape(scores)}, {np.shape(ids)}")
    assert np.array_equal(np.asarray(ids), want_ids), (
        "the ids differ from an exact inner-product search (IndexFlatIP; not L2; (scores, ids) in that order?)")
    assert_allclose(np.asarray(scores, dtype=np.float64), want_scores, atol=1e-5,
                    err_msg="the scores should be the inner products, best first")


@pytest.mark.points(2)
def test_raw_search_equals_the_store_search(submission, pipeline):
    """On the store's own vectors and embedded questions, your raw search returns exactly the store's ids and scores."""
    scores, ids = submission.raw_search(pipeline["vectors"], pipeline["qvecs"], 10)
    assert np.array_equal(np.asarray(ids), pipeline["store_ids"]), (
        "raw_search over the store's vectors should return the same ids, in the same order, as the store's index")
    assert_allclose(np.asarray(scores, dtype=np.float64), pipeline["store_scores"], atol=1e-5,
                    err_msg="raw_search's scores should equal the store's inner products")


@pytest.mark.points(2)
def test_retrieve_returns_the_store_hits_as_dicts(pipeline):
    """retrieve gives the store's k best chunks, best first, with their text, page, start index and score."""
    chunks = pipeline["chunks"]
    for qi, hits in enumerate(pipeline["hits"]):
        assert isinstance(hits, list) and len(hits) == 10, f"retrieve(store, question, 10) should return 10 dicts"
        for rank, (hit, cid, score) in enumerate(zip(hits, pipeline["store_ids"][qi], pipeline["store_scores"][qi])):
            assert isinstance(hit, dict) and {"text", "page", "start_index", "score"} <= set(hit), (
                "each hit should be a dict with keys text, page, start_index, score")
            assert (hit["text"], hit["page"], hit["start_index"]) == chunks[cid], (
                f"question {qi}, rank {rank}: not the store's chunk (use similarity_search_with_score, best first)")
            assert abs(hit["score"] - float(score)) < 1e-4, (
                f"question {qi}, rank {rank}: the score should be the store's inner product")


@pytest.mark.points(3)
def test_recall_at_3_on_the_handbook(pipeline, questions):
    """Retrieval works: for at least 90 % of the 20 questions the evidence page is among the top 3 distinct pages."""
    found = 0
    for q, hits in zip(questions, pipeline["hits"]):
        pages = list(dict.fromkeys(int(h["page"]) for h in hits))
        found += q["page"] in pages[:3]
    assert found / len(questions) >= RECALL3_GATE, (
        f"recall@3 is {found / len(questions):.2f}, expected at least {RECALL3_GATE} (normalised embeddings? "
        "inner product? the chunk pages kept?)")
