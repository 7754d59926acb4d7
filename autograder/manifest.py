"""The manifest schema (``assignments/<ID>/assignment.toml``): every setting, its type and its default, in one place.

Parsing is strict: an unknown key or a value of the wrong type is a course error that names the key, so
that a typo (``memroy_mb``) never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, fields


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Grading:
    budget_probes: float = 20.0  # grading the reference may take at most this many calibration probes (validate)
    test_timeout_s: float = 60.0  # per test (pytest-timeout); keep at least 3x the reference's slowest test
    run_timeout_s: float = 300.0  # the whole run
    load_timeout_s: float = 120.0  # loading the notebook in the worker
    memory_mb: int = 4096  # the worker's address space, and its control group's memory with disk_mb
    disk_mb: int = 1024  # the worker's working folder (a tmpfs)
    trusted_memory_mb: int = 16384  # the trusted pytest process's address space
    gpu_tests: tuple[str, ...] = ()  # the names of the tests marked gpu (checked against the markers)
    models: tuple[str, ...] = ()  # built models the worker reads from the model cache (see autograder/models.py)


@dataclass(frozen=True)
class Release:
    requirements: tuple[str, ...] = ()  # the release's requirements.txt, and what grading installs
    modules: tuple[str, ...] = ()  # shared student-side modules (autograder/release_modules/) copied into the release
    tutor_prompts: tuple[str, ...] = ()  # the chapter's "Using an LLM as your tutor" prompts (notebook section)


@dataclass(frozen=True)
class Task:
    concept: str = ""  # what the task's tests check, in one line (a test's docstring comes first)
    off_limits: tuple[str, ...] = ()  # library calls this task asks students to write themselves


@dataclass(frozen=True)
class Manifest:
    id: str
    title: str
    step: int
    topic: str = ""
    points: float = 0.0  # must equal the sum of the suite's points markers (checked at every grading)
    grading: Grading = field(default_factory=Grading)
    release: Release = field(default_factory=Release)
    tasks: dict = field(default_factory=dict)  # [tasks.<grade_id>] tables: grade_id -> Task


def _coerce(value, annotation: str, where: str):
    kinds = {"str": str, "int": int, "float": (int, float)}
    if annotation.startswith("tuple"):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ManifestError(f"{where} must be a list of strings")
        return tuple(value)
    if isinstance(value, bool) or not isinstance(value, kinds[annotation]):
        raise ManifestError(f"{where} must be {({'str': 'a string', 'int': 'an integer', 'float': 'a number'})[annotation]}")
    return float(value) if annotation == "float" else value


def _build(cls, raw: dict, where: str):
    if not isinstance(raw, dict):
        raise ManifestError(f"{where or 'the manifest'} must be a table")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(raw) - set(known))
    if unknown:
        raise ManifestError(f"unknown key(s) in {where or 'the manifest'}: {', '.join(unknown)} "
                            f"(known: {', '.join(known)})")
    values = {}
    for name, f in known.items():
        key = f"{where}.{name}" if where else name
        if name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ManifestError(f"{key} is required")
            continue
        if f.type in ("Grading", "Release"):
            values[name] = _build(Grading if f.type == "Grading" else Release, raw[name], name)
        elif f.type == "dict":
            if not isinstance(raw[name], dict):
                raise ManifestError(f"{key} must be a table of [tasks.<grade_id>] tables")
            values[name] = {grade_id: _build(Task, table, f"tasks.{grade_id}") for grade_id, table in raw[name].items()}
        else:
            values[name] = _coerce(raw[name], f.type, key)
    return cls(**values)


def parse(raw: dict, assignment_id: str) -> Manifest:
    manifest = _build(Manifest, raw, "")
    if manifest.id != assignment_id:
        raise ManifestError(f"id = {manifest.id!r} does not match its folder {assignment_id!r}")
    return manifest


def to_dict(manifest: Manifest) -> dict:
    """The plain form hidden suites see through the ``assignment`` fixture."""
    data = dataclasses.asdict(manifest)
    data["grading"]["gpu_tests"] = list(manifest.grading.gpu_tests)
    data["grading"]["models"] = list(manifest.grading.models)
    data["release"]["modules"] = list(manifest.release.modules)
    data["tasks"] = {grade_id: {"concept": t.concept, "off_limits": list(t.off_limits)}
                     for grade_id, t in manifest.tasks.items()}
    data["release"]["tutor_prompts"] = list(manifest.release.tutor_prompts)
    data["release"]["requirements"] = list(manifest.release.requirements)
    return data
