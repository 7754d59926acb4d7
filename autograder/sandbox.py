"""Start and stop the worker process that runs student code, with its limits.

The trusted side talks to the worker over two dedicated pipes; the worker's stdout and stderr go to a
third pipe that a thread drains, keeping only the first ``output_kb`` (a submission that prints
gigabytes costs time, never memory or disk). What the launcher enforced is read from the first message.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from autograder import codec

ENGINE_DIR = Path(__file__).resolve().parent


@dataclass
class Limits:
    memory_mb: int = 4096
    cpu_s: int = 900
    file_mb: int = 256
    disk_mb: int = 1024  # the working folder, a tmpfs where namespaces allow it
    open_files: int = 512
    processes: int = 512
    output_kb: int = 64


class WorkerGone(Exception):
    """The worker ended while we waited for it (exit, crash, or killed by a limit)."""


class WorkerTimeout(Exception):
    """The worker did not answer before the deadline."""


class SandboxUnavailable(RuntimeError):
    """The worker could not be started on this machine: the grader's failure, never scored as the student's."""


def scrubbed_env(workdir: Path) -> dict[str, str]:
    """No tokens, no GITHUB_* and no runner paths: only what Python and the numeric libraries need."""
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "HOME": str(workdir),
        "USER": "student",  # the worker's uid has no passwd entry; getpass.getuser() reads these first
        "LOGNAME": "student",
        "TMPDIR": str(workdir / "tmp"),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": str(ENGINE_DIR.parent),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(workdir / "tmp"),
        "OMP_NUM_THREADS": "2",
        "MKL_NUM_THREADS": "2",
        "OPENBLAS_NUM_THREADS": "2",
        "AUTOGRADER_THREADS": "2",
        "TOKENIZERS_PARALLELISM": "false",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_DATASETS_OFFLINE": "1",
        "HF_HOME": str(workdir / "tmp" / "hf"),
        "TQDM_DISABLE": "1",
    }
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "CUDA_VISIBLE_DEVICES"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env


def interpreter_paths() -> list[str]:
    """Everything the worker's Python needs to see: the interpreter, the environment and the engine."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, str(ENGINE_DIR), os.path.realpath(sys.executable)}
    paths |= {p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p}
    return sorted(paths)


class Output:
    """Drains a pipe in a thread, keeping the first ``limit`` bytes."""

    def __init__(self, fd: int, limit: int):
        self.fd, self.limit, self.kept, self.dropped = fd, limit, bytearray(), 0
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            room = self.limit - len(self.kept)
            self.kept += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
        os.close(self.fd)

    def text(self) -> str:
        text = bytes(self.kept).decode("utf-8", "replace")
        if self.dropped:
            text += f"\n[... {self.dropped} more bytes of output dropped]"
        return text


class Channel:
    """Reads framed messages from a pipe with a deadline."""

    def __init__(self, fd: int):
        self.fd, self.buffer = fd, bytearray()
        self.deadline: float | None = None

    def read(self, n: int) -> bytes:
        while len(self.buffer) < n:
            timeout = None if self.deadline is None else self.deadline - time.monotonic()
            if timeout is not None and timeout <= 0:
                raise WorkerTimeout()
            ready, _, _ = select.select([self.fd], [], [], timeout)
            if not ready:
                raise WorkerTimeout()
            chunk = os.read(self.fd, max(n - len(self.buffer), 1 << 20))
            if not chunk:
                return b""
            self.buffer += chunk
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data


class WorkerProcess:
    """One sandboxed worker: send a request, wait (with a deadline) for its answer."""

    def __init__(self, program: Path, workdir: Path, limits: Limits, hide: list[str], isolate: bool = True):
        self.limits = limits
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        scratch = Path(tempfile.mkdtemp(prefix="ag-launch-"))
        config_path = scratch / "launch.json"
        config_path.write_text(json.dumps({
            "program": str(program), "workdir": str(workdir), "read_fd": req_r, "write_fd": resp_w,
            "env": scrubbed_env(workdir), "limits": asdict(limits), "isolate": isolate,
            "hide": hide, "keep": interpreter_paths() + [str(workdir)],
        }))
        (workdir / "tmp").mkdir(exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "autograder.launch", str(config_path)],
            stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w, pass_fds=(req_r, resp_w),
            start_new_session=True, cwd=str(workdir),
            env={"PYTHONPATH": str(ENGINE_DIR.parent), "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        )
        for fd in (req_r, resp_w, out_w):
            os.close(fd)
        self.output = Output(out_r, limits.output_kb * 1024)
        self.writer = os.fdopen(self._req_w, "wb")
        self.channel = Channel(self._resp_r)
        self.sandbox: dict = {}
        try:
            header, _ = self.receive(time.monotonic() + 120)
        except (WorkerGone, WorkerTimeout, codec.ProtocolError) as exc:
            self.kill()
            raise SandboxUnavailable(f"the sandbox did not start ({exc or type(exc).__name__}): "
                                     f"{self.output.text()[-1000:]}") from None
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        self.sandbox = header.get("sandbox", {}) if isinstance(header, dict) else {}
        if not isinstance(header, dict) or not header.get("ok"):
            self.kill()
            raise SandboxUnavailable(str(header.get("error") if isinstance(header, dict) else header))

    def send(self, header: dict, blobs: list[bytes]) -> None:
        try:
            codec.write_message(self.writer, header, blobs)
        except (BrokenPipeError, OSError):
            raise WorkerGone(self.describe_exit()) from None

    def receive(self, deadline: float | None) -> tuple[dict, list[bytes]]:
        self.channel.deadline = deadline
        try:
            return codec.read_message(self.channel)
        except EOFError:
            raise WorkerGone(self.describe_exit()) from None

    def describe_exit(self) -> str:
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            return "the worker stopped answering"
        if code < 0 or code >= 128:
            sig = -code if code < 0 else code - 128
            name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
            hint = {"SIGKILL": " (killed: usually the memory limit)", "SIGXCPU": " (CPU time limit reached)",
                    "SIGXFSZ": " (file size limit reached)", "SIGSEGV": " (crashed)"}.get(name, "")
            return f"the worker process was killed by {name}{hint}"
        return f"the worker process exited with code {code} (sys.exit, os._exit or a crash in your code)"

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        """Ask the worker to end (end of input) and reap it, so its CPU time is accounted; kill if it lingers."""
        try:
            self.writer.close()
        except OSError:
            pass
        try:
            self.process.wait(timeout=3)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def kill(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.writer,):
            try:
                stream.close()
            except OSError:
                pass
        try:
            os.close(self._resp_r)
        except OSError:
            pass
        self.output.thread.join(timeout=2)
