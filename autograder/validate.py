"""The instructor's check: release current, reference 100 %, untouched release 0, deterministic, within budget.

Budgets are machine-independent: grading the reference is timed next to the calibration probe
(``autograder.calibration``), and their ratio must stay within the manifest's ``budget_probes``. GPU-marked
tests run on a GPU where there is one and, by default, on the CPU elsewhere (``--gpu emulate``), so a broken GPU
test is caught on every CPU-only run; their time on the CPU is left out of the budget, which is for grading as
a CPU runner grades.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder import calibration, models, tutor
from autograder.course import Assignment
from autograder.grading import GradeResult, grade, reference_settings
from autograder.plugin import cuda_available
from autograder.release import stale_files
from autograder.sandbox import DEFAULT_MODE

def progress(assignments: list[Assignment]):
    """A bar over the assignments, on stderr, for a person at a terminal (off in CI logs and with TQDM_DISABLE)."""
    from autograder.bulk import progress_enabled
    from tqdm import tqdm

    return tqdm(assignments, desc="validate", unit="assignment", file=sys.stderr, disable=not progress_enabled())


TIMEOUT_HEADROOM = 3.0  # a per-test limit must be at least this many times the reference's time for that test


@dataclass
class Validation:
    id: str
    reference: GradeResult
    stub: GradeResult
    deterministic: bool
    stale: list[str]
    probe_s: float
    budget_probes: float
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        """Grading time of the reference, less the GPU tests emulated on the CPU (not part of a CPU grading)."""
        return budgeted_s(self.reference)

    @property
    def ratio(self) -> float:
        """Grading time of the reference in calibration probes."""
        return self.duration_s / self.probe_s

    def emulated(self) -> dict | None:
        """GPU tests run on the CPU (``--gpu emulate``): how many pass for the reference and for the stub."""
        tests = [t for t in self.reference.tests if t.emulated]
        if not tests:
            return None
        return {"tests": len(tests), "duration_s": round(sum(t.duration_s for t in tests), 1),
                "reference_passed": sum(t.status == "passed" for t in tests),
                "stub_passed": sum(t.status == "passed" for t in self.stub.tests if t.emulated)}

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "reference": {"score": self.reference.score, "max_score": self.reference.max_score},
            "stub": {"score": self.stub.score, "max_score": self.stub.max_score},
            "deterministic": self.deterministic,
            "duration_s": self.duration_s,
            "cpu_s": self.reference.cpu_s,
            "probe_s": round(self.probe_s, 3),
            "ratio": round(self.ratio, 2),
            "budget_probes": self.budget_probes,
            "timeout_headroom": round(min((t.timeout_s / t.duration_s for t in self.reference.tests
                                           if t.duration_s > 0 and t.timeout_s), default=0.0), 1),
            "release_current": not self.stale,
            "gpu_points_pending": self.reference.gpu_points_pending,
            "gpu_emulated": self.emulated(),
            "problems": self.problems,
            "warnings": self.warnings,
            "ok": self.ok,
        }


def budgeted_s(result: GradeResult) -> float:
    return result.duration_s - sum(t.duration_s for t in result.tests if t.emulated)


def gpu_mode(assignment: Assignment, gpu: str) -> str:
    """``auto`` checks GPU tests everywhere: on the GPU where CUDA is available, else emulated on the CPU."""
    if gpu == "auto" and assignment.gpu_tests and not cuda_available():
        return "emulate"
    return gpu


def timed_grade(assignment: Assignment, gpu: str, sandbox: str, record: Path) -> tuple[GradeResult, float]:
    """Grade the reference, recording its answers, and time the calibration probe just before and after."""
    before = calibration.probe()
    result = grade(assignment, assignment.source_notebook, gpu=gpu, sandbox=sandbox,
                   reference=reference_settings(assignment, record=record))
    return result, (before + calibration.probe()) / 2  # the machine's speed around the timed run


def validate(assignment: Assignment, gpu: str = "auto", runs: int = 2, sandbox: str = DEFAULT_MODE) -> Validation:
    """``runs`` gradings of the reference (all must agree test by test) and one of the untouched release."""
    stale = stale_files(assignment)
    gpu = gpu_mode(assignment, gpu)
    models.ensure(assignment.models)  # a first build of the model cache is not the reference's grading time
    with tempfile.TemporaryDirectory(prefix="autograder-validate-") as scratch:
        # The first run records the reference answers; the others replay them, as the published grader does,
        # so a suite whose `ref` calls depend on the submission, or do not replay, fails here.
        recorded = Path(scratch) / "reference.snapshot"
        reference, probe_s = timed_grade(assignment, gpu, sandbox, record=recorded)
        first_ratio = budgeted_s(reference) / probe_s
        if first_ratio > assignment.budget_probes:
            # Noise only ever adds time: measure once more and keep the faster. A suite that really got
            # slower is over its budget both times.
            again, again_probe_s = timed_grade(assignment, gpu, sandbox, record=Path(scratch) / "again.snapshot")
            if budgeted_s(again) / again_probe_s < first_ratio:
                reference, probe_s = again, again_probe_s
        replay = reference_settings(assignment, replay=recorded) if recorded.is_file() else None
        stub = grade(assignment, assignment.release_notebook, gpu=gpu, sandbox=sandbox, reference=replay)
        repeats = [grade(assignment, assignment.source_notebook, gpu=gpu, sandbox=sandbox, reference=replay)
                   for _ in range(max(runs, 1) - 1)]
    deterministic = all(r.signature() == reference.signature() for r in repeats)
    result = Validation(assignment.id, reference, stub, deterministic, stale, probe_s, assignment.budget_probes)
    if first_ratio > assignment.budget_probes:
        result.warnings.append(f"the first timing was {first_ratio:.1f} probes, over the budget of "
                               f"{assignment.budget_probes:g}: measured again, {result.ratio:.1f} probes")
    if stale:
        result.problems.append(f"release is stale ({len(stale)} files): run `autograder release {assignment.id}`")
    if reference.score != reference.max_score or reference.max_score == 0:
        failing = [f"{t.name}: {t.message}" for t in reference.tests if t.status not in ("passed", "skipped")]
        result.problems.append(f"reference scores {reference.score:g}/{reference.max_score:g}: " + "; ".join(failing))
    emulated_failing = [f"{t.name}: {t.message}" for t in reference.tests if t.emulated and t.status != "passed"]
    if emulated_failing:
        result.problems.append("GPU tests run on the CPU (--gpu emulate) fail for the reference: "
                               + "; ".join(emulated_failing))
    passing = [t.name for t in stub.tests if t.emulated and t.status == "passed"]
    if passing:
        result.problems.append("GPU tests run on the CPU (--gpu emulate) pass for the untouched release: "
                               + ", ".join(passing))
    earned = [t.name for t in stub.tests if t.score > 0]
    if earned:
        result.problems.append("untouched release earns points on: " + ", ".join(earned))
    if not result.deterministic:
        changed = sorted({a[0] for r in repeats for a, b in zip(reference.signature(), r.signature()) if a != b})
        result.problems.append("a second run differs on: " + ", ".join(changed))
    leaked = tutor.leaks(assignment, stub)
    if leaked:
        result.problems.append("tutor prompts of the untouched release hold hidden or solution lines: " + "; ".join(leaked[:5]))
    if missing := tutor.unprompted(stub):
        result.problems.append("untouched release fails without a tutor prompt on: " + ", ".join(missing))
    if result.ratio > assignment.budget_probes:
        result.problems.append(f"grading the reference took {result.duration_s:.1f} s, {result.ratio:.1f} calibration "
                               f"probes of {probe_s:.2f} s, over its budget of {assignment.budget_probes:g} probes")
    for test in reference.tests:
        limit = test.timeout_s or assignment.test_timeout_s
        if test.duration_s * TIMEOUT_HEADROOM > limit:
            result.warnings.append(f"{test.name} took {test.duration_s:.1f} s here: its {limit:g} s limit leaves less "
                                   f"than {TIMEOUT_HEADROOM:g}x headroom for a slower machine or student")
    return result
