"""Reports of a grading result: terminal table, JSON, GitHub Classroom, Gradescope, Markdown.

Every string that may come from student code goes through ``safe``: one line, no control characters,
and no GitHub workflow command (``::notice``, ``::set-output``, ``::add-mask``...) can survive in it.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from pathlib import Path

from autograder.grading import GradeResult

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029]")
STATUS_MARK = {"passed": "PASS", "failed": "FAIL", "error": "ERROR", "skipped": "SKIP"}


def safe(text: str, limit: int = 300) -> str:
    """One printable line that GitHub Actions will not read as a workflow command."""
    text = _CONTROL.sub(" ", str(text))
    text = " ".join(text.split())
    text = text.replace("::", ": :").replace("##[", "# #[")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def points(value: float) -> str:
    return f"{value:g}"


def table(result: GradeResult) -> str:
    rows = [(t.name, f"{points(t.score)}/{points(t.max_score)}", STATUS_MARK.get(t.status, t.status),
             safe(t.message, 200)) for t in result.tests]
    width = max([len(r[0]) for r in rows] + [4])
    lines = [f"{'test':<{width}}  {'points':>7}  {'status':<6}  reason", "-" * (width + 40)]
    lines += [f"{n:<{width}}  {p:>7}  {s:<6}  {m}" for n, p, s, m in rows]
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
        test["message"] = safe(test["message"])
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
        "message": safe(t.message), "test_code": "", "filename": "", "line_no": 0, "execution_time": "",
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
            "output": safe(t.message) if t.status != "skipped" else "skipped: needs a GPU",
            "visibility": "visible",
        } for t in result.tests],
    }


def markdown(result: GradeResult) -> str:
    icon = {"passed": "✅", "failed": "❌", "error": "⚠️", "skipped": "⏭️"}
    lines = [f"## {result.assignment}: {points(result.score)}/{points(result.max_score)} points", "",
             "| | test | points | reason |", "|---|---|---|---|"]
    for t in result.tests:
        reason = safe(t.message, 200).replace("|", "\\|")
        lines.append(f"| {icon.get(t.status, '')} | `{t.name}` | {points(t.score)}/{points(t.max_score)} | {reason} |")
    if result.gpu_points_pending:
        lines += ["", f"⏭️ {points(result.gpu_points_pending)} points await grading on a GPU runner."]
    if result.flags or result.load_problems:
        lines += ["", "**Notes**", ""] + [f"- {safe(f)}" for f in result.flags + result.load_problems]
    return "\n".join(lines) + "\n"


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
