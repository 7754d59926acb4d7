"""Build the student release of an assignment: nbgrader's generate_assignment plus a Classroom template repo.

``build`` always generates into a scratch course directory, so ``--check`` and a real release share one
code path: the real release replaces ``release/<ID>/`` with the result, ``--check`` compares them.
"""

from __future__ import annotations

import filecmp
import importlib.util
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

import jinja2

from autograder.course import Assignment
from autograder.notebook import BEGIN_SOLUTION

TEMPLATES = Path(__file__).resolve().parent / "templates" / "release"
RELEASE_MODULES = Path(__file__).resolve().parent / "release_modules"
STUDENT_TOOLS = ["jupyterlab>=4.2,<5", "ipykernel>=6.29,<8"]


class ReleaseError(Exception):
    pass


def generate_notebook(assignment: Assignment, scratch: Path) -> Path:
    """Run the real nbgrader on a copy of source/<ID>/; returns the generated release folder."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config import Config

    # nbgrader runs the `alembic` command of its own environment, which may not be on PATH (a bare venv).
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")

    shutil.copytree(assignment.root / "source" / assignment.id, scratch / "source" / assignment.id,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.pyc"))
    config = Config()
    config.CourseDirectory.root = str(scratch)
    config.CourseDirectory.course_id = "llm-roadmap-classroom"
    config.CourseDirectory.db_url = f"sqlite:///{scratch / 'gradebook.db'}"
    config.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
    config.ClearSolutions.text_stub = "YOUR ANSWER HERE"
    config.Application.log_level = logging.ERROR
    api = NbGraderAPI(config=config)
    result = api.generate_assignment(assignment.id, force=True, create=True)
    if not result.get("success"):
        raise ReleaseError(f"nbgrader could not generate {assignment.id}:\n{result.get('error') or result.get('log')}")
    return scratch / "release" / assignment.id


GENERIC_TUTOR_PROMPTS = (
    "Explain the main idea of this chapter like I'm five, then like I'm a first-year student.",
    "Here is my code and the error it raises: what should I check first? Please don't fix it for me.",
    "Give me three questions that test whether I really understood this concept.",
)
TUTOR_CELL_ID = "using-an-llm-as-your-tutor"


def add_tutor_section(assignment: Assignment, notebook_path: Path) -> None:
    """Append "Using an LLM as your tutor" (the chapter's prompts and the course's AI-use policy, which the
    instructor sets once in assignments/AI_POLICY.md) to the release notebook."""
    import nbformat

    policy_file = assignment.root / "assignments" / "AI_POLICY.md"
    policy = policy_file.read_text(encoding="utf-8").strip() if policy_file.is_file() else ""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES.parent), trim_blocks=True, lstrip_blocks=True,
                             undefined=jinja2.StrictUndefined)
    text = env.get_template("tutor_section.md.j2").render(
        a=assignment, prompts=assignment.tutor_prompts or GENERIC_TUTOR_PROMPTS, policy=policy,
        off_limits={name: task.off_limits for name, task in assignment.manifest.tasks.items() if task.off_limits})
    notebook = nbformat.read(notebook_path, as_version=4)
    notebook.cells = [c for c in notebook.cells if c.get("id") != TUTOR_CELL_ID]
    cell = nbformat.v4.new_markdown_cell(text.strip())
    cell.id = TUTOR_CELL_ID
    notebook.cells.append(cell)
    nbformat.write(notebook, notebook_path)


def build_data(assignment: Assignment, dest: Path) -> None:
    script = assignment.manifest_dir / "make_data.py"
    if not script.is_file():
        return
    spec = importlib.util.spec_from_file_location(f"make_data_{assignment.id}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(dest)


def copy_modules(assignment: Assignment, dest: Path) -> None:
    """Shared student-side modules (the model loader, ...) that the manifest's ``release.modules`` names."""
    for name in assignment.modules:
        source = RELEASE_MODULES / name
        if name.startswith("_") or not source.is_file():
            raise ReleaseError(f"{assignment.id}: release.modules names {name!r}, which is not in {RELEASE_MODULES}")
        shutil.copyfile(source, dest / name)


def render_extras(assignment: Assignment, dest: Path) -> None:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    context = {"a": assignment, "requirements": list(assignment.requirements) + STUDENT_TOOLS}
    for template in sorted(TEMPLATES.rglob("*.j2")):
        relative = template.relative_to(TEMPLATES).as_posix()
        target = dest / relative.removesuffix(".j2").replace("dot-", ".")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(relative).render(**context), encoding="utf-8")


def build(assignment: Assignment, scratch: Path) -> Path:
    generated = generate_notebook(assignment, scratch)
    add_tutor_section(assignment, generated / f"{assignment.id}.ipynb")
    build_data(assignment, generated)
    copy_modules(assignment, generated)
    render_extras(assignment, generated)
    leaked = [str(p.relative_to(generated)) for p in generated.rglob("*")
              if p.is_file() and p.suffix in (".ipynb", ".py", ".md") and BEGIN_SOLUTION in p.read_text(errors="ignore")]
    if leaked:
        raise ReleaseError(f"solution markers survived in the release of {assignment.id}: {', '.join(leaked)}")
    return generated


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()} if root.is_dir() else set()


def stale_files(assignment: Assignment) -> list[str]:
    """Files where release/<ID>/ differs from a fresh build (missing, extra or changed)."""
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as scratch:
        fresh = build(assignment, Path(scratch))
        current = assignment.release_dir
        ours, theirs = tree(fresh), tree(current)
        stale = sorted((ours ^ theirs) | {p for p in ours & theirs
                                          if not filecmp.cmp(fresh / p, current / p, shallow=False)})
    return [f"release/{assignment.id}/{p}" for p in stale]


def release(assignment: Assignment) -> Path:
    with tempfile.TemporaryDirectory(prefix="autograder-release-") as scratch:
        fresh = build(assignment, Path(scratch))
        if assignment.release_dir.exists():
            shutil.rmtree(assignment.release_dir)
        shutil.copytree(fresh, assignment.release_dir)
    return assignment.release_dir


def copy_package_data(package: str, inside: str, target: Path, sha256: str) -> None:
    """Copy a data file that an installed package ships (``inside`` is its path in the package) to
    ``target``, byte for byte, after checking its checksum: release data without a network."""
    import hashlib
    import importlib.resources

    source = Path(str(importlib.resources.files(package).joinpath(inside)))
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    if digest != sha256:
        raise ReleaseError(f"{source} is not the expected file (sha256 {digest}); did {package}'s copy change?")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
