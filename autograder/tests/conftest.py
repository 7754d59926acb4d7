import json
import sys
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from toy import TOY_ID, write_toy_course  # noqa: E402

from autograder.course import Course  # noqa: E402
from autograder.release import release  # noqa: E402


@pytest.fixture(scope="session")
def toy_course(tmp_path_factory) -> Course:
    root = write_toy_course(tmp_path_factory.mktemp("course"))
    course = Course(root)
    release(course.assignment(TOY_ID))
    return course


@pytest.fixture(scope="session")
def toy(toy_course):
    return toy_course.assignment(TOY_ID)


@pytest.fixture
def make_submission(toy, tmp_path):
    """Write a variant of the reference notebook: ``edit(cells_by_grade_id, notebook)`` changes it in place."""
    counter = iter(range(1000))

    def make(edit=None, name=None, base="source") -> Path:
        path = toy.source_notebook if base == "source" else toy.release_notebook
        nb = nbformat.read(path, as_version=4)
        if edit is not None:
            cells = {c.metadata.get("nbgrader", {}).get("grade_id", ""): c for c in nb.cells}
            edit(cells, nb)
        target = tmp_path / (name or f"submission{next(counter)}.ipynb")
        nbformat.write(nb, target)
        return target

    return make


def replace_function(cells, grade_id: str, source: str) -> None:
    cells[grade_id].source = source


def load_json(path):
    return json.loads(Path(path).read_text())
