"""The trusted side's handle on one sandboxed worker: start it, talk to it with deadlines, end it.

The trusted side talks to the worker over two dedicated pipes; the worker's stdout and stderr go to a third
pipe that a thread drains, keeping only the first ``output_kb`` (a submission that prints gigabytes costs
time, never memory or disk). Everything read from the worker is untrusted: frames are size-checked before
they are parsed (see ``codec.read_message``).
"""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from autograder import cgroups, codec
from autograder.sandbox import ENGINE_DIR, Limits, Sandbox, SandboxUnavailable

HANDSHAKE_S = 120


class WorkerGone(Exception):
    """The worker ended while we waited for it (exit, crash, or killed by a limit)."""


class WorkerTimeout(Exception):
    """The worker did not answer before the deadline."""


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
    """Reads a pipe with a deadline (a file-like ``read`` for ``codec.read_message``)."""

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
            chunk = os.read(self.fd, min(max(n - len(self.buffer), 1), 1 << 20))
            if not chunk:
                return b""
            self.buffer += chunk
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data


class WorkerProcess:
    """One sandboxed worker: send a request, wait (with a deadline) for its answer."""

    serial = 0

    def __init__(self, prepared: Path, limits: Limits, mode: str, course_root: Path, devices: list[str] | None = None):
        self.limits = limits
        WorkerProcess.serial += 1
        self.scratch = Path(tempfile.mkdtemp(prefix="ag-launch-"))
        os.chmod(self.scratch, 0o755)
        self.sandbox = Sandbox(mode, prepared, self.scratch, limits, course_root, devices)
        self.sandbox.write_identity()
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        out_r, out_w = os.pipe()
        config_path = self.scratch / "launch.json"
        config_path.write_text(json.dumps(self.sandbox.launch_config(req_r, resp_w)))
        os.chmod(config_path, 0o644)
        self.output = Output(out_r, limits.output_kb * 1024)
        group = None
        try:
            group = self.sandbox.start_group(f"w{os.getpid()}-{WorkerProcess.serial}")
            join = group.join_paths() if group else []
            self.process = subprocess.Popen(
                self.sandbox.command(config_path), stdin=subprocess.DEVNULL, stdout=out_w, stderr=out_w,
                pass_fds=(req_r, resp_w), start_new_session=True, cwd=str(prepared),
                env={"PYTHONPATH": str(ENGINE_DIR.parent), "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"},
                preexec_fn=(lambda: cgroups.join(join)) if join else None,
            )
        except (OSError, SandboxUnavailable) as exc:
            for fd in (req_r, resp_w, out_w, self._req_w, self._resp_r):
                os.close(fd)
            self.sandbox.end()
            shutil.rmtree(self.scratch, ignore_errors=True)
            raise SandboxUnavailable(f"the sandbox could not be started: {exc}") from None
        for fd in (req_r, resp_w, out_w):
            os.close(fd)
        self.writer = os.fdopen(self._req_w, "wb")
        self.channel = Channel(self._resp_r)
        try:
            header, _ = self.receive(time.monotonic() + HANDSHAKE_S)
        except (WorkerGone, WorkerTimeout, codec.ProtocolError) as exc:
            self.kill()
            raise SandboxUnavailable(f"the sandbox did not start ({exc or type(exc).__name__}): "
                                     f"{self.output.text()[-1000:]}") from None
        if not header.get("ok"):
            self.kill()
            raise SandboxUnavailable(str(header.get("error")))
        self.description = self.sandbox.describe()

    def send(self, header: dict, blobs: list[bytes]) -> None:
        try:
            codec.write_message(self.writer, header, blobs)
        except (BrokenPipeError, OSError, ValueError):
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
        """End the worker and everything it started (its process group, and in strict mode its cgroup)."""
        if getattr(self, "_killed", False):
            return
        self._killed = True
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.sandbox.end()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        for close in (self.writer.close, lambda: os.close(self._resp_r)):
            try:
                close()
            except OSError:
                pass
        self.output.thread.join(timeout=2)
        shutil.rmtree(self.scratch, ignore_errors=True)
