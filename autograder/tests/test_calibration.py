"""Budgets as ratios of a calibration probe: a suite that really got twice as slow fails its budget, the same suite
passes again, and a machine that is slower for everything (here: the probe and the grading both under the same
load) changes the ratio far less than a real slowdown does."""

import pytest

from autograder import calibration
from autograder.course import Course
from autograder.release import release
from autograder.validate import validate
from toy import TOY_ID, write_toy_course

pytestmark = pytest.mark.slow

SUITE = """import pytest


def busy(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total


@pytest.mark.points(1)
def test_add(submission):
    busy({work})  # the suite's own work, on the trusted side
    assert submission.add(1, 2) == 3
"""
# About a second (20-35 ns a step here), so that the suite's own work outlasts the worker's start-up,
# which runs beside it on the other core: at 12 million steps the start-up hid a 3x slowdown and the test failed in CI.
WORK = 60_000_000


def toy_suite(tmp_path, work: int, budget: float):
    root = write_toy_course(tmp_path, tests=SUITE.format(work=work), points=1, gpu_tests=(),
                            manifest_extra=f"budget_probes = {budget}")
    text = (root / "assignments" / TOY_ID / "assignment.toml").read_text().replace("budget_probes = 30\n", "")
    (root / "assignments" / TOY_ID / "assignment.toml").write_text(text)
    assignment = Course(root).assignment(TOY_ID)
    release(assignment)
    return assignment


def test_the_probe_is_a_positive_time():
    assert 0 < calibration.probe() < 120


def test_a_much_slower_suite_fails_the_budget_that_the_suite_meets(tmp_path):
    """The rule itself, on the toy (benchmarks/calibration.py measures the real suites slowed 2x): the budget is
    1.5x the reference's ratio, as in the course's manifests, and a suite doing 8x the work must exceed it (the fixed
    cost of grading keeps the ratio well under 8x: here 1.0-1.3 at 1x, 5.8 at 8x)."""
    measured = [validate(toy_suite(tmp_path / f"measure{i}", WORK, 1000), gpu="off", runs=1) for i in range(2)]
    assert all(m.ok for m in measured), [m.problems for m in measured]
    budget = round(max(m.ratio for m in measured) * 1.5, 2)
    normal = validate(toy_suite(tmp_path / "normal", WORK, budget), gpu="off", runs=1)
    slowed = validate(toy_suite(tmp_path / "slowed", 8 * WORK, budget), gpu="off", runs=1)
    assert normal.ok, (normal.ratio, budget, normal.problems)
    assert not slowed.ok and "over its budget" in " ".join(slowed.problems), (slowed.ratio, budget)
    assert slowed.to_json()["ratio"] > budget >= normal.to_json()["ratio"]
