"""Grade a whole class: nbgrader's submitted/<student>/<ID>/ layout, in parallel, resumable.

Each student's report lands in autograded/<student>/<ID>/report.json and their feedback in
feedback/<student>/<ID>/feedback.{md,html}, next to what nbgrader itself writes. A student whose report
exists is not graded again (unless --regrade), so an interrupted run resumes where it stopped. One
submission that hangs or crashes costs its own row only.
"""

from __future__ import annotations

import csv
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from autograder import reports
from autograder.course import Assignment
from autograder.grading import grade
from autograder.sandbox import DEFAULT_MODE

def students(root: Path, assignment_id: str) -> list[tuple[str, Path]]:
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return [(d.name, d / assignment_id) for d in sorted(submitted.iterdir()) if (d / assignment_id).is_dir()]


def report_path(root: Path, student: str, assignment_id: str) -> Path:
    return root / "autograded" / student / assignment_id / "report.json"


def grades_path(root: Path, assignment_id: str) -> Path:
    """One gradebook per assignment, so grading another assignment never overwrites it."""
    return root / "grades" / f"{assignment_id}.csv"


def grade_one(assignment: Assignment, root: Path, student: str, folder: Path, gpu: str, sandbox: str = DEFAULT_MODE,
              keep_logs: Path | None = None) -> dict:
    try:
        result = grade(assignment, folder, gpu=gpu, sandbox=sandbox, keep_logs=keep_logs, label=student)
    except Exception as exc:  # the grader's or the course's problem, not this student's: their row says so
        return {"student": student, "score": "", "max_score": "", "flags": f"grading failed: {exc}"[:300]}
    data = reports.to_json(result)
    target = report_path(root, student, assignment.id)
    target.parent.mkdir(parents=True, exist_ok=True)
    feedback = root / "feedback" / student / assignment.id
    feedback.mkdir(parents=True, exist_ok=True)
    (feedback / "feedback.md").write_text(reports.markdown(result), encoding="utf-8")
    (feedback / "feedback.html").write_text(reports.html_report(result, student), encoding="utf-8")
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
    os.replace(tmp, target)  # written last and atomically: its presence means "done"
    return row(student, data)


def row(student: str, data: dict) -> dict:
    return {"student": student, "score": data["score"], "max_score": data["max_score"],
            "flags": "; ".join(data.get("flags", []))}


@dataclass
class BulkSummary:
    assignment: str
    graded: int
    resumed: int
    failed: list[str]  # students the grader itself could not grade (no report written, retried on rerun)
    jobs: int
    elapsed_s: float
    grades: Path

    def __str__(self) -> str:
        text = (f"{self.assignment}: graded {self.graded} submissions ({self.resumed} already done) in "
                f"{self.elapsed_s:.1f} s with {self.jobs} job(s); grades in {self.grades}")
        if self.failed:
            text += (f"\n{len(self.failed)} could not be graded by the grader itself (see their flags in the gradebook; "
                     f"run again to retry them): {', '.join(self.failed)}")
        return text


def grade_all(assignment: Assignment, root: Path, jobs: int = 1, gpu: str = "auto", regrade: bool = False,
              sandbox: str = DEFAULT_MODE, keep_logs: Path | None = None) -> BulkSummary:
    started = time.monotonic()
    todo, rows = [], {}
    for student, folder in students(root, assignment.id):
        done = report_path(root, student, assignment.id)
        if done.is_file() and not regrade and not done.is_symlink():
            rows[student] = row(student, json.loads(done.read_text()))
        else:
            todo.append((student, folder))
    resumed = len(rows)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(grade_one, assignment, root, s, f, gpu, sandbox, keep_logs): s for s, f in todo}
        for future in as_completed(futures):
            result = future.result()
            rows[result["student"]] = result
            score = f"{result['score']:g}/{result['max_score']:g}" if result["score"] != "" else "not graded"
            print(f"  {result['student']}: {score}", flush=True)
    grades = grades_path(root, assignment.id)
    grades.parent.mkdir(parents=True, exist_ok=True)
    with open(grades, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student", "score", "max_score", "flags"])
        writer.writeheader()
        for student in sorted(rows):
            writer.writerow(rows[student])
    # A report is written only by a finished grading, so a student still without one was not graded.
    failed = sorted(s for s, _ in todo if not report_path(root, s, assignment.id).is_file())
    return BulkSummary(assignment.id, len(todo), resumed, failed, jobs, time.monotonic() - started, grades)
