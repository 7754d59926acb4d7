"""The sandbox: where student code runs, and what it may see and use.

Modes (``--sandbox``), each chosen explicitly; a mode that cannot be set up is a grader error, raised before
any student code exists, never a silently weaker sandbox and never a student's zero:

- ``strict`` (the default; needs root, bubblewrap and a cgroup): bubblewrap builds a new root that holds only
  an allow-list of paths (the system's libraries, the Python environment, the engine, the assignment's data
  and a size-capped working folder), in fresh mount, PID, network (empty: no loopback), IPC, UTS and cgroup
  namespaces; the worker then drops to an unprivileged uid of its own (so no capability survives: it cannot
  mount, unmount or remount) with no-new-privileges, and runs in a control group of its own that caps the
  memory, CPU and processes of everything it starts, and ends them all when the grading ends.
- ``userns``: the same view of the filesystem and namespaces from an unprivileged user namespace (bubblewrap
  drops every capability), for a grader without root; no uid or control group of its own.
- ``none``: a separate process with the limits and a scrubbed environment only, for a student's local
  self-check; it can read what the grader's user can read.

Run as ``python -m autograder.sandbox CONFIG`` this module is also the launcher inside the sandbox: it copies
the prepared folder into the working tmpfs, drops privileges, applies the limits, checks that the worker can
start, says so on the reply pipe, and execs ``autograder.worker``.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

ENGINE_DIR = Path(__file__).resolve().parent
MODES = ("strict", "userns", "none")
DEFAULT_MODE = "strict"
WORKER_UID_BASE = 1_900_000_000  # + the trusted process's PID: a user of its own per live worker, in no passwd file
INSIDE = Path("/ag")  # where the sandbox's own files appear inside it
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime", "/etc/nsswitch.conf",
                "/etc/alternatives", "/sys/devices/system/cpu")
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38


@dataclass
class Limits:
    memory_mb: int = 4096
    cpu_s: int = 900
    file_mb: int = 256
    disk_mb: int = 1024  # the working folder, a tmpfs in the strict and userns modes
    open_files: int = 512
    processes: int = 512
    output_kb: int = 64
    # CPUs the worker's group may use, and the thread count of its numeric libraries. One: a two-thread op
    # waits for its slower thread, so one busy core next to the grader made small-op training 6x slower.
    threads: int = 1
    # A GPU worker: CUDA reserves far more address space than it uses, so the address-space cap is left off and
    # memory is held by the worker's control group instead (strict mode only).
    gpu: bool = False
    # The model cache (autograder/models.py), bound read-only where the assignment's manifest lists models.
    models_dir: str = ""


class SandboxUnavailable(RuntimeError):
    """The sandbox could not be set up on this machine: the grader's failure, never scored as the student's."""


# ---------------------------------------------------------------- what the machine offers

def bwrap() -> str | None:
    return shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)


@lru_cache(maxsize=None)
def _userns_works(binary: str) -> str | None:
    """None when bubblewrap can make an unprivileged user namespace here, else why not."""
    probe = [binary, "--unshare-all", "--die-with-parent", *_system_binds(), "--proc", "/proc", "--dev", "/dev",
             "/bin/true"]
    try:
        done = subprocess.run(probe, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    return None if done.returncode == 0 else (done.stderr.strip() or f"exit {done.returncode}")


def check(mode: str) -> None:
    """Raise SandboxUnavailable, with what to do about it, if ``mode`` cannot be set up here."""
    from autograder import cgroups

    if mode not in MODES:
        raise SandboxUnavailable(f"unknown sandbox mode {mode!r} (use one of {', '.join(MODES)})")
    if mode == "none":
        return
    binary = bwrap()
    if binary is None:
        raise SandboxUnavailable("bubblewrap (`bwrap`) is not installed: `sudo apt-get install bubblewrap`")
    if mode == "strict":
        if os.geteuid() != 0:
            raise SandboxUnavailable("the strict sandbox needs root: run the grader with sudo (keeping PATH, e.g. "
                                     "`sudo env PATH=\"$PATH\" autograder ...`), or ask for a weaker one with "
                                     "--sandbox userns (no root) or --sandbox none (a local self-check only)")
        try:
            cgroups.backend()
        except cgroups.CgroupUnavailable as exc:
            raise SandboxUnavailable(f"the strict sandbox needs a control group per worker: {exc}") from None
    else:
        if os.geteuid() == 0:
            raise SandboxUnavailable("the userns sandbox is not for root (the worker would keep the real uid 0, which "
                                     "no process quota limits): run --sandbox strict")
        problem = _userns_works(binary)
        if problem:
            raise SandboxUnavailable(f"bubblewrap cannot create an unprivileged user namespace here ({problem}); "
                                     "run as root for --sandbox strict")


# ---------------------------------------------------------------- the allow-list

def interpreter_paths() -> list[str]:
    """The Python environment the worker needs: the interpreter, its standard library and site-packages."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(os.path.realpath(sys.executable))}
    paths |= {p for p in sys.path if p and os.path.isdir(p) and "site-packages" in p}
    return sorted(os.path.realpath(p) for p in paths)


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _system_binds() -> list[str]:
    args = []
    for path in SYSTEM_DIRS:
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    for path in SYSTEM_FILES:
        args += ["--ro-bind-try", path, path]
    return args


def _ancestors(paths: list[str]) -> list[str]:
    """The folders above ``paths``, outermost first, that the new root must have before they are bound."""
    folders = {str(parent) for path in paths for parent in Path(path).parents if str(parent) != "/"}
    return sorted(folders, key=lambda f: (f.count("/"), f))


def allowed_paths(course_root: Path) -> list[str]:
    """Read-only paths for the worker: never one that holds the course (hidden tests, sources, solutions)."""
    keep = []
    for path in interpreter_paths():
        if _under(str(course_root), path):
            raise SandboxUnavailable(f"the grader's Python environment at {path} contains the course directory "
                                     f"{course_root}; install it elsewhere so the worker can be kept out of the course")
        if any(_under(path, system) for system in SYSTEM_DIRS if not os.path.islink(system)):
            continue  # already visible through /usr and friends
        keep.append(path)
    keep.append(str(ENGINE_DIR))
    outermost = [p for p in sorted(set(keep)) if not any(_under(p, q) and p != q for q in keep)]
    return outermost


def model_paths(models_dir: str, course_root: Path) -> list[str]:
    """The model cache, read-only, unless it is inside the course (it would expose what is next to it)."""
    if not models_dir:
        return []
    path = os.path.realpath(models_dir)
    if _under(path, str(course_root)) or _under(str(course_root), path):
        raise SandboxUnavailable(f"the model cache {path} overlaps the course directory {course_root}; "
                                 "set COURSE_MODEL_CACHE to a folder outside it")
    return [path]


# ---------------------------------------------------------------- the command

def gpu_devices() -> list[str]:
    """The NVIDIA device nodes a CUDA worker needs (none on a machine without the driver)."""
    import glob

    return sorted(glob.glob("/dev/nvidia*"))  # nvidia0.., nvidiactl, nvidia-uvm, the nvidia-caps folder


class Sandbox:
    """How one worker is started in ``mode``. ``prepared`` holds program.json and the assignment's data."""

    def __init__(self, mode: str, prepared: Path, scratch: Path, limits: Limits, course_root: Path,
                 devices: list[str] | None = None):
        check(mode)
        if limits.gpu and mode != "strict":
            raise SandboxUnavailable(f"GPU grading needs the strict sandbox (root), not {mode!r}: a CUDA worker's "
                                     "memory is capped by its control group, not by an address-space limit")
        self.mode, self.prepared, self.scratch, self.limits = mode, prepared, scratch, limits
        self.course_root = course_root
        self.devices = devices or []
        self.uid = WORKER_UID_BASE + os.getpid() if mode == "strict" else os.getuid()
        self.workdir = INSIDE / "work" if mode != "none" else prepared
        self.program = (INSIDE / "prepared" if mode != "none" else prepared) / "program.json"
        self.group = None

    def environment(self) -> dict[str, str]:
        """No tokens, no GITHUB_* and no runner paths: only what Python and the numeric libraries need."""
        work, threads = str(self.workdir), str(self.limits.threads)
        env = {
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work, "USER": "student", "LOGNAME": "student",
            "TMPDIR": f"{work}/tmp", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PYTHONHASHSEED": "0",
            "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ENGINE_DIR.parent),
            "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{work}/tmp", "OMP_NUM_THREADS": threads,
            "MKL_NUM_THREADS": threads, "OPENBLAS_NUM_THREADS": threads, "AUTOGRADER_THREADS": threads,
            "TOKENIZERS_PARALLELISM": "false", "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1",
            "HF_DATASETS_OFFLINE": "1", "HF_HOME": f"{work}/tmp/hf", "TQDM_DISABLE": "1",
        }
        if self.limits.models_dir:
            env["COURSE_MODEL_CACHE"] = self.limits.models_dir
        for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "CUDA_VISIBLE_DEVICES"):
            if name in os.environ:
                env[name] = os.environ[name]
        return env

    def command(self, config_path: Path) -> list[str]:
        launcher = [sys.executable, "-m", "autograder.sandbox"]
        if self.mode == "none":
            return launcher + [str(config_path)]
        mib = 2**20
        args = [bwrap(), "--die-with-parent", "--new-session", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox"]
        if self.mode == "strict":  # root without a user namespace: keep only what dropping to the worker's uid needs
            args += ["--cap-drop", "ALL", "--cap-add", "CAP_SETUID", "--cap-add", "CAP_SETGID", "--cap-add", "CAP_CHOWN"]
        else:
            args += ["--unshare-user", "--disable-userns", "--cap-drop", "ALL"]
        args += _system_binds()
        args += ["--proc", "/proc", "--dev", "/dev",  # before the binds: a Python under /tmp must stay visible
                 "--perms", "1777", "--size", str(256 * mib), "--tmpfs", "/dev/shm",
                 "--perms", "1777", "--size", str(256 * mib), "--tmpfs", "/tmp"]
        allowed = allowed_paths(self.course_root) + model_paths(self.limits.models_dir, self.course_root)
        for folder in _ancestors(allowed + [str(INSIDE / "work")]):  # bubblewrap would make them 0700
            args += ["--perms", "0755", "--dir", folder]
        for path in allowed:
            args += ["--ro-bind", path, path]
        args += ["--ro-bind", str(self.scratch / "passwd"), "/etc/passwd",
                 "--ro-bind", str(self.scratch / "group"), "/etc/group"]
        for device in self.devices:
            args += ["--dev-bind-try", device, device]
        args += ["--ro-bind", str(self.prepared), str(INSIDE / "prepared"),
                 "--ro-bind", str(config_path), str(INSIDE / "launch.json"),
                 "--perms", "0755", "--size", str(self.limits.disk_mb * mib), "--tmpfs", str(INSIDE / "work"),
                 "--chdir", str(INSIDE / "work")]
        return args + ["--"] + launcher + [str(INSIDE / "launch.json")]

    def write_identity(self) -> None:
        (self.scratch / "passwd").write_text(f"root:x:0:0::/:/usr/sbin/nologin\n"
                                             f"student:x:{self.uid}:{self.uid}::{self.workdir}:/usr/sbin/nologin\n")
        (self.scratch / "group").write_text(f"root:x:0:\nstudent:x:{self.uid}:\n")

    def start_group(self, name: str):
        """The worker's control group (strict mode), created before the worker is spawned."""
        from autograder import cgroups

        if self.mode != "strict":
            return None
        try:
            self.group = cgroups.WorkerGroup(name, self.limits.memory_mb + self.limits.disk_mb + 512,
                                             self.limits.threads, self.limits.processes)
        except cgroups.CgroupUnavailable as exc:
            raise SandboxUnavailable(str(exc)) from None
        return self.group

    def end(self) -> None:
        if self.group is not None:
            self.group.kill()
            self.group.remove()
            self.group = None

    def launch_config(self, read_fd: int, write_fd: int) -> dict:
        return {"mode": self.mode, "program": str(self.program), "workdir": str(self.workdir),
                "prepared": str(INSIDE / "prepared") if self.mode != "none" else None,
                "read_fd": read_fd, "write_fd": write_fd, "env": self.environment(),
                "limits": asdict(self.limits), "uid": self.uid if self.mode == "strict" else None}

    def describe(self) -> dict:
        """What the worker was held to, for the report (so that a grade can be audited)."""
        if self.mode == "none":
            return {"mode": "none", "isolation": "none: a separate process with limits only (asked for with "
                    "--sandbox none)", "user": f"uid {os.getuid()}, the grader's own", "network": "on (not isolated)",
                    "limits": asdict(self.limits)}
        description = {
            "mode": self.mode, "isolation": "bubblewrap: new mount, PID, network, IPC, UTS and cgroup namespaces",
            "filesystem": "allow-list, read-only: " + ", ".join(
                [p for p in SYSTEM_DIRS if os.path.isdir(p)] + allowed_paths(self.course_root) + ["assignment data"]),
            "writable": f"only its working folder ({self.limits.disk_mb} MiB), /tmp and /dev/shm (256 MiB each)",
            "network": "off (empty network namespace)", "capabilities": "none", "limits": asdict(self.limits),
        }
        if self.mode == "strict":
            description["user"] = f"an unprivileged user of its own (uid {self.uid})"
            description["group"] = (f"cgroup {self.group.kind}: {self.group.limits}" if self.group else "none")
        else:
            description["user"] = f"uid {os.getuid()}, the grader's own, in a user namespace"
        return description


# ---------------------------------------------------------------- inside: the launcher

def _libc():
    return ctypes.CDLL(None, use_errno=True)


def set_limits(limits: dict) -> None:
    mib = 2**20
    wanted = {
        resource.RLIMIT_CPU: limits["cpu_s"], resource.RLIMIT_FSIZE: limits["file_mb"] * mib,
        resource.RLIMIT_NOFILE: limits["open_files"], resource.RLIMIT_CORE: 0,
    }
    if not limits.get("gpu"):
        wanted[resource.RLIMIT_AS] = limits["memory_mb"] * mib
    if limits.get("processes"):
        wanted[resource.RLIMIT_NPROC] = limits["processes"]
    for kind, value in wanted.items():
        _, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))


def unreachable(config: dict) -> str | None:
    """What the worker, as the user it now is, could not use: checked before any student code exists."""
    needs = [(sys.executable, os.X_OK, "run the Python interpreter"),
             (str(ENGINE_DIR / "worker.py"), os.R_OK, "read the grader's worker"),
             (config["program"], os.R_OK, "read the submission"),
             (config["workdir"], os.W_OK | os.X_OK, "write in its working folder")]
    for path, mode, what in needs:
        if not os.access(path, mode):
            return (f"the sandboxed worker (uid {os.getuid()}) cannot {what} at {path}: give that path and the "
                    "folders above it read and search permission for other users")
    return None


def _own(path: str, uid: int) -> None:
    os.chown(path, uid, uid)
    for root, dirs, files in os.walk(path):
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, uid)


def main(config_path: str) -> None:
    os.umask(0o022)
    with open(config_path, encoding="utf-8") as handle:
        config = json.load(handle)
    reply = os.fdopen(config["write_fd"], "wb", closefd=False)
    from autograder import codec

    try:
        if config.get("prepared"):
            shutil.copytree(config["prepared"], config["workdir"], symlinks=True, dirs_exist_ok=True)
        os.makedirs(os.path.join(config["workdir"], "tmp"), exist_ok=True)
        if config.get("uid") is not None:
            uid = int(config["uid"])
            _own(config["workdir"], uid)
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)  # from root to a plain uid: every capability is gone
            if os.getuid() != uid or _capabilities() != 0:
                raise OSError("the worker kept privileges after dropping to its uid")
        set_limits(config["limits"])
        libc = _libc()
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError("could not set no-new-privileges")
        problem = unreachable(config)
    except OSError as exc:
        problem = f"the sandbox's launcher failed: {exc}"
    if problem:
        codec.write_message(reply, {"ok": False, "error": problem}, [])
        os._exit(70)
    os.chdir(config["workdir"])
    codec.write_message(reply, {"ok": True}, [])
    os.execve(sys.executable, [sys.executable, "-m", "autograder.worker", config["program"],
                               str(config["read_fd"]), str(config["write_fd"])], config["env"])


def _capabilities() -> int:
    """This process's effective capability set, from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    return 0


if __name__ == "__main__":
    main(sys.argv[1])
