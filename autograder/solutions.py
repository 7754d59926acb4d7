"""Executed reference notebooks, with outputs and plots, for instructors to hand out after the deadline."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from autograder.course import Assignment
from autograder.grading import copy_release_files


def generate(assignment: Assignment, timeout_s: int = 900) -> Path:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(assignment.source_notebook, as_version=4)
    with tempfile.TemporaryDirectory(prefix="autograder-solution-") as scratch:
        workdir = Path(scratch)
        copy_release_files(assignment, workdir)
        NotebookClient(notebook, timeout=timeout_s, kernel_name="python3",
                       resources={"metadata": {"path": str(workdir)}}).execute()
    target = assignment.root / "solutions" / assignment.id
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    path = target / f"{assignment.id}.ipynb"
    nbformat.write(notebook, path)
    return path
