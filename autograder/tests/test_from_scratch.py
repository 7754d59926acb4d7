"""From scratch means from scratch: a task that calls the library code it asks students to write scores 0 on its
tests, whether the call is named in its cell (the syntax check) or reached some other way (the worker's record)."""

import nbformat
import pytest

from autograder import from_scratch
from autograder.course import Course
from autograder.grading import grade
from autograder.release import release
from toy import TOY_ID, write_toy_course

pytestmark = pytest.mark.slow

OFF_LIMITS = '''
[tasks.scale]
concept = "Scaling, written with the * operator"
off_limits = ["numpy.outer"]
'''
REFERENCE_SCALE = "return np.asarray(x) * k"
REASON = "uses `numpy.outer`, which this task asks you to write yourself"
HIDDEN_REASON = "uses `numpy.outer` (called while its code ran), which this task asks you to write yourself"


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = write_toy_course(tmp_path_factory.mktemp("scratch") / "course", manifest_extra=OFF_LIMITS)
    assignment = Course(root).assignment(TOY_ID)
    release(assignment)
    return assignment


def graded(course, tmp_path, replacements):
    """Grade the reference with each (old, new) replaced in the one cell that holds ``old``."""
    nb = nbformat.read(course.source_notebook, as_version=4)
    for old, new in replacements:
        (cell,) = [c for c in nb.cells if old in c.source]
        cell.source = cell.source.replace(old, new)
    path = tmp_path / f"{TOY_ID}.ipynb"
    nbformat.write(nb, path)
    result = grade(course, path, gpu="off")
    return result, {t.name.split("::")[-1]: t for t in result.tests}


@pytest.fixture(scope="module")
def reference(course, tmp_path_factory):
    return graded(course, tmp_path_factory.mktemp("reference"), [])[0]


def test_the_reference_keeps_every_point(reference):
    result = reference
    assert result.score == result.max_score and not any("write yourself" in f for f in result.flags)


def test_a_named_call_scores_zero_on_that_task_only(course, tmp_path):
    result, tests = graded(course, tmp_path, [(REFERENCE_SCALE, "from numpy import outer as o\n    return o(x, [k]).ravel()")])
    assert tests["test_scale"].score == 0 and tests["test_scale"].message == REASON
    assert tests["test_scale"].exception == "OffLimits"
    assert tests["test_add"].status == "passed"  # another task keeps its points
    assert f"task `scale` {REASON}" in result.flags


@pytest.mark.parametrize("hidden", [
    'getattr(__import__("num" + "py"), "out" + "er")(x, [k]).ravel()',  # no name the syntax check can see
    'helper(x, k)',  # through a helper that another cell defines
])
def test_a_call_no_name_shows_is_recorded_by_the_worker(course, tmp_path, hidden):
    helper = '''return a + b

def helper(x, k):
    return np.outer(x, [k]).ravel()'''
    result, tests = graded(course, tmp_path, [(REFERENCE_SCALE, f"return {hidden}"), ("return a + b", helper)])
    assert tests["test_scale"].score == 0 and tests["test_scale"].message == HIDDEN_REASON
    assert tests["test_add"].status == "passed"  # the helper's own cell is not charged: it is not off limits


def test_the_syntax_check_resolves_aliases_getattr_and_attribute_entries():
    context = "import torch\nimport torch.nn as nn\nfrom sklearn import metrics as m"
    assert from_scratch.uses("y = m.r2_score(a, b)", context, ["sklearn.metrics"]) == ["sklearn.metrics"]
    assert from_scratch.uses("c = nn.LSTMCell(3, 4)", context, ["torch.nn.LSTMCell"]) == ["torch.nn.LSTMCell"]
    assert from_scratch.uses('g = getattr(torch, "autograd").grad', context, ["torch.autograd"]) == ["torch.autograd"]
    assert from_scratch.uses("loss.backward()", context, [".backward"]) == [".backward"]
    assert from_scratch.uses("y = (a - b) ** 2", context, ["sklearn.metrics", ".backward"]) == []
    assert from_scratch.uses("def broken(:", context, ["sklearn.metrics"]) == []  # its tests report the syntax error


def test_a_forged_record_of_an_undeclared_pair_is_ignored(course, reference):
    result = reference
    from_scratch.apply(course, type("P", (), {"cells": []})(), result, [["add", "numpy.outer"], ["scale", "os.system"]])
    assert result.score == result.max_score
