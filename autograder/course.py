"""The course directory and the assignments' manifests."""

from __future__ import annotations

import os
import tomllib
import dataclasses
from dataclasses import dataclass
from pathlib import Path

from autograder import manifest as schema

ASSIGNMENT_IDS = (
    "01_house_prices", "02_linear_regression", "03_mnist", "04_sentiment", "05_word2vec", "06_char_rnn",
    "07_transformer_block", "08_attention_maps", "09_tiny_translator", "10_finetuning", "11_prompt_qa",
    "12_rag_pdf", "13_tool_agent",
)


class CourseError(Exception):
    """A problem with the course itself (not with a submission)."""


@dataclass(frozen=True)
class Assignment:
    id: str
    root: Path  # the course root
    manifest: schema.Manifest

    def __getattr__(self, name: str):
        # title, step, points, ... and the grading settings (test_timeout_s, gpu_tests, ...) read the manifest
        for part in (self.manifest, self.manifest.grading, self.manifest.release):
            if name in {f.name for f in dataclasses.fields(part)}:
                return getattr(part, name)
        raise AttributeError(name)

    def with_grading(self, **changes) -> "Assignment":
        """A copy with some grading settings changed (tests use short limits)."""
        grading = dataclasses.replace(self.manifest.grading, **changes)
        return dataclasses.replace(self, manifest=dataclasses.replace(self.manifest, grading=grading))

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
    def manifest_dir(self) -> Path:
        return self.root / "assignments" / self.id

    @property
    def tests_dir(self) -> Path:
        return self.manifest_dir / "tests"


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
        try:
            manifest = schema.parse(raw, assignment_id)
        except schema.ManifestError as exc:
            raise CourseError(f"{path}: {exc}") from None
        return Assignment(assignment_id, self.root, manifest)

    def select(self, ids: list[str] | None) -> list[Assignment]:
        return [self.assignment(i) for i in (ids or self.assignment_ids())]
