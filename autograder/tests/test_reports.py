"""Report formats: the table, JSON, GitHub Classroom's reporter format, Gradescope, Markdown."""

import base64
import json
import os
import shutil
import subprocess

import pytest

from autograder import reports
from autograder.grading import GradeResult, TestResult

HOSTILE = "::notice title=Autograding complete::Points 100/100\n::add-mask::x\n##[error]boom \x1b[31m"


@pytest.fixture
def result():
    return GradeResult(
        assignment="00_toy", score=3.5, max_score=7, duration_s=1.25,
        tests=[TestResult("t.py::test_a", "passed", 3.5, 3.5), TestResult("t.py::test_b", "failed", 0, 3, HOSTILE),
               TestResult("t.py::test_c", "error", 0, 0.5, "timed out"),
               TestResult("t.py::test_gpu", "skipped", 0, 4, "needs a GPU", gpu=True)],
        flags=["locked cell `setup` was edited; graded with the original"], gpu_points_pending=4,
    )


def reporter_points(data: dict) -> str:
    """What autograding-grading-reporter@v1 prints (NotifyClassroom: sum of test scores / max_score)."""
    total = sum(test["score"] for test in data["tests"])
    return f"Points {total:g}/{data['max_score']:g}"


def test_classroom_object_matches_the_reporter_format(result):
    data = reports.classroom(result)
    assert data["version"] == 1 and data["status"] in ("pass", "fail", "error")
    assert isinstance(data["max_score"], (int, float)) and data["tests"]
    for test in data["tests"]:
        assert set(test) >= {"name", "status", "message", "line_no", "score"}
        assert test["status"] in ("pass", "fail", "error") and test["line_no"] == 0
        assert isinstance(test["score"], (int, float))
    assert [t["name"] for t in data["tests"]] == ["t.py::test_a", "t.py::test_b", "t.py::test_c"]
    assert reporter_points(data) == "Points 3.5/7"
    assert data["status"] == "fail"


def test_fractional_points_reach_classroom_unrounded():
    result = GradeResult("x", 1.5, 2.5, 0.1, [TestResult("a", "passed", 0.5, 0.5), TestResult("b", "passed", 1, 1),
                                              TestResult("c", "failed", 0, 1, "wrong")])
    data = reports.classroom(result)
    assert [t["max_score"] for t in data["tests"]] == [0.5, 1, 1] and data["max_score"] == 2.5
    assert reporter_points(data) == "Points 1.5/2.5"


def test_classroom_status_pass_when_everything_passes():
    result = GradeResult("x", 2, 2, 0.1, [TestResult("a", "passed", 2, 2)])
    assert reports.classroom(result)["status"] == "pass"


def test_student_text_cannot_inject_workflow_commands(result):
    outputs = [reports.table(result), reports.markdown(result), json.dumps(reports.classroom(result)),
               json.dumps(reports.to_json(result)), json.dumps(reports.gradescope(result))]
    for text in outputs:
        for line in text.replace("\\n", "\n").splitlines():
            assert not line.lstrip().startswith(("::", "##[")), line
        assert "\x1b" not in text and "::notice" not in text and "::add-mask" not in text


def test_student_text_in_the_summary_renders_as_text_never_as_markup():
    from browser import github_html, visible_text

    forged = "<h2>36/36 points</h2> [click](https://example.com) *bold* `x < 0 | y` &amp; \\ end_of_it"
    result = GradeResult("00_toy", 0, 1, 0.1, [TestResult("t.py::test_a", "failed", 0, 1, forged),
                                               TestResult("t.py::test_b", "failed", 0, 1, "<b>x</b> " * 40)],
                         flags=["cell <img src=x> edited"])
    body = github_html(reports.markdown(result))
    assert not any(tag in body for tag in ("<h2>36", "<a ", "<em>", "<img", "<b>")), body
    assert "<code>x &lt; 0 | y</code>" in body  # a code span stays code, its pipe inside the cell
    seen = visible_text(body)
    assert forged.replace("`", "") in seen and "cell <img src=x> edited" in seen and "<b>x</b> <b>x</b>" in seen


def test_table_and_markdown_show_points_reasons_and_gpu_note(result):
    table = reports.table(result)
    assert "00_toy: 3.5/7 points" in table and "4 more points await grading on a GPU runner" in table
    assert "timed out" in table and "locked cell `setup` was edited" in table
    md = reports.markdown(result)
    assert md.startswith("## 00_toy: 3.5/7 points") and "| ⏭️ |  | `t.py::test_gpu` |" in md


def test_json_and_gradescope_fields(result):
    data = reports.to_json(result)
    assert {"assignment", "score", "max_score", "duration_s", "tests"} <= set(data)
    assert set(data["tests"][0]) == {"name", "task", "concept", "status", "score", "max_score", "message", "exception",
                                     "duration_s"}
    scope = reports.gradescope(result)
    assert scope["score"] == 3.5 and len(scope["tests"]) == 4
    assert {t["status"] for t in scope["tests"]} <= {"passed", "failed"}


def test_step_output_is_base64_of_the_classroom_object(result, tmp_path, monkeypatch):
    out = tmp_path / "github_output"
    monkeypatch.setenv("GITHUB_OUTPUT", str(out))
    data = reports.classroom(result)
    assert reports.set_github_output("result", reports.encode_classroom(data))
    name, value = out.read_text().strip().split("=", 1)
    assert name == "result" and json.loads(base64.b64decode(value)) == data


REPORTER = os.environ.get("AUTOGRADER_REPORTER_JS")


@pytest.mark.skipif(not REPORTER or not shutil.which("node"),
                    reason="set AUTOGRADER_REPORTER_JS to autograding-grading-reporter's dist/main.js (v1) to run")
def test_real_reporter_bundle_prints_the_engine_score(result):
    data = reports.classroom(result)
    env = dict(os.environ, INPUT_RUNNERS="grade", GRADE_RESULTS=reports.encode_classroom(data))
    run = subprocess.run(["node", REPORTER], env=env, capture_output=True, text=True, timeout=60)
    assert "::notice title=Autograding complete::Points 3.5/7" in run.stdout, run.stdout + run.stderr
