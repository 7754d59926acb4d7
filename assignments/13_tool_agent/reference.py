"""Reference answers of 13_tool_agent (never published): the search ranking on the release's corpus."""
import json
import re
from pathlib import Path

SNIPPET_CHARS = 120


def search(corpus_path: str, query: str, k: int = 3) -> list[dict]:
    corpus = json.loads(Path(corpus_path).read_text())
    words = set(re.findall(r"[a-z0-9]+", query.lower()))
    scored = []
    for i, doc in enumerate(corpus):
        tokens = set(re.findall(r"[a-z0-9]+", (doc["title"] + " " + doc["text"]).lower()))
        score = len(words & tokens)
        if score > 0:
            scored.append((-score, i, doc))
    scored.sort(key=lambda item: (item[0], item[1]))
    return [{"title": d["title"], "url": d["url"], "snippet": d["text"][:SNIPPET_CHARS]} for _, _, d in scored[:k]]
