"""The model cache on the grader's side: built before the first worker that needs it, checked in full each time.

The student-side loader (``autograder/release_modules/course_models.py``, shipped in the releases that use
it) builds and reads the cache; here the trusted side makes sure it is complete before any student code runs,
so the sandbox can bind it read-only. A cache that cannot be built is the grader's fault, never a zero.
"""

from __future__ import annotations

import os
from pathlib import Path

from autograder.faults import GraderFault
from autograder.release_modules import course_models

BUILDERS = {"smollm2": course_models.smollm2_path}


class ModelsUnavailable(GraderFault):
    pass


def ensure(names: tuple[str, ...] | list[str], rebuild: bool = False) -> str:
    """The cache folder, with every model in ``names`` built and its checksums verified ("" if none)."""
    if not names:
        return ""
    unknown = sorted(set(names) - set(BUILDERS))
    if unknown:
        raise ModelsUnavailable(f"unknown model(s) in the manifest: {', '.join(unknown)} (known: {', '.join(BUILDERS)})")
    for name in names:
        try:
            if rebuild:
                course_models.build_smollm2(course_models.cache_root() / course_models.SMOLLM2)
            folder = BUILDERS[name](rebuild=True, deep=True)
        except (course_models.ModelCacheError, OSError, ValueError) as exc:
            raise ModelsUnavailable(f"no grade: the model cache could not be prepared (not the submission's fault): "
                                    f"{exc}") from None
        _readable_by_all(folder)
    return str(course_models.cache_root())


def _readable_by_all(folder: Path) -> None:
    """The sandboxed worker runs under a uid of its own: the cache must be world-readable. Only the cache's own
    folders: the sandbox binds the cache root, so the folders above it (~/.cache) are never touched."""
    for path in [folder.parent, folder, *folder.iterdir()]:
        mode = path.stat().st_mode
        wanted = mode | (0o555 if path.is_dir() else 0o444)
        if mode != wanted and os.access(path, os.W_OK):
            os.chmod(path, wanted & 0o7777)
