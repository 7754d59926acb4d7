"""Feedback that teaches: tutor prompts on every failed test (and nothing secret in them), reasons that name their
task and are folded, never cut, and the Classroom summary and the HTML feedback as a browser renders them."""

import json
import os
import textwrap
from pathlib import Path

import pytest

import browser
from autograder import reports, tutor
from autograder.course import Course
from autograder.grading import grade
from autograder.release import release
from toy import TOY_ID, write_toy_course

pytestmark = pytest.mark.slow

HINT = "hint: divide by the number of samples, not by the number of features"
LONG_REASON = "the loss is off by a constant factor " + "(checked on seeded inputs of several shapes) " * 6 + HINT
TUTOR_TESTS = textwrap.dedent(f'''
    # HIDDEN-TEST-MARKER-7301: this line is hidden test source
    import numpy as np
    import pytest
    from numpy.testing import assert_allclose


    @pytest.mark.points(2)
    def test_add(submission):
        """Addition of two integers."""
        assert submission.add(2, 3) == 5, "add(2, 3) should be 5: check the operator"


    @pytest.mark.points(3)
    def test_scale(submission, rng):
        """Scaling multiplies every element by k."""
        x = rng.normal(size=4)
        assert_allclose(submission.scale(x, 2.0), 2 * x, err_msg="scale(x, 2) should double x")


    @pytest.mark.points(1)
    def test_counter(submission):
        """A counter counts."""
        counter = submission.Counter()
        assert counter.bump() == 1, "bump() should return 1 first"


    @pytest.mark.points(1)
    def test_long_reason(submission):
        """A long reason keeps its hint."""
        assert submission.add(1, 1) == 2, {LONG_REASON!r}
    ''')


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = write_toy_course(tmp_path_factory.mktemp("tutor") / "course", tests=TUTOR_TESTS, points=7, gpu_tests=())
    assignment = Course(root).assignment(TOY_ID)
    release(assignment)
    return assignment


@pytest.fixture(scope="module")
def partial(course, tmp_path_factory):
    """A partial submission: add is wrong, scale is still the stub, Counter is right."""
    text = course.source_notebook.read_text().replace("return a + b", "return a - b")
    text = text.replace("return np.asarray(x) * k", "raise NotImplementedError()")
    path = tmp_path_factory.mktemp("partial") / f"{TOY_ID}.ipynb"
    path.write_text(text)
    return grade(course, path, gpu="off")


def by_name(result):
    return {t.name.split("::")[-1]: t for t in result.tests}


def test_every_failed_test_has_a_prompt_with_task_code_reason_and_concept(partial):
    tests = by_name(partial)
    assert {n for n, t in tests.items() if t.tutor_prompt} == {"test_add", "test_scale", "test_long_reason"}
    prompt = tests["test_add"].tutor_prompt
    assert "Task: `add`" in prompt and "Return a + b." in prompt  # the task and its release docstring
    assert "return a - b" in prompt  # the student's own code
    assert "Reason (AssertionError): add(2, 3) should be 5" in prompt
    assert "It checks: Addition of two integers." in prompt
    assert "Do not write the corrected code" in prompt
    assert "(NotImplementedError)" in tests["test_scale"].tutor_prompt
    assert tests["test_counter"].status == "passed" and not tests["test_counter"].tutor_prompt


def test_a_prompt_holds_no_hidden_test_source_and_no_solution_line(course, partial):
    for test in partial.tests:
        assert "HIDDEN-TEST-MARKER" not in test.tutor_prompt and "2 * x" not in test.tutor_prompt
        assert "np.asarray(x) * k" not in test.tutor_prompt  # the solution of the stubbed task
    assert tutor.leaks(course, partial) == []


def test_a_failed_test_without_a_prompt_is_reported(partial):
    assert tutor.unprompted(partial) == []
    wrong = by_name(partial)["test_scale"]
    original, wrong.tutor_prompt = wrong.tutor_prompt, ""
    try:
        assert tutor.unprompted(partial) == [wrong.name]
    finally:
        wrong.tutor_prompt = original


def leaks_with(course, partial, added: str) -> list[str]:
    """What the leak check finds when ``added`` is appended to a failed test's prompt (restored after)."""
    wrong = by_name(partial)["test_scale"]
    original = wrong.tutor_prompt
    try:
        wrong.tutor_prompt = original + added
        return tutor.leaks(course, partial)
    finally:
        wrong.tutor_prompt = original


def test_the_leak_check_finds_a_solution_line_or_a_suite_line(course, partial):
    found = leaks_with(course, partial, "\n            return np.asarray(x) * k\n")
    assert any("np.asarray(x) * k" in leak for leak in found)
    suite_line = "\n    assert submission.add(2, 3) == 5, \"add(2, 3) should be 5: check the operator\"\n"
    assert leaks_with(course, partial, suite_line), "a line of the hidden suite must count as a leak"


@pytest.mark.parametrize("reason, prompted", [
    ("rmse on 20 values: expected 1234.5, got 3.0", "rmse on 20 values: expected (withheld), got 3.0"),
    ("expected [[1, 2], [3, 4]] got [[1, 3], [2, 4]]", "expected (withheld) got [[1, 3], [2, 4]]"),
    ("returned 0.5, expected the per-example average 0.123456 of the losses",
     "returned 0.5, expected the per-example average (withheld) of the losses"),
    ("Expected: array([1., 2.]); check the axis", "Expected: (withheld); check the axis"),
    ("w has shape (3, 1); expected (3,)", "w has shape (3, 1); expected (3,)"),  # a shape is no answer
    ("accuracy 0.81, expected at least 0.95", "accuracy 0.81, expected at least 0.95"),  # nor is a gate
])
def test_a_prompt_withholds_the_expected_values_of_its_reason(reason, prompted):
    assert tutor.withhold_expected(reason) == prompted


def test_the_leak_check_finds_an_expected_value(course, partial):
    found = leaks_with(course, partial, "\nReason: expected 0.731, got 0.5\n")
    assert any("an expected value" in leak for leak in found)


def test_reasons_name_their_task_and_long_ones_are_folded_never_cut(partial):
    long = by_name(partial)["test_long_reason"]
    assert long.task == "add"
    assert HINT in reports.reason(long) and reports.reason(long).startswith("task `add`: ")
    data = reports.to_json(partial)
    entry = next(t for t in data["tests"] if t["name"].endswith("test_long_reason"))
    assert entry["message"] == LONG_REASON and entry["task"] == "add" and entry["concept"]
    assert HINT in next(t["message"] for t in reports.classroom(partial)["tests"] if t["name"].endswith("long_reason"))
    assert HINT in " ".join(reports.table(partial).split())
    summary = reports.markdown(partial)
    assert HINT in summary and "<details><summary>the loss is off" in summary
    assert {t["task"] for t in data["tasks"]} == {"add", "scale"}


def rendered(tmp_path, name, page_html):
    page = tmp_path / f"{name}.html"
    page.write_text(page_html, encoding="utf-8")
    shots = Path(os.environ.get("AUTOGRADER_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    png = shots / f"{name}.png"
    text = browser.render(page, png)
    assert not browser.blank(png), f"the screenshot of {name} is blank"
    print(f"screenshot: {png}")
    return text


def test_the_html_feedback_renders_grouped_by_task_with_the_prompts(tmp_path, partial):
    text = rendered(tmp_path, "feedback", reports.html_report(partial, "ada"))
    assert "00_toy: 1/7 points" in text and "ada" in text
    assert "Task add 0/3 points" in text and "Task scale 1/4 points" in text
    assert "add(2, 3) should be 5: check the operator" in text and "Ask an LLM tutor about this" in text
    assert "Copy the prompt" in text and HINT in text


def test_the_classroom_summary_renders_as_github_would(tmp_path, partial):
    body = browser.github_html(reports.markdown(partial))
    text = rendered(tmp_path, "summary", f"<!doctype html><html><body>{body}</body></html>")
    assert "00_toy: 1/7 points" in text and "test_toy.py::test_add" in text
    assert "Stuck? Ask an LLM tutor" in text and "Tutor prompt: test_add (task add)" in text


def test_the_json_report_carries_the_prompts(tmp_path, course, partial):
    path = tmp_path / "report.json"
    reports.write_json(path, reports.to_json(partial))
    data = json.loads(path.read_text())
    prompts = {t["name"].split("::")[-1]: t.get("tutor_prompt", "") for t in data["tests"]}
    assert prompts["test_add"].startswith("I am a student") and prompts["test_counter"] == ""
