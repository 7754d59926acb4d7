import pytest

from conftest import PDF, chunk_rows, worker_documents

TEXTS = ["  a\n b\t\tc  ", "one\n\n\ntwo  three\r\nfour", "already clean", "\n\t \n", "x\u00a0y   z"]


@pytest.fixture(scope="module")
def ref_pages(ref, pdf_bytes):
    return ref.load_pages(pdf_bytes)


@pytest.mark.points(1)
def test_whitespace_runs_become_one_space(submission, ref):
    """Whitespace normalisation: every run of spaces, tabs or newlines becomes one space, and the ends are stripped."""
    for text in TEXTS:
        got = submission.normalise_whitespace(text)
        assert got == ref.normalise_whitespace(text), (
            f"normalise_whitespace({text!r}) is wrong: replace every run of whitespace (\\s+) by one space, then strip")


@pytest.mark.points(2)
def test_pdf_loads_as_one_normalised_document_per_page(submission, ref_pages):
    """PyPDFLoader gives one Document per page, in order, with its 0-based page number and normalised text."""
    docs = submission.load_pages(PDF)
    assert len(docs) == len(ref_pages), f"expected one Document per page ({len(ref_pages)}), got {len(docs)}"
    for i, want in enumerate(ref_pages):
        meta = docs[i].metadata
        assert isinstance(meta, dict) and meta.get("page") == want["page"], (
            f"Document {i} should keep PyPDFLoader's metadata with page {want['page']} (0-based)")
        assert docs[i].page_content == want["text"], (
            f"page {i}'s text differs from PyPDFLoader's text after whitespace normalisation (every run of "
            "whitespace one space, ends stripped)")


@pytest.mark.points(3)
def test_chunks_have_exact_sizes_overlaps_and_start_indices(submission, ref, ref_pages):
    """Chunking with RecursiveCharacterTextSplitter: the exact chunks, their pages and start indices, at 200/40."""
    want = [(w["text"], w["page"], w["start_index"]) for w in ref.split_texts(ref_pages, 200, 40)]
    got = chunk_rows(submission.split_pages(worker_documents(submission, ref_pages), 200, 40))
    assert len(got) == len(want), (
        f"expected {len(want)} chunks at chunk_size=200, chunk_overlap=40, got {len(got)} (overlap lost, or a "
        "different splitter or separators?)")
    for i, (g, w) in enumerate(zip(got, want)):
        assert g[0] == w[0], f"chunk {i}'s text differs (chunk_size/chunk_overlap passed through? default separators?)"
        assert g[1:] == w[1:], f"chunk {i} should keep its page and get start_index (add_start_index=True)"


@pytest.mark.points(1)
def test_chunking_defaults_are_the_notebooks(submission, ref, ref_pages):
    """split_pages without sizes uses the notebook's CHUNK_SIZE and CHUNK_OVERLAP (600 and 100 characters)."""
    want = [(w["text"], w["page"], w["start_index"]) for w in ref.split_texts(ref_pages, 600, 100)]
    got = chunk_rows(submission.split_pages(worker_documents(submission, ref_pages)))
    assert got == want, "split_pages(pages) should cut 600-character chunks with a 100-character overlap by default"
