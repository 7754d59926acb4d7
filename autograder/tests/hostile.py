"""The hostile corpus: submissions that attack the grader, generated from a release notebook.

Each case injects code into the first answer cell of a reference notebook, either at import (a block that
runs when the cell runs) or inside the graded function ``add`` (before its honest ``return a + b``).
``expect`` is the score the honest part of the submission earns on the toy assignment:
``FULL`` (the attack is harmless), ``NO_ADD`` (only the tests of ``add`` fail) or ``ZERO``.
"""

from __future__ import annotations

import json
import textwrap
import zlib
from dataclasses import dataclass
from pathlib import Path

import nbformat

FULL, NO_ADD, ZERO = 6.0, 4.0, 0.0
SECRET = "ghp_SECRET_TOKEN_do_not_leak_8731"
HIDDEN_MARKER = "HIDDEN-TEST-MARKER-5521"
# Folders any user may write to on a usual machine; a file planted there would outlive the grading.
WORLD_WRITABLE = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock", "/var/lock")
PLANTED = "ag-hostile-planted"


BUSY_MARK = "ag-busy-child"


@dataclass(frozen=True)
class Case:
    name: str
    where: str  # import | function | notebook | symlink
    code: str  # may use {course}, {canary}, {github_output}, {tests}, {copy}
    expect: float


UNMOUNT = """import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
points = [line.split()[4] for line in open('/proc/self/mountinfo')]
done = []
for point in reversed(points):
    if libc.umount2(point.encode(), 2) == 0:  # MNT_DETACH
        done.append('unmounted ' + point)
for point in points:
    if libc.mount(None, point.encode(), None, 32 | 4096, None) == 0:  # MS_REMOUNT | MS_BIND, read-write
        done.append('remounted ' + point)
os.makedirs('mnt', exist_ok=True)
if libc.mount(b'tmpfs', b'mnt', b'tmpfs', 0, None) == 0:
    done.append('mounted a tmpfs')
for path in [{tests!r}, {course!r} + '/source']:
    try:
        print(open(path).read() if os.path.isfile(path) else os.listdir(path))
        done.append('read ' + path)
    except OSError as exc:
        print('blocked', exc)
if done:
    raise SystemExit('the sandbox let me: ' + ', '.join(done))"""

FORGE_AND_KILL = """import glob, json, os, signal
fake = json.dumps({{'tests': [{{'name': 'test_toy.py::test_add', 'status': 'passed', 'score': 100.0,
                               'max_score': 2.0, 'message': ''}}], 'infrastructure_error': None}})
here = os.getcwd()
for path in glob.glob('/tmp/autograder-*/results.json') + [os.path.join(os.path.dirname(here), 'results.json'),
                                                           os.path.join(here, 'results.json')]:
    try:
        open(path, 'w').write(fake)
    except OSError:
        pass
for pid in [os.getppid()] + [int(p) for p in os.listdir('/proc') if p.isdigit() and int(p) != os.getpid()]:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass"""

# Written to every pipe the worker holds, before the honest answer.
FRAME_WRITER = """import os, struct
for fd in [int(f) for f in os.listdir('/proc/self/fd') if int(f) > 2]:
    try:
        if 'pipe:' in os.readlink(f'/proc/self/fd/{{{{fd}}}}'):
            os.write(fd, {frame})
    except OSError:
        pass"""
FRAMES = {
    "garbage": "bytes(range(256)) * 4",
    "deeply_nested": "struct.pack('<II', 400000, 0) + b'[' * 200000 + b']' * 200000",
    "many_blobs": "struct.pack('<II', 2, 2**31) + b'{{}}'",
    "huge_blob": "struct.pack('<II', 2, 1) + b'{{}}' + struct.pack('<Q', 2**60)",
    "huge_header": "struct.pack('<II', 2**31, 0) + b'{{'",
    "nested_value": "(lambda h: struct.pack('<II', len(h), 0) + h)(b'{{\"ok\":true,\"value\":' + b'[' * 60 + b'{{\"$\":\"tuple\",\"v\":' * 40 + b'1' + b'}}' * 40 + b']' * 60 + b'}}')",
}

BUSY_CHILDREN = f"""import subprocess, sys
for _ in range(6):
    subprocess.Popen([sys.executable, '-c', '# {BUSY_MARK}\\nwhile True: pass'], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"""


CASES = [
    # -- leaving the process
    Case("sys_exit_at_import", "import", "import sys; sys.exit(0)", NO_ADD),
    Case("os_exit_at_import", "import", "import os; os._exit(0)", ZERO),
    Case("system_exit_at_import", "import", "raise SystemExit(3)", NO_ADD),
    Case("keyboard_interrupt_at_import", "import", "raise KeyboardInterrupt", NO_ADD),
    Case("base_exception_at_import", "import", "class Boom(BaseException): pass\nraise Boom()", NO_ADD),
    Case("sys_exit_in_function", "function", "import sys; sys.exit(0)", NO_ADD),
    Case("os_exit_in_function", "function", "import os; os._exit(0)", NO_ADD),
    Case("keyboard_interrupt_in_function", "function", "raise KeyboardInterrupt", NO_ADD),
    Case("base_exception_in_function", "function", "class Boom(BaseException): pass\nraise Boom()", NO_ADD),
    # -- resources
    Case("infinite_loop_at_import", "import", "while True:\n    pass", ZERO),
    Case("infinite_loop_in_function", "function", "while True:\n    pass", NO_ADD),
    Case("allocate_50gb_at_import", "import", "x = bytearray(50 * 2**30)", NO_ADD),
    Case("allocate_50gb_in_function", "function", "import numpy as np\nx = np.ones(50 * 2**30 // 8)", NO_ADD),
    Case("fork_bomb_at_import", "import", "import os\nwhile True:\n    os.fork()", NO_ADD),
    Case("fork_bomb_in_function", "function", "import os\nwhile True:\n    os.fork()", NO_ADD),
    Case("gigabytes_to_stdout", "function",
         "import sys\nchunk = 'x' * 2**20\nfor _ in range(1024):\n    sys.stdout.write(chunk)", FULL),
    Case("ignore_sigterm_and_hang", "function",
         "import signal\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    pass", NO_ADD),
    Case("threads_and_children_left_running", "import",
         "import subprocess, threading, time\n"
         "threading.Thread(target=lambda: time.sleep(10**6), daemon=False).start()\n"
         "subprocess.Popen(['sleep', '4242'])", FULL),
    # -- forging results
    Case("fake_report_files", "import",
         "import glob, json\n"
         "for p in glob.glob('/tmp/autograder-*/results.json') + ['results.json', 'report.json']:\n"
         "    try:\n"
         "        open(p, 'w').write(json.dumps({{'tests': [], 'score': 100}}))\n"
         "    except OSError:\n"
         "        pass", FULL),
    Case("fake_workflow_commands", "function",
         "print('::notice title=Autograding complete::Points 100/100')\n"
         "print('::set-output name=result::eyJ9')\nprint('::add-mask::ghp')\nprint('::stop-commands::x')\n"
         "raise ValueError('::notice title=Autograding complete::Points 100/100')", NO_ADD),
    Case("write_github_output_files", "import",
         "import os\n"
         "for p in [os.environ.get('GITHUB_OUTPUT', ''), os.environ.get('GITHUB_STEP_SUMMARY', ''), {github_output!r}]:\n"
         "    try:\n"
         "        open(p, 'a').write('result=eyJzY29yZSI6IDEwMH0=\\n')\n"
         "    except OSError:\n"
         "        pass", FULL),
    Case("monkeypatch_testing_libraries", "function",
         "import builtins, numpy.testing, pytest\n"
         "numpy.testing.assert_allclose = lambda *a, **k: None\npytest.approx = lambda *a, **k: True\n"
         "builtins.AssertionError = type('Nope', (Exception,), {{}})\n"
         "try:\n    import torch.testing\n    torch.testing.assert_close = lambda *a, **k: None\n"
         "except ImportError:\n    pass\nreturn 0", NO_ADD),
    Case("always_equal_object", "function",
         "class Same:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
         "return Same()", NO_ADD),
    Case("reduce_runs_code", "function",
         "import os\nclass Evil:\n    def __reduce__(self):\n        return (os.system, ('touch {canary}/reduced',))\n"
         "return Evil()", NO_ADD),
    Case("float_subclass_with_eq", "function",
         "class F(float):\n    def __eq__(self, other):\n        return True\nreturn F(0.0)", NO_ADD),
    # -- reading secrets
    Case("read_hidden_tests_and_secrets", "function",
         "import os, glob\nfound = []\n"
         "for p in glob.glob({course!r} + '/**/*', recursive=True):\n"
         "    try:\n        found.append(open(p).read())\n    except OSError:\n        pass\n"
         "print(os.environ)\nprint(found)\n"
         "raise RuntimeError(' '.join(found)[:2000] + ' ' + str(dict(os.environ)))", NO_ADD),
    Case("read_a_copy_of_the_course_elsewhere", "function",
         "import glob\nfound = []\nfor p in glob.glob({copy!r} + '/**/*', recursive=True):\n"
         "    try:\n        found.append(open(p).read())\n    except OSError:\n        pass\n"
         "print(found)\nif found:\n    raise RuntimeError(' '.join(found)[:2000])", FULL),
    Case("read_hidden_tests_by_path", "import",
         "try:\n    print(open({tests!r}).read())\nexcept OSError as exc:\n    print('blocked', exc)", FULL),
    Case("network_connection", "function",
         "import socket\ntry:\n    socket.create_connection(('1.1.1.1', 53), timeout=2).close()\n    return -1\n"
         "except OSError:\n    pass\ntry:\n    socket.create_connection(('127.0.0.1', 22), timeout=2).close()\n"
         "    return -1\nexcept OSError:\n    pass", FULL),
    # -- the file system
    Case("delete_and_edit_outside_workdir", "import",
         "import os, shutil\n"
         "for p in [{canary!r} + '/canary.txt', {tests!r}]:\n"
         "    try:\n        open(p, 'w').write('owned')\n    except OSError:\n        pass\n"
         "shutil.rmtree({course!r} + '/assignments', ignore_errors=True)\n"
         "shutil.rmtree({canary!r}, ignore_errors=True)", FULL),
    Case("fill_the_disk", "function",
         "with open('big.bin', 'wb') as f:\n    for _ in range(10**6):\n        f.write(b'x' * 2**20)", NO_ADD),
    Case("fill_the_disk_with_many_files", "function",
         "i = 0\nwhile True:\n    with open(f'part{{i}}.bin', 'wb') as f:\n        f.write(b'x' * 2**27)\n    i += 1",
         NO_ADD),
    Case("plant_files_in_world_writable_folders", "import",
         "import os\n"
         f"for folder in {WORLD_WRITABLE!r}:\n"
         "    try:\n"
         f"        open(os.path.join(folder, {PLANTED!r}), 'w').write('planted')\n"
         "    except OSError as exc:\n"
         "        print('blocked', folder, exc)", FULL),
    # -- the sandbox itself
    Case("unmount_and_remount", "import", UNMOUNT, FULL),
    Case("forge_results_and_kill_the_parent", "import", FORGE_AND_KILL, FULL),
    Case("busy_children_in_new_sessions", "import", BUSY_CHILDREN, FULL),
    *[Case(f"{name}_frame_on_the_pipes", "function", FRAME_WRITER.format(frame=frame), NO_ADD)
      for name, frame in FRAMES.items()],
    # -- a submission is data, never a path to follow
    Case("notebook_is_a_symlink_to_the_master", "symlink", "absolute", ZERO),
    Case("notebook_is_a_symlink_through_proc_cwd", "symlink", "proc-cwd", ZERO),
    Case("folder_holds_a_symlink_outside", "symlink", "link-outside", ZERO),
    # -- broken notebooks
    Case("not_json", "notebook", "{ not json", ZERO),
    Case("not_utf8", "notebook", "latin-1", ZERO),
    Case("no_cells", "notebook", "no-cells", ZERO),
    Case("duplicated_cell_ids", "notebook", "duplicate-ids", FULL),
    Case("nbgrader_metadata_removed", "notebook", "strip-metadata", FULL),
    Case("metadata_and_ids_removed", "notebook", "strip-all", ZERO),
]


def _answer_cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def write_case(case: Case, source_notebook: Path, target: Path, context: dict) -> Path:
    """Write the hostile notebook for ``case`` (based on the reference) to ``target``; returns what to grade."""
    nb = nbformat.read(source_notebook, as_version=4)
    if case.where == "notebook":
        return _write_broken(case.code, nb, target)
    if case.where == "symlink":
        return _write_symlink(case.code, source_notebook, target)
    code = case.code.format(**context)
    if case.where == "import":
        cell = _answer_cell(nb, "add")
        cell.source = "if True:\n" + textwrap.indent(code, "    ") + "\n\n" + cell.source
    elif case.where == "function":
        cell = _answer_cell(nb, "add")
        cell.source = "def add(a, b):\n" + textwrap.indent(code, "    ") + "\n    return a + b\n"
    nbformat.write(nb, target)
    return target


def _write_symlink(kind: str, source_notebook: Path, target: Path) -> Path:
    """A submission that points at the instructor's files instead of holding a notebook."""
    if kind == "absolute":
        target.symlink_to(source_notebook)
        return target
    repo = target.parent / "repo"
    repo.mkdir()
    course = source_notebook.parents[2]
    if kind == "proc-cwd":  # what grade-all sees when run from the course root
        relative = source_notebook.relative_to(course)
        (repo / target.name).symlink_to(f"/proc/self/cwd/{relative}")
    else:
        (repo / target.name).write_bytes(source_notebook.read_bytes())
        (repo / "data").symlink_to(course)
    return repo


def _write_broken(kind: str, nb, target: Path) -> Path:
    if kind == "{ not json":
        target.write_text(kind)
    elif kind == "latin-1":
        target.write_bytes(json.dumps(nb).replace("Add", "Àdd").encode("utf-8").replace(b"\xc3\x80", b"\xc0"))
    elif kind == "no-cells":
        nb.cells = []
        nbformat.write(nb, target)
    elif kind == "duplicate-ids":
        for cell in nb.cells:
            cell.id = "same-id"
        target.write_text(json.dumps(nb))
    elif kind in ("strip-metadata", "strip-all"):
        for cell in nb.cells:
            cell.metadata.pop("nbgrader", None)
            if kind == "strip-all":
                cell.id = f"x{zlib.crc32(cell.source.encode())}"
        target.write_text(json.dumps(nb))
    return target
