"""Task 4: the context fits a token budget counted with SmolLM2's own tokenizer."""
import pytest

from autograder.testing import replaced, worker_function, worker_import

# library glue in place of the student's format_context, so a wrong label costs only its own test
FORMAT_SOURCE = """
def format_context(chunks):
    parts = []
    for chunk in chunks:
        name = chunk["source"] + ("#" + chunk["heading"] if chunk["heading"] else "")
        parts.append("[" + name + "]\\n" + chunk["text"])
    return "\\n\\n".join(parts)
"""

CHUNKS = [{"source": f"doc{i}.md", "heading": f"Part {i}", "text": ("word%d " % i) * (5 + 7 * i)} for i in range(4)]


def smollm2_tokenizer(submission):
    models = worker_import(submission, "course_models")
    auto = worker_import(submission, "transformers").AutoTokenizer
    return auto.from_pretrained(models.smollm2_path(rebuild=False))


def n_tokens(tokenizer, text):
    return len(tokenizer.encode(text, add_special_tokens=False))


@pytest.mark.points(3)
@pytest.mark.timeout(120)
def test_context_is_cut_at_the_token_budget(submission, ref):
    """Whole ranked passages are kept while the context fits the token budget; an oversized first one is cut."""
    tok = smollm2_tokenizer(submission)
    glue = worker_function(submission, FORMAT_SOURCE, "format_context")
    with replaced(submission, format_context=glue):
        check_budget(submission, ref, tok)


def check_budget(submission, ref, tok):
    sizes = [n_tokens(tok, ref.format_context(CHUNKS[: j + 1])) for j in range(len(CHUNKS))]
    for budget in (sizes[1], sizes[2] - 1, sizes[3] + 5):
        fits = max(j + 1 for j in range(len(CHUNKS)) if sizes[j] <= budget)
        got = submission.fit_context(CHUNKS, tok, budget)
        assert got == ref.format_context(CHUNKS[:fits]), (
            f"budget {budget} tokens: expected the formatted context of the first {fits} passages. Count tokens "
            "with the tokenizer (no special tokens) on the formatted context, and stop before the first that overflows")
    small = max(3, sizes[0] // 2)
    got = submission.fit_context(CHUNKS, tok, small)
    assert isinstance(got, str) and 0 < n_tokens(tok, got) <= small + 1, (
        f"with a budget of {small} tokens, smaller than the first passage, expected that passage cut to the budget "
        "(encode, keep the first budget ids, decode), not an empty or overflowing context")
