"""``autograder publish-grader DEST``: what the Classroom workflow needs to grade, and nothing a student must not read.

The grading workflow runs in each student's repository, so whatever its token can read, a student can read.
The course repository holds the solutions; the grader repository this writes holds only:

    autograder/                  the engine (without its own tests)
    pyproject.toml, README.md    to install it
    assignments/<ID>/            the manifest, requirements.txt, the hidden suite and reference.snapshot
    release/<ID>/                the release as students got it: setup cells, data and workflow to compare with

It leaves out ``source/``, ``solutions/`` and every ``reference.py`` (hand-written reference code that
reproduces the students' functions): tests replay its recorded answers instead (``autograder.snapshots``).
Before it finishes, ``leaks`` checks the result against the source notebooks, and publishing stops if
anything of a solution is inside.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

from autograder import snapshots
from autograder.course import Assignment, Course
from autograder.faults import GraderFault
from autograder.notebook import BEGIN_SOLUTION, END_SOLUTION
from autograder.sandbox import DEFAULT_MODE, ENGINE_DIR

IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache")
MIN_LINE = 25  # solution lines shorter than this (``return x``) are too common to mean anything
README = """# Grader for {course}

Written by `autograder publish-grader` from the course repository; do not edit it by hand, publish again.
It holds the grading engine, the hidden suites with their recorded reference answers, and the releases,
and no solution. The GitHub Classroom workflow of every assignment checks it out to grade each push.
"""


class PublishError(GraderFault):
    pass


def publish(course: Course, dest: Path, assignments: list[Assignment], sandbox: str = DEFAULT_MODE,
            record: bool = True) -> Path:
    """Write the grader to ``dest``. ``record=False`` (tests of the contents only) skips grading the references."""
    from autograder.grading import grade, reference_settings

    dest = Path(dest)
    if dest.exists() and any(p.name != ".git" for p in dest.iterdir()):
        for item in dest.iterdir():
            if item.name != ".git":  # keep the grader repository's history
                shutil.rmtree(item) if item.is_dir() and not item.is_symlink() else item.unlink()
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ENGINE_DIR, dest / "autograder", ignore=shutil.ignore_patterns("tests", "__pycache__", "*.pyc"))
    project = next((p for p in (course.root / "pyproject.toml", ENGINE_DIR.parent / "pyproject.toml") if p.is_file()), None)
    if project is None:
        raise PublishError("no pyproject.toml to install the engine from (neither the course's nor the engine's)")
    shutil.copy2(project, dest / "pyproject.toml")
    (dest / "README.md").write_text(README.format(course=course.root.name), encoding="utf-8")
    (dest / "nbgrader_config.py").write_text('"""Marks this folder as an autograder course directory."""\n')
    for assignment in assignments:
        target = dest / "assignments" / assignment.id
        target.mkdir(parents=True)
        shutil.copy2(assignment.manifest_dir / "assignment.toml", target / "assignment.toml")
        # What the workflow installs next to the engine: this assignment's libraries, not the whole course's.
        (target / "requirements.txt").write_text("".join(f"{r}\n" for r in assignment.requirements), encoding="utf-8")
        shutil.copytree(assignment.tests_dir, target / "tests", ignore=IGNORED)
        shutil.copytree(assignment.release_dir, dest / "release" / assignment.id, ignore=IGNORED)
        if record and (assignment.manifest_dir / snapshots.MODULE_NAME).is_file():
            snapshot = target / snapshots.SNAPSHOT_NAME
            result = grade(assignment, assignment.source_notebook, gpu="off", sandbox=sandbox,
                           reference=reference_settings(assignment, record=snapshot))
            if result.score != result.max_score or not snapshot.is_file():
                raise PublishError(f"{assignment.id}: the reference scores {result.score:g}/{result.max_score:g}, so "
                                   "its answers were not recorded; run `autograder validate` first")
    found = leaks(dest, assignments)
    if found:
        raise PublishError(f"the grader in {dest} would hold solution material, so it must not be published:\n  "
                           + "\n  ".join(found[:20]))
    return dest


# ---------------------------------------------------------------- what must never be in it

def solution_regions(notebook: Path) -> tuple[list[str], str]:
    """The substantial lines inside the solution markers, and all the given text (to exempt lines quoted in it)."""
    import nbformat

    solution, given, inside = [], [], False
    for cell in nbformat.read(notebook, as_version=4).cells:
        for line in cell.source.splitlines():
            if BEGIN_SOLUTION in line:
                inside = True
            elif END_SOLUTION in line:
                inside = False
            elif inside:
                solution.append(line.strip())
            else:
                given.append(line)
    return [line for line in solution if len(line) >= MIN_LINE], "\n".join(given)


def _body_dump(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring is given text
    return ast.dump(ast.Module(body=body, type_ignores=[]), annotate_fields=False)


def function_bodies(source: str) -> dict[str, str]:
    """Every function's body (without its docstring), as an AST dump, by qualified name."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            dump = _body_dump(node)
            if "NotImplementedError" not in dump and len(node.body) > 0:
                found[node.name] = dump
    return found


def solution_functions(notebook: Path) -> dict[str, str]:
    import nbformat

    found = {}
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "code" and BEGIN_SOLUTION in cell.source:
            source = "\n".join(line for line in cell.source.splitlines()
                                if BEGIN_SOLUTION not in line and END_SOLUTION not in line)
            found.update(function_bodies(source))
    return found


def leaks(bundle: Path, assignments: list[Assignment]) -> list[str]:
    """Everything in ``bundle`` that gives away a solution of ``assignments``' source notebooks. A line that some
    release or source notebook already gives students (a seeding idiom, say) is not a secret."""
    found = []
    for folder in ("source", "solutions"):
        if (bundle / folder).exists():
            found.append(f"{folder}/ is in the grader")
    files = sorted(p for p in bundle.rglob("*") if p.is_file() and ".git" not in p.relative_to(bundle).parts)
    texts = {p: p.read_text(encoding="utf-8", errors="ignore") for p in files
             if p.suffix in (".py", ".ipynb", ".md", ".txt", ".toml", ".yml", ".json", ".cfg", ".ini", "")}
    for path in files:
        if path.name == snapshots.MODULE_NAME:
            found.append(f"{path.relative_to(bundle)}: a reference module")
    for path, text in texts.items():
        if BEGIN_SOLUTION in text:
            found.append(f"{path.relative_to(bundle)}: a solution marker ({BEGIN_SOLUTION})")
    regions = {a.id: solution_regions(a.source_notebook) for a in assignments}
    public = "\n".join([given for _, given in regions.values()] +
                       [text for path, text in texts.items() if path.relative_to(bundle).parts[0] == "release"])
    for assignment in assignments:
        secret = [line for line in regions[assignment.id][0] if line not in public]
        bodies = {dump: name for name, dump in solution_functions(assignment.source_notebook).items()}
        solutions = assignment.root / "solutions" / assignment.id
        solution_files = {p.read_bytes() for p in solutions.rglob("*") if p.is_file()} if solutions.is_dir() else set()
        for path in files:
            relative = path.relative_to(bundle)
            if solution_files and path.read_bytes() in solution_files:
                found.append(f"{relative}: a file of solutions/{assignment.id}")
            text = texts.get(path)
            if text is None:
                continue
            # Lines are checked where this assignment's solution could hide: its own suite and the engine (a
            # short idiom of one assignment's solution may well be another's test code); bodies everywhere.
            own = relative.parts[:2] == ("assignments", assignment.id) or relative.parts[0] == "autograder"
            for line in secret if own else ():
                if line in text:
                    found.append(f"{relative}: the solution line {line[:60]!r} of {assignment.id}")
                    break
            if path.suffix == ".py":
                for name, dump in function_bodies(text).items():
                    if dump in bodies:
                        found.append(f"{relative}: {name}() has the body of the solution's {bodies[dump]}()")
    return found
