"""The trusted side's view of the submission: a proxy whose calls run in the worker.

Hidden tests receive ``Submission`` as the ``submission`` fixture. Attribute access, calls, indexing,
``len`` and iteration are requests to the worker; answers are decoded with ``codec`` (plain data) or
become ``Remote`` handles. Every failure becomes a ``SubmissionError`` with a one-line reason.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from autograder import codec
from autograder.faults import GraderFault
from autograder.sandbox import Limits
from autograder.worker_process import WorkerGone, WorkerProcess, WorkerTimeout


class SubmissionError(Exception):
    """Student code failed in a way a student can act on; ``str()`` is the reason shown in the report."""


class StudentError(SubmissionError):
    """Student code raised an exception; ``type_name`` is its class name (e.g. ``"ValueError"``) and ``mro`` the
    qualified names of its classes (``"builtins.ValueError"``, ...), so a look-alike class is told apart."""

    type_name = ""
    mro: tuple[str, ...] = ()


class NotImplementedYet(StudentError):
    """The function is still the release's stub."""


class MissingAnswer(SubmissionError, AttributeError):
    """The notebook does not define a name the test needs (an AttributeError, so ``hasattr`` is False)."""


class RemoteAttributeError(StudentError, AttributeError):
    """Attribute access on a worker object raised AttributeError (so ``hasattr`` on a Remote is False)."""


class StudentTimeout(SubmissionError):
    """Student code did not finish within the test's time limit."""


class WorkerCrashed(SubmissionError):
    """The worker process died or broke the protocol (exit, memory limit, crash)."""


class LoadFailed(SubmissionError):
    """The notebook could not be loaded at all, so no test can call it."""


class Client:
    """Owns the worker: starts it, loads the submission, restarts it after a crash or timeout."""

    def __init__(self, workdir: Path, limits: Limits, mode: str, course_root: Path, load_timeout_s: float = 120,
                 devices: list[str] | None = None):
        self.workdir, self.limits, self.mode, self.course_root = workdir, limits, mode, course_root
        self.devices = devices or []
        self.generation = 0  # which worker a Remote belongs to: a restart makes older handles stale
        self.program_path = workdir / "program.json"
        program = json.loads(self.program_path.read_text(encoding="utf-8"))
        self.defines: dict[str, str] = program.get("defines", {})
        self.missing: list[str] = program.get("missing", [])
        self.notebook_error: str | None = program.get("error")
        self.watches_off_limits = bool(program.get("off_limits"))
        self.off_limits_calls: set[tuple[str, str]] = set()  # (task, entry), kept across worker restarts
        self.load_timeout_s = load_timeout_s
        self.worker: WorkerProcess | None = None
        self.load_report: list[dict] = []
        self.touched: list[str] = []  # answer cells whose names the current test looked up, first first
        self.load_failure: str | None = None
        self.deadline: float | None = None
        self.timeout_s: float | None = None
        self.sandbox: dict = {}
        self.restarts = 0
        self.started = False
        self.loading = False
        self.load_deadline: float | None = None
        self.outputs: list[str] = []

    # -- lifecycle
    def begin(self) -> None:
        """Start the worker and ask it to load the notebook without waiting, so that its imports overlap with
        pytest's collection (the plugin calls this first thing); ``ensure_started`` collects the answer."""
        if self.notebook_error or self.load_failure or self.loading:
            return
        if self.worker is not None:
            self._discard()
        if self.started:
            self.restarts += 1
        self.started = True
        self.generation += 1
        self.worker = WorkerProcess(self.workdir, self.limits, self.mode, self.course_root, self.devices)
        self.sandbox = self.worker.description
        self.loading = True
        self.load_deadline = time.monotonic() + self.load_timeout_s
        try:
            self.worker.send({"op": "load"}, [])
        except WorkerGone:
            pass  # reported when the answer is collected

    def ensure_started(self) -> None:
        if self.notebook_error and not self.load_failure:
            self.load_failure = f"your notebook could not be read: {self.notebook_error}"
        if self.load_failure:
            raise LoadFailed(self.load_failure)
        if self.worker is not None and self.worker.alive() and not self.loading:
            return
        if not self.loading:
            self.begin()
        self.loading = False
        try:
            header, blobs = self.worker.receive(self.load_deadline)
            report = codec.Decoder(blobs).decode(header.get("value")) if header.get("ok") else {}
        except WorkerTimeout:
            self.load_failure = (f"loading your notebook did not finish within {self.load_timeout_s:.0f} s: is there "
                                 "an infinite loop or long training at the top level of an answer cell?")
        except WorkerGone as exc:
            self.load_failure = f"loading your notebook stopped the grader's worker: {exc}"
        except codec.ProtocolError:
            self.load_failure = "loading your notebook broke the grader's worker protocol"
        else:
            cells = report.get("cells") if isinstance(report, dict) else None
            self.load_report = [c for c in cells if isinstance(c, dict)] if isinstance(cells, list) else []
            return
        self._discard()
        raise LoadFailed(self.load_failure)

    def _discard(self) -> None:
        self.loading = False
        if self.worker is not None:
            self.worker.kill()
            self.outputs.append(self.worker.output.text())
            self.worker = None

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
        self._discard()

    def output(self) -> str:
        current = [self.worker.output.text()] if self.worker is not None else []
        return "\n".join(t for t in self.outputs + current if t)

    # -- requests
    def request(self, header: dict, blobs: list[bytes] | None = None, label: str = "your code"):
        self.ensure_started()
        worker = self.worker
        try:
            worker.send(header, blobs or [])
            reply, reply_blobs = worker.receive(self.deadline)
            if not isinstance(reply, dict):
                raise codec.ProtocolError("reply is not an object")
            if reply.get("ok"):
                return codec.Decoder(reply_blobs, make_remote=lambda node: Remote(self, node, label)).decode(
                    reply.get("value"))
            error = reply.get("error")
        except WorkerTimeout:
            self._discard()
            limit = f" ({self.timeout_s:.0f} s)" if self.timeout_s else ""
            raise StudentTimeout(f"`{label}` did not finish within the test's time limit{limit}") from None
        except WorkerGone as exc:
            self._discard()
            raise WorkerCrashed(f"`{label}`: {exc}") from None
        except (codec.ProtocolError, KeyError, TypeError, ValueError, RecursionError, MemoryError) as exc:
            self._discard()
            raise WorkerCrashed(f"`{label}` sent back something that is not a valid answer ({exc})") from None
        except BaseException:
            # Interrupted mid-call (pytest-timeout, Ctrl-C): the worker is busy with who knows what.
            if self.worker is worker:
                self._discard()
            raise
        # The student's exception: the worker answered normally and stays up for the next test.
        raise self._error(error if isinstance(error, dict) else {}, label)

    def _error(self, info: dict, label: str) -> SubmissionError:
        kind, type_name = info.get("kind"), str(info.get("type", "Exception"))
        message, where = str(info.get("message", "")), str(info.get("where", ""))
        if kind == "missing":
            return MissingAnswer(self.missing_reason(message))
        if kind == "not_implemented":
            error = NotImplementedYet(f"`{label}` is not implemented yet (it raises NotImplementedError){where}")
            error.type_name, error.mro = "NotImplementedError", ("builtins.NotImplementedError",)
            return error
        detail = f": {message}" if message else ""
        mro = tuple(str(m) for m in info.get("mro", []) if isinstance(m, str)) if isinstance(info.get("mro"), list) else ()
        kind_of = RemoteAttributeError if "builtins.AttributeError" in mro else StudentError
        error = kind_of(f"`{label}` raised {type_name}{detail}{where}")
        error.type_name, error.mro = type_name, mro
        return error

    def collect_off_limits_calls(self) -> None:
        """Ask an idle, live worker which off-limits calls it recorded (``off_limits_calls``): after every test, so
        that a later crash or restart loses none."""
        if not self.watches_off_limits or self.worker is None or self.loading or not self.worker.alive():
            return
        deadline, self.deadline = self.deadline, time.monotonic() + 10
        try:
            calls = self.request({"op": "off_limits_calls"}, label="the grader's check for off-limits calls")
        except SubmissionError:
            return
        finally:
            self.deadline = deadline
        if isinstance(calls, list):
            self.off_limits_calls.update((str(c[0]), str(c[1])) for c in calls[:1000]
                                         if isinstance(c, list) and len(c) == 2 and all(isinstance(x, str) for x in c))

    def touch(self, name: str) -> None:
        """Note that the current test reached for ``name``: its answer cell is the task the test grades."""
        cell = self.defines.get(name)
        if cell is not None and cell not in self.touched:
            self.touched.append(cell)

    def missing_reason(self, name: str) -> str:
        if self.notebook_error:
            return f"your notebook could not be read: {self.notebook_error}"
        cell = self.defines.get(name)
        if cell is None:
            return f"`{name}` is not defined in your notebook"
        if cell in self.missing:
            return (f"`{name}` is not defined: its answer cell `{cell}` is missing from your notebook "
                    "(deleted, or its nbgrader metadata was changed)")
        for entry in self.load_report:
            if entry.get("grade_id") == cell and not entry.get("ok"):
                error = entry.get("error", {})
                return (f"`{name}` is not defined: answer cell `{cell}` failed when run: "
                        f"{error.get('type')}: {error.get('message')}{error.get('where', '')}")
        return f"`{name}` is not defined: answer cell `{cell}` no longer defines it (was it renamed?)"

    def load_problems(self) -> list[str]:
        problems = []
        for entry in self.load_report:
            if not entry.get("ok"):
                error = entry.get("error", {})
                problems.append(f"cell `{entry.get('grade_id')}` failed when run: "
                                f"{error.get('type')}: {error.get('message')}{error.get('where', '')}")
        return problems


def _check_generation(remote: "Remote", client: Client) -> None:
    if object.__getattribute__(remote, "_generation") != client.generation:
        raise GraderFault(f"the hidden suite used `{object.__getattribute__(remote, '_label')}`, a handle from "
                          "before the worker restarted (a course problem: keep plain data in `shared`, not handles)")


def _local_to_ref(value):
    """Arguments: a Remote goes back as a reference to its worker object; other objects are refused."""
    if isinstance(value, Remote) and object.__getattribute__(value, "_id") is not None:
        _check_generation(value, object.__getattribute__(value, "_client"))
        return {"$": "ref", "id": object.__getattribute__(value, "_id")}
    raise TypeError(f"a test cannot send a {type(value).__qualname__} to student code; send plain data")


class Remote:
    """An object that lives in the worker. Compares equal only to itself."""

    __slots__ = ("_client", "_id", "_type", "_label", "_generation")

    def __init__(self, client: Client, node: dict, label: str):
        object.__setattr__(self, "_client", client)
        object.__setattr__(self, "_id", node["id"])
        object.__setattr__(self, "_type", str(node.get("type", "?")))
        object.__setattr__(self, "_label", label)
        object.__setattr__(self, "_generation", client.generation)

    def _request(self, op: str, label: str, **fields):
        client = object.__getattribute__(self, "_client")
        if object.__getattribute__(self, "_id") is not None:
            _check_generation(self, client)
        header = {"op": op, "target": object.__getattribute__(self, "_id")}
        blobs: list[bytes] = []
        for key, value in fields.items():
            header[key] = codec.encode(value, blobs, _local_to_ref) if key in ("args", "kwargs", "key") else value
        return client.request(header, blobs, label)

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        label = f"{object.__getattribute__(self, '_label')}.{name}"
        return self._request("getattr", label, name=name)

    def __call__(self, *args, **kwargs):
        return self._request("call", object.__getattribute__(self, "_label"), args=list(args), kwargs=dict(kwargs))

    def __getitem__(self, key):
        return self._request("getitem", f"{object.__getattribute__(self, '_label')}[...]", key=key)

    def __len__(self) -> int:
        value = self._request("len", f"len({object.__getattribute__(self, '_label')})")
        if type(value) is not int:
            raise WorkerCrashed("len() did not return an integer")
        return value

    def __iter__(self):
        values = self._request("iter", f"iter({object.__getattribute__(self, '_label')})")
        if type(values) is not list:
            raise WorkerCrashed("iteration did not return a list")
        return iter(values)

    def __setattr__(self, name, value):
        raise AttributeError("remote objects are read-only from the tests")

    def __repr__(self) -> str:
        return f"<remote {object.__getattribute__(self, '_type')} from `{object.__getattribute__(self, '_label')}`>"


class Submission(Remote):
    """The student's module (``submission`` in hidden tests): ``submission.fit(X, y)`` runs ``fit`` in the worker."""

    def __init__(self, client: Client):
        super().__init__(client, {"id": None, "type": "module"}, "submission")

    def __getattr__(self, name: str):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        object.__getattribute__(self, "_client").touch(name)
        return self._request("getattr", name, name=name)

    def __repr__(self) -> str:
        return "<the student's submission>"
