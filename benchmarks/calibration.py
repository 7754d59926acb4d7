"""Do the budgets hold on a slower machine, and do they still catch a slower suite?

    python benchmarks/calibration.py                       # every assignment
    python benchmarks/calibration.py 01_house_prices 02_linear_regression --json calibration.json

For each assignment, `validate` (as root: the strict sandbox) three ways, in one run on this machine:
(a) idle; (b) slowed on purpose: a competing busy process pinned to one core for the whole validation;
(c) idle again, with the hidden suite made twice as slow on purpose: a copy of the course whose suite spends,
    when it finishes, as long again busy as the whole session took, worker and notebook included (a pytest hook
    in an added conftest): twice the suite's time.
It prints the grading time, the calibration probe and their ratio against the manifest's `budget_probes`.
(a) and (b) should pass and (c) should fail its budget.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.course import Course  # noqa: E402
from autograder.validate import validate  # noqa: E402

RUN_TWICE = '''
import time as _time

_SESSION_STARTED = _time.perf_counter()


def pytest_sessionfinish(session, exitstatus):
    """Slowed on purpose (benchmarks/calibration.py): the whole hidden suite, worker and notebook included, costs
    twice its time."""
    end = _time.perf_counter() + (_time.perf_counter() - _SESSION_STARTED)
    while _time.perf_counter() < end:
        pass
'''


def row(label: str, v) -> dict:
    return {"case": label, "id": v.id, "duration_s": round(v.duration_s, 1), "probe_s": round(v.probe_s, 2),
            "ratio": round(v.ratio, 1), "budget_probes": v.budget_probes,
            "over_budget": any("over its budget" in p for p in v.problems),
            "other_problems": [p for p in v.problems if "over its budget" not in p]}


def slowed_copy(course: Course, scratch: Path, ids: list[str]) -> Course:
    copy = scratch / "course"
    shutil.copytree(course.root, copy, ignore=shutil.ignore_patterns(".git", ".venv", ".tox", "__pycache__"))
    for assignment_id in ids:
        conftest = copy / "assignments" / assignment_id / "tests" / "conftest.py"
        conftest.write_text((conftest.read_text() if conftest.exists() else "") + RUN_TWICE)
    return Course(copy)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--json")
    args = parser.parse_args()
    course = Course(ROOT)
    ids = args.ids or course.assignment_ids()
    rows = []
    for assignment in course.select(ids):
        rows.append(row("idle", validate(assignment, gpu="off", runs=1)))
        busy = subprocess.Popen(["taskset", "-c", "0", sys.executable, "-c", "while True: pass"])
        try:
            rows.append(row("one core busy", validate(assignment, gpu="off", runs=1)))
        finally:
            busy.kill()
            busy.wait()
    with tempfile.TemporaryDirectory(prefix="bench-calibration-") as scratch:
        slowed = slowed_copy(course, Path(scratch), ids)
        for assignment in slowed.select(ids):
            rows.append(row("suite twice as slow", validate(assignment, gpu="off", runs=1)))
    print(f"{'case':<20} {'assignment':<22} {'time':>7} {'probe':>6} {'ratio':>6} {'budget':>6}  verdict")
    for r in sorted(rows, key=lambda r: (r["id"], r["case"])):
        verdict = "over budget" if r["over_budget"] else "within budget"
        print(f"{r['case']:<20} {r['id']:<22} {r['duration_s']:>6.1f}s {r['probe_s']:>5.2f}s {r['ratio']:>6.1f} "
              f"{r['budget_probes']:>6g}  {verdict}{'; ' + '; '.join(r['other_problems']) if r['other_problems'] else ''}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
