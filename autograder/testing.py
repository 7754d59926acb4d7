"""Helpers for hidden tests (see assignments/README.md)."""

from __future__ import annotations

from contextlib import contextmanager

from autograder.client import (  # noqa: F401 (re-exported for hidden tests)
    MissingAnswer, NotImplementedYet, Remote, StudentError, StudentTimeout, Submission, SubmissionError,
)


def remote_type(obj) -> str:
    """The qualified type name of a value, whether it lives in the worker (a Remote) or came back as data."""
    if isinstance(obj, Remote):
        return obj._request("type", "type()")
    t = type(obj)
    return f"{t.__module__}.{t.__qualname__}"


def worker_import(submission, name: str):
    """A module imported in the worker (a Remote), to build library objects next to the student's code."""
    return submission._request("import", f"import {name}", name=name)


def worker_function(submission, source: str, name: str):
    """A function defined in the worker from ``source`` (the hidden suite's own library glue), as a Remote.

    The source is the suite's, so it is as public as the suite: library calls, never reference code.
    """
    return submission._request("define", f"the suite's {name}", source=source, name=name)


@contextmanager
def replaced(submission, **parts):
    """Inside the block, the student's code calls trusted ``parts`` (Remotes) in place of the named answers.

        attention = worker_function(submission, SDPA_SOURCE, "scaled_dot_product_attention")
        with replaced(submission, scaled_dot_product_attention=attention):
            out = submission.MultiHeadSelfAttention(16, 4)(x)   # judged apart from the student's attention

    So a test of task B that composes task A judges B alone: a wrong A loses only A's points. Names are looked up
    at call time in the student's module; code that holds its own copy of A is judged with it. The student's
    versions come back at the end of the block, and before every test in any case.
    """
    try:
        for name, part in parts.items():
            submission._request("replace", f"replacing {name}", name=name, args=[part])
        yield
    finally:
        submission._request("restore", "restoring the student's code")


def _qualified(name: str) -> str:
    return name if "." in name else f"builtins.{name}"


@contextmanager
def student_raises(*type_names: str, message: str = ""):
    """Expect the student's code, called inside the block, to raise one of ``type_names``, or a subclass.

        with student_raises("ValueError", message="rmse must reject arrays of different lengths"):
            submission.rmse([1, 2], [1, 2, 3])

    A bare name means the built-in exception (``"ValueError"`` is ``builtins.ValueError``), so a class the
    student named ValueError does not count; give a qualified name (``"torch.OutOfMemoryError"``) for others.
    A stub (NotImplementedError) and any other exception propagate with their own reason.
    """
    wanted = {_qualified(name) for name in type_names}
    try:
        yield
    except NotImplementedYet:
        raise
    except StudentError as exc:
        if wanted & set(exc.mro):
            return
        raise
    raise AssertionError(message or f"expected {' or '.join(type_names)} to be raised")
