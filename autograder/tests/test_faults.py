"""Grader faults are grader errors: a broken hidden suite, a sandbox that cannot be set up, a stale handle or a bad
manifest stop the grading with a non-zero exit and a message that says it is not the submission's fault; no score
is given, and nothing of the submission runs when the sandbox is refused."""

import json

import nbformat
import pytest

from autograder import cgroups, cli, sandbox
from autograder.course import Course, CourseError
from autograder.grading import GradingFailed, grade
from autograder.release import release
from toy import TESTS, TOY_ID, write_toy_course

pytestmark = pytest.mark.slow

NOT_YOURS = "not the submission's fault"


def toy_with(tmp_path, tests: str, points: float, gpu_tests=(), conftest: str = "", manifest_extra: str = ""):
    root = write_toy_course(tmp_path / "course", tests=tests, points=points, gpu_tests=gpu_tests, conftest=conftest,
                            manifest_extra=manifest_extra)
    assignment = Course(root).assignment(TOY_ID)
    release(assignment)
    return assignment


HEADER = "import pytest\n\n"
ONE_TEST = HEADER + "@pytest.mark.points(1)\ndef test_add(submission):\n    assert submission.add(1, 2) == 3\n"


@pytest.mark.parametrize("tests, conftest, reason", [
    (ONE_TEST + "import module_that_is_not_installed\n", "", "could not be collected"),
    (ONE_TEST, "raise RuntimeError('conftest broke')\n", "did not start"),
    (ONE_TEST + "\n@pytest.mark.points(1)\ndef test_skips(submission):\n    pytest.skip('not today')\n",
     "", "only the GPU rule may skip"),
    (ONE_TEST + "\n@pytest.mark.skipif(True, reason='never')\n@pytest.mark.points(1)\ndef test_skipif(submission):\n"
                "    pass\n", "", "only the GPU rule may skip"),
    (ONE_TEST, "def pytest_collection_finish(session):\n    raise KeyboardInterrupt\n", "exit status 2"),
    (ONE_TEST + "\ndef test_unmarked(submission):\n    pass\n", "", "has no points marker"),
    (ONE_TEST, "import pytest\n\n@pytest.fixture\ndef ref():\n    return None\n"
               "\n@pytest.fixture(autouse=True)\ndef _uses(ref):\n    pass\n", "defines its own `ref` fixture"),
], ids=["import-error", "conftest-error", "skip", "skipif", "interrupted", "no-points", "own-ref"])
def test_a_broken_hidden_suite_is_a_grader_error(tmp_path, tests, conftest, reason):
    points = 2 if "test_skips" in tests or "test_skipif" in tests else 1
    toy = toy_with(tmp_path, tests, points=points, conftest=conftest)
    with pytest.raises(GradingFailed) as failure:
        grade(toy, toy.source_notebook, gpu="off")
    assert reason in str(failure.value) and NOT_YOURS in str(failure.value), str(failure.value)


def test_the_manifest_must_describe_the_suite(tmp_path):
    toy = toy_with(tmp_path, ONE_TEST, points=5)
    with pytest.raises(GradingFailed, match="the manifest says 5 points, the suite's markers add up to 1"):
        grade(toy, toy.source_notebook, gpu="off")
    toy = toy_with(tmp_path / "gpu", ONE_TEST, points=1, gpu_tests=("test_add",))
    with pytest.raises(GradingFailed, match="gpu_tests"):
        grade(toy, toy.source_notebook, gpu="off")


@pytest.mark.parametrize("extra, problem", [
    ("memroy_mb = 2048", "unknown key(s) in grading: memroy_mb"),
    ("disk_mb = 'big'", "grading.disk_mb must be an integer"),
])
def test_a_manifest_typo_is_a_course_error(tmp_path, extra, problem):
    root = write_toy_course(tmp_path / "course", manifest_extra=extra)
    with pytest.raises(CourseError) as failure:
        Course(root).assignment(TOY_ID)
    assert problem in str(failure.value)


STALE = HEADER + '''
@pytest.mark.points(1)
def test_keeps_a_handle(submission, shared):
    shared["counter"] = submission.Counter()


@pytest.mark.points(1)
def test_crashes_the_worker(submission):
    submission.add(1, 2)


@pytest.mark.points(1)
def test_uses_the_old_handle(submission, shared):
    assert shared["counter"].bump() == 1
'''


def test_a_handle_from_before_a_restart_is_a_grader_error(tmp_path):
    toy = toy_with(tmp_path, STALE, points=3)
    nb = nbformat.read(toy.source_notebook, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add")
    cell.source = "def add(a, b):\n    import os\n    os._exit(3)\n"
    crashing = tmp_path / f"{TOY_ID}.ipynb"
    nbformat.write(nb, crashing)
    with pytest.raises(GradingFailed, match="a handle from before the worker restarted"):
        grade(toy, crashing, gpu="off")


def canary_notebook(toy, tmp_path):
    """A submission that leaves a file behind as soon as any of it runs."""
    canary = tmp_path / "ran"
    nb = nbformat.read(toy.source_notebook, as_version=4)
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add")
    cell.source = f"open({str(canary)!r}, 'w').write('ran')\n" + cell.source
    path = tmp_path / f"{TOY_ID}.ipynb"
    nbformat.write(nb, path)
    return path, canary


@pytest.mark.parametrize("machine", ["not-root", "no-bwrap", "no-cgroup"])
def test_the_strict_sandbox_is_refused_before_any_student_code_runs(toy, tmp_path, monkeypatch, machine):
    path, canary = canary_notebook(toy, tmp_path)
    if machine == "not-root":
        monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1000)
    elif machine == "no-bwrap":
        monkeypatch.setattr(sandbox, "bwrap", lambda: None)
    else:
        def no_cgroup():
            raise cgroups.CgroupUnavailable("no cgroup here")
        monkeypatch.setattr(cgroups, "backend", no_cgroup)
    with pytest.raises(GradingFailed) as failure:
        grade(toy, path, gpu="off")
    assert "could not set up its sandbox" in str(failure.value) and NOT_YOURS in str(failure.value)
    assert not canary.exists(), "student code ran although the sandbox was refused"


def test_the_user_namespace_mode_is_refused_to_root(toy, tmp_path, monkeypatch):
    """As root, a user namespace would keep the worker's real uid 0, which no process quota limits."""
    path, canary = canary_notebook(toy, tmp_path)
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 0)
    with pytest.raises(GradingFailed, match="not for root"):
        grade(toy, path, gpu="off", sandbox="userns")
    assert not canary.exists()


def test_the_cli_exits_non_zero_and_keeps_the_log_for_instructors(tmp_path, capsys):
    toy = toy_with(tmp_path, ONE_TEST + "import module_that_is_not_installed\n", points=1)
    logs = tmp_path / "logs"
    code = cli.main(["--course", str(toy.root), "grade", TOY_ID, str(toy.source_notebook), "--gpu", "off",
                     "--json", str(tmp_path / "report.json"), "--keep-logs", str(logs)])
    out = capsys.readouterr()
    assert code == 3 and NOT_YOURS in out.err and not (tmp_path / "report.json").exists()
    assert "module_that_is_not_installed" not in out.out + out.err, "the suite's own error reached the output"
    kept = list(logs.glob(f"{TOY_ID}-*.log"))
    assert len(kept) == 1 and "module_that_is_not_installed" in kept[0].read_text()


def test_an_explicitly_weaker_sandbox_is_reported(toy):
    result = grade(toy, toy.source_notebook, gpu="off", sandbox="none")
    assert result.score == 6 and result.sandbox["mode"] == "none"
    assert any("weaker `none` sandbox" in flag for flag in result.flags)


def test_the_trusted_side_has_a_hash_seed_and_a_memory_cap(tmp_path):
    tests = HEADER + '''import os, resource

@pytest.mark.points(1)
def test_environment(submission):
    assert os.environ.get("PYTHONHASHSEED") == "0"
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    assert soft == 3000 * 2**20, soft
'''
    toy = toy_with(tmp_path, tests, points=1, manifest_extra="trusted_memory_mb = 3000")
    result = grade(toy, toy.source_notebook, gpu="off")
    assert result.score == 1, json.dumps([t.message for t in result.tests])


def test_the_toy_suite_still_grades(toy):
    assert "test_gpu_only" in TESTS
    assert grade(toy, toy.source_notebook, gpu="off").score == 6
