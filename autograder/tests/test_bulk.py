"""grade-all: nbgrader's layout in, reports, feedback and grades/<ID>.csv out; parallel, resumable, isolated rows."""

import csv

import nbformat
import pytest

from autograder.bulk import grade_all
from autograder.grading import GradingFailed
from hostile import BUSY_MARK, CASES, write_case

pytestmark = pytest.mark.slow

MIX = {
    "ada": ("reference", 6.0),
    "bob": ("wrong_add", 4.0),
    "cyd": ("os_exit_at_import", 0.0),
    "dee": ("infinite_loop_in_function", 4.0),
    "eve": ("not_json", 0.0),
    "fay": ("stub", 0.0),
}


STUDENTS = {f"{name}{i}": MIX[name] for i in range(4) for name in MIX}
STUDENTS = dict(list(STUDENTS.items())[:20])  # 20 submissions: correct, partial, hostile, broken, stub


@pytest.fixture
def class_dir(toy, tmp_path):
    cases = {c.name: c for c in CASES}
    for student, (kind, _) in STUDENTS.items():
        folder = tmp_path / "submitted" / student / toy.id
        folder.mkdir(parents=True)
        target = folder / f"{toy.id}.ipynb"
        if kind == "reference":
            target.write_bytes(toy.source_notebook.read_bytes())
        elif kind == "stub":
            target.write_bytes(toy.release_notebook.read_bytes())
        elif kind == "wrong_add":
            text = toy.source_notebook.read_text().replace("return a + b", "return a - b")
            target.write_text(text)
        else:
            context = {"course": str(toy.root), "canary": str(tmp_path), "github_output": "", "tests": "", "copy": ""}
            write_case(cases[kind], toy.source_notebook, target, context)
    return tmp_path


def read_grades(root, assignment_id="00_toy"):
    with open(root / "grades" / f"{assignment_id}.csv") as handle:
        return {row["student"]: row for row in csv.DictReader(handle)}


def test_grade_all_writes_reports_feedback_and_grades(toy, class_dir):
    fast = toy.with_grading(test_timeout_s=5, load_timeout_s=8)
    summary = grade_all(fast, class_dir, jobs=2, gpu="off")
    grades = read_grades(class_dir)
    assert {s: float(r["score"]) for s, r in grades.items()} == {s: v for s, (_, v) in STUDENTS.items()}
    assert all(float(r["max_score"]) == 6 for r in grades.values())
    assert "not valid JSON" in grades["eve0"]["flags"]
    for student in STUDENTS:
        assert (class_dir / "autograded" / student / toy.id / "report.json").is_file()
        assert (class_dir / "feedback" / student / toy.id / "feedback.html").is_file()
    assert "graded 20 submissions (0 already done)" in str(summary) and not summary.failed

    (class_dir / "autograded" / "bob1" / toy.id / "report.json").unlink()
    summary = grade_all(fast, class_dir, jobs=2, gpu="off")
    assert "graded 1 submissions (19 already done)" in str(summary)
    assert float(read_grades(class_dir)["bob1"]["score"]) == 4


THREADED_ADD = ("def add(a, b):\n"
                "    from concurrent.futures import ThreadPoolExecutor\n"
                "    with ThreadPoolExecutor(4) as pool:\n"
                "        return pool.submit(lambda: a + b).result()\n")


def test_a_fork_bomb_costs_no_neighbour_its_points(toy, tmp_path):
    """Workers graded side by side must not share a process quota: a fork bomb that exhausts its own must not
    stop an honest neighbour (here one that uses threads, as torch and BLAS do) from starting threads."""
    bomb = {c.name: c for c in CASES}["fork_bomb_in_function"]
    for i in range(3):
        for student in (f"bomb{i}", f"hive{i}"):
            folder = tmp_path / "submitted" / student / toy.id
            folder.mkdir(parents=True)
            target = folder / f"{toy.id}.ipynb"
            if student.startswith("bomb"):
                context = {"course": str(toy.root), "canary": str(tmp_path), "github_output": "", "tests": "", "copy": ""}
                write_case(bomb, toy.source_notebook, target, context)
            else:
                nb = nbformat.read(toy.source_notebook, as_version=4)
                next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add").source = THREADED_ADD
                nbformat.write(nb, target)
    fast = toy.with_grading(test_timeout_s=5, load_timeout_s=8)
    grade_all(fast, tmp_path, jobs=2, gpu="off")
    grades = read_grades(tmp_path)
    assert {s: float(r["score"]) for s, r in grades.items() if s.startswith("hive")} == {f"hive{i}": 6.0 for i in range(3)}


def test_a_grading_the_grader_could_not_run_is_reported_and_retried(toy, class_dir, monkeypatch):
    import autograder.bulk as bulk

    honest = bulk.grade

    def flaky(assignment, folder, gpu, **options):
        if folder.parent.name == "ada0":
            raise GradingFailed("no grade for 00_toy: the grader could not set up its sandbox on this machine")
        return honest(assignment, folder, gpu=gpu, **options)

    fast = toy.with_grading(test_timeout_s=5, load_timeout_s=8)
    monkeypatch.setattr(bulk, "grade", flaky)
    summary = grade_all(fast, class_dir, jobs=2, gpu="off")
    assert summary.failed == ["ada0"] and "1 could not be graded" in str(summary)
    assert read_grades(class_dir)["ada0"]["flags"].startswith("grading failed: no grade")
    assert not (class_dir / "autograded" / "ada0" / toy.id / "report.json").exists()

    summary = grade_all(fast, class_dir, jobs=2, gpu="off", regrade=True)  # --regrade: still named, still no score
    assert summary.failed == ["ada0"] and read_grades(class_dir)["ada0"]["score"] == ""

    monkeypatch.setattr(bulk, "grade", honest)
    summary = grade_all(fast, class_dir, jobs=2, gpu="off")
    assert summary.graded == 1 and not summary.failed
    assert float(read_grades(class_dir)["ada0"]["score"]) == 6


def test_each_assignment_has_its_own_gradebook(toy, class_dir):
    fast = toy.with_grading(test_timeout_s=5, load_timeout_s=8)
    summary = grade_all(fast, class_dir, jobs=2, gpu="off")
    assert summary.grades == class_dir / "grades" / f"{toy.id}.csv" and summary.grades.is_file()
    assert not (class_dir / "grades.csv").exists()


BUSY_ADD = ("def add(a, b):\n"
            "    import subprocess, sys\n"
            "    for _ in range(8):\n"
            f"        subprocess.Popen([sys.executable, '-c', '# {BUSY_MARK}\\nwhile True: pass'], start_new_session=True)\n"
            "    return a + b\n")


def test_busy_children_in_new_sessions_cost_no_neighbour_anything(toy, tmp_path):
    """Children a submission leaves busy in new sessions stay in its control group: an honest neighbour graded
    beside it (threads, as torch and BLAS use) keeps all its points, and every such child ends with the grading."""
    for i in range(3):
        for student in (f"busy{i}", f"hive{i}"):
            folder = tmp_path / "submitted" / student / toy.id
            folder.mkdir(parents=True)
            nb = nbformat.read(toy.source_notebook, as_version=4)
            cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "add")
            cell.source = BUSY_ADD if student.startswith("busy") else THREADED_ADD
            nbformat.write(nb, folder / f"{toy.id}.ipynb")
    fast = toy.with_grading(test_timeout_s=5, load_timeout_s=8)
    grade_all(fast, tmp_path, jobs=2, gpu="off")
    grades = read_grades(tmp_path)
    assert {s: float(r["score"]) for s, r in grades.items() if s.startswith("hive")} == {f"hive{i}": 6.0 for i in range(3)}
    assert {s: float(r["score"]) for s, r in grades.items() if s.startswith("busy")} == {f"busy{i}": 6.0 for i in range(3)}
    import subprocess

    assert subprocess.run(["pgrep", "-f", BUSY_MARK], capture_output=True, text=True).stdout == "", \
        "a busy child outlived its grading"
