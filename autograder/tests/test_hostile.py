"""The hostile corpus (see hostile.py): every attack ends in a finished grade, the honest score, a readable
reason, nothing changed outside the sandbox, and no hidden test text or secret in any report."""

import dataclasses
import json
import subprocess
from pathlib import Path

import pytest

from autograder import reports
from autograder.grading import grade
from hostile import CASES, HIDDEN_MARKER, PLANTED, SECRET, WORLD_WRITABLE, write_case

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def strict_toy(toy):
    """The toy with short limits, so hangs cost seconds."""
    return dataclasses.replace(toy, test_timeout_s=5, load_timeout_s=8, run_timeout_s=90)


def all_outputs(result) -> str:
    return "\n".join([reports.table(result), json.dumps(reports.to_json(result)), reports.markdown(result),
                      json.dumps(reports.classroom(result)), json.dumps(reports.gradescope(result))])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_submission(case, strict_toy, tmp_path, monkeypatch):
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
               "tests": str(tests_file)}
    path = write_case(case, strict_toy.source_notebook, tmp_path / "00_toy.ipynb", context)

    result = grade(strict_toy, path, gpu="off")

    network_isolated = not str(result.sandbox.get("network", "off")).startswith("on")
    if case.name == "network_connection" and not network_isolated:
        pytest.skip("this machine's kernel does not let the grader cut the worker off the network")
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
    leftovers = subprocess.run(["pgrep", "-f", "sleep 4242"], capture_output=True, text=True).stdout
    assert leftovers == "", "a process the submission started outlived its grading"
