"""Task 5-6 end to end: SmolLM2 answers from the retrieved context and refuses when the documents are silent."""
import json

import pytest

from autograder.testing import replaced, worker_function

# library glue: the course's model, loaded once in the worker; greedy generation with transformers
GLUE_SOURCE = """
def smollm2(part):
    import course_models
    global _PAIR
    if "_PAIR" not in globals():
        _PAIR = course_models.load_smollm2()
    return _PAIR[part]


def greedy(messages, max_new_tokens=32):
    import torch
    tok, model = smollm2(0), smollm2(1)
    batch = tok.apply_chat_template(messages, return_dict=True, return_tensors="pt", add_generation_prompt=True)
    prompt_len = batch["input_ids"].shape[-1]
    with torch.inference_mode():
        ids = model.generate(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                             max_new_tokens=max_new_tokens, do_sample=False)[0]
    return tok.decode(ids[prompt_len:].tolist(), skip_special_tokens=True).strip()
"""
NEW_TOKENS = 32
# Calibration (reference pipeline, top-1 BM25 passage, 32 new tokens, greedy, 1 thread, SmolLM2-135M-Instruct):
# measured standalone (the answerable ten twice, identical: greedy repeats exactly; validate's reference runs
# passed both gates identically): 8/10 answerable correct,
# 4/4 unanswerable refused. Without the refusal instruction (wrong_submissions.toml): 2/4 refused, 7/10 answered.
# The gates are the levels: two below the measured answers, one below the measured refusals, and one above
# what the prompt without the refusal instruction reaches.
MIN_CORRECT = 6
MIN_REFUSED = 3


def questions(release_dir, ref):
    qs = json.loads((release_dir / "data" / "questions.json").read_text())
    chunks = [c for p in sorted((release_dir / "data" / "docs").glob("*.md"))
              for c in ref.chunk_by_headings(p.read_text(), p.name)]
    return [(q["question"], q["answer"], ref.format_context(ref.top_k(q["question"], chunks, 1))) for q in qs]


@pytest.mark.points(2)
@pytest.mark.timeout(120)
def test_smollm2_answers_answerable_questions(submission, ref, release_dir):
    """Greedy generation through the chat template answers the answerable questions from the given context."""
    glue = worker_function(submission, GLUE_SOURCE, "smollm2")
    tok, model = glue(0), glue(1)
    right = 0
    for question, answer, context in questions(release_dir, ref):
        if answer is None:
            continue
        reply = submission.generate(tok, model, ref.build_messages(question, context), NEW_TOKENS)
        assert isinstance(reply, str), "generate should return the decoded reply as a string"
        right += ref.is_correct(ref.parse_answer(reply)[0], answer)
    assert right >= MIN_CORRECT, (
        f"only {right} of 10 answerable questions answered correctly (at least {MIN_CORRECT} expected): use "
        "apply_chat_template with add_generation_prompt=True, greedy decoding, and decode only the new tokens")


@pytest.mark.points(2)
@pytest.mark.timeout(120)
def test_prompt_makes_smollm2_refuse_unanswerable_questions(submission, ref, release_dir):
    """The system prompt's instructions make the model say I don't know when the documents are silent."""
    greedy = worker_function(submission, GLUE_SOURCE, "greedy")
    refused = 0
    for question, answer, context in questions(release_dir, ref):
        if answer is not None:
            continue
        messages = submission.build_messages(question, context)
        assert isinstance(messages, list), "build_messages should return a list of message dicts"
        refused += ref.is_correct(ref.parse_answer(greedy(list(messages), NEW_TOKENS))[0], None)
    assert refused >= MIN_REFUSED, (
        f"only {refused} of 4 unanswerable questions refused (at least {MIN_REFUSED} expected): the system prompt "
        "should tell the model to answer only from the context and otherwise reply exactly I don't know")
