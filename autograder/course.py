"""The course directory and the assignments' manifests."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from autograder.sandbox import Limits

ASSIGNMENT_IDS = (
    "01_house_prices", "02_linear_regression", "03_mnist", "04_sentiment", "05_word2vec", "06_char_rnn",
    "07_transformer_block", "08_attention_maps", "09_tiny_translator", "10_finetuning", "11_prompt_qa",
    "12_rag_pdf", "13_tool_agent",
)


class CourseError(Exception):
    """A problem with the course itself (not with a submission)."""


@dataclass
class Assignment:
    id: str
    title: str
    step: int
    topic: str
    points: float
    root: Path  # the course root
    budget_s: float = 20.0
    test_timeout_s: float = 60.0
    run_timeout_s: float = 300.0
    load_timeout_s: float = 120.0
    limits: Limits = field(default_factory=Limits)
    gpu_tests: list[str] = field(default_factory=list)
    requirements: list[str] = field(default_factory=list)
    raw: dict = field(default_factory=dict)

    @property
    def source_notebook(self) -> Path:
        return self.root / "source" / self.id / f"{self.id}.ipynb"

    @property
    def release_dir(self) -> Path:
        return self.root / "release" / self.id

    @property
    def release_notebook(self) -> Path:
        return self.release_dir / f"{self.id}.ipynb"

    @property
    def tests_dir(self) -> Path:
        return self.root / "assignments" / self.id / "tests"

    @property
    def manifest_dir(self) -> Path:
        return self.root / "assignments" / self.id


class Course:
    def __init__(self, root: Path):
        self.root = root.resolve()

    @classmethod
    def find(cls, explicit: str | None = None) -> "Course":
        """--course, then $AUTOGRADER_COURSE, then the nearest parent with assignments/ and nbgrader_config.py."""
        candidates = [explicit, os.environ.get("AUTOGRADER_COURSE")]
        for candidate in filter(None, candidates):
            root = Path(candidate)
            if not (root / "assignments").is_dir():
                raise CourseError(f"{root} is not a course directory (no assignments/ folder)")
            return cls(root)
        here = Path.cwd().resolve()
        for root in (here, *here.parents, Path(__file__).resolve().parent.parent):
            if (root / "assignments").is_dir() and (root / "nbgrader_config.py").is_file():
                return cls(root)
        raise CourseError("no course directory found: run inside the course repository or pass --course DIR")

    def assignment_ids(self) -> list[str]:
        present = sorted(p.parent.name for p in (self.root / "assignments").glob("*/assignment.toml"))
        return [i for i in ASSIGNMENT_IDS if i in present] + [i for i in present if i not in ASSIGNMENT_IDS]

    def assignment(self, assignment_id: str) -> Assignment:
        path = self.root / "assignments" / assignment_id / "assignment.toml"
        if not path.is_file():
            known = ", ".join(self.assignment_ids()) or "none"
            raise CourseError(f"unknown assignment {assignment_id!r} (known: {known})")
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise CourseError(f"{path}: {exc}") from None
        grading, release = raw.get("grading", {}), raw.get("release", {})
        limits = Limits(**{name: int(grading[name]) for name in ("memory_mb", "disk_mb") if name in grading})
        return Assignment(
            id=assignment_id, title=raw.get("title", assignment_id), step=int(raw.get("step", 0)),
            topic=raw.get("topic", ""), points=float(raw.get("points", 0)), root=self.root,
            budget_s=float(grading.get("budget_s", 20)), test_timeout_s=float(grading.get("test_timeout_s", 60)),
            run_timeout_s=float(grading.get("run_timeout_s", 300)),
            load_timeout_s=float(grading.get("load_timeout_s", 120)),
            limits=limits, gpu_tests=list(grading.get("gpu_tests", [])),
            requirements=list(release.get("requirements", [])), raw=raw,
        )

    def select(self, ids: list[str] | None) -> list[Assignment]:
        return [self.assignment(i) for i in (ids or self.assignment_ids())]
