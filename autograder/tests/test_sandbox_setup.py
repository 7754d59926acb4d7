"""The grader's own environment: a Python in a root-only folder (tox's ``.tox`` is 0700), and a sandbox that
cannot start, which must stop the grading with a clear error instead of scoring the student zero."""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from autograder.sandbox import ENGINE_DIR

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason="only a grader started as root drops the worker to another user"),
]

GRADE = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from autograder.course import Course
    from autograder.grading import grade
    assignment = Course(Path(sys.argv[1])).assignment(sys.argv[2])
    try:
        result = grade(assignment, assignment.source_notebook, gpu="off", isolate=sys.argv[3] == "isolate")
        print(json.dumps({"score": result.score, "max_score": result.max_score}))
    except RuntimeError as exc:
        print(json.dumps({"error": str(exc)}))
""")


@pytest.fixture(scope="module")
def private_python(tmp_path_factory):
    """A virtual environment inside a folder only root may enter, seeing this environment's packages."""
    private = tmp_path_factory.mktemp("private")
    private.chmod(0o700)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(private / "venv")], check=True)
    site = next(private.glob("venv/lib/python*/site-packages"))
    outer = [str(ENGINE_DIR.parent)] + [p for p in sys.path if "site-packages" in p]
    (site / "outer.pth").write_text("\n".join(outer) + "\n")
    return private / "venv" / "bin" / "python"


def run_grade(python, toy, mode, tmp_path):
    # Our own temp folder, so that the private one is not hidden (and so recreated) as a temp folder.
    env = dict(os.environ, TMPDIR=str(tmp_path))
    done = subprocess.run([str(python), "-c", GRADE, str(toy.root), toy.id, mode],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_interpreter_in_a_root_only_folder_still_grades(private_python, toy, tmp_path):
    assert run_grade(private_python, toy, "isolate", tmp_path) == {"score": 6.0, "max_score": 6.0}


def test_sandbox_that_cannot_start_is_the_graders_error_not_a_zero(private_python, toy, tmp_path):
    # Without namespaces nothing can mask the closed folder: the worker cannot run Python at all.
    outcome = run_grade(private_python, toy, "no-isolation", tmp_path)
    assert "could not start its sandbox" in outcome.get("error", ""), outcome
    assert "cannot run the Python interpreter" in outcome["error"]
