"""Releases: real nbgrader output, a complete Classroom template, no solution or hidden test inside."""

from pathlib import Path

import pytest

from autograder.course import Course
from autograder.release import stale_files

COURSE = Course(Path(__file__).resolve().parents[2])


def test_toy_release_is_a_complete_template_repository(toy):
    files = {p.relative_to(toy.release_dir).as_posix() for p in toy.release_dir.rglob("*") if p.is_file()}
    assert files == {"00_toy.ipynb", "README.md", "requirements.txt", ".gitignore", "data/numbers.txt",
                     ".github/workflows/classroom.yml"}
    notebook = (toy.release_dir / "00_toy.ipynb").read_text()
    assert "BEGIN SOLUTION" not in notebook and "return a + b" not in notebook
    assert "raise NotImplementedError()" in notebook
    workflow = (toy.release_dir / ".github/workflows/classroom.yml").read_text()
    assert "autograding-grading-reporter@v1" in workflow and "--classroom" in workflow
    assert "00_toy" in workflow and "secrets.GRADER_TOKEN" in workflow
    assert "numpy>=2,<3" in (toy.release_dir / "requirements.txt").read_text()


def test_toy_release_is_current_and_an_edit_makes_it_stale(toy):
    assert stale_files(toy) == []
    readme = toy.release_dir / "README.md"
    original = readme.read_text()
    readme.write_text(original + "edited\n")
    try:
        assert stale_files(toy) == ["release/00_toy/README.md"]
    finally:
        readme.write_text(original)


def solution_lines(notebook: Path) -> list[str]:
    """Substantial lines that appear only between BEGIN and END SOLUTION in a source notebook."""
    import nbformat

    solution, given, inside = [], [], False
    for cell in nbformat.read(notebook, as_version=4).cells:
        for line in cell.source.splitlines():
            if "BEGIN SOLUTION" in line:
                inside = True
            elif "END SOLUTION" in line:
                inside = False
            elif inside and len(line.strip()) >= 25:
                solution.append(line.strip())
            else:
                given.append(line)
    given_text = "\n".join(given)  # hints in the prose may quote a line on purpose
    return [line for line in solution if line not in given_text]


@pytest.mark.parametrize("assignment_id", COURSE.assignment_ids())
def test_course_release_holds_no_solution_body(assignment_id):
    assignment = COURSE.assignment(assignment_id)
    released = assignment.release_notebook.read_text()
    leaked = [line for line in solution_lines(assignment.source_notebook) if line in released]
    assert not leaked, f"solution lines in the release of {assignment_id}: {leaked[:3]}"


@pytest.mark.parametrize("assignment_id", COURSE.assignment_ids())
def test_course_release_holds_no_solution_and_no_hidden_test(assignment_id):
    assignment = COURSE.assignment(assignment_id)
    hidden = {p.name for p in assignment.tests_dir.rglob("*.py")}
    for path in assignment.release_dir.rglob("*"):
        if path.is_file():
            assert path.name not in hidden or path.name == "__init__.py", f"hidden test file {path} in release"
            if path.suffix in (".ipynb", ".py", ".md", ".txt", ".yml"):
                assert "BEGIN SOLUTION" not in path.read_text(errors="ignore"), f"solution marker in {path}"


@pytest.mark.slow
@pytest.mark.parametrize("assignment_id", COURSE.assignment_ids())
def test_course_release_runs_until_the_first_stub(assignment_id, tmp_path):
    """A student who opens the release and runs everything hits a NotImplementedError, not another error."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from autograder.grading import copy_release_files

    assignment = COURSE.assignment(assignment_id)
    copy_release_files(assignment, tmp_path)
    notebook = nbformat.read(assignment.release_notebook, as_version=4)
    client = NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as failure:
        client.execute()
    assert failure.value.ename == "NotImplementedError", f"{assignment_id}: {failure.value.ename}: {failure.value.evalue}"
