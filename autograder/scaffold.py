"""``autograder new ID``: the skeleton of a new assignment, for an instructor to fill in.

It writes source/ID/ID.ipynb (the four cell kinds nbgrader knows, plus prose: a setup cell, one answer cell with a
stub function between BEGIN/END SOLUTION markers, a visible check cell), assignments/ID/assignment.toml and
assignments/ID/tests/test_ID.py (one hidden test). It never overwrites: an existing file is an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import nbformat

from autograder.course import Course, CourseError
from autograder.notebook import BEGIN_SOLUTION, END_SOLUTION

TEMPLATES = Path(__file__).parent / "templates" / "new"
ID_PATTERN = re.compile(r"^[0-9]{2}_[a-z0-9_]+$")

SETUP = "import numpy as np"
# The markers come from notebook.py's constants: the engine is published, and publish refuses any file that
# spells a solution marker out.
ANSWER = f'''def double(x):
    """Return 2 * x. (An example: replace it with the assignment's first task, and its test with yours.)"""
    ### {BEGIN_SOLUTION}
    raise NotImplementedError("the reference solution goes here")
    ### {END_SOLUTION}'''
CHECK = "assert double(2) == 4, 'double(2) should be 4'\nprint('double looks right')"


def _cell(kind: str, grade_id: str, source: str) -> nbformat.NotebookNode:
    """nbgrader's metadata for each kind: answers are the only unlocked cells, checks are visible tests
    (worth nothing: the points are in the hidden suite)."""
    if kind == "markdown":
        c = nbformat.v4.new_markdown_cell(source)
    else:
        c = nbformat.v4.new_code_cell(source)
    c.metadata["nbgrader"] = {"grade": False, "locked": kind != "answer", "solution": kind == "answer",
                              "grade_id": grade_id, "schema_version": 3, "task": False}
    c.id = grade_id.replace("_", "-")
    return c


def notebook(assignment_id: str, title: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("markdown", "intro", f"# {title}\n\nWhat this assignment teaches, and what to hand in."),
        _cell("setup", "setup_imports", SETUP),
        _cell("markdown", "task_double", "## Task 1: double\n\nWrite `double(x)`, which returns twice `x`."),
        _cell("answer", "double", ANSWER),
        _cell("check", "check_double", CHECK),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def title_of(assignment_id: str) -> str:
    return assignment_id.split("_", 1)[1].replace("_", " ").capitalize()


def create(course: Course, assignment_id: str) -> list[Path]:
    if not ID_PATTERN.match(assignment_id):
        raise CourseError(f"{assignment_id!r}: an assignment id is two digits, an underscore and lowercase words "
                          "(e.g. 10_tokenizers)")
    source = course.root / "source" / assignment_id / f"{assignment_id}.ipynb"
    manifest = course.root / "assignments" / assignment_id / "assignment.toml"
    tests = course.root / "assignments" / assignment_id / "tests" / f"test_{assignment_id}.py"
    existing = [p for p in (source, manifest, tests, source.parent, manifest.parent) if p.exists()]
    if existing:
        raise CourseError(f"{assignment_id} exists already ({existing[0]}): `autograder new` never overwrites")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True)
    context = {"id": assignment_id, "title": title_of(assignment_id), "step": int(assignment_id[:2])}
    tests.parent.mkdir(parents=True)
    source.parent.mkdir(parents=True)
    nbformat.write(notebook(assignment_id, context["title"]), source)
    manifest.write_text(env.get_template("assignment.toml.j2").render(context), encoding="utf-8")
    tests.write_text(env.get_template("test.py.j2").render(context), encoding="utf-8")
    return [source, manifest, tests]
