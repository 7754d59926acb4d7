"""The worker: the only process that runs student code.

It builds the module ``submission`` from the program's cells and answers requests from the trusted
side over two dedicated pipes. Every answer is encoded with ``codec``: plain data crosses, anything
else stays here and crosses as a numbered reference. Nothing here decides a score.

Run as ``python -m autograder.worker PROGRAM_JSON READ_FD WRITE_FD`` (normally by ``autograder.sandbox``).
"""

from __future__ import annotations

import ast
import json
import linecache
import os
import sys
import traceback
import types

from autograder import codec
from autograder.off_limits_calls import OffLimitsCalls

CELL_PREFIX = "<cell "


def _definitions_only(tree: ast.Module) -> ast.Module:
    """Drop bare top-level expressions (prints, training calls, plt.show()) from an answer cell."""
    tree.body = [node for node in tree.body if not isinstance(node, ast.Expr)]
    return tree


def _where(exc: BaseException) -> str:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(CELL_PREFIX)]
    if not frames:
        return ""
    frame = frames[-1]
    return f" (line {frame.lineno} of cell `{frame.filename[len(CELL_PREFIX):-1]}`)"


def _safe_str(exc: BaseException) -> str:
    try:
        text = str(exc)
    except BaseException:  # a hostile __str__
        text = "<unprintable>"
    return " ".join(text.split())[:500]


def describe(exc: BaseException) -> dict:
    kind = "not_implemented" if isinstance(exc, NotImplementedError) else "exception"
    if isinstance(exc, SyntaxError):
        return {"kind": "syntax", "type": "SyntaxError",
                "message": f"{_safe_str(exc.msg)} at line {exc.lineno}" if exc.lineno else _safe_str(exc.msg),
                "where": ""}
    return {"kind": kind, "type": type(exc).__name__, "message": _safe_str(exc), "where": _where(exc),
            "mro": [f"{c.__module__}.{c.__qualname__}"[:200] for c in type(exc).__mro__][:32]}


class Worker:
    def __init__(self, program: dict, reader, writer):
        self.program, self.reader, self.writer = program, reader, writer
        self.objects: dict[int, object] = {}
        self.module = types.ModuleType("submission")
        self.module.__file__ = "<submission>"
        sys.modules["submission"] = self.module
        self.loaded = None
        self.pid = os.getpid()
        self.replaced: dict[str, object] = {}  # names a test swapped for trusted code, with the student's originals
        self.off_limits = OffLimitsCalls(program.get("off_limits") or {})

    def forked_child(self) -> bool:
        """True in a process the student forked: it must not answer on the grader's pipes."""
        return os.getpid() != self.pid

    # -- object table
    def to_ref(self, value) -> dict:
        key = id(value)
        self.objects[key] = value
        try:
            type_name = f"{type(value).__module__}.{type(value).__qualname__}"
        except BaseException:
            type_name = "?"
        return {"$": "remote", "id": key, "type": type_name[:200]}

    def resolve(self, ref_id: int):
        if ref_id not in self.objects:
            raise LookupError("that object is no longer available in the worker")
        return self.objects[ref_id]

    # -- building the module
    def load(self) -> dict:
        self.off_limits.install()  # before any cell runs, so that no cell holds an unwrapped original
        report = []
        for cell in self.program["cells"]:
            grade_id, kind = cell["grade_id"], cell["kind"]
            filename = f"{CELL_PREFIX}{grade_id}>"
            source = cell["source"]  # magics were commented out on the trusted side (notebook.strip_magics)
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            try:
                tree = ast.parse(source, filename)
                if kind == "answer":
                    tree = _definitions_only(tree)
                exec(compile(tree, filename, "exec"), self.module.__dict__)
                if self.forked_child():
                    os._exit(0)
                report.append({"grade_id": grade_id, "kind": kind, "ok": True})
            except BaseException as exc:  # SystemExit and KeyboardInterrupt too: one bad cell loses only itself
                if self.forked_child():
                    os._exit(1)
                report.append({"grade_id": grade_id, "kind": kind, "ok": False, "error": describe(exc)})
        self.loaded = report
        return {"cells": report}

    # -- requests
    def target(self, request):
        ref = request.get("target")
        return self.module if ref is None else self.resolve(int(ref))

    def handle(self, request: dict, blobs: list[bytes]):
        op = request.get("op")
        decoder = codec.Decoder(blobs, resolve_ref=self.resolve)
        if op == "load":
            return self.load()
        if op == "ping":
            return "pong"
        if op == "off_limits_calls":
            return self.off_limits.recorded()
        if op == "seed":
            return self.seed(int(request["seed"]))
        if op == "import":
            import importlib

            return importlib.import_module(str(request["name"]))
        if op == "define":  # trusted library glue from the hidden suite, in a namespace of its own
            namespace = types.ModuleType("trusted")
            exec(compile(str(request["source"]), "<hidden suite>", "exec"), namespace.__dict__)
            return getattr(namespace, str(request["name"]))
        if op == "replace":  # until `restore`: the student's other code calls the trusted part instead
            name, value = str(request["name"]), decoder.decode(request["args"])[0]
            self.replaced.setdefault(name, self.module.__dict__.get(name, _Missing(name)))
            self.module.__dict__[name] = value
            return None
        if op == "restore":
            return self.restore()
        target = self.target(request)
        if op == "getattr":
            name = str(request["name"])
            if target is self.module and name not in self.module.__dict__:
                return _Missing(name)
            return getattr(target, name)
        if op == "call":
            args = decoder.decode(request["args"])
            kwargs = decoder.decode(request["kwargs"])
            return target(*args, **kwargs)
        if op == "getitem":
            return target[decoder.decode(request["key"])]
        if op == "len":
            return int(len(target))
        if op == "iter":
            return list(target)
        if op == "type":
            t = type(target)
            return f"{t.__module__}.{t.__qualname__}"
        raise ValueError(f"unknown request {op!r}")

    def restore(self) -> None:
        for name, original in self.replaced.items():
            if isinstance(original, _Missing):
                self.module.__dict__.pop(name, None)
            else:
                self.module.__dict__[name] = original
        self.replaced.clear()

    def seed(self, seed: int):
        self.restore()  # every test starts on the student's own code
        import random

        random.seed(seed)
        if "numpy" in sys.modules:
            sys.modules["numpy"].random.seed(seed)
        if "torch" in sys.modules:
            torch = sys.modules["torch"]
            torch.manual_seed(seed)
            torch.set_num_threads(int(os.environ.get("AUTOGRADER_THREADS", "1")))
        return None

    def serve(self):
        while True:
            try:
                request, blobs = codec.read_message(self.reader)
            except EOFError:
                return
            try:
                value = self.handle(request, blobs)
                if isinstance(value, _Missing):
                    reply, out = {"ok": False, "error": {"kind": "missing", "type": "NameError",
                                                         "message": value.name, "where": ""}}, []
                else:
                    out = []
                    reply = {"ok": True, "value": codec.encode(value, out, self.to_ref)}
            except BaseException as exc:  # the student's exception, whatever it is, becomes a reason
                reply, out = {"ok": False, "error": describe(exc)}, []
            if self.forked_child():
                os._exit(1)
            codec.write_message(self.writer, reply, out)


class _Missing:
    def __init__(self, name):
        self.name = name


def main(argv: list[str]) -> None:
    program_path, read_fd, write_fd = argv[0], int(argv[1]), int(argv[2])
    with open(program_path, encoding="utf-8") as handle:
        program = json.load(handle)
    reader = os.fdopen(read_fd, "rb")
    writer = os.fdopen(write_fd, "wb")
    sys.argv = ["submission"]
    Worker(program, reader, writer).serve()
    os._exit(0)  # skip interpreter teardown: student threads or atexit hooks must not delay the grader


if __name__ == "__main__":
    main(sys.argv[1:])
