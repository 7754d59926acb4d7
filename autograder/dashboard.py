"""The class dashboard: grades/<ID>-dashboard.html, what an instructor reads after grade-all.

A score histogram, the pass rate per task and per test (the ones most students fail are the ones to reteach),
the students the grader could not grade, flagged submissions and grading time per student. Plots are
matplotlib PNGs embedded as data URIs so the page is one self-contained file.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).parent / "templates"


def dashboard_path(root: Path, assignment_id: str) -> Path:
    return root / "grades" / f"{assignment_id}-dashboard.html"


def task_of(test: dict) -> str:
    """The answer cell's grade_id once reports carry it; until then the test's file name stands for the task."""
    if test.get("task"):
        return test["task"]
    name = test["name"]
    return name.split("::")[0] if "::" in name else "tests"


def _rates(counts: dict[str, list[int]]) -> list[dict]:
    """Sorted worst first: the top of the table is what to reteach."""
    rows = [{"name": k, "passed": p, "total": n, "rate": p / n if n else 0.0} for k, (p, n) in counts.items()]
    return sorted(rows, key=lambda r: (r["rate"], r["name"]))


def collect(assignment_id: str, rows: dict[str, dict], reports: dict[str, dict]) -> dict:
    """Everything the page shows, as plain data (tests compare it between sharded and unsharded runs).

    rows: the gradebook rows by student; reports: report.json contents by student (absent: not graded)."""
    per_test: dict[str, list[int]] = {}
    per_task: dict[str, list[int]] = {}
    concepts: dict[str, str] = {}
    for student in sorted(reports):
        for test in reports[student]["tests"]:
            if test["status"] == "skipped":  # a GPU test not run here says nothing about the student
                continue
            passed = int(test["status"] == "passed")
            for counts, key in ((per_test, test["name"]), (per_task, task_of(test))):
                entry = counts.setdefault(key, [0, 0])
                entry[0] += passed
                entry[1] += 1
            if test.get("concept"):
                concepts[test["name"]] = test["concept"]
    tests = _rates(per_test)
    for t in tests:
        t["concept"] = concepts.get(t["name"], "")
    graded = {s: r for s, r in reports.items()}
    return {
        "assignment": assignment_id,
        "students": sorted(rows),
        "scores": {s: graded[s]["score"] for s in sorted(graded)},
        "max_score": max((r["max_score"] for r in graded.values()), default=0),
        "tests": tests,
        "tasks": _rates(per_task),
        "errors": [{"student": s, "why": rows[s]["flags"]} for s in sorted(rows) if s not in graded],
        "flagged": [{"student": s, "flags": graded[s]["flags"] + graded[s].get("load_problems", [])}
                    for s in sorted(graded) if graded[s].get("flags") or graded[s].get("load_problems")],
        "times": {s: round(graded[s].get("duration_s", 0.0), 2) for s in sorted(graded)},
    }


def _png(figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def plots(data: dict) -> dict[str, str]:
    import matplotlib

    matplotlib.use("Agg")  # no display on a runner; set before pyplot is imported
    import matplotlib.pyplot as plt

    out = {}
    scores = list(data["scores"].values())
    fig, ax = plt.subplots(figsize=(6, 3))
    ax.hist(scores, bins=min(20, max(5, len(set(scores)))), range=(0, data["max_score"] or 1), color="#3465a4")
    ax.set_xlabel("score")
    ax.set_ylabel("students")
    ax.set_title("score histogram")
    out["histogram"] = _png(fig)
    plt.close(fig)
    if data["tasks"]:
        fig, ax = plt.subplots(figsize=(6, 0.4 * len(data["tasks"]) + 1))
        ax.barh([t["name"] for t in data["tasks"]], [100 * t["rate"] for t in data["tasks"]], color="#4e9a06")
        ax.set_xlim(0, 100)
        ax.set_xlabel("% of students passing")
        ax.set_title("pass rate per task")
        out["tasks"] = _png(fig)
        plt.close(fig)
    times = list(data["times"].values())
    if times:
        fig, ax = plt.subplots(figsize=(6, 3))
        ax.hist(times, bins=10, color="#c4a000")
        ax.set_xlabel("grading time per student (s)")
        ax.set_ylabel("students")
        out["times"] = _png(fig)
        plt.close(fig)
    return out


def render(data: dict) -> str:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)
    return env.get_template("dashboard.html.j2").render(d=data, plots=plots(data))


def write(root: Path, assignment_id: str, rows: dict[str, dict], reports: dict[str, dict]) -> Path:
    target = dashboard_path(root, assignment_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render(collect(assignment_id, rows, reports)), encoding="utf-8")
    return target
