"""Instructor-only reference code for the 11_prompt_qa hidden suite (never published).

Plain-data arguments and results only (the tokenizer-dependent parts take token counts the suite computes).
"""
from __future__ import annotations

import math
import re
from collections import Counter

REFUSAL = "I don't know"
SYSTEM = ("Answer the question with a short phrase from the context, then (source: LABEL). "
          "If the context does not contain the answer, reply exactly: I don't know.")


def chunk_by_headings(text: str, source: str) -> list[dict]:
    chunks, heading, lines = [], "", []

    def flush():
        body = "\n".join(lines).strip()
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


def tokenize(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def bm25_scores(query: str, docs: list[str], k1: float = 1.5, b: float = 0.75) -> list[float]:
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


def top_k(query: str, chunks: list[dict], k: int = 2) -> list[dict]:
    scores = bm25_scores(query, [c["heading"] + "\n" + c["text"] for c in chunks])
    order = sorted(range(len(chunks)), key=lambda i: (-scores[i], i))[:k]
    return [chunks[i] for i in order]


def label(chunk: dict) -> str:
    return f"{chunk['source']}#{chunk['heading']}" if chunk["heading"] else chunk["source"]


def format_context(chunks: list[dict]) -> str:
    return "\n\n".join(f"[{label(c)}]\n{c['text']}" for c in chunks)


FEW_SHOT = [  # (context, question, answer): each example answers from its own context, so nothing of it leaks
    ("[garden.md#Tomatoes]\nTomatoes need six hours of sun a day and water twice a week.",
     "How many hours of sun do tomatoes need?", "six hours a day (source: garden.md#Tomatoes)"),
    ("[garden.md#Roses]\nRoses are pruned in early spring, just above an outward bud.",
     "How much does a rose cost?", REFUSAL),
    ("[garden.md#Compost]\nA compost heap is ready to use after about nine months.",
     "When is a compost heap ready?", "after about nine months (source: garden.md#Compost)"),
]


def build_messages(question: str, context: str) -> list[dict]:
    msgs = [{"role": "system", "content": SYSTEM}]
    for example_context, q, a in FEW_SHOT:
        msgs += [{"role": "user", "content": f"Context:\n{example_context}\n\nQuestion: {q}"},
                 {"role": "assistant", "content": a}]
    msgs.append({"role": "user", "content": f"Context:\n{context}\n\nQuestion: {question}"})
    return msgs


def parse_answer(text: str) -> tuple[str, str | None]:
    m = re.search(r"\(source:\s*([^)]*)\)", text)
    source = m.group(1).strip() if m else None
    answer = (text[: m.start()] if m else text).strip()
    return answer, source


def normalise(text: str) -> str:
    return " ".join(tokenize(text))


def is_correct(answer: str, reference) -> bool:
    if reference is None:
        return "don t know" in normalise(answer)
    accepted = [reference] if isinstance(reference, str) else reference
    return any(normalise(r) in normalise(answer) for r in accepted)


def openai_payload(messages: list[dict], model: str = "gpt-4o-mini", max_tokens: int = 32) -> dict:
    return {"model": model, "messages": [dict(m) for m in messages], "temperature": 0, "max_tokens": max_tokens}
