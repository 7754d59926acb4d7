"""One grading run: prepare the submission, run the hidden suite in a trusted subprocess, collect results."""

from __future__ import annotations

import filecmp
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from autograder.course import Assignment
from autograder.notebook import NotebookError, Program, build_program, load_program, read_notebook
from autograder.sandbox import ENGINE_DIR

RELEASE_EXTRAS = {"README.md", "requirements.txt", ".github", ".gitignore"}


@dataclass
class TestResult:
    __test__ = False  # not a pytest test class

    name: str
    status: str  # passed | failed | error | skipped
    score: float
    max_score: float
    message: str = ""
    gpu: bool = False
    duration_s: float = 0.0


@dataclass
class GradeResult:
    assignment: str
    score: float
    max_score: float
    duration_s: float
    tests: list[TestResult]
    flags: list[str] = field(default_factory=list)
    gpu_points_pending: float = 0.0
    cpu_s: float = 0.0  # CPU time of the suite and worker processes (exact when gradings run one at a time)
    load_problems: list[str] = field(default_factory=list)
    sandbox: dict = field(default_factory=dict)
    output: str = ""

    def to_json(self) -> dict:
        data = asdict(self)
        data["tests"] = [{k: t[k] for k in ("name", "status", "score", "max_score", "message", "duration_s")}
                         for t in data["tests"]]
        return data

    def signature(self) -> list[tuple]:
        """What must be identical across repeated runs."""
        return [(t.name, t.status, t.score) for t in self.tests]


def find_notebook(assignment: Assignment, path: Path) -> tuple[Path | None, str | None]:
    if path.is_dir():
        wanted = path / f"{assignment.id}.ipynb"
        if wanted.is_file():
            return wanted, None
        found = sorted(p for p in path.glob("*.ipynb") if not p.name.startswith("."))
        if len(found) == 1:
            return found[0], None
        return None, f"no notebook named {assignment.id}.ipynb in the submission"
    if path.is_file():
        return path, None
    return None, f"{path} does not exist"


def workflow_tamper(assignment: Assignment, submission_dir: Path) -> list[str]:
    """A Classroom repository whose .github/ differs from the release: the student may have edited the grader."""
    ours, theirs = assignment.release_dir / ".github", submission_dir / ".github"
    if not ours.is_dir():
        return []
    if not theirs.is_dir():
        # Only a repository (a Classroom clone) should have it; nbgrader's submitted/ folders never do.
        return ["the .github/ folder of the release is missing from the repository"] if (submission_dir / ".git").exists() else []
    changed = []
    for path in sorted(p for p in ours.rglob("*") if p.is_file()):
        other = theirs / path.relative_to(ours)
        if not other.is_file() or not filecmp.cmp(path, other, shallow=False):
            changed.append(str(path.relative_to(assignment.release_dir)))
    extra = sorted(str(p.relative_to(submission_dir)) for p in theirs.rglob("*")
                   if p.is_file() and not (ours / p.relative_to(theirs)).exists())
    if changed or extra:
        return ["workflow files differ from the release: " + ", ".join(changed + extra)]
    return []


def copy_release_files(assignment: Assignment, workdir: Path) -> None:
    """The data the notebook reads by relative path: everything in the release but the notebook and repo files."""
    for item in assignment.release_dir.iterdir():
        if item.name in RELEASE_EXTRAS or item.name == assignment.release_notebook.name:
            continue
        target = workdir / item.name
        if item.is_dir():
            shutil.copytree(item, target, symlinks=False)
        else:
            shutil.copy2(item, target)


def hidden_paths(assignment: Assignment) -> list[str]:
    """What the worker must not see: the course (hidden tests, solutions), home folders, shared temp folders."""
    paths = {str(assignment.root), "/root", "/home", tempfile.gettempdir(), "/var/tmp", "/dev/shm"}
    if os.environ.get("HOME"):
        paths.add(os.environ["HOME"])
    return sorted(paths)


def prepare_program(assignment: Assignment, notebook: Path | None, error: str | None) -> Program:
    if notebook is None:
        program = build_program(read_notebook(assignment.release_notebook), {"cells": []})
        program.flags = []
        program.error = error
        return program
    return load_program(assignment.release_notebook, notebook)


def reference_settings(assignment: Assignment, record: Path | None = None, replay: Path | None = None) -> dict:
    """Where the suite's ``ref`` answers come from: the instructor's reference.py (live, optionally recorded to
    ``record``), else the published snapshot; ``replay`` forces replaying that snapshot file."""
    if replay is not None:
        return {"module": None, "snapshot": str(replay), "record": None}
    module = assignment.manifest_dir / "reference.py"
    snapshot = assignment.manifest_dir / "reference.snapshot"
    return {"module": str(module) if module.is_file() else None,
            "snapshot": str(snapshot) if snapshot.is_file() else None, "record": str(record) if record else None}


def grade(assignment: Assignment, submission: Path, gpu: str = "auto", isolate: bool = True,
          direct: bool = False, reference: dict | None = None) -> GradeResult:
    """Grade one submission. ``direct`` (benchmarks only) runs trusted reference code in the test process."""
    started, cpu_started = time.monotonic(), _children_cpu()
    if not assignment.release_notebook.is_file():
        raise NotebookError(f"the release notebook {assignment.release_notebook} is missing: run `autograder release`")
    submission = Path(submission)
    notebook, error = find_notebook(assignment, submission)
    program = prepare_program(assignment, notebook, error)
    flags = list(program.flags)
    if program.error:
        flags.insert(0, f"notebook could not be read: {program.error}")
    if submission.is_dir():
        flags += workflow_tamper(assignment, submission)

    base = Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        workdir = base / "work"
        workdir.mkdir()
        copy_release_files(assignment, workdir)
        (workdir / "program.json").write_text(json.dumps(program.to_json()), encoding="utf-8")
        raw = run_suite(assignment, base, workdir, gpu, isolate, direct, reference or reference_settings(assignment))
    finally:
        shutil.rmtree(base, ignore_errors=True)
    result = summarize(assignment, raw, flags, time.monotonic() - started)
    result.cpu_s = round(_children_cpu() - cpu_started, 3)
    return result


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_suite(assignment: Assignment, base: Path, workdir: Path, gpu: str, isolate: bool, direct: bool,
              reference: dict) -> dict:
    results = base / "results.json"
    settings = {
        "workdir": str(workdir), "results": str(results), "gpu": gpu, "isolate": isolate,
        "test_timeout_s": assignment.test_timeout_s, "load_timeout_s": assignment.load_timeout_s,
        "limits": asdict(assignment.limits), "hide": hidden_paths(assignment),
        "release_dir": str(assignment.release_dir), "manifest": assignment.raw, "direct": direct, "reference": reference,
    }
    (base / "settings.json").write_text(json.dumps(settings))
    (base / "pytest.ini").write_text("[pytest]\ntimeout_method = signal\nconsider_namespace_packages = false\n")
    backstop = assignment.test_timeout_s + assignment.load_timeout_s + 30
    command = [
        sys.executable, "-m", "pytest", str(assignment.tests_dir), "-p", "autograder.plugin",
        "--ag-config", str(base / "settings.json"), "-c", str(base / "pytest.ini"),
        "--rootdir", str(assignment.tests_dir), "-p", "no:cacheprovider", "-q", "--no-header",
        "--assert=plain",  # rewritten asserts would print hidden test source in students' reasons
        "-o", f"timeout={backstop:.0f}", "-W", "ignore::DeprecationWarning",
    ]
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ENGINE_DIR.parent), os.environ.get("PYTHONPATH")])))
    with open(base / "pytest.log", "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True, cwd=str(base))
        try:
            process.wait(timeout=assignment.run_timeout_s)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            timed_out = True
    raw = json.loads(results.read_text()) if results.is_file() else None
    if raw is None:
        tail = (base / "pytest.log").read_text(errors="replace")[-3000:]
        raise RuntimeError(f"the hidden suite of {assignment.id} did not start (a course problem):\n{tail}")
    if raw.get("infrastructure_error"):
        raise RuntimeError(f"no grade for {assignment.id}: the grader could not start its sandbox on this machine "
                           f"(not the submission's fault): {raw['infrastructure_error']}")
    if timed_out:
        for test in raw["tests"]:
            if test["message"].startswith("not run"):
                test["message"] = f"not run: the whole grading run exceeded its {assignment.run_timeout_s:.0f} s limit"
    return raw


def summarize(assignment: Assignment, raw: dict, flags: list[str], duration: float) -> GradeResult:
    tests = [TestResult(t["name"], t["status"], float(t["score"]), float(t["max_score"]), t.get("message", ""),
                        bool(t.get("gpu")), float(t.get("duration_s", 0.0))) for t in raw["tests"]]
    counted = [t for t in tests if t.status != "skipped"]
    pending = sum(t.max_score for t in tests if t.status == "skipped" and t.gpu)
    sandbox = raw.get("sandbox", {})
    if sandbox and str(sandbox.get("network", "")).startswith("on"):
        flags.append("the worker could not be cut off from the network on this machine")
    if raw.get("restarts"):
        flags.append(f"the worker was restarted {raw['restarts']} time(s) after a crash or timeout")
    return GradeResult(
        assignment=assignment.id, score=round(sum(t.score for t in counted), 6),
        max_score=round(sum(t.max_score for t in counted), 6), duration_s=round(duration, 3), tests=tests,
        flags=flags, gpu_points_pending=pending, load_problems=raw.get("load_problems", []),
        sandbox=sandbox, output=raw.get("output", ""),
    )
