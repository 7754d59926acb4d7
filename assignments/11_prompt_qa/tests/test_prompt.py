"""Tasks 3-6: labels, the prompt, parsing, evaluation and the API payload."""
import pytest

CHUNKS = [{"source": "a.md", "heading": "Setup", "text": "Run make."},
          {"source": "b.md", "heading": "", "text": "Intro text."},
          {"source": "c.md", "heading": "Grading", "text": "Points add up."}]


@pytest.mark.points(2)
def test_context_passages_are_labelled_with_their_source(submission, ref):
    """Every context passage carries a [source#heading] label on its own line, in ranked order."""
    got = submission.format_context(CHUNKS)
    assert got == ref.format_context(CHUNKS), (
        "expected '[source#heading]' (or '[source]' without heading), a newline, the text; passages joined by a "
        "blank line, in the given order")


@pytest.mark.points(2)
def test_messages_order_system_fewshot_question(submission, ref):
    """The messages are the system prompt, then the few-shot turns with their own contexts, then the question."""
    ctx = ref.format_context(CHUNKS)
    got = submission.build_messages("How do I run it?", ctx)
    want = ref.build_messages("How do I run it?", ctx)
    assert isinstance(got, list) and [m.get("role") for m in got] == [m["role"] for m in want], (
        "roles should be system, then a user and an assistant turn per FEW_SHOT example, then user")
    assert got[0] == want[0], ("the system message should be SYSTEM alone (which asks for a short answer from the "
                               "context with its source, and otherwise exactly I don't know)")
    assert got[-1] == want[-1], ("the last user turn should be 'Context:', a newline, the context, a blank line, "
                                 "'Question: ' and the question")
    assert got == want, ("each FEW_SHOT (context, question, answer) becomes a user turn in the same Context/Question "
                         "form and an assistant turn with the answer, in order")


@pytest.mark.points(1)
def test_parse_answer_keeps_the_cited_source(submission, ref):
    """The reply is split into the answer and the source it cites."""
    for text in ("Run make (source: a.md#Setup)", "I don't know", "Yes(source:  b.md )."):
        got = submission.parse_answer(text)
        assert tuple(got) == ref.parse_answer(text), (
            f"for {text!r}: the answer is the text before '(source: ...)', stripped; the source is inside, "
            "stripped, or None")


@pytest.mark.points(1)
def test_is_correct_uses_normalised_containment(submission, ref):
    """An answer is correct when it contains the normalised reference; a refusal is correct when none exists."""
    cases = [("It is BUDGET_probes.", "budget probes"), ("no idea", "budget"), ("I don't know.", None),
             ("Maybe 3", None), ("Python 3.11 it is", ["3.10", "3.11"]), ("version 2", ["2.13.0", "2.13"])]
    for answer, reference in cases:
        assert bool(submission.is_correct(answer, reference)) == ref.is_correct(answer, reference), (
            f"is_correct({answer!r}, {reference!r}) is wrong: compare token-normalised strings; a list of "
            "references accepts any one of them")


@pytest.mark.points(1)
def test_openai_payload_is_the_same_messages(submission, ref):
    """The Chat Completions request body carries the same messages, greedy (temperature 0)."""
    msgs = ref.build_messages("Q?", "ctx")
    assert submission.openai_payload(msgs, "m", 16) == ref.openai_payload(msgs, "m", 16), (
        "expected keys model, messages, temperature=0, max_tokens")
