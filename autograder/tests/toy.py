"""A tiny course, built in a temporary folder, that exercises every engine path quickly."""

from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat

TOY_ID = "00_toy"


def cell(kind: str, grade_id: str, source: str) -> nbformat.NotebookNode:
    source = textwrap.dedent(source).strip("\n")
    if kind == "markdown":
        c = nbformat.v4.new_markdown_cell(source)
        meta = {"grade": False, "locked": True, "solution": False}
    else:
        c = nbformat.v4.new_code_cell(source)
        meta = {"grade": False, "locked": kind != "answer", "solution": kind == "answer"}
    if kind != "scratch":
        c.metadata["nbgrader"] = {**meta, "grade_id": grade_id, "schema_version": 3, "task": False}
    c.id = grade_id.replace("_", "-") or "scratch"
    return c


SOURCE_CELLS = [
    ("markdown", "intro", "# Toy\nAdd and scale."),
    ("setup", "setup_imports", "import numpy as np\n%matplotlib inline"),
    ("answer", "add", '''
        def add(a, b):
            """Return a + b."""
            ### BEGIN SOLUTION
            return a + b
            ### END SOLUTION
        '''),
    ("check", "check_add", "assert add(1, 2) == 3, 'add(1, 2) should be 3'"),
    ("answer", "scale", '''
        def scale(x: np.ndarray, k: float) -> np.ndarray:
            """Return k * x."""
            ### BEGIN SOLUTION
            return np.asarray(x) * k
            ### END SOLUTION

        class Counter:
            def __init__(self):
                self.n = 0

            def bump(self):
                ### BEGIN SOLUTION
                self.n += 1
                return self.n
                ### END SOLUTION
        '''),
    ("demo", "demo_plot", "print(scale(np.arange(3), 2))"),
]

TESTS = '''
# HIDDEN-TEST-MARKER-5521: this text must never reach a student
import numpy as np
import pytest
from numpy.testing import assert_allclose


@pytest.mark.points(2)
def test_add(submission):
    assert submission.add(2, 3) == 5, "add(2, 3) should be 5"


@pytest.mark.points(3)
def test_scale(submission, rng):
    x = rng.normal(size=4)
    assert_allclose(submission.scale(x, 2.0), 2 * x, err_msg="scale(x, 2) should double x")


@pytest.mark.points(1)
def test_counter(submission):
    counter = submission.Counter()
    assert counter.bump() == 1 and counter.bump() == 2, "bump() should count 1, 2, ..."


@pytest.mark.points(4)
@pytest.mark.gpu
def test_gpu_only(submission, device):
    import torch

    assert submission.add(torch.ones(2, device=device), 1).sum().item() == 4, "add should work on tensors"
'''


def write_toy_course(root: Path, cells=SOURCE_CELLS, tests: str = TESTS, manifest_extra: str = "", points: float = 10,
                     gpu_tests: tuple[str, ...] = ("test_gpu_only",), conftest: str = "") -> Path:
    """Write a course with one assignment, 00_toy, and release it with the real nbgrader."""
    (root / "source" / TOY_ID).mkdir(parents=True)
    (root / "assignments" / TOY_ID / "tests").mkdir(parents=True)
    (root / "nbgrader_config.py").write_text("c = get_config()\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [cell(*c) for c in cells]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, root / "source" / TOY_ID / f"{TOY_ID}.ipynb")
    (root / "source" / TOY_ID / "data").mkdir()
    (root / "source" / TOY_ID / "data" / "numbers.txt").write_text("1 2 3\n")
    (root / "assignments" / TOY_ID / "assignment.toml").write_text(textwrap.dedent(f'''
        id = "{TOY_ID}"
        title = "Toy"
        step = 1
        topic = "Engine tests"
        points = {points:g}

        [grading]
        budget_probes = 30
        test_timeout_s = 10
        run_timeout_s = 60
        load_timeout_s = 20
        memory_mb = 2048
        gpu_tests = {list(gpu_tests)!r}
        {manifest_extra}
        [release]
        requirements = ["numpy>=2,<3"]
        '''))
    (root / "assignments" / TOY_ID / "tests" / "test_toy.py").write_text(tests)
    if conftest:
        (root / "assignments" / TOY_ID / "tests" / "conftest.py").write_text(conftest)
    return root
