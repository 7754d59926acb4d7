"""Helpers for hidden tests (see assignments/README.md)."""

from __future__ import annotations

import importlib

from autograder.client import Remote, Submission


def remote_type(obj) -> str:
    """The qualified type name of a value, whether it lives in the worker (a Remote) or came back as data."""
    if isinstance(obj, Remote):
        return obj._request("type", "type()")
    t = type(obj)
    return f"{t.__module__}.{t.__qualname__}"


def worker_import(submission, name: str):
    """A module imported in the worker (a Remote), to build library objects next to the student's code."""
    if isinstance(submission, Submission):
        return submission._request("import", f"import {name}", name=name)
    return importlib.import_module(name)  # direct mode (benchmarks' floor)
