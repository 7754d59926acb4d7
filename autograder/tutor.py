"""The tutor prompt: for every failed test, a prompt a student can paste into an LLM tutor, and the tutor itself.

The roadmap the course follows tells learners to use an LLM as a tutor: explain a concept, paste your code and
the error when stuck. A prompt holds only what the student may see: the task's name and its docstring from the
release, the student's own code for that answer cell, the one-line reason and exception type, and the concept the
test checks (its docstring, written for students). Never hidden test source, expected values or reference code:
the reason's expected values are withheld (``withhold_expected``), and ``leaks`` checks a prompt against the
solutions and the suite, and ``validate`` runs it on every failed test.

``autograder tutor ID NOTEBOOK`` grades the notebook and sends a failed test's prompt to a local model (SmolLM2,
offline, the default) or to an OpenAI-compatible endpoint (``--base-url``, the key from $OPENAI_API_KEY).
"""

from __future__ import annotations

import ast
import json
import os
import re
import urllib.request
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from autograder.notebook import BEGIN_SOLUTION, END_SOLUTION, classify, read_notebook

if TYPE_CHECKING:
    from autograder.course import Assignment
    from autograder.grading import GradeResult, TestResult
    from autograder.notebook import Program

TUTOR_INSTRUCTION = ("Please be my tutor, not my solver: explain the idea behind this check, ask me questions that "
                     "lead me to the mistake, and give hints. Do not write the corrected code or a finished solution.")
PROMPT = jinja2.Template("""\
I am a student in an LLM course, working on the notebook "{{ title }}" ({{ assignment }}).
{% if task %}

Task: `{{ task }}`.{% if task_doc %} What the assignment asks:
{{ task_doc }}
{% endif %}
{% endif %}
{% if code %}

My code for this task:
{{ fence }}python
{{ code }}
{{ fence }}
{% endif %}

The autograder's check `{{ test }}` did not pass.
{% if concept %}
It checks: {{ concept }}
{% endif %}
Reason{% if exception %} ({{ exception }}){% endif %}: {{ reason }}

{{ instruction }}
""", trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
MAX_CODE_CHARS = 6000  # a long cell is cut from the end: a tutor needs the start of a function more than its tail


def task_docs(release_notebook: Path) -> dict[str, str]:
    """grade_id -> the signatures and docstrings of what each answer cell of the release defines."""
    try:
        notebook = read_notebook(release_notebook)
    except Exception:
        return {}
    docs = {}
    for cell in notebook.get("cells", []):
        info = classify(cell)
        if info.kind == "answer":
            docs[info.grade_id] = _outline(info.source)
    return docs


def _outline(source: str) -> str:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return ""
    parts = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            header = (f"class {node.name}" if isinstance(node, ast.ClassDef)
                      else f"def {node.name}({ast.unparse(node.args)})")
            doc = ast.get_docstring(node)
            parts.append(header + (":\n    " + doc.replace("\n", "\n    ") if doc else ""))
    return "\n".join(parts)


def prompt_for(assignment: "Assignment", test: "TestResult", code: str, task_doc: str) -> str:
    if len(code) > MAX_CODE_CHARS:
        code = code[:MAX_CODE_CHARS] + "\n# ... (cut)"
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    return PROMPT.render(title=assignment.title, assignment=assignment.id, task=test.task, task_doc=task_doc,
                         code=code.strip("\n"), fence="`" * max(3, longest + 1), test=test.name.split("::")[-1], concept=test.concept,
                         exception=test.exception, reason=withhold_expected(test.message), instruction=TUTOR_INSTRUCTION)


EXPECTED = re.compile(r"\bexpected((?:\s+(?!at\b|shape\b)[A-Za-z][\w'-]*){0,4}?)(\s*[:=]?\s*)(?=[-+\d.\[(\'\"]|array\(|nan\b|inf\b|True\b|False\b)",
                      re.IGNORECASE)
NUMBER = re.compile(r"[-+]?(?:\d[\d_,]*(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|nan|inf|True|False", re.IGNORECASE)
WITHHELD = "(withheld)"


def _value_end(text: str, start: int) -> int | None:
    """Where the value at ``start`` ends: a number, a quoted string, or a bracketed array; None for a shape."""
    if text.startswith("array(", start):
        start += len("array")
    opening = text[start] if start < len(text) else ""
    if opening in "[(":
        if opening == "(" and not text.startswith("array", start - 5):
            return None  # "expected (3,)": a shape, which the student may see
        depth, closing = 0, {"[": "]", "(": ")"}[opening]
        for index in range(start, len(text)):
            depth += text[index] == opening
            depth -= text[index] == closing
            if depth == 0:
                return index + 1
        return len(text)
    if opening in "'\"":
        end = text.find(opening, start + 1)
        return len(text) if end < 0 else end + 1
    match = NUMBER.match(text, start)
    return match.end() if match else None


def withhold_expected(reason: str) -> str:
    """The reason with every expected value replaced by "(withheld)": a tutor prompt never holds the answer the
    check compared against (a shape or a threshold stays: "expected (3,)", "expected at least 0.95")."""
    out, position = [], 0
    for match in EXPECTED.finditer(reason):
        if match.start() < position:
            continue
        end = _value_end(reason, match.end())
        if end is None:
            continue
        out += [reason[position:match.end()], WITHHELD]
        position = end
    return "".join(out) + reason[position:]


def attach_prompts(assignment: "Assignment", program: "Program", result: "GradeResult") -> None:
    """Give every failed or errored test its tutor prompt (the student's code comes from what was graded)."""
    failing = [t for t in result.tests if t.status in ("failed", "error")]
    if not failing:
        return
    docs = task_docs(assignment.release_notebook)
    code = {c["grade_id"]: c["source"] for c in program.cells if c.get("kind") == "answer"}
    for test in failing:
        test.tutor_prompt = prompt_for(assignment, test, code.get(test.task, ""), docs.get(test.task, ""))


# ---------------------------------------------------------------- what a prompt must never hold

def _meaningful(line: str) -> bool:
    line = line.strip()
    return len(line) >= 12 and not line.startswith(("#", '"""', "'''", "import ", "from ")) and line not in (
        "return result", "raise NotImplementedError()", "pass")


@lru_cache(maxsize=32)
def secret_lines(source_notebook: Path, tests_dir: Path) -> frozenset[str]:
    """Lines a student must never be shown: solution lines of the source notebook, hidden-suite and reference lines."""
    lines = set()
    notebook = read_notebook(source_notebook)
    for cell in notebook.get("cells", []):
        text = "".join(cell.get("source", "")) if isinstance(cell.get("source"), list) else cell.get("source", "")
        inside = False
        for row in text.splitlines():
            if BEGIN_SOLUTION in row:
                inside = True
            elif END_SOLUTION in row:
                inside = False
            elif inside and _meaningful(row):
                lines.add(row.strip())
    for path in [*sorted(tests_dir.rglob("*.py")), tests_dir.parent / "reference.py"]:
        if path.is_file():
            lines |= {ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if _meaningful(ln)}
    return frozenset(lines)


def leaks(assignment: "Assignment", result: "GradeResult") -> list[str]:
    """Secret lines found in the tutor prompts, outside the student's own code (which may match a solution line)."""
    secrets = secret_lines(assignment.source_notebook, assignment.tests_dir)
    found = []
    for test in result.tests:
        for line in _without_student_code(test.tutor_prompt):
            if line.strip() in secrets:
                found.append(f"{test.name}: {line.strip()[:120]}")
            elif withhold_expected(line) != line:
                found.append(f"{test.name}: an expected value: {line.strip()[:120]}")
    return found


def unprompted(result: "GradeResult") -> list[str]:
    """The failed or errored tests that carry no tutor prompt (every one should: the feedback's promise)."""
    return [t.name for t in result.tests if t.status not in ("passed", "skipped") and not t.tutor_prompt]


def _without_student_code(prompt: str) -> list[str]:
    """The prompt's lines but the student's own code block (which may rightly hold a solution line)."""
    lines, kept, inside, fence = prompt.splitlines(), [], False, ""
    for number, line in enumerate(lines):
        if not inside and line.startswith("```") and number and lines[number - 1] == "My code for this task:":
            inside, fence = True, line.rstrip("python")
        elif inside and line == fence:
            inside = False
        elif not inside:
            kept.append(line)
    return kept


# ---------------------------------------------------------------- the tutor

def ask_local(prompt: str, max_new_tokens: int = 200) -> str:
    """SmolLM2-135M-Instruct, offline and greedy: honest about its size, it is a hint generator at best."""
    import torch

    from autograder.release_modules.course_models import load_smollm2

    tokenizer, model = load_smollm2()
    messages = [{"role": "system", "content": "You are a patient programming tutor. Give hints, not solutions."},
                {"role": "user", "content": prompt}]
    encoded = tokenizer.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt",
                                            return_dict=True)
    with torch.no_grad():
        out = model.generate(**encoded, max_new_tokens=max_new_tokens, do_sample=False)
    return tokenizer.decode(out[0, encoded["input_ids"].shape[1]:], skip_special_tokens=True).strip()


def ask_endpoint(prompt: str, base_url: str, model: str, api_key: str | None) -> str:
    """Any OpenAI-compatible Chat Completions endpoint (the key is read from the environment, never a flag)."""
    body = json.dumps({"model": model, "messages": [
        {"role": "system", "content": "You are a patient programming tutor. Give hints, not solutions."},
        {"role": "user", "content": prompt}]}).encode()
    request = urllib.request.Request(base_url.rstrip("/") + "/chat/completions", data=body, method="POST",
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": f"Bearer {api_key}"} if api_key else {})})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())["choices"][0]["message"]["content"].strip()


def choose(result: "GradeResult", test_name: str | None) -> "TestResult | None":
    failing = [t for t in result.tests if t.tutor_prompt]
    if test_name:
        failing = [t for t in failing if test_name in (t.name, t.name.split("::")[-1])]
    return failing[0] if failing else None


def api_key() -> str | None:
    return os.environ.get("OPENAI_API_KEY") or os.environ.get("TUTOR_API_KEY")
