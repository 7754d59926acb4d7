"""Trusted-side data and helpers for the 12_rag_pdf hidden suite.

Student code runs only in the worker, reached through ``submission``. The reference (``ref``) is called on the
release's own data (the PDF's bytes, the questions) or on seeded inputs, never on what the submission returned.
The student's pipeline (pages -> chunks -> embeddings -> FAISS store -> retrieval of the 20 questions) is built once
per grading in ``pipeline`` (embedding the handbook is the expensive step) and kept as plain data in ``shared``.
"""
from __future__ import annotations

import json
from pathlib import Path

import faiss  # noqa: F401  (imported while the worker loads the notebook)
import numpy as np
import pytest
import torch  # noqa: F401

from autograder.testing import remote_type, worker_import

PDF = "data/course_handbook.pdf"       # relative: the worker's working folder holds the release's data
E2E_CHUNK_SIZE, E2E_OVERLAP = 600, 100  # the notebook's CHUNK_SIZE, CHUNK_OVERLAP
E2E_GATE = 10                          # of 20 (the level); the reference answers 16/20 (assignment.toml)
RECALL3_GATE = 0.9
MAX_NEW_TOKENS = 32                    # the notebook's generate default; 20 cut off 3 right answers


@pytest.fixture(scope="session")
def questions(release_dir) -> list[dict]:
    rows = json.loads((Path(release_dir) / "data" / "questions.json").read_text(encoding="utf-8"))
    assert len(rows) == 20, "unexpected release data (a course problem)"
    return rows


@pytest.fixture(scope="session")
def pdf_bytes(release_dir) -> bytes:
    return (Path(release_dir) / "data" / "course_handbook.pdf").read_bytes()


def worker_documents(submission, pages: list[dict]):
    """LangChain Documents built in the worker from trusted page texts (so chunking is judged apart from loading)."""
    Document = worker_import(submission, "langchain_core.documents").Document
    return [Document(page_content=p["text"], metadata={"page": p["page"]}) for p in pages]


def chunk_rows(chunks) -> list[tuple[str, int, int]]:
    """(text, page, start_index) of each worker-side chunk Document."""
    rows = []
    for i in range(len(chunks)):
        meta = chunks[i].metadata
        assert isinstance(meta, dict) and "page" in meta and "start_index" in meta, (
            "every chunk's metadata should hold its page's 'page' and the splitter's 'start_index' "
            "(add_start_index=True, split_documents)")
        rows.append((chunks[i].page_content, int(meta["page"]), int(meta["start_index"])))
    return rows


@pytest.fixture
def pipeline(submission, questions, shared) -> dict:
    """The student's whole retrieval pipeline over the handbook, once per grading, as plain data."""
    if "pipeline" not in shared:
        try:
            pages = submission.load_pages(PDF)
            chunks = submission.split_pages(pages, E2E_CHUNK_SIZE, E2E_OVERLAP)
            rows = chunk_rows(chunks)
            embeddings = submission.make_embeddings(submission.MINILM_PATH)
            store = submission.build_store(chunks, embeddings)
            ntotal = int(store.index.ntotal)
            qvecs = np.asarray([embeddings.embed_query(q["question"]) for q in questions], dtype=np.float32)
            store_scores, store_ids = store.index.search(qvecs, 10)
            strategy = store.distance_strategy
            shared["pipeline"] = dict(
                chunks=rows, ntotal=ntotal, index_type=remote_type(store.index),
                strategy=strategy if isinstance(strategy, str) else str(strategy.value),
                vectors=np.asarray(store.index.reconstruct_n(0, ntotal), dtype=np.float32), qvecs=qvecs,
                store_ids=np.asarray(store_ids), store_scores=np.asarray(store_scores),
                hits=[submission.retrieve(store, q["question"], 10) for q in questions])
        except Exception as exc:  # re-raised by every test that needs the pipeline
            shared["pipeline"] = exc
    result = shared["pipeline"]
    if isinstance(result, Exception):
        raise result
    return result


def smollm2(submission):
    """SmolLM2 loaded in the worker by the course's loader (the notebook's setup cell imports it)."""
    pair = submission.load_smollm2()
    return pair[0], pair[1]
