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
        result = grade(assignment, assignment.source_notebook, gpu="off")
        print(json.dumps({"score": result.score, "max_score": result.max_score}))
    except Exception as exc:  # GradingFailed: no score
        print(json.dumps({"error": str(exc)}))
""")


def private_python(folder, closed: str):
    """A virtual environment (with a copy of the interpreter) seeing this environment's packages, with either the
    folder above it or the environment itself closed to every user but root."""
    folder.mkdir()
    subprocess.run([sys.executable, "-m", "venv", "--copies", "--without-pip", str(folder / "venv")], check=True)
    site = next(folder.glob("venv/lib/python*/site-packages"))
    outer = [str(ENGINE_DIR.parent)] + [p for p in sys.path if "site-packages" in p]
    (site / "outer.pth").write_text("\n".join(outer) + "\n")
    (folder if closed == "above" else folder / "venv").chmod(0o700)
    return folder / "venv" / "bin" / "python"


def run_grade(python, toy):
    done = subprocess.run([str(python), "-c", GRADE, str(toy.root), toy.id], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_interpreter_in_a_root_only_folder_still_grades(toy, tmp_path):
    python = private_python(tmp_path / "private", closed="above")
    assert run_grade(python, toy) == {"score": 6.0, "max_score": 6.0}


def test_sandbox_that_cannot_start_is_the_graders_error_not_a_zero(toy, tmp_path):
    # The environment itself is root-only: the worker's own uid cannot run that Python at all.
    python = private_python(tmp_path / "private", closed="itself")
    outcome = run_grade(python, toy)
    assert "cannot run the Python interpreter" in outcome.get("error", ""), outcome
    assert "not the submission's fault" in outcome["error"]
