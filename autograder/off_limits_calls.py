"""Inside the worker: record the calls to a task's off-limits library functions that its own code makes.

``from_scratch`` reads names in the answer cell's syntax tree; this sees the calls no name shows
(``importlib.import_module("sklearn." + "metrics")``, ``exec``, a helper in another cell). Before the notebook
loads, each off-limits function, each public method of an off-limits class, and each attribute entry
(``.backward``) on ``torch.Tensor`` is wrapped. A call is recorded, as (task, entry), for every off-limits task whose
answer cell has a frame on the stack, so the library's own use of itself and the suite's calls are not counted.

The worker runs student code, so a determined submission could undo this: it is a second line behind the syntax
check. The trusted side keeps only (task, entry) pairs that the manifest declares, so a record can only cost the
submission that made it.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types

CELL_PREFIX = "<cell "
ATTRIBUTE_OWNERS = ("torch.Tensor",)  # where an attribute entry such as ".backward" is looked up
FUNCTIONS = (types.FunctionType, types.BuiltinFunctionType)


def _in_tree(name: str, entry: str) -> bool:
    return name == entry or name.startswith(entry + ".")


def _resolve(dotted: str):
    """The module ``dotted`` names, else the attribute of its longest importable prefix; (parent, object)."""
    try:
        return None, importlib.import_module(dotted)
    except ImportError:
        pass
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        parent = obj
        for part in parts[cut:]:
            parent, obj = obj, getattr(obj, part)
        return parent, obj
    raise ImportError(dotted)


class OffLimitsCalls:
    def __init__(self, off_limits: dict[str, list[str]]):
        self.tasks_of: dict[str, set[str]] = {}
        for grade_id, entries in off_limits.items():
            for entry in entries:
                self.tasks_of.setdefault(str(entry), set()).add(str(grade_id))
        self.calls: set[tuple[str, str]] = set()
        self._wrappers: dict[tuple[int, str], object] = {}

    def install(self) -> None:
        for entry in self.tasks_of:
            try:
                self._install(entry)
            except Exception:  # a library that is not installed cannot be called either
                pass

    def recorded(self) -> list[list[str]]:
        return [list(pair) for pair in sorted(self.calls)]

    # -- wrapping
    def _install(self, entry: str) -> None:
        if entry.startswith("."):
            for owner in ATTRIBUTE_OWNERS:
                _, cls = _resolve(owner)
                if isinstance(getattr(cls, entry[1:], None), FUNCTIONS):
                    setattr(cls, entry[1:], self._wrap(getattr(cls, entry[1:]), entry))
            return
        parent, obj = _resolve(entry)
        if isinstance(obj, types.ModuleType):
            for name, module in list(sys.modules.items()):
                if _in_tree(name, entry) and isinstance(module, types.ModuleType):
                    self._wrap_namespace(module, entry)
        elif isinstance(obj, type):
            self._wrap_class(obj, entry)
        elif callable(obj):  # a function, a builtin, or a dispatcher object such as NumPy's
            name = entry.rsplit(".", 1)[-1]
            holders = [parent] + [m for m in list(sys.modules.values()) if vars(m).get(name) is obj]
            for holder in holders:
                try:
                    setattr(holder, name, self._wrap(obj, entry))
                except (AttributeError, TypeError):
                    pass

    def _wrap_namespace(self, module: types.ModuleType, entry: str) -> None:
        exported = set(getattr(module, "__all__", ()) or ())
        for name, value in list(vars(module).items()):
            if name.startswith("_"):
                continue
            defined_here = _in_tree(str(getattr(value, "__module__", "") or ""), entry)
            if isinstance(value, FUNCTIONS) and (defined_here or name in exported):
                setattr(module, name, self._wrap(value, entry))
            elif isinstance(value, type) and defined_here:
                self._wrap_class(value, entry)

    def _wrap_class(self, cls: type, entry: str) -> None:
        for name, value in list(vars(cls).items()):
            if isinstance(value, types.FunctionType) and not name.startswith("_"):
                try:
                    setattr(cls, name, self._wrap(value, entry))
                except (AttributeError, TypeError):
                    pass

    def _wrap(self, original, entry: str):
        if getattr(original, "__off_limits_entry__", None) is not None:
            return original  # reached twice, through a re-export
        key = (id(original), entry)
        if key in self._wrappers:
            return self._wrappers[key]
        tasks, calls = self.tasks_of[entry], self.calls

        @functools.wraps(original)
        def recorded(*args, **kwargs):
            frame = sys._getframe(1)
            while frame is not None:
                filename = frame.f_code.co_filename
                if filename.startswith(CELL_PREFIX) and filename[len(CELL_PREFIX):-1] in tasks:
                    calls.add((filename[len(CELL_PREFIX):-1], entry))
                frame = frame.f_back
            return original(*args, **kwargs)

        recorded.__off_limits_entry__ = entry
        self._wrappers[key] = recorded
        return recorded
