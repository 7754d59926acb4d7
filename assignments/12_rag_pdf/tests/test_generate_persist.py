import pytest

from autograder.testing import worker_function, worker_import
from conftest import E2E_GATE, MAX_NEW_TOKENS, smollm2

# the suite's own greedy decoding, run in the worker next to the student's (library calls only)
TRUSTED_REPLY = '''
def trusted_reply(tok, lm, msgs, n):
    import torch
    batch = tok.apply_chat_template(msgs, return_dict=True, add_generation_prompt=True, return_tensors="pt")
    prompt_len = batch["input_ids"].shape[-1]
    with torch.inference_mode():
        seq = lm.generate(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"],
                          do_sample=False, max_new_tokens=n)
    return tok.decode(seq[0][prompt_len:], skip_special_tokens=True).strip()
'''

# a store built by the suite in the worker, so the round trip is judged apart from build_store
TRUSTED_STORE = '''
def trusted_store(texts, model_path):
    from langchain_community.vectorstores import FAISS as VectorStore
    from langchain_community.vectorstores.utils import DistanceStrategy as Strategy
    from langchain_core.documents import Document as Doc
    from langchain_huggingface import HuggingFaceEmbeddings as Embeddings
    emb = Embeddings(model_name=model_path, encode_kwargs=dict(normalize_embeddings=True))
    docs = [Doc(page_content=t, metadata=dict(page=i, start_index=0)) for i, t in enumerate(texts)]
    return VectorStore.from_documents(docs, emb, distance_strategy=Strategy.MAX_INNER_PRODUCT), emb
'''

MESSAGES = [{"role": "system", "content": "You answer in one short sentence."},
            {"role": "user", "content": "Context:\n[page 2] The handbook has seventeen pages.\n\n"
                                        "Question: How many pages does the handbook have?"}]
PASSAGES = ["Gradient descent updates the weights step by step against the gradient of the loss.",
            "Ridge regression adds a penalty on the size of the weights.",
            "The Transformer uses attention instead of recurrence.",
            "Word2vec learns word vectors from the words around each word.",
            "A character-level RNN predicts the next character of a text."]


@pytest.mark.points(2)
def test_generate_is_greedy_and_returns_only_the_reply(submission):
    """Generation: chat template with the generation prompt, greedy decoding, only the new tokens, stripped."""
    tok, lm = smollm2(submission)
    want = worker_function(submission, TRUSTED_REPLY, "trusted_reply")(tok, lm, MESSAGES, 12)
    got = submission.generate(tok, lm, MESSAGES, 12)
    assert isinstance(got, str), f"generate should return a str, got {type(got).__name__}"
    assert got == want, (
        "generate's reply differs from greedy decoding of the chat template (add_generation_prompt=True, "
        "do_sample=False, max_new_tokens as given, decode only the new tokens, skip special tokens, strip)")


@pytest.mark.points(4)
@pytest.mark.timeout(400)
def test_end_to_end_answers_from_the_top_chunk(submission, pipeline, questions):
    """End to end: with the top-1 retrieved chunk in the prompt, SmolLM2 answers at least 10 of the 20 questions."""
    tok, lm = smollm2(submission)
    correct = 0
    for q, hits in zip(questions, pipeline["hits"]):
        reply = submission.generate(tok, lm, submission.build_prompt(q["question"], hits[:1]), MAX_NEW_TOKENS)
        correct += any(a.lower() in str(reply).lower() for a in q["answers"])
    assert correct >= E2E_GATE, (
        f"{correct} of 20 replies contain an accepted answer, expected at least {E2E_GATE} (the pipeline, the "
        "prompt layout and greedy generation all count here)")


@pytest.mark.points(2)
def test_index_survives_a_save_and_load_round_trip(submission):
    """Saving a FAISS store and loading it back (a pickle you trust) gives the same hits for the same queries."""
    store, emb = worker_function(submission, TRUSTED_STORE, "trusted_store")(PASSAGES, submission.MINILM_PATH)
    submission.save_store(store, "saved_index")
    exists = worker_import(submission, "os.path").exists
    assert exists("saved_index/index.faiss") and exists("saved_index/index.pkl"), (
        "save_store(store, folder) should write folder/index.faiss and folder/index.pkl (store.save_local)")
    loaded = submission.load_store("saved_index", emb)
    assert int(loaded.index.ntotal) == len(PASSAGES), "the loaded store should hold the saved vectors"
    for query in ("How are weights updated?", "What replaces recurrence?"):
        a = [(d.page_content, round(float(s), 5)) for d, s in store.similarity_search_with_score(query, k=3)]
        b = [(d.page_content, round(float(s), 5)) for d, s in loaded.similarity_search_with_score(query, k=3)]
        assert a == b, "the loaded store should return the same passages with the same scores (same embeddings?)"
