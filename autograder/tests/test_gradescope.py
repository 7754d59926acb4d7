"""`autograder gradescope ID DEST.zip`: the archive, and its run_autograder in Gradescope's folder layout."""

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.cli import main
from autograder.gradescope import function_name, visibilities

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def archive(toy, tmp_path_factory):
    # One test marked for after publication: its visibility must reach results.json.
    tests = toy.tests_dir / "test_toy.py"
    text = tests.read_text()
    marked = text.replace("@pytest.mark.points(1)\ndef test_counter", '@pytest.mark.points(1)\n'
                          '@pytest.mark.visibility("after_published")\ndef test_counter')
    tests.write_text(marked)
    dest = tmp_path_factory.mktemp("gs") / "toy.zip"
    try:
        assert main(["--course", str(toy.root), "gradescope", toy.id, str(dest)]) == 0
    finally:
        tests.write_text(text)  # the session's toy course is shared: only the archive has the marker
    return dest


def test_the_archive_holds_the_published_grader_and_no_solution(toy, archive):
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
        assert {"setup.sh", "run_autograder", f"grader/assignments/{toy.id}/tests/test_toy.py",
                f"grader/assignments/{toy.id}/requirements.txt", "grader/autograder/gradescope.py"} <= names
        assert not any(n.endswith("reference.py") or n.startswith(("grader/source/", "grader/solutions/")) for n in names)
        assert z.getinfo("run_autograder").external_attr >> 16 & 0o111
        assert "bubblewrap" in z.read("setup.sh").decode() and "python3.11" in z.read("setup.sh").decode()
        assert "return a + b" not in "".join(z.read(n).decode(errors="replace") for n in names if n.startswith("grader/"))


def gradescope_run(archive, notebook: Path, tmp_path: Path) -> dict:
    root = tmp_path / "autograder"
    (root / "source").mkdir(parents=True)
    (root / "submission").mkdir()
    with zipfile.ZipFile(archive) as z:
        z.extractall(root / "source")
    (root / "source" / "run_autograder").chmod(0o755)
    shutil.copy(notebook, root / "submission" / notebook.name)
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "AUTOGRADER_PYTHON": sys.executable}
    done = subprocess.run([str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads((root / "results" / "results.json").read_text())


def test_run_autograder_scores_the_reference_full_and_the_stub_zero(toy, archive, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the strict sandbox needs root")
    reference = gradescope_run(archive, toy.source_notebook, tmp_path / "ref")
    cpu_points = sum(t["max_score"] for t in reference["tests"] if not t["output"].startswith("skipped"))
    assert reference["score"] == cpu_points > 0
    by_name = {function_name(t["name"]): t for t in reference["tests"]}
    assert by_name["test_counter"]["visibility"] == "after_published"
    assert by_name["test_add"]["visibility"] == "visible"
    for test in reference["tests"]:
        assert set(test) >= {"name", "score", "max_score", "status", "output", "visibility"}
    assert {"score", "execution_time", "output", "tests"} <= set(reference)
    stub = gradescope_run(archive, toy.release_notebook, tmp_path / "stub")
    assert stub["score"] == 0 and all(t["status"] == "failed" for t in stub["tests"])


def test_visibility_markers_are_read_from_the_suite(tmp_path):
    (tmp_path / "test_x.py").write_text('import pytest\n\n@pytest.mark.visibility("hidden")\n@pytest.mark.points(1)\n'
                                        'def test_a():\n    pass\n\ndef test_b():\n    pass\n')
    assert visibilities(tmp_path) == {"test_a": "hidden"}
    assert function_name("test_x.py::test_a[1-2]") == "test_a"
