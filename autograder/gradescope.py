"""``autograder gradescope ID DEST.zip``: a Gradescope autograder archive for one assignment.

The archive holds setup.sh, run_autograder and grader/, the grader exactly as ``publish-grader`` writes it for that
assignment (engine, hidden tests, reference.snapshot; never reference.py or a solution, checked by publish's leak
check). Gradescope unpacks it into /autograder/source; run_autograder grades /autograder/submission and writes
/autograder/results/results.json (Gradescope's specification: score, execution_time, output, tests with name,
score, max_score, status, output, visibility). A test's visibility comes from ``@pytest.mark.visibility("...")``
on it (default "visible"). ``python -m autograder.gradescope ID --root ROOT`` is what run_autograder calls.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import jinja2

from autograder.course import Assignment, Course
from autograder.sandbox import DEFAULT_MODE, MODES

TEMPLATES = Path(__file__).parent / "templates" / "gradescope"
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
EXECUTABLE = 0o755 << 16  # zip's external attributes carry Unix mode bits in their high 16 bits


def build(course: Course, assignment: Assignment, dest: Path, sandbox: str = DEFAULT_MODE) -> Path:
    from autograder.publish import publish

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True)
    with tempfile.TemporaryDirectory(prefix="ag-gradescope-") as tmp:
        grader = publish(course, Path(tmp) / "grader", [assignment], sandbox=sandbox)
        dest.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in ("setup.sh", "run_autograder"):  # Gradescope wants both at the archive's top level
                info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
                info.external_attr = EXECUTABLE
                text = env.get_template(f"{name}.j2").render(id=assignment.id, sandbox=sandbox)
                archive.writestr(info, text, zipfile.ZIP_DEFLATED)
            for path in sorted(grader.rglob("*")):
                if path.is_file():
                    archive.write(path, "grader/" + path.relative_to(grader).as_posix())
    return dest


def visibilities(tests_dir: Path) -> dict[str, str]:
    """Test function name -> its visibility marker, read from the source (the suite runs in the sandbox, out of
    reach; the marker is a constant, so reading it needs no import)."""
    found = {}
    for path in sorted(tests_dir.rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for deco in node.decorator_list:
                    if (isinstance(deco, ast.Call) and isinstance(deco.func, ast.Attribute)
                            and deco.func.attr == "visibility" and deco.args
                            and isinstance(deco.args[0], ast.Constant) and deco.args[0].value in VISIBILITIES):
                        found[node.name] = deco.args[0].value
    return found


def function_name(test_name: str) -> str:
    return test_name.split("::")[-1].split("[")[0]


def results(result, tests_dir: Path) -> dict:
    from autograder import reports

    data = reports.gradescope(result)
    marked = visibilities(tests_dir)
    for test in data["tests"]:
        test["visibility"] = marked.get(function_name(test["name"]), "visible")
    return data


def run(assignment_id: str, root: Path, sandbox: str) -> int:
    """Grade root/submission/ and write root/results/results.json; a grader fault still writes a results file
    (0 points, the reason in its output) so the student sees why rather than Gradescope's generic error."""
    from autograder import reports
    from autograder.grading import grade

    target = root / "results" / "results.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    course = Course.find(str(root / "source" / "grader"))
    assignment = course.assignment(assignment_id)
    try:
        result = grade(assignment, root / "submission", gpu="off", sandbox=sandbox)
    except Exception as exc:  # noqa: BLE001 - any failure here is the grader's: say so in the results
        reports.write_json(target, {"score": 0, "execution_time": 0, "tests": [],
                                    "output": f"The autograder could not grade this submission: {reports.safe(str(exc))}"})
        return 3
    reports.write_json(target, results(result, assignment.tests_dir))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m autograder.gradescope")
    p.add_argument("id")
    p.add_argument("--root", default="/autograder")
    p.add_argument("--sandbox", choices=MODES, default=DEFAULT_MODE)
    args = p.parse_args(argv)
    return run(args.id, Path(args.root), args.sandbox)


if __name__ == "__main__":
    sys.exit(main())
