"""The pytest plugin that runs a hidden suite against a submission and records per-test results.

It runs inside the trusted grading process (``python -m pytest -p autograder.plugin``); student code
only ever runs in the worker behind the ``submission`` fixture. Results are written after every test,
so a run killed by its whole-run limit still reports what it finished.
"""

from __future__ import annotations

import json
import os
import sys
import time
import zlib
from pathlib import Path

import pytest

from autograder import snapshots
from autograder.client import Client, LoadFailed, Submission, SubmissionError
from autograder.faults import GraderFault
from autograder.sandbox import Limits, SandboxUnavailable

GPU_SKIP_REASON = "needs a GPU"


def pytest_addoption(parser):
    parser.addoption("--ag-config", default=None, help="autograder: grading configuration (JSON)")


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): points a hidden test is worth")
    config.addinivalue_line("markers", "gpu: the test needs a CUDA GPU")
    config.addinivalue_line("markers", "task(grade_id): the answer cell a test grades (default: the first it calls)")
    config.addinivalue_line("markers", "visibility(v): Gradescope visibility of a test (visible, hidden, after_due_date, after_published)")
    path = config.getoption("--ag-config")
    config._ag = Recorder(json.loads(Path(path).read_text())) if path else None
    if config._ag:
        config.pluginmanager.register(config._ag, "autograder-recorder")
        try:
            config._ag.get_client().begin()  # the worker's imports overlap with collection
        except SandboxUnavailable as exc:
            config._ag.fault(str(exc))


def points_of(item) -> float | None:
    marker = item.get_closest_marker("points")
    if marker is None or not marker.args or not isinstance(marker.args[0], (int, float)):
        return None
    return float(marker.args[0])


def concept_of(item) -> str:
    """The first line of the test's docstring: the concept it checks, in a student's words."""
    doc = getattr(getattr(item, "function", None), "__doc__", None) or ""
    return one_line(doc.strip().split("\n\n")[0], 300) if doc.strip() else ""


def exception_name(excinfo) -> str:
    if excinfo is None:
        return ""
    exc = excinfo.value
    if getattr(exc, "type_name", ""):
        return exc.type_name  # the student's own exception, e.g. ValueError
    if "Timeout" in str(exc) and "pytest-timeout" in str(exc):
        return "Timeout"
    return type(exc).__name__


def cuda_available() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


def one_line(text: str, limit: int = 2000) -> str:  # long enough that no authored hint is cut
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


NUMPY_DETAIL = ("Not equal to tolerance", "Mismatched elements", "Max absolute difference", "Max relative difference",
                "Arrays are not equal", "Arrays are not almost equal", "(shapes", "x and y nan location mismatch")


def assertion_reason(text: str) -> str:
    """The author's message first, then numpy's summary; never the compared values (they are the answers)."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    kept = []
    for line in lines:
        if line.startswith(("x:", "y:", "ACTUAL:", "DESIRED:")):
            break  # numpy prints both arrays from here on
        kept.append(line)
    authored = [ln for ln in kept if not ln.startswith(NUMPY_DETAIL)]
    detail = [ln for ln in kept if ln.startswith(NUMPY_DETAIL[1:4])]
    return one_line("; ".join(authored + detail) or "assertion failed")


class Recorder:
    def __init__(self, settings: dict):
        self.settings = settings
        self.results: dict[str, dict] = {}
        self.order: list[str] = []
        self.client: Client | None = None
        self.gpu = False
        self.emulate = False
        self.started = time.monotonic()
        self.infrastructure_error: str | None = None  # the grader's own failure: no score may be given
        self._reference: snapshots.Reference | None = None
        self._record: snapshots.Snapshot | None = None
        self.current_test = ""

    # -- collection: points, GPU rule
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, config, items):
        has_gpu_tests = any(item.get_closest_marker("gpu") for item in items)
        mode = self.settings.get("gpu", "auto")
        # emulate: the GPU tests run with the device set to the CPU, to check their logic; never scored
        self.emulate = has_gpu_tests and mode == "emulate"
        cuda = has_gpu_tests and mode in ("on", "auto") and cuda_available()
        self.gpu = cuda or (has_gpu_tests and mode == "on")
        if self.gpu and not cuda:
            self.fault("grading was asked to run the GPU tests (--gpu on), but CUDA is not available on this machine")
        for item in items:
            name = self.name(item)
            points = points_of(item)
            is_gpu = item.get_closest_marker("gpu") is not None
            self.order.append(name)
            marker = item.get_closest_marker("timeout")
            limit = float(marker.args[0]) if marker and marker.args else float(self.settings.get("test_timeout_s", 60))
            self.results[name] = {
                "name": name, "status": "error", "score": 0.0, "max_score": points or 0.0,
                "message": "not run: the grading run stopped before this test", "gpu": is_gpu, "timeout_s": limit,
                "emulated": is_gpu and self.emulate, "concept": concept_of(item),
                "task": self.declared_task(item),
            }
            if points is None:
                self.fault(f"hidden test {name} has no points marker")
            if is_gpu and not (self.gpu or self.emulate):
                item.add_marker(pytest.mark.skip(reason=GPU_SKIP_REASON))
        self.check_manifest(items)
        self.flush()
        if self.infrastructure_error:
            pytest.exit("the grader cannot grade this run", returncode=3)

    @staticmethod
    def declared_task(item) -> str:
        marker = item.get_closest_marker("task")
        return str(marker.args[0]) if marker and marker.args else ""

    def note_task(self, entry: dict) -> None:
        """The task a test grades: its task marker, else the first answer cell whose names it called."""
        if self.client is not None:
            if not entry.get("task") and self.client.touched:
                entry["task"] = self.client.touched[0]
            self.client.touched = []  # after the test: a session fixture's calls count for the test that set it up
            self.client.collect_off_limits_calls()
        tasks = (self.settings.get("manifest") or {}).get("tasks", {})
        if not entry.get("concept") and entry.get("task") in tasks:
            entry["concept"] = one_line(tasks[entry["task"]].get("concept", ""), 300)

    def check_manifest(self, items) -> None:
        """The suite must be the one the manifest describes: its GPU tests and its points."""
        manifest = (self.settings.get("manifest") or {})
        declared = sorted(manifest.get("grading", {}).get("gpu_tests", []))
        marked = sorted({item.originalname for item in items if item.get_closest_marker("gpu")})
        if declared != marked:
            self.fault(f"the manifest's gpu_tests {declared} are not the suite's gpu-marked tests {marked}")
        for item in items:
            definitions = getattr(item, "_fixtureinfo", None) and item._fixtureinfo.name2fixturedefs.get("ref")
            if definitions and definitions[-1].func is not ref.__wrapped__:
                self.fault(f"{definitions[-1].baseid or 'a conftest'} defines its own `ref` fixture, which hides the "
                           "engine's reference answers (rename it)")
                break
        total = sum(points_of(item) or 0 for item in items)
        if manifest.get("points") is not None and abs(float(manifest["points"]) - total) > 1e-9:
            self.fault(f"the manifest says {float(manifest['points']):g} points, the suite's markers add up to {total:g}")

    def fault(self, message: str) -> None:
        """A fault of the grader or the course: the run gives no score (see grading.GradingFailed)."""
        if not self.infrastructure_error:
            self.infrastructure_error = message

    def pytest_collectreport(self, report):
        if report.failed:  # the error itself may quote hidden source: it stays in the log (--keep-logs)
            sys.stderr.write(f"collection error in {report.nodeid or 'conftest'}:\n{report.longrepr}\n")
            self.fault(f"the hidden suite could not be collected ({report.nodeid or 'conftest'}; "
                       "see its log with --keep-logs DIR)")

    def name(self, item) -> str:
        return item.nodeid.split("/")[-1]

    # -- reference answers (see autograder.snapshots)
    def reference(self) -> snapshots.Reference:
        if self._reference is None:
            spec = self.settings.get("reference") or {}
            module = snapshots.load_module(Path(spec["module"])) if spec.get("module") else None
            replay = snapshots.Snapshot.load(Path(spec["snapshot"])) if spec.get("snapshot") and module is None else None
            self._record = snapshots.Snapshot() if spec.get("record") and module is not None else None
            self._reference = snapshots.Reference(module, replay, self._record)
        return self._reference

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_setup(self, item):
        if self._reference is not None:
            self._reference.start_test(self.name(item))
        self.current_test = self.name(item)

    # -- fixtures' shared client
    def get_client(self) -> Client:
        if self.client is None:
            s = self.settings
            self.client = Client(Path(s["workdir"]), Limits(**s.get("limits", {})), s["sandbox"], Path(s["course_root"]),
                                 load_timeout_s=s.get("load_timeout_s", 120), devices=s.get("devices", []))
        return self.client

    # -- outcomes
    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item, call):
        outcome = yield
        report = outcome.get_result()
        name = self.name(item)
        entry = self.results.get(name)
        if entry is None:
            return
        if call.when == "call":
            entry["duration_s"] = round(report.duration, 3)
        if report.skipped and call.when in ("setup", "call"):
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else "skipped"
            reason = reason.removeprefix("Skipped: ")
            entry.update(status="skipped", score=0.0, message=one_line(reason))
            if not (entry["gpu"] and reason == GPU_SKIP_REASON):
                self.fault(f"hidden test {name} was skipped ({one_line(reason, 200)}): only the GPU rule may skip a test")
        elif report.failed:
            if entry["status"] in ("failed", "error") and entry.get("_final"):
                return  # keep the first failure (call), not the teardown's
            entry.update(self.classify(call.excinfo), score=0.0, _final=True, exception=exception_name(call.excinfo))
            if call.excinfo is not None and isinstance(call.excinfo.value, (SandboxUnavailable, GraderFault)):
                self.fault(str(call.excinfo.value))
                item.session.shouldstop = "the grader cannot grade this run"
        elif call.when == "call" and report.passed:
            points = points_of(item)
            if points is None:
                entry.update(status="error", score=0.0, _final=True)
            else:
                entry.update(status="passed", score=points, message="", _final=True)
        if call.when == "teardown":
            self.note_task(entry)
            self.flush()

    def classify(self, excinfo) -> dict:
        if excinfo is None:
            return {"status": "error", "message": "unknown failure"}
        exc = excinfo.value
        if isinstance(exc, SubmissionError):
            return {"status": "error", "message": one_line(str(exc))}
        text = str(exc)
        if "Timeout" in text and "pytest-timeout" in text:
            return {"status": "error", "message": "timed out: the test exceeded its time limit"}
        if isinstance(exc, AssertionError):
            return {"status": "failed", "message": assertion_reason(text)}
        return {"status": "failed", "message": one_line(f"{type(exc).__name__}: {text}")}

    def flush(self) -> None:
        client = self.client
        tests = [{k: v for k, v in self.results[n].items() if not k.startswith("_")} for n in self.order]
        data = {
            "tests": tests,
            "gpu": self.gpu,
            "load_problems": client.load_problems() if client else [],
            "sandbox": client.sandbox if client else {},
            "restarts": client.restarts if client else 0,
            "off_limits_calls": sorted(client.off_limits_calls) if client else [],
            "output": client.output()[-20000:] if client else "",
            "infrastructure_error": self.infrastructure_error,
        }
        path = Path(self.settings["results"])
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, indent=1))
        os.replace(tmp, path)

    def pytest_sessionfinish(self, session, exitstatus):
        if self.client is not None:
            self.client.close()
        if exitstatus in (2, 3, 4, 5):
            self.fault(f"pytest ended the hidden suite with exit status {int(exitstatus)} "
                       "(interrupted, internal error, usage error or no tests)")
        spec = self.settings.get("reference") or {}
        if self._record is not None and spec.get("record") and not self.infrastructure_error:
            self._record.save(Path(spec["record"]))
        self.flush()


# ---------------------------------------------------------------- fixtures

def _recorder(request) -> Recorder:
    recorder = request.config._ag
    if recorder is None:
        pytest.skip("hidden tests run through `autograder grade`")
    return recorder


@pytest.fixture(scope="session")
def submission(request):
    """The student's module, living in the sandboxed worker."""
    recorder = _recorder(request)
    client = recorder.get_client()
    try:
        client.ensure_started()
    except LoadFailed:
        pass  # every test that uses it reports the reason
    return Submission(client)


@pytest.fixture(autouse=True)
def _submission_guard(request):
    """Per-test deadline and seeds, for tests that use the submission."""
    if "submission" not in request.fixturenames or request.config._ag is None:
        yield
        return
    recorder = request.config._ag
    client = recorder.get_client()
    marker = request.node.get_closest_marker("timeout")
    limit = float(marker.args[0]) if marker and marker.args else float(recorder.settings.get("test_timeout_s", 60))
    client.timeout_s = limit
    client.deadline = None
    client.request({"op": "seed", "seed": 0}, label="seeding the worker")
    client.deadline = time.monotonic() + limit
    yield
    client.deadline = None


@pytest.fixture
def device(request) -> str:
    """Where a test puts the tensors it hands to student code: "cuda" for a GPU-marked test graded on a GPU,
    "cpu" otherwise (``--gpu emulate`` included). Values cross back to the CPU as always."""
    recorder = _recorder(request)
    return "cuda" if recorder.gpu and request.node.get_closest_marker("gpu") else "cpu"


@pytest.fixture
def rng(request):
    """A numpy Generator seeded from the test's name: stable across runs, different across tests."""
    import numpy as np

    return np.random.default_rng(zlib.crc32(request.node.name.encode()))


@pytest.fixture(scope="session")
def release_dir(request) -> Path:
    return Path(_recorder(request).settings["release_dir"])


@pytest.fixture(scope="session")
def assignment(request) -> dict:
    return _recorder(request).settings.get("manifest", {})


@pytest.fixture(scope="session")
def ref(request) -> snapshots.Reference:
    """The suite's reference answers: ``ref.NAME(*args)`` runs ``assignments/<ID>/reference.py``'s NAME in the
    course repository and replays its recorded answer in the published grader (see autograder.snapshots)."""
    recorder = _recorder(request)
    reference = recorder.reference()
    reference.start_test(recorder.current_test)
    return reference


@pytest.fixture(scope="session")
def shared() -> dict:
    """A per-grading cache for expensive results several tests check (one training run, many gates).
    Store plain data (or the exception to re-raise), not Remote handles: a worker restart invalidates those."""
    return {}
