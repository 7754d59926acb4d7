"""Reports of a grading result: terminal table, JSON, GitHub Classroom, Gradescope, Markdown, HTML.

Every string that may come from student code goes through ``safe``: one line, no control characters,
and no GitHub workflow command (``::notice``, ``::set-output``, ``::add-mask``...) can survive in it.
"""

from __future__ import annotations

import base64
import html
import json
import os
import re
import secrets
from pathlib import Path

import jinja2

from autograder.grading import GradeResult

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029]")
STATUS_MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}
REASON_LIMIT = 4000  # bounds hostile output; no authored reason comes near it, so hints are never cut
FOLD_AT = 160  # a longer reason shows its first words and folds the rest (Markdown, HTML), never cuts it
TEMPLATES = Path(__file__).resolve().parent / "templates"


def safe(text: str, limit: int = 300) -> str:
    """One printable line that GitHub Actions will not read as a workflow command."""
    text = _CONTROL.sub(" ", str(text))
    text = " ".join(text.split())
    text = text.replace("::", ": :").replace("##[", "# #[")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def points(value: float) -> str:
    return f"{value:g}"


def reason(test) -> str:
    """The one-line reason, naming the task (answer cell) the test grades."""
    message = safe(test.message, REASON_LIMIT)
    return f"task `{test.task}`: {message}" if test.task and message else message


def fold(text: str, at: int = FOLD_AT) -> tuple[str, str]:
    """(shown, folded): the first words up to about ``at`` characters, and the rest."""
    if len(text) <= at:
        return text, ""
    cut = text.rfind(" ", 0, at)
    cut = cut if cut > at // 2 else at
    return text[:cut], text[cut:]


def table(result: GradeResult) -> str:
    import textwrap

    rows = [(t.name, f"{points(t.score)}/{points(t.max_score)}", STATUS_MARK.get(t.status, t.status), reason(t))
            for t in result.tests]
    width = max([len(r[0]) for r in rows] + [4])
    lines = [f"{'test':<{width}}  {'points':>7}  {'status':<6}  reason", "-" * (width + 40)]
    for n, p, s, m in rows:  # a long reason wraps onto more lines: it is never cut
        wrapped = textwrap.wrap(m, 100) or [""]
        lines.append(f"{n:<{width}}  {p:>7}  {s:<6}  {wrapped[0]}")
        lines += [f"{'':<{width}}  {'':>7}  {'':<6}  {more}" for more in wrapped[1:]]
    lines.append("-" * (width + 40))
    lines.append(f"{result.assignment}: {points(result.score)}/{points(result.max_score)} points "
                 f"in {result.duration_s:.1f} s")
    if result.gpu_points_pending:
        lines.append(f"{points(result.gpu_points_pending)} more points await grading on a GPU runner "
                     "(skipped here: needs a GPU)")
    lines += [f"note: {safe(f)}" for f in result.flags]
    lines += [f"note: {safe(p)}" for p in result.load_problems]
    return "\n".join(lines)


def to_json(result: GradeResult) -> dict:
    data = result.to_json()
    for test in data["tests"]:
        test["message"] = safe(test["message"], REASON_LIMIT)
    data["flags"] = [safe(f) for f in data["flags"]]
    data["load_problems"] = [safe(p) for p in data["load_problems"]]
    data["output"] = safe_block(data["output"][-20000:])
    return data


def safe_block(text: str) -> str:
    """Multi-line student output, kept as lines but with no control characters or workflow commands."""
    return "\n".join(safe(line, 2000) for line in str(text).splitlines())


def classroom(result: GradeResult) -> dict:
    """The object `classroom-resources/autograding-grading-reporter@v1` reads (base64 in <RUNNER>_RESULTS)."""
    tests = [{
        "name": t.name, "status": "pass" if t.status == "passed" else ("error" if t.status == "error" else "fail"),
        "message": reason(t), "test_code": "", "filename": "", "line_no": 0, "execution_time": "",
        "score": t.score, "max_score": t.max_score,  # fractional points stay: the reporter adds numbers
    } for t in result.tests if t.status != "skipped"]
    if not tests:  # the reporter needs at least one test
        tests = [{"name": "no CPU tests", "status": "pass", "message": "", "test_code": "", "filename": "",
                  "line_no": 0, "execution_time": "", "score": 0, "max_score": 0}]
    return {
        "version": 1,
        "status": "pass" if all(t["status"] == "pass" for t in tests) else "fail",
        "max_score": result.max_score,
        "tests": tests,
    }


def gradescope(result: GradeResult) -> dict:
    return {
        "score": result.score,
        "max_score": result.max_score,
        "execution_time": round(result.duration_s),
        "output": safe(" ".join(result.flags), 2000),
        "tests": [{
            "name": t.name, "score": t.score, "max_score": t.max_score,
            "status": "passed" if t.status == "passed" else "failed",
            "output": reason(t) if t.status != "skipped" else "skipped: needs a GPU",
            "visibility": "visible",
        } for t in result.tests],
    }


_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)")
_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]()!~#<>&|])")


def markdown_text(text: str) -> str:
    """Text as literal Markdown inline content: `code` spans stay code; everything else Markdown or HTML would read
    (emphasis, links, tags, entities, table pipes) is backslash-escaped, so a student's message stays text."""
    out, last = [], 0
    for span in _CODE_SPAN.finditer(text):
        out += [_MARKDOWN_PUNCTUATION.sub(r"\\\1", text[last:span.start()]), span.group(0).replace("|", "\\|")]
        last = span.end()
    return "".join(out + [_MARKDOWN_PUNCTUATION.sub(r"\\\1", text[last:])])


def _fence(text: str) -> str:
    """A code fence longer than any run of backticks in ``text``, so a student's code cannot close it."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    return "`" * max(3, longest + 1)


def markdown(result: GradeResult) -> str:
    """The Classroom summary: a table per test (long reasons folded, never cut), then the tutor prompts, collapsed."""
    icon = {"passed": "✅", "failed": "❌", "error": "⚠️", "skipped": "⏭️"}
    lines = [f"## {result.assignment}: {points(result.score)}/{points(result.max_score)} points", "",
             "| | task | test | points | reason |", "|---|---|---|---|---|"]
    for t in result.tests:
        shown, folded = (markdown_text(part) for part in fold(safe(t.message, REASON_LIMIT)))
        cell = f"<details><summary>{shown} …</summary>{folded}</details>" if folded else shown
        task = f"`{t.task}`" if t.task else ""
        lines.append(f"| {icon.get(t.status, '')} | {task} | `{t.name}` | {points(t.score)}/{points(t.max_score)} | "
                     f"{cell} |")
    if result.gpu_points_pending:
        lines += ["", f"⏭️ {points(result.gpu_points_pending)} points await grading on a GPU runner."]
    if result.flags or result.load_problems:
        lines += ["", "**Notes**", ""] + [f"- {markdown_text(safe(f))}" for f in result.flags + result.load_problems]
    prompts = [t for t in result.tests if t.tutor_prompt]
    if prompts:
        lines += ["", "### Stuck? Ask an LLM tutor", "",
                  "Each failed test has a prompt to paste into an LLM tutor: it asks for hints, not a solution "
                  "(see your course's AI-use policy in the notebook).", ""]
        for t in prompts:
            fence = _fence(t.tutor_prompt)
            lines += [f"<details><summary>Tutor prompt: <code>{html.escape(t.name.split('::')[-1])}</code>"
                      f"{f' (task <code>{html.escape(t.task)}</code>)' if t.task else ''}</summary>", "",
                      f"{fence}text", t.tutor_prompt.rstrip("\n"), fence, "", "</details>", ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def html_report(result: GradeResult, student: str = "") -> str:
    """The student's feedback page: grouped by task, each test's status and reason, the tutor prompts."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    groups: dict[str, list] = {}
    for t in result.tests:
        groups.setdefault(t.task, []).append(t)
    tasks = {e["task"]: e for e in result.tasks()}
    return env.get_template("feedback.html.j2").render(
        r=result, student=student, groups=groups, tasks=tasks, points=points, fold=fold,
        safe=lambda text: safe(text, REASON_LIMIT))


def write_json(path: str | Path, data) -> None:
    Path(path).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def set_github_output(name: str, value: str) -> bool:
    """Append ``name=value`` to $GITHUB_OUTPUT (a step output), as Actions expects."""
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return False
    with open(target, "a", encoding="utf-8") as handle:
        handle.write(f"{name}={value}\n")
    return True


def encode_classroom(data: dict) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


class QuietWorkflowCommands:
    """Inside GitHub Actions, stop command processing while printing student-derived text."""

    def __init__(self, stream):
        self.stream, self.token = stream, secrets.token_hex(16)
        self.active = os.environ.get("GITHUB_ACTIONS") == "true"

    def __enter__(self):
        if self.active:
            print(f"::stop-commands::{self.token}", file=self.stream, flush=True)
        return self

    def __exit__(self, *exc):
        if self.active:
            print(f"::{self.token}::", file=self.stream, flush=True)
