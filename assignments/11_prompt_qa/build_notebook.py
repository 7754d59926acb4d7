"""Writes source/11_prompt_qa/11_prompt_qa.ipynb from the cells below (instructor tool: python build_notebook.py)."""
import json
from pathlib import Path

CELLS = []


def md(gid, text):
    CELLS.append(("markdown", gid, text, False))


def code(gid, text, answer=False):
    CELLS.append(("code", gid, text, answer))


md("intro", """# Assignment 11 — A Q&A bot for your own documents, by prompt engineering

*Roadmap step 4 · LLM applications.* You build a question-answering bot over a folder of Markdown documents
(this course's own guides; put your own in `data/docs/` to ask about them) with no training at all: a lexical
retriever picks the passages, a prompt tells an instruction-tuned LLM (SmolLM2-135M-Instruct, offline) to answer
only from them and to cite its source, and an evaluation harness measures how often it is right and how often it
refuses when it should.

**Objectives.** Chunk documents by headings · score passages with BM25, from scratch · write a system prompt,
few-shot examples and labelled context · fit the prompt into a token budget counted with the model's own
tokenizer · `apply_chat_template` and greedy generation · parse the answer and its cited source · evaluate,
unanswerable questions included · the same `messages` as an OpenAI Chat Completions payload.""")

code("setup_imports", """import math
import re
from collections import Counter
from pathlib import Path

import torch
from tqdm.auto import tqdm

from course_models import load_smollm2

DATA = Path("data")
REFUSAL = "I don't know"
USE_ONLINE = False   # True: load "HuggingFaceTB/SmolLM2-135M-Instruct" from the hub (needs internet)
BACKEND = "local"    # "local" (SmolLM2, the default) or "openai" (needs OPENAI_API_KEY and the openai package)
""")

md("md_chunk", """## 1. Chunking by headings

A retriever returns passages, not files. Markdown already says where a topic starts: a heading line
(`#` to `######` followed by a space). Each chunk is the text between one heading and the next, remembered with
its file name and heading, so the prompt can label it and the model can cite it. Text before the first heading
gets the heading `""`; chunks whose body is empty (after stripping) are dropped.""")

code("chunk", '''def chunk_by_headings(text: str, source: str) -> list[dict]:
    """Split Markdown into chunks at heading lines (1-6 '#' then a space).

    Returns a list of {"source": source, "heading": heading text without the '#'s, stripped,
    "text": the lines up to the next heading joined with "\\\\n", stripped}; empty bodies are dropped.
    """
    ### BEGIN SOLUTION
    chunks, heading, lines = [], "", []

    def flush():
        body = "\\n".join(lines).strip()
        if body:
            chunks.append({"source": source, "heading": heading, "text": body})

    for line in text.splitlines():
        if re.match(r"^#{1,6} ", line):
            flush()
            heading, lines = line.lstrip("#").strip(), []
        else:
            lines.append(line)
    flush()
    return chunks
    ### END SOLUTION
''', True)

code("check_chunk", '''# CHECK chunk_by_headings
_c = chunk_by_headings("intro\\n# A\\nx\\n\\n## B\\ny\\n# Empty\\n", "f.md")
assert [c["heading"] for c in _c] == ["", "A", "B"], "one chunk per heading, empty ones dropped"
assert _c[1] == {"source": "f.md", "heading": "A", "text": "x"}
print("ok")''')

code("demo_chunks", '''chunks = [c for p in sorted((DATA / "docs").glob("*.md")) for c in chunk_by_headings(p.read_text(), p.name)]
print(len(chunks), "chunks")''')

md("md_bm25", r"""## 2. BM25, from scratch

Tokens are the lower-cased runs of `[a-z0-9]`. For a query $q$ and a document $d$ of length $|d|$ (average
$\bar{L}$ over the $N$ documents),
$$\mathrm{BM25}(q,d)=\sum_{w\in \mathrm{set}(q),\ tf_{w,d}>0} \mathrm{idf}(w)\,\frac{tf_{w,d}(k_1+1)}{tf_{w,d}+k_1(1-b+b|d|/\bar L)},\qquad
\mathrm{idf}(w)=\ln\Big(\frac{N-df_w+0.5}{df_w+0.5}+1\Big)$$
with $k_1=1.5$, $b=0.75$, and $df_w$ the number of documents that contain $w$ (not the number of occurrences).""")

code("bm25", '''def tokenize(text: str) -> list[str]:
    """Lower-cased runs of [a-z0-9]."""
    ### BEGIN SOLUTION
    return re.findall(r"[a-z0-9]+", text.lower())
    ### END SOLUTION


def bm25_scores(query: str, docs: list[str], k1: float = 1.5, b: float = 0.75) -> list[float]:
    """One BM25 score per document (see the formula above); repeated query words count once."""
    ### BEGIN SOLUTION
    toks = [tokenize(d) for d in docs]
    n = len(toks)
    avgdl = sum(len(t) for t in toks) / n
    df = Counter(w for t in toks for w in set(t))
    scores = []
    for t in toks:
        tf = Counter(t)
        s = 0.0
        for w in set(tokenize(query)):
            if tf[w] == 0:
                continue
            idf = math.log((n - df[w] + 0.5) / (df[w] + 0.5) + 1.0)
            s += idf * tf[w] * (k1 + 1) / (tf[w] + k1 * (1 - b + b * len(t) / avgdl))
        scores.append(s)
    return scores
    ### END SOLUTION


def top_k(query: str, chunks: list[dict], k: int = 2) -> list[dict]:
    """The k chunks with the highest BM25 score of heading + "\\\\n" + text, ties by original order."""
    ### BEGIN SOLUTION
    scores = bm25_scores(query, [c["heading"] + "\\n" + c["text"] for c in chunks])
    order = sorted(range(len(chunks)), key=lambda i: (-scores[i], i))[:k]
    return [chunks[i] for i in order]
    ### END SOLUTION
''', True)

code("check_bm25", '''# CHECK bm25_scores
_s = bm25_scores("cat", ["the cat sat", "a dog", "cat cat"])
assert _s[1] == 0 and _s[2] > _s[0] > 0, "only documents with the word score; more occurrences score higher"
print("ok")''')

md("md_prompt", """## 3. The prompt

The system prompt holds the instructions: answer with a short phrase from the context and cite it as
`(source: LABEL)`, or reply exactly `I don't know` when the context is silent. A small model copies what it sees,
so the few-shot turns show the format *with their own context*: every example user turn is
`Context:\\n<passages>\\n\\nQuestion: <question>`, exactly like the real last turn, and its answer is a span of that
context. Examples without a context (or with the answer in the system prompt) teach the model to answer from
memory, and their words leak into real answers. The three examples are an answer, a refusal (the passage is on
the topic but silent on the question) and an answer: the refusal shows when to say `I don't know`, the last answer
keeps the model from refusing everything. Each passage is labelled `[source#heading]` (just `[source]` when the
heading is empty) on its own line before its text; passages are separated by a blank line.""")

code("setup_prompt", '''SYSTEM = ("Answer the question with a short phrase from the context, then (source: LABEL). "
          "If the context does not contain the answer, reply exactly: I don't know.")
FEW_SHOT = [  # (context, question, answer): each example answers from its own context
    ("[garden.md#Tomatoes]\\nTomatoes need six hours of sun a day and water twice a week.",
     "How many hours of sun do tomatoes need?", "six hours a day (source: garden.md#Tomatoes)"),
    ("[garden.md#Roses]\\nRoses are pruned in early spring, just above an outward bud.",
     "How much does a rose cost?", REFUSAL),
    ("[garden.md#Compost]\\nA compost heap is ready to use after about nine months.",
     "When is a compost heap ready?", "after about nine months (source: garden.md#Compost)"),
]''')

code("prompt", '''def label(chunk: dict) -> str:
    """"source#heading", or just "source" when the heading is empty."""
    ### BEGIN SOLUTION
    return f"{chunk['source']}#{chunk['heading']}" if chunk["heading"] else chunk["source"]
    ### END SOLUTION


def format_context(chunks: list[dict]) -> str:
    """"[label]\\\\ntext" per chunk, joined by a blank line ("\\\\n\\\\n")."""
    ### BEGIN SOLUTION
    return "\\n\\n".join(f"[{label(c)}]\\n{c['text']}" for c in chunks)
    ### END SOLUTION


def build_messages(question: str, context: str) -> list[dict]:
    """[system: SYSTEM], then per FEW_SHOT (context, question, answer) a user turn
    "Context:\\\\n" + context + "\\\\n\\\\nQuestion: " + question and an assistant turn answer, then the same user turn
    for the real context and question."""
    ### BEGIN SOLUTION
    msgs = [{"role": "system", "content": SYSTEM}]
    for example_context, q, a in FEW_SHOT:
        msgs += [{"role": "user", "content": f"Context:\\n{example_context}\\n\\nQuestion: {q}"},
                 {"role": "assistant", "content": a}]
    msgs.append({"role": "user", "content": f"Context:\\n{context}\\n\\nQuestion: {question}"})
    return msgs
    ### END SOLUTION
''', True)

md("md_budget", """## 4. Fitting the context window

A model sees a fixed number of tokens, and every prompt token costs prefill time. Count with the model's own
tokenizer (`len(tokenizer.encode(s, add_special_tokens=False))`): add whole ranked chunks while the formatted
context stays within `budget` tokens; if not even the first fits, keep the first `budget` tokens of its
formatted text (decoded back to a string).""")

code("budget", '''def fit_context(chunks: list[dict], tokenizer, budget: int) -> str:
    """format_context of the longest prefix of chunks within budget tokens, else the first chunk cut at budget."""
    ### BEGIN SOLUTION
    def count(s):
        return len(tokenizer.encode(s, add_special_tokens=False))

    kept = []
    for c in chunks:
        if count(format_context(kept + [c])) > budget:
            break
        kept.append(c)
    if kept or not chunks:
        return format_context(kept)
    ids = tokenizer.encode(format_context(chunks[:1]), add_special_tokens=False)[:budget]
    return tokenizer.decode(ids)
    ### END SOLUTION
''', True)

md("md_generate", """## 5. Chat template, greedy generation, parsing

`tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)`
writes the messages in the model's own chat format; `model.generate(**enc, do_sample=False,
max_new_tokens=...)` decodes greedily. Return only the new tokens, decoded with `skip_special_tokens=True`,
stripped. `parse_answer` splits `"... (source: X)"` into the answer and `X` (None when there is no citation).""")

code("generate", '''def generate(tokenizer, model, messages: list[dict], max_new_tokens: int = 32) -> str:
    """Greedy reply of the model to messages: the new tokens only, decoded, stripped."""
    ### BEGIN SOLUTION
    enc = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        out = model.generate(**enc, do_sample=False, max_new_tokens=max_new_tokens)
    return tokenizer.decode(out[0, enc["input_ids"].shape[1]:], skip_special_tokens=True).strip()
    ### END SOLUTION


def parse_answer(text: str) -> tuple:
    """(answer text before "(source: ...)", stripped; the cited source, stripped, or None)."""
    ### BEGIN SOLUTION
    m = re.search(r"\\(source:\\s*([^)]*)\\)", text)
    source = m.group(1).strip() if m else None
    answer = (text[: m.start()] if m else text).strip()
    return answer, source
    ### END SOLUTION
''', True)

md("md_eval", """## 6. Evaluation, and the API path

An answer is **correct** when a normalised reference (its tokens joined by spaces) appears in the normalised
answer; the reference is one string or a list of accepted forms (`["2.13.0", "2.13"]`), any of which counts. For
an unanswerable question (reference `None`) it is correct when the answer contains "don t know" after
normalising. `openai_payload` is the body of a Chat Completions request with the same messages
(temperature 0): data only, never sent here.""")

code("evaluate", '''def is_correct(answer: str, reference) -> bool:
    """Normalised containment of the reference (a string, or a list of accepted strings: any one);
    a refusal when reference is None."""
    ### BEGIN SOLUTION
    norm = lambda s: " ".join(tokenize(s))
    if reference is None:
        return "don t know" in norm(answer)
    accepted = [reference] if isinstance(reference, str) else reference
    return any(norm(r) in norm(answer) for r in accepted)
    ### END SOLUTION


def openai_payload(messages: list[dict], model: str = "gpt-4o-mini", max_tokens: int = 32) -> dict:
    """{"model", "messages" (copies), "temperature": 0, "max_tokens"} for POST /v1/chat/completions."""
    ### BEGIN SOLUTION
    return {"model": model, "messages": [dict(m) for m in messages], "temperature": 0, "max_tokens": max_tokens}
    ### END SOLUTION
''', True)

md("md_run", """## 7. The bot, evaluated

Load the model (`USE_ONLINE = True` fetches it from the hub instead), then run the whole pipeline over
`data/questions.json`: ten questions the documents answer (each with its accepted answers) and four about
the course that they do not answer (reference `null`): on-topic questions, so the model cannot answer them from
general knowledge, only refuse or make something up. Each question gets the top BM25 passage, fitted to 200 tokens.""")

code("demo_eval", '''import json
import matplotlib.pyplot as plt

torch.set_num_threads(1)
tokenizer, model = load_smollm2(hub_id="HuggingFaceTB/SmolLM2-135M-Instruct") if USE_ONLINE else load_smollm2()
questions = json.loads((DATA / "questions.json").read_text())
counts = {"correct": 0, "refused": 0, "wrong": 0}
for q in tqdm(questions, desc="questions"):
    context = fit_context(top_k(q["question"], chunks, 1), tokenizer, 200)
    messages = build_messages(q["question"], context)
    if BACKEND == "openai":   # the same messages through the Chat Completions API
        from openai import OpenAI
        payload = openai_payload(messages)
        reply = OpenAI().chat.completions.create(**payload).choices[0].message.content
    else:
        reply = generate(tokenizer, model, messages, max_new_tokens=32)
    answer, source = parse_answer(reply)
    refused = is_correct(answer, None)
    kind = "correct" if is_correct(answer, q["answer"]) and not (refused and q["answer"]) else (
        "refused" if refused else "wrong")
    counts[kind] += 1
    print(f"{kind:8s} {q['question']!r} -> {answer!r} (source: {source})")
plt.bar(list(counts), list(counts.values()), color=["tab:green", "tab:blue", "tab:red"])
plt.title("SmolLM2 on 14 questions (a correct refusal counts as correct)")
plt.ylabel("questions")
plt.show()''')

md("stretch", """## Stretch ideas
- Swap `data/docs/` for your own notes and write ten questions about them.
- Replace BM25 by MiniLM embeddings (`course_models.minilm_path()`) and compare hit rates.
- Set `BACKEND = "openai"` and send `openai_payload(...)` with the `openai` client; compare refusals.""")


def main():
    cells = []
    for kind, gid, text, answer in CELLS:
        meta = {"nbgrader": {"grade": False, "grade_id": gid, "locked": not answer, "schema_version": 3,
                             "solution": answer, "task": False}}
        cell = {"cell_type": kind, "id": gid, "metadata": meta, "source": text.strip("\n").splitlines(keepends=True)}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        cells.append(cell)
    nb = {"cells": cells, "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
          "name": "python3"}, "language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5}
    out = Path(__file__).resolve().parents[2] / "source" / "11_prompt_qa" / "11_prompt_qa.ipynb"
    out.write_text(json.dumps(nb, indent=1) + "\n")


if __name__ == "__main__":
    main()
