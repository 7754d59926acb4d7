"""The instructor's check: release current, reference 100 %, untouched release 0, deterministic, within budget."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from autograder.course import Assignment
from autograder.grading import GradeResult, grade, reference_settings
from autograder.release import stale_files


@dataclass
class Validation:
    id: str
    reference: GradeResult
    stub: GradeResult
    deterministic: bool
    stale: list[str]
    problems: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        return self.reference.duration_s

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
            "release_current": not self.stale,
            "gpu_points_pending": self.reference.gpu_points_pending,
            "problems": self.problems,
            "ok": self.ok,
        }


def validate(assignment: Assignment, gpu: str = "auto", runs: int = 2) -> Validation:
    """``runs`` gradings of the reference (all must agree test by test) and one of the untouched release."""
    stale = stale_files(assignment)
    with tempfile.TemporaryDirectory(prefix="autograder-validate-") as scratch:
        # The first run records the reference answers; the others replay them, as the published grader does,
        # so a suite whose `ref` calls depend on the submission, or do not replay, fails here.
        recorded = Path(scratch) / "reference.snapshot"
        reference = grade(assignment, assignment.source_notebook, gpu=gpu,
                          reference=reference_settings(assignment, record=recorded))
        replay = reference_settings(assignment, replay=recorded) if recorded.is_file() else None
        stub = grade(assignment, assignment.release_notebook, gpu=gpu, reference=replay)
        repeats = [grade(assignment, assignment.source_notebook, gpu=gpu, reference=replay)
                   for _ in range(max(runs, 1) - 1)]
    deterministic = all(r.signature() == reference.signature() for r in repeats)
    result = Validation(assignment.id, reference, stub, deterministic, stale)
    if stale:
        result.problems.append(f"release is stale ({len(stale)} files): run `autograder release {assignment.id}`")
    if reference.score != reference.max_score or reference.max_score == 0:
        failing = [f"{t.name}: {t.message}" for t in reference.tests if t.status not in ("passed", "skipped")]
        result.problems.append(f"reference scores {reference.score:g}/{reference.max_score:g}: " + "; ".join(failing))
    earned = [t.name for t in stub.tests if t.score > 0]
    if earned:
        result.problems.append("untouched release earns points on: " + ", ".join(earned))
    if not result.deterministic:
        changed = sorted({a[0] for r in repeats for a, b in zip(reference.signature(), r.signature()) if a != b})
        result.problems.append("a second run differs on: " + ", ".join(changed))
    if reference.duration_s > assignment.budget_s:
        result.problems.append(f"grading the reference took {reference.duration_s:.1f} s, over the "
                               f"{assignment.budget_s:g} s budget")
    manifest_points = assignment.points
    if manifest_points and abs(manifest_points - reference.max_score - reference.gpu_points_pending) > 1e-9:
        result.problems.append(f"manifest says {manifest_points:g} points, the suite has "
                               f"{reference.max_score + reference.gpu_points_pending:g}")
    return result
