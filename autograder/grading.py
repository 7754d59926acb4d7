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

from autograder import manifest as schema
from autograder import from_scratch, tutor
from autograder.course import Assignment
from autograder.faults import GraderFault
from autograder.notebook import NotebookError, Program, build_program, load_program, read_notebook
from autograder.sandbox import DEFAULT_MODE, ENGINE_DIR, Limits, SandboxUnavailable, gpu_devices
from autograder.sandbox import check as check_sandbox

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
    timeout_s: float = 0.0
    emulated: bool = False  # a GPU test run on the CPU by `validate --gpu emulate`: reported apart, never scored
    task: str = ""  # the answer cell (grade_id) the test grades
    concept: str = ""  # what the test checks, in one line (its docstring)
    exception: str = ""  # the exception type of a failure (AssertionError, the student's ValueError, Timeout)
    tutor_prompt: str = ""  # for a failed test: a prompt a student can paste into an LLM tutor (autograder.tutor)


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
        data["tests"] = [{k: t[k] for k in ("name", "task", "concept", "status", "score", "max_score", "message",
                                             "exception", "duration_s")}
                         | ({"emulated": True} if t["emulated"] else {})
                         | ({"tutor_prompt": t["tutor_prompt"]} if t["tutor_prompt"] else {}) for t in data["tests"]]
        data["tasks"] = self.tasks()
        return data

    def tasks(self) -> list[dict]:
        """Points per task (answer cell), in the order the tests first reach them; GPU-skipped tests apart."""
        totals: dict[str, dict] = {}
        for t in self.tests:
            if t.emulated or (t.status == "skipped" and t.gpu):
                continue
            entry = totals.setdefault(t.task, {"task": t.task, "score": 0.0, "max_score": 0.0, "tests": 0, "passed": 0})
            entry["score"] += t.score
            entry["max_score"] += t.max_score
            entry["tests"] += 1
            entry["passed"] += t.status == "passed"
        return [dict(e, score=round(e["score"], 6), max_score=round(e["max_score"], 6)) for e in totals.values()]

    def signature(self) -> list[tuple]:
        """What must be identical across repeated runs."""
        return [(t.name, t.status, t.score) for t in self.tests]


class GradingFailed(GraderFault):
    """No grade could be given: the grader or the course failed, not the submission."""


def symlink_problem(path: Path) -> str | None:
    """A submission is data: the trusted side never follows a link in it, and refuses links that leave it."""
    if path.is_symlink():
        return "the submission is a symbolic link; submit the notebook itself"
    if not path.is_dir():
        return None
    root = path.resolve()
    for folder, dirs, files in os.walk(path):
        for name in dirs + files:
            entry = Path(folder) / name
            if entry.is_symlink():
                target = Path(os.path.realpath(entry))
                if target != root and root not in target.parents:
                    return (f"the submission contains a symbolic link ({entry.relative_to(path)}) that points outside "
                            "it; links are not graded: commit the files themselves")
    return None


def find_notebook(assignment: Assignment, path: Path) -> tuple[Path | None, str | None]:
    problem = symlink_problem(path)
    if problem:
        return None, problem
    if path.is_dir():
        wanted = path / f"{assignment.id}.ipynb"
        candidates = [wanted] if wanted.exists() or wanted.is_symlink() else sorted(
            p for p in path.glob("*.ipynb") if not p.name.startswith("."))
        if len(candidates) == 1:
            path = candidates[0]
        else:
            return None, f"no notebook named {assignment.id}.ipynb in the submission"
    if path.is_symlink():
        return None, f"{path.name} is a symbolic link; submit the notebook itself"
    if path.is_file():
        return path, None
    return None, f"{path.name} is not a regular file" if path.exists() else f"{path} does not exist"


def workflow_tamper(assignment: Assignment, submission_dir: Path) -> list[str]:
    """A Classroom repository whose .github/ differs from the release: the student may have edited the grader."""
    ours, theirs = assignment.release_dir / ".github", submission_dir / ".github"
    if not ours.is_dir():
        return []
    if theirs.is_symlink() or not theirs.is_dir():
        # Only a repository (a Classroom clone) should have it; nbgrader's submitted/ folders never do.
        return ["the .github/ folder of the release is missing from the repository"] if (submission_dir / ".git").exists() else []
    changed = []
    for path in sorted(p for p in ours.rglob("*") if p.is_file()):
        other = theirs / path.relative_to(ours)
        if other.is_symlink() or not other.is_file() or not filecmp.cmp(path, other, shallow=False):
            changed.append(str(path.relative_to(assignment.release_dir)))
    extra = sorted(str(p.relative_to(submission_dir)) for p in theirs.rglob("*")
                   if (p.is_file() or p.is_symlink()) and not (ours / p.relative_to(theirs)).exists())
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


def grade(assignment: Assignment, submission: Path, gpu: str = "auto", sandbox: str = DEFAULT_MODE,
          reference: dict | None = None, keep_logs: Path | None = None, label: str = "") -> GradeResult:
    """Grade one submission. Raises GradingFailed (no score) when the grader or the course is at fault."""
    started, cpu_started = time.monotonic(), _children_cpu()
    try:
        check_sandbox(sandbox)
    except SandboxUnavailable as exc:
        raise GradingFailed(f"no grade for {assignment.id}: the grader could not set up its sandbox on this machine "
                            f"(not the submission's fault): {exc}") from None
    if not assignment.release_notebook.is_file():
        raise NotebookError(f"the release notebook {assignment.release_notebook} is missing: run `autograder release`")
    submission = Path(submission)
    notebook, error = find_notebook(assignment, submission)
    program = prepare_program(assignment, notebook, error)
    flags = list(program.flags)
    if program.error:
        flags.insert(0, f"notebook could not be read: {program.error}")
    if submission.is_dir() and not submission.is_symlink() and not error:
        flags += workflow_tamper(assignment, submission)
    if sandbox != DEFAULT_MODE:
        flags.append(f"graded in the weaker `{sandbox}` sandbox, asked for explicitly (not for grades that count)")

    base = Path(tempfile.mkdtemp(prefix="autograder-"))
    try:
        os.chmod(base, 0o755)
        workdir = base / "work"
        workdir.mkdir()
        copy_release_files(assignment, workdir)
        (workdir / "program.json").write_text(json.dumps(program.to_json() | {"off_limits": off_limits(assignment)}),
                                              encoding="utf-8")
        try:
            raw = run_suite(assignment, base, workdir, gpu, sandbox, reference or reference_settings(assignment))
        finally:
            if keep_logs is not None and (base / "pytest.log").is_file():
                keep_log(base / "pytest.log", Path(keep_logs), assignment.id, label or submission.stem)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    result = summarize(assignment, raw, flags, time.monotonic() - started)
    from_scratch.apply(assignment, program, result, raw.get("off_limits_calls", []))
    tutor.attach_prompts(assignment, program, result)
    result.cpu_s = round(_children_cpu() - cpu_started, 3)
    result.sandbox = result.sandbox or {"mode": sandbox, "note": "no worker was started: nothing of the submission ran"}
    return result


def off_limits(assignment: Assignment) -> dict[str, list[str]]:
    """Each task's off-limits library calls, for the worker to record (``off_limits_calls``)."""
    tasks = getattr(assignment.manifest, "tasks", {}) or {}
    return {grade_id: list(task.off_limits) for grade_id, task in tasks.items() if task.off_limits}


def keep_log(log: Path, folder: Path, assignment_id: str, label: str) -> Path:
    """The hidden suite's own log, for instructors only (it may quote hidden tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    safe_label = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)[:80] or "submission"
    target = folder / f"{assignment_id}-{safe_label}-{time.strftime('%Y%m%dT%H%M%S')}.log"
    shutil.copyfile(log, target)
    return target


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _trusted_limits(memory_mb: int, gpu_worker: bool):
    """The trusted process's own memory cap: whatever the worker sends, it cannot exhaust the grader's machine.
    Skipped when grading uses the GPU: CUDA reserves more address space than any sane cap, and the worker
    (whose cgroup holds its memory) would inherit the cap."""
    def apply() -> None:
        if gpu_worker:
            return
        limit = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


def run_suite(assignment: Assignment, base: Path, workdir: Path, gpu: str, sandbox: str, reference: dict) -> dict:
    results = base / "results.json"
    # The worker starts before pytest collects the suite, so whether it gets the GPU is decided here.
    devices = gpu_devices() if assignment.gpu_tests and gpu in ("on", "auto") else []
    gpu_worker = bool(assignment.gpu_tests) and (gpu == "on" or bool(devices))
    limits = worker_limits(assignment, gpu_worker)
    settings = {
        "workdir": str(workdir), "results": str(results), "gpu": gpu, "sandbox": sandbox,
        "course_root": str(assignment.root), "test_timeout_s": assignment.test_timeout_s,
        "load_timeout_s": assignment.load_timeout_s, "limits": asdict(limits),
        "devices": devices,
        "release_dir": str(assignment.release_dir), "manifest": schema.to_dict(assignment.manifest),
        "reference": reference,
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
    threads = str(limits.threads)  # the trusted side computes on as many threads as the worker
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", PYTHONHASHSEED="0", OMP_NUM_THREADS=threads,
               MKL_NUM_THREADS=threads, OPENBLAS_NUM_THREADS=threads,
               PYTHONPATH=os.pathsep.join(filter(None, [str(ENGINE_DIR.parent), os.environ.get("PYTHONPATH")])))
    with open(base / "pytest.log", "wb") as log:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                   env=env, start_new_session=True, cwd=str(base),
                                   preexec_fn=_trusted_limits(assignment.trusted_memory_mb, gpu_worker))
        try:
            process.wait(timeout=assignment.run_timeout_s)
            timed_out = False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            timed_out = True
    try:
        raw = json.loads(results.read_text()) if results.is_file() else None
    except ValueError:
        raw = None
    why = "see its log with --keep-logs DIR"
    if raw is None:
        raise GradingFailed(f"no grade for {assignment.id}: the hidden suite did not start "
                            f"(not the submission's fault; a course problem: {why})")
    if raw.get("infrastructure_error"):
        raise GradingFailed(f"no grade for {assignment.id}: {raw['infrastructure_error']} "
                            f"(not the submission's fault; a grader or course problem)")
    if not timed_out and process.returncode not in (0, 1):
        raise GradingFailed(f"no grade for {assignment.id}: the hidden suite ended with exit status "
                            f"{process.returncode} (not the submission's fault; {why})")
    if timed_out:
        for test in raw["tests"]:
            if test["message"].startswith("not run"):
                test["message"] = f"not run: the whole grading run exceeded its {assignment.run_timeout_s:.0f} s limit"
    return raw


def worker_limits(assignment: Assignment, gpu: bool = False) -> Limits:
    from autograder import models

    return Limits(memory_mb=assignment.memory_mb, disk_mb=assignment.disk_mb, gpu=gpu,
                  models_dir=models.ensure(assignment.models))


def summarize(assignment: Assignment, raw: dict, flags: list[str], duration: float) -> GradeResult:
    tests = [TestResult(t["name"], t["status"], float(t["score"]), float(t["max_score"]), t.get("message", ""),
                        bool(t.get("gpu")), float(t.get("duration_s", 0.0)), float(t.get("timeout_s", 0.0)),
                        bool(t.get("emulated")), str(t.get("task", "")), str(t.get("concept", "")),
                        str(t.get("exception", "")))
             for t in raw["tests"]]
    counted = [t for t in tests if t.status != "skipped" and not t.emulated]
    pending = sum(t.max_score for t in tests if t.status == "skipped" and t.gpu)
    sandbox = raw.get("sandbox", {})
    if raw.get("restarts"):
        flags.append(f"the worker was restarted {raw['restarts']} time(s) after a crash or timeout")
    return GradeResult(
        assignment=assignment.id, score=round(sum(t.score for t in counted), 6),
        max_score=round(sum(t.max_score for t in counted), 6), duration_s=round(duration, 3), tests=tests,
        flags=flags, gpu_points_pending=pending, load_problems=raw.get("load_problems", []),
        sandbox=sandbox, output=raw.get("output", ""),
    )
