"""Grade a whole class: nbgrader's submitted/<student>/<ID>/ layout, in parallel, resumable.

Each student's report lands in autograded/<student>/<ID>/report.json and their feedback in
feedback/<student>/<ID>/feedback.{md,html}, next to what nbgrader itself writes. A student whose report
exists is not graded again (unless --regrade), so an interrupted run resumes where it stopped. One
submission that hangs or crashes costs its own row only.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from autograder import dashboard, reports
from autograder.course import Assignment
from autograder.grading import grade
from autograder.sandbox import DEFAULT_MODE

def students(root: Path, assignment_id: str) -> list[tuple[str, Path]]:
    submitted = root / "submitted"
    if not submitted.is_dir():
        return []
    return [(d.name, d / assignment_id) for d in sorted(submitted.iterdir()) if (d / assignment_id).is_dir()]


def in_shard(student: str, shard: tuple[int, int] | None) -> bool:
    """Shard K/N holds the students whose name hashes to K-1 mod N: a student's shard depends on their own name
    only, so adding or removing other students moves nobody (sha256, not hash(), which varies per process)."""
    if shard is None:
        return True
    k, n = shard
    return int(hashlib.sha256(student.encode()).hexdigest(), 16) % n == k - 1


def parse_shard(text: str) -> tuple[int, int]:
    k, _, n = text.partition("/")
    if not (k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise ValueError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return int(k), int(n)


def progress_enabled() -> bool:
    """A bar is for a person at a terminal: not in CI logs, not when TQDM_DISABLE is set."""
    return sys.stderr.isatty() and not os.environ.get("TQDM_DISABLE")


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
              sandbox: str = DEFAULT_MODE, keep_logs: Path | None = None,
              shard: tuple[int, int] | None = None) -> BulkSummary:
    started = time.monotonic()
    todo, rows = [], {}
    for student, folder in students(root, assignment.id):
        if not in_shard(student, shard):
            continue
        done = report_path(root, student, assignment.id)
        if done.is_file() and not regrade and not done.is_symlink():
            rows[student] = row(student, json.loads(done.read_text()))
        else:
            todo.append((student, folder))
    resumed = len(rows)
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool, \
            tqdm(total=len(todo), desc=assignment.id, unit="student", file=sys.stderr,
                 disable=not progress_enabled()) as bar:
        futures = {pool.submit(grade_one, assignment, root, s, f, gpu, sandbox, keep_logs): s for s, f in todo}
        for future in as_completed(futures):
            result = future.result()
            rows[result["student"]] = result
            score = f"{result['score']:g}/{result['max_score']:g}" if result["score"] != "" else "not graded"
            bar.write(f"  {result['student']}: {score}", file=sys.stdout)
            bar.update()
    grades = write_outputs(root, assignment.id, rows, read_reports([root], assignment.id, set(rows)))
    # A report is written only by a finished grading, so a student still without one was not graded.
    failed = sorted(s for s, _ in todo if not report_path(root, s, assignment.id).is_file())
    return BulkSummary(assignment.id, len(todo), resumed, failed, jobs, time.monotonic() - started, grades)


def read_reports(roots: list[Path], assignment_id: str, only: set[str] | None = None) -> dict[str, dict]:
    found = {}
    for root in roots:
        for path in sorted((root / "autograded").glob(f"*/{assignment_id}/report.json")):
            student = path.parent.parent.name
            if (only is None or student in only) and not path.is_symlink():
                found[student] = json.loads(path.read_text(encoding="utf-8"))
    return found


def write_outputs(root: Path, assignment_id: str, rows: dict[str, dict], reports_by_student: dict[str, dict]) -> Path:
    """The gradebook and the class dashboard, from the same rows so they always agree."""
    grades = grades_path(root, assignment_id)
    grades.parent.mkdir(parents=True, exist_ok=True)
    with open(grades, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student", "score", "max_score", "flags"])
        writer.writeheader()
        for student in sorted(rows):
            writer.writerow(rows[student])
    dashboard.write(root, assignment_id, rows, reports_by_student)
    return grades


def merge_grades(assignment_id: str, shard_roots: list[Path], out: Path) -> Path:
    """Join the outputs of `grade-all --shard K/N` runs into one gradebook and one dashboard under out/grades/.

    Each shard's rows come from its own gradebook (which also names the students its grader could not grade),
    its reports from autograded/*/ID/report.json."""
    rows: dict[str, dict] = {}
    for root in shard_roots:
        gradebook = grades_path(root, assignment_id)
        if not gradebook.is_file():
            raise ValueError(f"{root}: no {gradebook.relative_to(root)} (not a grade-all output for {assignment_id})")
        with open(gradebook, newline="", encoding="utf-8") as handle:
            for entry in csv.DictReader(handle):
                if entry["student"] in rows:
                    raise ValueError(f"{entry['student']} is in more than one shard: were the shards of one N?")
                rows[entry["student"]] = entry
    found = read_reports(shard_roots, assignment_id, set(rows))
    for student, data in found.items():  # the report is the truth; a CSV row would be the same numbers as text
        rows[student] = row(student, data)
    return write_outputs(out, assignment_id, rows, found)
