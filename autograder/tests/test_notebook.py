"""Reading notebooks and building the graded program: bad input is a message, never a traceback."""

import json

import nbformat
import pytest

from autograder.notebook import NotebookError, build_program, classify, defined_names, read_notebook, strip_magics


def test_cell_kinds(toy):
    nb = read_notebook(toy.source_notebook)
    kinds = {classify(c).grade_id: classify(c).kind for c in nb["cells"]}
    assert kinds == {"intro": "other", "setup_imports": "setup", "add": "answer", "check_add": "check",
                     "scale": "answer", "demo_plot": "other"}


def test_program_takes_setup_from_the_original_and_answers_from_the_student(toy):
    original = read_notebook(toy.release_notebook)
    student = read_notebook(toy.source_notebook)
    student["cells"][1]["source"] = "import os; os.system('evil')"
    program = build_program(original, student)
    assert [c["grade_id"] for c in program.cells] == ["setup_imports", "add", "scale"]
    assert program.cells[0]["source"] == strip_magics(original["cells"][1]["source"])
    assert "return a + b" in program.cells[1]["source"]
    assert any("`setup_imports` was edited" in f for f in program.flags)
    assert program.defines == {"add": "add", "scale": "scale", "Counter": "scale"}


def test_answer_cell_without_metadata_is_matched_by_cell_id(toy):
    original = read_notebook(toy.release_notebook)
    student = read_notebook(toy.source_notebook)
    del student["cells"][2]["metadata"]["nbgrader"]
    program = build_program(original, student)
    assert "add" in [c["grade_id"] for c in program.cells] and not program.missing
    assert any("matched it by cell id" in f for f in program.flags)


def test_deleted_answer_cell_is_missing_and_edits_of_checks_are_flagged(toy):
    original = read_notebook(toy.release_notebook)
    student = read_notebook(toy.source_notebook)
    student["cells"] = [c for c in student["cells"] if c["metadata"].get("nbgrader", {}).get("grade_id") != "add"]
    student["cells"][2]["source"] = "pass"  # check_add
    program = build_program(original, student)
    assert program.missing == ["add"]
    assert any("`check_add` was edited" in f for f in program.flags)


def test_a_stub_pasted_above_the_answer_does_not_win(toy):
    original = read_notebook(toy.release_notebook)
    student = read_notebook(toy.source_notebook)
    stub = json.loads(json.dumps(student["cells"][2]))
    stub["source"] = "def add(a, b):\n    raise NotImplementedError()"
    student["cells"].insert(2, stub)  # the same grade_id, above the real answer
    program = build_program(original, student)
    assert "return a + b" in [c for c in program.cells if c["grade_id"] == "add"][0]["source"]
    assert any("appears more than once; the last copy was graded" in f for f in program.flags)


def test_magics_are_commented_out_but_never_inside_strings():
    from autograder.notebook import strip_magics

    source = ('%matplotlib inline\n!pip install x\nTEMPLATE = """\n%d apples\n!important\n"""\n'
              'def f():\n    %time g()\n    return 1\n')
    stripped = strip_magics(source)
    assert stripped.splitlines()[:2] == ["# %matplotlib inline", "# !pip install x"]
    assert "\n%d apples\n!important\n" in stripped and "# %d" not in stripped
    assert "    pass  # %time g()" in stripped
    compile(stripped, "cell", "exec")


@pytest.mark.parametrize("content, reason", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b'{"hello": 1}', "not a Jupyter notebook"),
    (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": "nope"}', "notebook"),
])
def test_unreadable_files_give_a_reason(tmp_path, content, reason):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(NotebookError, match=reason):
        read_notebook(path)


def test_old_format_notebooks_are_upgraded(tmp_path):
    v3 = nbformat.v3.new_notebook(worksheets=[nbformat.v3.new_worksheet(cells=[nbformat.v3.new_code_cell(input="x = 1")])])
    path = tmp_path / "old.ipynb"
    path.write_text(nbformat.v3.writes_json(v3))
    nb = read_notebook(path)
    assert nb["nbformat"] == 4 and nb["cells"][0]["source"] == "x = 1"


def test_defined_names():
    assert defined_names("import os\nX = 1\ndef f(): pass\nclass C: pass\nf()\n") == ["X", "f", "C"]
    assert defined_names("def broken(:\n") == []
