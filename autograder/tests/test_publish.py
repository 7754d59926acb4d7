"""publish-grader: the grader repository the Classroom workflow checks out holds no solution in any form."""

import shutil

import pytest

from autograder.course import Course
from autograder.grading import grade
from autograder.publish import PublishError, function_bodies, publish, solution_functions
from autograder.release import release
from test_release import COURSE, solution_lines
from toy import TESTS, TOY_ID, write_toy_course


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The whole course's grader, without recording answers (that is graded elsewhere: the workflow test)."""
    dest = tmp_path_factory.mktemp("grader") / "grader"
    publish(COURSE, dest, COURSE.select(None), record=False)
    return dest


def bundle_files(bundle):
    return [p for p in bundle.rglob("*") if p.is_file()]


def test_the_grader_holds_only_what_grading_needs(bundle):
    assert {p.name for p in bundle.iterdir()} == {"autograder", "assignments", "release", "pyproject.toml",
                                                  "README.md", "nbgrader_config.py"}
    assert not (bundle / "autograder" / "tests").exists()
    for assignment_id in COURSE.assignment_ids():
        folder = bundle / "assignments" / assignment_id
        assert {p.name for p in folder.iterdir()} <= {"assignment.toml", "requirements.txt", "tests",
                                                      "reference.snapshot"}
        assert (bundle / "release" / assignment_id / f"{assignment_id}.ipynb").is_file()
    assert not [p for p in bundle_files(bundle) if p.name == "reference.py" or p.suffix == ".snapshot"]


def test_the_grader_holds_no_solution(bundle):
    texts = {p: p.read_text(errors="ignore") for p in bundle_files(bundle)}
    assert not [p for p, text in texts.items() if "BEGIN " + "SOLUTION" in text]
    solution_files = {p.read_bytes() for p in (COURSE.root / "solutions").rglob("*") if p.is_file()}
    assert not [p for p in bundle_files(bundle) if p.read_bytes() in solution_files]
    released = "\n".join(text for p, text in texts.items() if p.relative_to(bundle).parts[0] == "release")
    for assignment_id in COURSE.assignment_ids():
        assignment = COURSE.assignment(assignment_id)
        lines = [line for line in solution_lines(assignment.source_notebook) if line not in released]
        own = {p: text for p, text in texts.items()
               if p.relative_to(bundle).parts[:2] == ("assignments", assignment_id) or
               p.relative_to(bundle).parts[0] == "autograder"}
        leaked = [(p.relative_to(bundle), line) for p, text in own.items() for line in lines if line in text]
        assert not leaked, f"solution lines of {assignment_id} in the grader: {leaked[:3]}"
        bodies = set(solution_functions(assignment.source_notebook).values())
        copied = [(p.relative_to(bundle), name) for p, text in texts.items() if p.suffix == ".py"
                  for name, body in function_bodies(text).items() if body in bodies]
        assert not copied, f"functions with a solution's body in the grader: {copied}"


PLANTS = {
    "a copy of the solution": ("tests/helpers.py", "def plus(a, b):\n    return a + b\n"),
    "a solution marker": ("tests/notes.py", "# ### " + "BEGIN SOLUTION\n"),
    "a reference module": ("tests/reference.py", "def add(a, b):\n    return a + b\n"),
}


@pytest.mark.parametrize("plant", PLANTS, ids=list(PLANTS))
def test_publishing_stops_at_a_leak(tmp_path, plant):
    root = write_toy_course(tmp_path / "course")
    course = Course(root)
    assignment = course.assignment(TOY_ID)
    release(assignment)
    relative, text = PLANTS[plant]
    (assignment.manifest_dir / relative).write_text(text)
    with pytest.raises(PublishError):
        publish(course, tmp_path / "grader", [assignment], record=False)


REF_TESTS = TESTS + '''

@pytest.mark.points(1)
def test_scale_against_the_reference(submission, ref, rng):
    x = rng.normal(size=5)
    assert_allclose(submission.scale(x, 3.0), ref.scale(x, 3.0), err_msg="scale(x, 3) should triple x")
'''


@pytest.mark.slow
def test_the_published_grader_replays_the_reference_answers(tmp_path):
    root = write_toy_course(tmp_path / "course", tests=REF_TESTS, points=11)
    (root / "assignments" / TOY_ID / "reference.py").write_text(
        "import numpy as np\n\n\ndef scale(x, k):\n    return np.asarray(x) * k\n")
    course = Course(root)
    assignment = course.assignment(TOY_ID)
    release(assignment)
    dest = publish(course, tmp_path / "grader", [assignment])
    published = Course(dest).assignment(TOY_ID)
    assert (published.manifest_dir / "reference.snapshot").is_file()
    assert not (published.manifest_dir / "reference.py").exists()
    reference = tmp_path / "reference.ipynb"
    shutil.copy(assignment.source_notebook, reference)
    shutil.rmtree(root)  # nothing of the course repository is needed any more
    assert grade(published, reference, gpu="off").score == 7
    assert grade(published, published.release_notebook, gpu="off").score == 0
