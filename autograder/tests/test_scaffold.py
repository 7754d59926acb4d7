"""`autograder new ID`: a skeleton an instructor fills in, that releases and validates once the reference is written."""

import nbformat
import pytest

from autograder.cli import main
from autograder.course import Course
from autograder.release import release
from autograder.scaffold import create
from autograder.validate import validate
from toy import write_toy_course

NEW_ID = "05_example"


@pytest.fixture
def course(tmp_path):
    return Course(write_toy_course(tmp_path / "course"))


def kinds(nb) -> dict[str, str]:
    out = {}
    for c in nb.cells:
        meta = c.metadata["nbgrader"]
        kind = ("prose" if c.cell_type == "markdown" else "answer" if meta["solution"] else "setup"
                if c.source.startswith("import") else "check")
        out[meta["grade_id"]] = kind
    return out


def test_new_writes_a_skeleton_and_never_overwrites(course, capsys):
    assert main(["--course", str(course.root), "new", NEW_ID]) == 0
    assert "wrote source/05_example/05_example.ipynb" in capsys.readouterr().out
    nb = nbformat.read(course.root / "source" / NEW_ID / f"{NEW_ID}.ipynb", as_version=4)
    assert set(kinds(nb).values()) == {"prose", "setup", "answer", "check"}
    answer = next(c for c in nb.cells if c.metadata["nbgrader"]["solution"])
    assert "### BEGIN SOLUTION" in answer.source and "### END SOLUTION" in answer.source and '"""' in answer.source
    tests = (course.root / "assignments" / NEW_ID / "tests" / f"test_{NEW_ID}.py").read_text()
    assert "@pytest.mark.points(1)" in tests and '"""double(x)' in tests
    assert course.assignment(NEW_ID).points == 1
    before = tests
    assert main(["--course", str(course.root), "new", NEW_ID]) == 2  # refuses: the files exist
    assert (course.root / "assignments" / NEW_ID / "tests" / f"test_{NEW_ID}.py").read_text() == before
    assert main(["--course", str(course.root), "new", "Bad Name"]) == 2


@pytest.mark.slow
def test_a_filled_in_skeleton_releases_and_validates(course):
    create(course, NEW_ID)
    assignment = course.assignment(NEW_ID)
    path = assignment.source_notebook
    nb = nbformat.read(path, as_version=4)
    answer = next(c for c in nb.cells if c.metadata["nbgrader"]["solution"])
    answer.source = answer.source.replace('raise NotImplementedError("the reference solution goes here")',
                                          "return 2 * x")
    nbformat.write(nb, path)  # what the instructor does: write the reference
    release(assignment)
    row = validate(assignment, gpu="off", runs=2)
    assert row.reference.score == row.reference.max_score == 1
    assert row.stub.score == 0
    assert row.ok, row.problems
