"""The hostile corpus (see hostile.py): every attack ends in a finished grade, the honest score, a readable
reason, nothing changed outside the sandbox, and no hidden test text or secret in any report."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from autograder import reports
from autograder.grading import grade
from browser import github_html, visible_text
from hostile import BUSY_MARK, CASES, HIDDEN_MARKER, PLANTED, SECRET, WORLD_WRITABLE, write_case

pytestmark = pytest.mark.slow

# The mode the grader accepts by default where it runs as root (tox in CI); without root only the explicit
# user-namespace mode is strong, and it is what an unprivileged grader must be tested in.
SANDBOX = "strict" if os.geteuid() == 0 else "userns"


@pytest.fixture(scope="module")
def strict_toy(toy):
    """The toy with short limits, so hangs cost seconds."""
    return toy.with_grading(test_timeout_s=5, load_timeout_s=8, run_timeout_s=90)


def all_outputs(result) -> str:
    """Every report, and the Classroom summary as a reader sees it too (its Markdown escapes change the raw text)."""
    summary = reports.markdown(result)
    return "\n".join([reports.table(result), json.dumps(reports.to_json(result)), summary,
                      visible_text(github_html(summary)),
                      json.dumps(reports.classroom(result)), json.dumps(reports.gradescope(result))])


@pytest.fixture(scope="module")
def course_copy(strict_toy):
    """A copy of the hidden suite outside every folder a deny-list would think of: only an allow-list hides it."""
    import shutil

    copy = (Path("/var/lib") if os.geteuid() == 0 else Path.home()) / f"ag-course-copy-{os.getpid()}"
    shutil.copytree(strict_toy.tests_dir, copy / "tests")
    yield copy
    shutil.rmtree(copy, ignore_errors=True)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_submission(case, strict_toy, course_copy, tmp_path, monkeypatch):
    canary = tmp_path / "canary"
    canary.mkdir()
    (canary / "canary.txt").write_text("safe")
    github_output = tmp_path / "github_output"
    github_output.write_text("")
    monkeypatch.setenv("GITHUB_TOKEN", SECRET)
    monkeypatch.setenv("GITHUB_OUTPUT", str(github_output))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(github_output))
    tests_file = strict_toy.tests_dir / "test_toy.py"
    hidden_before = tests_file.read_text()
    context = {"course": str(strict_toy.root), "canary": str(canary), "github_output": str(github_output),
               "tests": str(tests_file), "copy": str(course_copy)}
    path = write_case(case, strict_toy.source_notebook, tmp_path / "00_toy.ipynb", context)

    if case.name == "notebook_is_a_symlink_through_proc_cwd":
        monkeypatch.chdir(strict_toy.root)  # grade-all run from the course root
    result = grade(strict_toy, path, gpu="off", sandbox=SANDBOX)

    assert result.sandbox.get("mode") == SANDBOX
    assert result.sandbox.get("network", "off").startswith("off"), result.sandbox
    assert result.score == case.expect, reports.table(result)
    for test in result.tests:
        if test.status in ("failed", "error"):
            assert test.message and "\n" not in test.message and "Traceback" not in test.message
    assert (canary / "canary.txt").read_text() == "safe" and not (canary / "reduced").exists()
    assert github_output.read_text() == ""
    assert tests_file.read_text() == hidden_before and (strict_toy.root / "assignments").is_dir()
    assert not [d for d in WORLD_WRITABLE if (Path(d) / PLANTED).exists()], "a file was planted outside the sandbox"
    text = all_outputs(result)
    assert SECRET not in text and HIDDEN_MARKER not in text
    assert not any(line.lstrip().startswith("::") for line in reports.table(result).splitlines())
    for mark in ("sleep 4242", BUSY_MARK):
        leftovers = subprocess.run(["pgrep", "-f", mark], capture_output=True, text=True).stdout
        assert leftovers == "", f"a process the submission started ({mark}) outlived its grading"
    if case.where == "symlink":
        assert "symbolic link" in result.flags[0], result.flags
