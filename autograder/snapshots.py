"""Reference answers for hidden tests: computed live in the course repository, replayed in the published grader.

A suite's hand-written reference code reproduces the functions students write, so it lives in
``assignments/<ID>/reference.py``, which never leaves the instructor's repository. Tests reach it through
the ``ref`` fixture::

    expected = ref.gradient(X, y, w, b)

- **live** (the course repository): the call runs ``reference.gradient``; with ``record`` set, every answer
  is also written to a snapshot file when the suite ends.
- **replay** (the grader that ``autograder publish-grader`` writes, with ``reference.snapshot`` and no
  ``reference.py``): the call returns the recorded answer, after checking that the test asked the same
  question (same function, arguments that match the recorded fingerprint).

Answers are keyed by test and call order, and must depend only on the suite's own seeded inputs, never on
the submission's answers. A call that was not recorded, or whose arguments differ, is a grader fault, never
a student's zero. Arguments and answers must be plain data (what ``codec`` sends); live calls return the same
decoded copy that a replay returns, so both modes behave alike.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
from pathlib import Path
from typing import Any

from autograder import codec
from autograder.faults import GraderFault

SNAPSHOT_NAME = "reference.snapshot"
MODULE_NAME = "reference.py"
MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024
RTOL, ATOL = 1e-6, 1e-9


# ---------------------------------------------------------------- fingerprints of arguments

def _as_array(value):
    """numpy's view of an array-like library value, or None."""
    module = type(value).__module__ or ""
    if module.startswith(("numpy", "torch", "pandas")):
        import numpy as np

        if module.startswith("torch"):
            value = value.detach().to("cpu")
            if str(value.dtype) == "torch.bfloat16":
                value = value.float()
            value = value.numpy()
        return np.asarray(value)
    return None


def fingerprint(value: Any) -> Any:
    """A small, JSON-able summary of ``value``: exact for integers, text and structure, float sums for floats
    (machine-independent up to rounding, so a snapshot made on one machine replays on another)."""
    t = type(value)
    if value is None or t in (bool, int, str):
        return value
    if t is float:
        return {"float": value}
    if t in (list, tuple):
        return {t.__name__: [fingerprint(v) for v in value]}
    if t is dict:
        return {"dict": [[fingerprint(k), fingerprint(v)] for k, v in value.items()]}
    if t is bytes:
        return {"bytes": hashlib.sha256(value).hexdigest()}
    if (type(value).__module__ or "").startswith("pandas") and t.__name__ == "DataFrame":
        return {"frame": [[str(c) for c in value.columns], [fingerprint(value[c]) for c in value.columns]]}
    array = _as_array(value)
    if array is None:
        raise TypeError(f"a reference call cannot take a {t.__module__}.{t.__qualname__}; pass plain data "
                        "(numbers, text, lists, dicts, arrays, tensors, data frames)")
    import numpy as np

    shape = list(array.shape)
    if array.dtype.kind in "fc":
        x = np.abs(array.astype(np.complex128)).ravel() if array.dtype.kind == "c" else array.astype(np.float64).ravel()
        weights = 1.0 + np.sin(np.arange(x.size, dtype=np.float64))  # order matters, not only the values
        finite = np.isfinite(x)
        return {"floats": shape, "sum": float(np.dot(np.where(finite, x, 0.0), weights)),
                "abs": float(np.abs(np.where(finite, x, 0.0)).sum()), "nonfinite": int((~finite).sum())}
    if array.dtype.kind in "iub":
        return {"ints": shape, "sha": hashlib.sha256(np.ascontiguousarray(array.astype(np.int64)).tobytes()).hexdigest()}
    return {"items": shape, "sha": hashlib.sha256(repr(array.tolist()).encode()).hexdigest()}


def same_fingerprint(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(same_fingerprint(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        if a.keys() != b.keys():
            return False
        for key in a:
            x, y = a[key], b[key]
            if key in ("float", "sum", "abs") and isinstance(x, float) and isinstance(y, float):
                scale = a.get("abs", 0.0) if key == "sum" else abs(x)
                if not (x == y or (math.isnan(x) and math.isnan(y))
                        or abs(x - y) <= ATOL + RTOL * max(abs(x), abs(y), scale if isinstance(scale, float) else 0.0)):
                    return False
            elif not same_fingerprint(x, y):
                return False
        return True
    return a == b


# ---------------------------------------------------------------- the store

def _roundtrip(value: Any, what: str) -> tuple[Any, list[bytes]]:
    blobs: list[bytes] = []
    try:
        encoded = codec.encode(value, blobs)
    except (TypeError, ValueError) as exc:
        raise GraderFault(f"{what} returned something that is not plain data ({exc}); reference functions "
                          "must return numbers, text, lists, dicts, arrays or tensors") from None
    return encoded, blobs


class Snapshot:
    """Recorded calls: ``{test: [(name, fingerprint, encoded answer), ...]}`` plus the answers' blobs."""

    def __init__(self):
        self.calls: dict[str, list[list]] = {}
        self.blobs: list[bytes] = []

    def add(self, test: str, name: str, args_fingerprint: Any, value: Any) -> Any:
        encoded, blobs = _roundtrip(value, f"ref.{name}")
        offset = len(self.blobs)
        self.blobs += blobs
        self.calls.setdefault(test, []).append([name, args_fingerprint, _shift_blobs(encoded, offset)])
        return codec.Decoder(blobs).decode(encoded)

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        with open(tmp, "wb") as handle:
            codec.write_message(handle, {"version": 1, "calls": self.calls}, self.blobs)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "Snapshot":
        snapshot = cls()
        try:
            with open(path, "rb") as handle:
                header, blobs = codec.read_message(handle, limit=MAX_SNAPSHOT_BYTES)
        except (OSError, EOFError, codec.ProtocolError) as exc:
            raise GraderFault(f"the reference snapshot {path} cannot be read ({exc}): publish the grader again") from None
        if header.get("version") != 1 or not isinstance(header.get("calls"), dict):
            raise GraderFault(f"the reference snapshot {path} is not one this grader understands")
        snapshot.calls, snapshot.blobs = header["calls"], blobs
        return snapshot

    def answer(self, test: str, index: int, name: str, args_fingerprint: Any) -> Any:
        recorded = self.calls.get(test, [])
        if index >= len(recorded):
            raise GraderFault(f"no recorded reference answer for call {index + 1} (ref.{name}) of {test}: the hidden "
                              "suite asked a question the published grader did not record (a course problem)")
        got_name, got_fingerprint, encoded = recorded[index]
        if got_name != name or not same_fingerprint(got_fingerprint, args_fingerprint):
            raise GraderFault(f"call {index + 1} of {test} (ref.{name}) differs from the recorded one "
                              f"(ref.{got_name}): reference calls must depend only on the suite's seeded inputs, "
                              "never on the submission's answers (a course problem)")
        return codec.Decoder(self.blobs).decode(encoded)


def _shift_blobs(node: Any, offset: int) -> Any:
    if isinstance(node, list):
        return [_shift_blobs(v, offset) for v in node]
    if isinstance(node, dict):
        return {k: (v + offset if k == "b" and type(v) is int else _shift_blobs(v, offset)) for k, v in node.items()}
    return node


# ---------------------------------------------------------------- the fixture's object

def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(f"reference_{path.parent.name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Reference:
    """``ref``: attribute access gives a callable reference function (live or replayed)."""

    def __init__(self, module=None, snapshot: Snapshot | None = None, record: Snapshot | None = None):
        if module is None and snapshot is None:
            raise GraderFault("this hidden suite uses `ref`, but the grader has neither the reference module nor its "
                              "snapshot (a course problem: publish the grader again)")
        self._module, self._snapshot, self._record = module, snapshot, record
        self._test, self._index = "", 0

    def start_test(self, test: str) -> None:
        self._test, self._index = test, 0

    def __getattr__(self, name: str):
        if name.startswith("_"):
            raise AttributeError(name)
        if self._module is not None and not callable(getattr(self._module, name, None)):
            raise AttributeError(f"reference.py defines no function {name!r}")

        def call(*args, **kwargs):
            try:
                args_fingerprint = fingerprint([list(args), kwargs])
            except TypeError as exc:
                raise GraderFault(f"ref.{name} in {self._test}: {exc}") from None
            index, self._index = self._index, self._index + 1
            if self._module is None:
                return self._snapshot.answer(self._test, index, name, args_fingerprint)
            value = getattr(self._module, name)(*args, **kwargs)
            store = self._record if self._record is not None else Snapshot()
            return store.add(self._test, name, args_fingerprint, value)

        call.__name__ = name
        return call
