"""Turn this process into the sandboxed worker, then exec it.

Started by ``autograder.sandbox`` with a JSON configuration. Before any student code exists it:
isolates namespaces (mount, network, PID, IPC, UTS) where the kernel allows it, hides the course
(hidden tests, solutions, sources), home directories and temp folders behind empty tmpfs mounts,
drops to an unprivileged user when started as root, applies resource limits, and tells the trusted
side what it enforced as the first message on the reply pipe. Only then does it exec the worker.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import signal
import sys
from pathlib import Path

from autograder import codec

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x00020000, 0x04000000, 0x08000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MS_NOATIME, MS_NODIRATIME, MS_RELATIME = 1024, 2048, 1 << 21
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS = 1, 38
WORKER_UID_BASE = 1_900_000_000  # + the launcher's PID: a user of its own per live worker, in no passwd file

libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(source, target, fstype, flags, data=None) -> None:
    enc = lambda s: None if s is None else str(s).encode()  # noqa: E731
    _check(libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data)), f"mount {target}")


def _under(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def mask_except(directory: str, keep: list[str]) -> None:
    """Hide ``directory`` behind an empty tmpfs, then bind back only the ``keep`` paths in it, read-only.
    The original stays reachable through an O_PATH descriptor meanwhile."""
    original = os.open(directory, os.O_PATH | os.O_DIRECTORY)
    try:
        _mount("tmpfs", directory, "tmpfs", MS_NOSUID | MS_NODEV, "mode=755,size=1m")
        for path in sorted(keep):
            if any(_under(path, other) and path != other for other in keep):
                continue  # already visible through an enclosing kept folder
            origin = f"/proc/self/fd/{original}/{os.path.relpath(path, directory)}"
            if os.path.isdir(origin):
                os.makedirs(path, exist_ok=True)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                open(path, "a").close()
            _mount(origin, path, None, MS_BIND | MS_REC)
            _mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    finally:
        os.close(original)


def private_workdir(path: str, original: int, size_mb: int) -> None:
    """The worker's only writable folder: a tmpfs of ``size_mb`` holding a copy of the prepared folder, so a
    submission that writes without end fills its own quota, never the grader's disk."""
    os.makedirs(path, exist_ok=True)
    _mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=700,size={size_mb}m")
    shutil.copytree(f"/proc/self/fd/{original}", path, symlinks=True, dirs_exist_ok=True)


# statvfs flags that a bind remount must repeat (unprivileged namespaces may not drop them)
KEPT_MOUNT_FLAGS = {os.ST_NOSUID: MS_NOSUID, os.ST_NODEV: MS_NODEV, os.ST_NOEXEC: MS_NOEXEC,
                    os.ST_NOATIME: MS_NOATIME, os.ST_NODIRATIME: MS_NODIRATIME, os.ST_RELATIME: MS_RELATIME}


def read_only_mounts(writable: str) -> list[str]:
    """Make every mount but ``writable`` read-only in this namespace, so that world-writable folders the
    masks do not cover (``/run/lock``, say) cannot be filled either. Returns the mounts that refused."""
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        points = [line.split()[4].encode().decode("unicode_escape") for line in handle]
    refused = []
    for point in dict.fromkeys(points):
        if _under(point, writable):
            continue
        try:
            current = os.statvfs(point).f_flag
            flags = sum(ms for st, ms in KEPT_MOUNT_FLAGS.items() if current & st)
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except OSError:
            refused.append(point)
    return refused


def closed_ancestors(paths: list[str]) -> set[str]:
    """Folders above the kept paths that the unprivileged user could not pass through (a root-only 0700
    folder such as tox's ``.tox`` or ``/root``). Masking them hides nothing that user could see anyway,
    and the tmpfs put in their place lets the worker reach the interpreter kept inside."""
    closed = set()
    for path in paths:
        for folder in list(reversed(Path(path).parents))[1:]:
            if not os.stat(folder).st_mode & 0o001:
                closed.add(str(folder))
    return closed


def isolate(config: dict, as_root: bool) -> dict:
    """Namespaces and masks. Returns what was enforced, for the report."""
    flags = CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID
    uid, gid = os.getuid(), os.getgid()
    if not as_root:
        flags |= CLONE_NEWUSER
    _check(libc.unshare(flags), "unshare")
    if not as_root:  # map ourselves to root inside the user namespace so we may mount
        with open("/proc/self/setgroups", "w") as f:
            f.write("deny")
        with open("/proc/self/uid_map", "w") as f:
            f.write(f"0 {uid} 1")
        with open("/proc/self/gid_map", "w") as f:
            f.write(f"0 {gid} 1")
    # PID namespace: the worker must be a child; it becomes PID 1, and when it dies every process it left dies.
    child = os.fork()
    if child:
        _wait_and_exit(child)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    workdir = os.path.realpath(config["workdir"])
    original_workdir = os.open(workdir, os.O_PATH | os.O_DIRECTORY)
    keep = [k for k in (os.path.realpath(p) for p in config["keep"] if os.path.exists(p)) if k != workdir]
    masked = []
    hide = {os.path.realpath(p) for p in config["hide"] if os.path.isdir(p)}
    if as_root and config.get("drop_privileges", True):
        hide |= closed_ancestors(keep + [workdir])
    hide = sorted(hide, key=len)
    for directory in hide:
        if any(_under(directory, done) for done in masked):
            continue
        mask_except(directory, [k for k in keep if _under(k, directory) and k != directory])
        masked.append(directory)
    private_workdir(workdir, original_workdir, config["limits"]["disk_mb"])
    os.close(original_workdir)
    refused = read_only_mounts(workdir)
    try:
        _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    except OSError:
        pass  # an older /proc view shows host PIDs but still no secrets of other users
    return {"namespaces": True, "network": "off (empty network namespace)", "hidden": masked,
            "writable": f"only its working folder ({config['limits']['disk_mb']} MiB)",
            **({"read_only_refused": refused} if refused else {})}


def _wait_and_exit(child: int) -> None:
    """The launcher's parent half: forward the child's exit status, never run student code."""
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *_: os.kill(child, signal.SIGKILL))
    while True:
        try:
            _, status = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    os._exit(os.waitstatus_to_exitcode(status) & 0xFF if os.WIFEXITED(status) else 128 + os.WTERMSIG(status))


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)


def set_limits(limits: dict) -> dict:
    mib = 1024 * 1024
    wanted = {
        resource.RLIMIT_AS: limits["memory_mb"] * mib,
        resource.RLIMIT_CPU: limits["cpu_s"],
        resource.RLIMIT_FSIZE: limits["file_mb"] * mib,
        resource.RLIMIT_NOFILE: limits["open_files"],
        resource.RLIMIT_CORE: 0,
    }
    if limits.get("processes"):
        wanted[resource.RLIMIT_NPROC] = limits["processes"]
    for kind, value in wanted.items():
        soft, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value))
    return dict(limits)


def unreachable(config: dict) -> str | None:
    """What the worker, as the user it now is, could not use: checked before any student code exists, so a
    machine problem is reported as the grader's failure, never as a student's zero."""
    needs = [(sys.executable, os.X_OK, "run the Python interpreter"),
             (os.path.join(os.path.dirname(codec.__file__), "worker.py"), os.R_OK, "read the grader's worker"),
             (config["program"], os.R_OK, "read the submission"),
             (config["workdir"], os.W_OK | os.X_OK, "write in its working folder")]
    for path, mode, what in needs:
        if not os.access(path, mode):
            return (f"the sandboxed worker (uid {os.getuid()}) cannot {what} at {path}: give that path and the "
                    "folders above it read and search permission for other users (e.g. install the grader's "
                    "environment outside a root-only folder)")
    return None


def main(config_path: str) -> None:
    os.umask(0o022)  # the folders made inside masking tmpfs mounts must be passable by the unprivileged user
    with open(config_path, encoding="utf-8") as handle:
        config = json.load(handle)
    reply = os.fdopen(config["write_fd"], "wb", closefd=False)
    status: dict = {"user": "unchanged", "namespaces": False, "network": "on (not isolated)", "hidden": []}
    as_root, outer_uid = os.geteuid() == 0, os.getuid()
    # Not the shared `nobody`: workers graded side by side would share one process quota, and a fork bomb in
    # one submission would stop its neighbour from starting threads. Taken before the PID namespace makes us 1.
    uid = WORKER_UID_BASE + os.getpid()
    if config.get("isolate", True):
        try:
            status.update(isolate(config, as_root))
        except OSError as exc:
            status["isolation_error"] = str(exc)
    if as_root and config.get("drop_privileges", True):
        os.chown(config["workdir"], uid, uid)
        for root, dirs, files in os.walk(config["workdir"]):
            for name in dirs + files:
                os.lchown(os.path.join(root, name), uid, uid)
        drop_privileges(uid)
        status["user"] = f"an unprivileged user of its own (uid {uid})"
    elif not as_root:
        status["user"] = f"uid {outer_uid}, the grader's own (it was not started as root)"
    status["limits"] = set_limits(config["limits"])
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    problem = unreachable(config)
    if problem:
        codec.write_message(reply, {"ok": False, "error": problem, "sandbox": status}, [])
        os._exit(70)
    os.chdir(config["workdir"])
    codec.write_message(reply, {"ok": True, "sandbox": status}, [])
    os.execve(sys.executable, [sys.executable, "-m", "autograder.worker", config["program"],
                               str(config["read_fd"]), str(config["write_fd"])], config["env"])


if __name__ == "__main__":
    main(sys.argv[1])
