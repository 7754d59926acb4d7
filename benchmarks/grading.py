"""Grading benchmark: what the sandboxed engine costs, side by side with its floor and with nbgrader.

    python benchmarks/grading.py                      # every assignment, 3 repeats, 20 bulk submissions
    python benchmarks/grading.py 01_house_prices 02_linear_regression --repeat 5 --json bench.json

(a) per assignment: `autograder grade` of the reference in the strict sandbox against the floor, the same
    grading with `--sandbox none` (a plain worker process, no bubblewrap, no cgroup); the difference is what the
    sandbox costs (bubblewrap, the copy into the working tmpfs, the control group).
(b) bulk throughput: `grade-all` on N generated submissions (correct, partial, hostile) at --jobs 1 and 2.
(c) `nbgrader autograde` of the reference notebook, which executes the whole notebook top to bottom.
All figures are wall-clock medians on this machine; run it on an idle machine.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.bulk import grade_all  # noqa: E402
from autograder.course import Course  # noqa: E402
from autograder.grading import copy_release_files, grade  # noqa: E402


def median_time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def engine_vs_floor(assignment, repeat: int) -> dict:
    engine, result = median_time(lambda: grade(assignment, assignment.source_notebook, gpu="off"), repeat)
    floor, floor_result = median_time(lambda: grade(assignment, assignment.source_notebook, gpu="off", sandbox="none"),
                                      repeat)
    return {"id": assignment.id, "engine_s": round(engine, 2), "floor_s": round(floor, 2),
            "overhead_s": round(engine - floor, 2), "overhead_pct": round(100 * (engine - floor) / floor, 1),
            "score": f"{result.score:g}/{result.max_score:g}", "floor_score": f"{floor_result.score:g}/{floor_result.max_score:g}"}


def variants(assignment) -> dict[str, str]:
    """Generated submissions: the reference, the stub, and broken or hostile edits of the reference."""
    source = assignment.source_notebook.read_text()
    import nbformat

    def edit_first_answer(prefix: str) -> str:
        nb = nbformat.reads(source, as_version=4)
        cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution"))
        cell.source = prefix + cell.source
        return nbformat.writes(nb)

    return {
        "correct": source,
        "stub": assignment.release_notebook.read_text(),
        "exit_at_import": edit_first_answer("if True:\n    import os\n    os._exit(0)\n"),
        "syntax_error": edit_first_answer("def broken(:\n"),
        "not_json": "{ this is not a notebook",
    }


def bulk(assignment, n: int) -> dict:
    kinds = variants(assignment)
    order = ["correct", "correct", "stub", "exit_at_import", "syntax_error", "not_json", "correct"]
    with tempfile.TemporaryDirectory(prefix="bench-bulk-") as scratch:
        root = Path(scratch)
        for i in range(n):
            folder = root / "submitted" / f"student{i:02d}" / assignment.id
            folder.mkdir(parents=True)
            (folder / f"{assignment.id}.ipynb").write_text(kinds[order[i % len(order)]])
        timings = {}
        for jobs in (1, 2):
            started = time.perf_counter()
            grade_all(assignment, root, jobs=jobs, gpu="off", regrade=True)
            timings[jobs] = time.perf_counter() - started
    return {"id": assignment.id, "submissions": n, "jobs1_s": round(timings[1], 1), "jobs2_s": round(timings[2], 1),
            "ratio": round(timings[2] / timings[1], 2), "per_submission_jobs2_s": round(timings[2] / n, 2)}


def nbgrader_autograde(assignment) -> dict:
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    from autograder.release import generate_notebook

    with tempfile.TemporaryDirectory(prefix="bench-nbgrader-") as scratch:
        root = Path(scratch)
        generate_notebook(assignment, root)
        submitted = root / "submitted" / "student" / assignment.id
        submitted.mkdir(parents=True)
        shutil.copy(assignment.source_notebook, submitted / f"{assignment.id}.ipynb")
        copy_release_files(assignment, submitted)
        config = Config()
        config.CourseDirectory.root = str(root)
        config.CourseDirectory.db_url = f"sqlite:///{root / 'gradebook.db'}"
        config.ExecutePreprocessor.timeout = 1800
        api = NbGraderAPI(config=config)
        started = time.perf_counter()
        result = api.autograde(assignment.id, "student", force=True, create=True)
        elapsed = time.perf_counter() - started
    return {"id": assignment.id, "nbgrader_autograde_s": round(elapsed, 1), "success": bool(result.get("success"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--bulk-assignment", default="02_linear_regression")
    parser.add_argument("--skip-nbgrader", action="store_true")
    parser.add_argument("--json")
    args = parser.parse_args()
    course = Course(ROOT)
    report = {"engine": [], "bulk": None, "nbgrader": []}
    for assignment in course.select(args.ids):
        row = engine_vs_floor(assignment, args.repeat)
        report["engine"].append(row)
        print(f"(a) {row['id']:<22} engine {row['engine_s']:6.2f} s  floor {row['floor_s']:6.2f} s  "
              f"overhead {row['overhead_s']:5.2f} s ({row['overhead_pct']:.0f} %)  score {row['score']}", flush=True)
    report["bulk"] = bulk(course.assignment(args.bulk_assignment), args.submissions)
    b = report["bulk"]
    print(f"(b) grade-all {b['id']}: {b['submissions']} submissions, --jobs 1 {b['jobs1_s']} s, --jobs 2 "
          f"{b['jobs2_s']} s, ratio {b['ratio']}", flush=True)
    if not args.skip_nbgrader:
        for assignment in course.select(args.ids):
            row = nbgrader_autograde(assignment)
            report["nbgrader"].append(row)
            print(f"(c) nbgrader autograde {row['id']:<22} {row['nbgrader_autograde_s']:6.1f} s "
                  f"(success: {row['success']})", flush=True)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
