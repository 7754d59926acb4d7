"""Grading the toy assignment end to end: scores, reasons, the GPU rule, determinism, bad submissions."""

import shutil

import pytest

from autograder import grading
from autograder.course import Course
from autograder.grading import GradingFailed, grade
from autograder.plugin import cuda_available
from autograder.release import release
from autograder.validate import validate
from toy import TESTS, TOY_ID, write_toy_course

pytestmark = pytest.mark.slow


def by_name(result):
    return {t.name.split("::")[-1]: t for t in result.tests}


def test_reference_scores_full_marks_and_gpu_points_wait(toy):
    result = grade(toy, toy.source_notebook, gpu="off")
    tests = by_name(result)
    assert (result.score, result.max_score, result.gpu_points_pending) == (6, 6, 4)
    assert tests["test_gpu_only"].status == "skipped" and tests["test_gpu_only"].message == "needs a GPU"
    assert result.sandbox.get("limits", {}).get("memory_mb") == 2048


def test_release_scores_zero_with_not_implemented_reasons(toy):
    result = grade(toy, toy.release_notebook, gpu="off")
    assert result.score == 0 and result.max_score == 6
    assert all("not implemented yet" in t.message for t in result.tests if t.status != "skipped")
    assert not any("restarted" in f for f in result.flags), "a student exception must not cost a worker restart"


@pytest.mark.skipif(cuda_available(), reason="this machine has CUDA")
def test_gpu_on_without_cuda_is_a_grader_error_not_a_zero(toy):
    with pytest.raises(GradingFailed, match="CUDA is not available"):
        grade(toy, toy.source_notebook, gpu="on")


def test_validate_gpu_emulate_runs_the_gpu_tests_on_the_cpu_and_never_scores_them(toy):
    result = validate(toy, gpu="emulate", runs=2)
    assert result.ok, result.problems
    emulated = result.emulated()
    assert {k: emulated[k] for k in ("tests", "reference_passed", "stub_passed")} == \
        {"tests": 1, "reference_passed": 1, "stub_passed": 0}
    assert (result.reference.score, result.reference.max_score) == (6, 6)
    assert result.to_json()["gpu_emulated"]["reference_passed"] == 1
    gpu_time = sum(t.duration_s for t in result.reference.tests if t.emulated)
    assert result.duration_s == pytest.approx(result.reference.duration_s - gpu_time), \
        "the budget is for a CPU grading: emulated GPU tests' time is left out"


@pytest.mark.skipif(cuda_available(), reason="this machine has CUDA")
def test_validate_auto_emulates_the_gpu_tests_where_there_is_no_cuda(tmp_path):
    broken = TESTS.replace("sum().item() == 4", "sum().item() == 5")
    root = write_toy_course(tmp_path / "course", tests=broken)
    toy = Course(root).assignment(TOY_ID)
    release(toy)
    result = validate(toy, runs=1)
    assert not result.ok and any("fail for the reference" in p and "test_gpu_only" in p for p in result.problems)


def test_validate_gpu_emulate_catches_a_broken_gpu_test(tmp_path):
    broken = TESTS.replace("sum().item() == 4", "sum().item() == 5")
    root = write_toy_course(tmp_path / "course", tests=broken)
    toy = Course(root).assignment(TOY_ID)
    release(toy)
    result = validate(toy, gpu="emulate", runs=1)
    assert not result.ok and any("fail for the reference" in p and "test_gpu_only" in p for p in result.problems)
    assert validate(toy, gpu="off", runs=1).ok, "without emulation the broken GPU test is only skipped"


def test_partial_submission_gets_partial_points_with_reasons(toy, make_submission):
    def wrong_add(cells, nb):
        cells["add"].source = "def add(a, b):\n    return a - b\n"

    result = grade(toy, make_submission(wrong_add), gpu="off")
    tests = by_name(result)
    assert result.score == 4
    assert tests["test_add"].status == "failed" and "add(2, 3) should be 5" in tests["test_add"].message


def test_syntax_error_costs_only_that_cell(toy, make_submission):
    def broken(cells, nb):
        cells["add"].source = "def add(a, b):\n    return a +\n"

    result = grade(toy, make_submission(broken), gpu="off")
    tests = by_name(result)
    assert result.score == 4
    assert "answer cell `add` failed when run: SyntaxError" in tests["test_add"].message
    assert any("SyntaxError" in p for p in result.load_problems)


@pytest.mark.parametrize("edit, reason", [
    (lambda cells, nb: nb.cells.remove(cells["add"]), "answer cell `add` is missing"),
    (lambda cells, nb: setattr(cells["add"], "source", "def plus(a, b):\n    return a + b\n"),
     "no longer defines it"),
])
def test_missing_function_is_explained(toy, make_submission, edit, reason):
    result = grade(toy, make_submission(edit), gpu="off")
    assert result.score == 4 and reason in by_name(result)["test_add"].message


def test_scratch_and_bare_calls_are_never_run(toy, make_submission):
    def slow(cells, nb):
        import nbformat

        nb.cells.insert(3, nbformat.v4.new_code_cell("while True:\n    pass"))
        cells["add"].source += "\nimport time\ntime.sleep(3600)\n"

    result = grade(toy, make_submission(slow), gpu="off")
    assert result.score == 6 and result.duration_s < 60


def test_unreadable_notebook_scores_zero_with_a_reason(toy, tmp_path):
    bad = tmp_path / "00_toy.ipynb"
    bad.write_text("{ this is not json")
    result = grade(toy, bad, gpu="off")
    assert result.score == 0 and result.max_score == 6
    assert all("could not be read" in t.message for t in result.tests if t.status != "skipped")
    assert "not valid JSON" in result.flags[0]


def test_submission_folder_and_workflow_tamper(toy, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(toy.release_dir, repo)
    shutil.copy(toy.source_notebook, repo / "00_toy.ipynb")
    (repo / ".github" / "workflows" / "classroom.yml").write_text("on: push\n")
    result = grade(toy, repo, gpu="off")
    assert result.score == 6
    assert any("workflow files differ" in f for f in result.flags)


def test_repeated_runs_are_identical(toy, make_submission):
    path = make_submission(lambda cells, nb: setattr(cells["add"], "source", "def add(a, b):\n    return a * b\n"))
    first, second = grade(toy, path, gpu="off"), grade(toy, path, gpu="off")
    assert first.signature() == second.signature()


def test_crash_restarts_the_worker_and_says_so(toy, make_submission):
    def exits(cells, nb):
        cells["add"].source = "def add(a, b):\n    import os\n    os._exit(3)\n"

    result = grade(toy, make_submission(exits), gpu="off")
    assert result.score == 4 and "exited with code 3" in by_name(result)["test_add"].message
    assert any("restarted 1 time" in f for f in result.flags)


def test_assertion_reasons_put_the_author_first_and_hide_the_compared_values():
    from autograder.plugin import assertion_reason

    text = ("\nNot equal to tolerance rtol=1e-07, atol=0\nmse_gradient disagrees with central differences\n"
            "Mismatched elements: 3 / 3 (100%)\nMax absolute difference among violations: 0.5\n"
            " x: array([1., 2., 3.])\n y: array([1.5, 2.5, 3.5])")
    reason = assertion_reason(text)
    assert reason.startswith("mse_gradient disagrees with central differences")
    assert "Max absolute difference" in reason and "1.5" not in reason and "array" not in reason


def test_student_raises_helper(toy, tmp_path):
    """student_raises passes on the named exception, fails otherwise, and lets a stub's reason through."""
    tests = toy.tests_dir.parent / "tests_raises"
    tests.mkdir(exist_ok=True)
    (tests / "test_raises.py").write_text(
        "import pytest\nfrom autograder.testing import student_raises\n\n"
        "@pytest.mark.points(1)\ndef test_type_error(submission):\n"
        "    with student_raises('TypeError'):\n        submission.add(1, 'x')\n\n"
        "@pytest.mark.points(1)\ndef test_wrong_type(submission):\n"
        "    with student_raises('ValueError', message='add must reject text'):\n        submission.add(1, 'x')\n\n"
        "@pytest.mark.points(1)\ndef test_no_raise(submission):\n"
        "    with student_raises('ValueError', message='add(1, 2) should raise'):\n        submission.add(1, 2)\n\n"
        "@pytest.mark.points(1)\ndef test_look_alike(submission):\n"
        "    with student_raises('TypeError', message='a class named TypeError is not one'):\n"
        "        submission.add(1, 'fake')\n\n"
        "@pytest.mark.points(1)\ndef test_hasattr(submission):\n"
        "    counter = submission.Counter()\n"
        "    assert hasattr(counter, 'bump') and not hasattr(counter, 'nope') and not hasattr(submission, 'nope')\n")
    import nbformat

    nb = nbformat.read(toy.source_notebook, as_version=4)
    add = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add")
    add.source = ("def add(a, b):\n    if b == 'fake':\n        class TypeError(Exception):\n            pass\n"
                  "        raise TypeError('look-alike')\n    return a + b\n")
    notebook = tmp_path / "00_toy.ipynb"
    nbformat.write(nb, notebook)
    result = grade(_with_tests(toy, tests, points=5), notebook, gpu="off")
    tests_by = by_name(result)
    assert tests_by["test_type_error"].status == "passed"
    assert tests_by["test_wrong_type"].status == "error" and "raised TypeError" in tests_by["test_wrong_type"].message
    assert tests_by["test_no_raise"].message == "add(1, 2) should raise"
    assert tests_by["test_look_alike"].status != "passed", tests_by["test_look_alike"].message
    assert tests_by["test_hasattr"].status == "passed", tests_by["test_hasattr"].message


def test_replaced_parts_judge_a_task_apart_from_the_ones_it_calls(toy, tmp_path):
    """A test can swap a student's answer for trusted library glue: the student's other code calls it instead, and
    the student's own version is back after the block and before the next test."""
    tests = toy.tests_dir.parent / "tests_replaced"
    tests.mkdir(exist_ok=True)
    (tests / "test_replaced.py").write_text(
        "import pytest\nfrom autograder.testing import replaced, worker_function\n\n"
        "TRUSTED_ADD = 'import operator\\n\\ndef add(a, b):\\n    return operator.add(a, b)\\n'\n\n"
        "@pytest.mark.points(1)\ndef test_twice_with_a_trusted_add(submission):\n"
        "    with replaced(submission, add=worker_function(submission, TRUSTED_ADD, 'add')):\n"
        "        assert submission.twice(4) == 8\n"
        "    assert submission.twice(4) == 0, 'the student add is back after the block'\n\n"
        "@pytest.mark.points(1)\ndef test_left_replaced(submission):\n"
        "    submission._request('replace', 'x', name='add', args=[worker_function(submission, TRUSTED_ADD, 'add')])\n\n"
        "@pytest.mark.points(1)\ndef test_student_add_again(submission):\n"
        "    assert submission.add(2, 3) == -1, 'each test starts on the student code'\n")
    import nbformat

    nb = nbformat.read(toy.source_notebook, as_version=4)
    add = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add")
    add.source = "def add(a, b):\n    return a - b\n\n\ndef twice(x):\n    return add(x, x)\n"
    notebook = tmp_path / "00_toy.ipynb"
    nbformat.write(nb, notebook)
    result = grade(_with_tests(toy, tests, points=3), notebook, gpu="off")
    assert [t.status for t in result.tests] == ["passed"] * 3, [t.message for t in result.tests]


def _with_tests(assignment, tests_dir, points):
    """The toy with another hidden suite (worth ``points``, no GPU tests)."""
    import dataclasses

    class Variant(type(assignment)):
        @property
        def tests_dir(self):
            return tests_dir

    grading = dataclasses.replace(assignment.manifest.grading, gpu_tests=())
    manifest = dataclasses.replace(assignment.manifest, points=float(points), grading=grading)
    return Variant(assignment.id, assignment.root, manifest)


GPU_PROBE = '''import os, resource

def add(a, b):
    """a + b only inside a GPU worker: the device node passed in, no address-space cap (the cgroup holds memory)."""
    gpu_worker = os.path.exists("/dev/kmsg") and resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY
    return a + b if gpu_worker else a - b
'''


def test_a_gpu_worker_gets_the_device_nodes_and_a_cgroup_in_place_of_the_address_space_cap(toy, make_submission,
                                                                                          monkeypatch):
    """/dev/kmsg stands in for the NVIDIA nodes, which this machine lacks."""
    probe = make_submission(lambda cells, nb: setattr(cells["add"], "source", GPU_PROBE))
    assert by_name(grade(toy, probe, gpu="off"))["test_add"].status == "failed", "a CPU worker has neither"
    monkeypatch.setattr(grading, "gpu_devices", lambda: ["/dev/kmsg"])
    assert by_name(grade(toy, probe, gpu="auto"))["test_add"].status == "passed"
    with pytest.raises(GradingFailed, match="strict sandbox"):
        grade(toy, probe, gpu="auto", sandbox="none")
