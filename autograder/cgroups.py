"""A control group per worker: memory, CPU and process limits for the whole group, and one kill for all of it.

Per-process rlimits stop one process; a submission that starts busy children in new sessions escapes them.
Every process the worker starts stays in its group, so the group's limits hold for all of them together,
CPU is shared fairly between groups graded side by side, and ``kill`` ends every one of them.

cgroup v2 (a unified hierarchy with the memory, pids and cpu controllers) is used where the kernel offers
it; a v1 hierarchy (separate memory, pids and cpu mounts) otherwise. Creating groups needs root.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("memory", "pids", "cpu")
PERIOD_US = 100_000


class CgroupUnavailable(RuntimeError):
    pass


def _own_path(controller: str) -> str:
    """This process's cgroup path for ``controller`` (``""`` names v2's unified hierarchy)."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, names, path = line.split(":", 2)
        if controller in names.split(","):
            return path
    return "/"


def backend() -> str:
    """``"v2"``, ``"v1"``, or raise CgroupUnavailable with the reason."""
    if os.geteuid() != 0:
        raise CgroupUnavailable("creating control groups needs root")
    controllers = ROOT / "cgroup.controllers"
    if controllers.is_file():
        missing = set(CONTROLLERS) - set(controllers.read_text().split())
        if missing:
            raise CgroupUnavailable(f"cgroup v2 lacks the {', '.join(sorted(missing))} controller(s)")
        return "v2"
    missing = [c for c in CONTROLLERS if not (ROOT / c / "cgroup.procs").is_file()]
    if missing:
        raise CgroupUnavailable(f"no cgroup v2, and cgroup v1 lacks the {', '.join(missing)} hierarchy")
    return "v1"


class WorkerGroup:
    """One worker's group. ``join_fds`` are opened before the worker is spawned; the child writes to them."""

    def __init__(self, name: str, memory_mb: int, cpus: int, processes: int):
        self.kind = backend()
        self.dirs: list[Path] = []
        try:
            if self.kind == "v2":
                parent = ROOT / "autograder"
                parent.mkdir(exist_ok=True)
                wanted = " ".join(f"+{c}" for c in CONTROLLERS)
                enabled = (ROOT / "cgroup.subtree_control").read_text().split()
                if not set(CONTROLLERS) <= set(enabled):
                    (ROOT / "cgroup.subtree_control").write_text(wanted)
                (parent / "cgroup.subtree_control").write_text(wanted)
                group = parent / name
                group.mkdir()
                self.dirs = [group]
                (group / "memory.max").write_text(str(memory_mb * 2**20))
                (group / "memory.swap.max").write_text("0") if (group / "memory.swap.max").exists() else None
                (group / "pids.max").write_text(str(processes))
                (group / "cpu.max").write_text(f"{cpus * PERIOD_US} {PERIOD_US}")
            else:
                for controller in CONTROLLERS:
                    group = ROOT / controller / _own_path(controller).lstrip("/") / f"autograder-{name}"
                    group.mkdir()
                    self.dirs.append(group)
                memory, pids, cpu = self.dirs
                (memory / "memory.limit_in_bytes").write_text(str(memory_mb * 2**20))
                (pids / "pids.max").write_text(str(processes))
                (cpu / "cpu.cfs_period_us").write_text(str(PERIOD_US))
                (cpu / "cpu.cfs_quota_us").write_text(str(cpus * PERIOD_US))
        except OSError as exc:
            self.remove()
            raise CgroupUnavailable(f"could not set up a control group ({exc})") from None
        self.limits = {"memory_mb": memory_mb, "cpus": cpus, "processes": processes}

    def join_paths(self) -> list[str]:
        return [str(d / "cgroup.procs") for d in self.dirs]

    def pids(self) -> list[int]:
        found: set[int] = set()
        for procs in self.join_paths():
            try:
                found |= {int(p) for p in Path(procs).read_text().split()}
            except OSError:
                pass
        return sorted(found)

    def kill(self) -> None:
        """End every process in the group, whatever session or process group it moved to."""
        if self.kind == "v2" and self.dirs and (self.dirs[0] / "cgroup.kill").exists():
            try:
                (self.dirs[0] / "cgroup.kill").write_text("1")
            except OSError:
                pass
        for _ in range(200):
            pids = self.pids()
            if not pids:
                return
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.01)

    def remove(self) -> None:
        for directory in reversed(self.dirs):
            for _ in range(100):
                try:
                    directory.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # processes still leaving
                    time.sleep(0.01)
        self.dirs = []


def join(paths: list[str]) -> None:
    """Move the calling process into the group: run in the child between fork and exec."""
    for path in paths:
        fd = os.open(path, os.O_WRONLY)
        try:
            os.write(fd, b"0")
        finally:
            os.close(fd)
