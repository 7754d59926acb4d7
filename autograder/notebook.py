"""Read a submitted notebook and build the program the worker runs.

The program is the release's setup cells (always the instructor's original text) interleaved, in the
release's order, with the student's answer cells (matched by nbgrader grade_id, then by cell id).
Exploration, plotting and training cells are never part of it. Reading never raises on bad input:
problems become a readable ``error`` or ``flags``.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
# nbgrader's solution markers, spelled in two parts so that the engine's own source never holds the marker
# that the release and publish checks look for.
BEGIN_SOLUTION, END_SOLUTION = "BEGIN " "SOLUTION", "END " "SOLUTION"


class NotebookError(Exception):
    """The file cannot be read as a notebook; the message says why in a student's words."""


@dataclass
class CellInfo:
    kind: str  # setup | answer | check | other
    grade_id: str
    source: str
    cell_id: str | None


@dataclass
class Program:
    """What the worker runs, plus what the trusted side needs to explain failures."""

    cells: list[dict] = field(default_factory=list)  # {"grade_id", "kind", "source"}
    missing: list[str] = field(default_factory=list)  # answer cells not found in the submission
    defines: dict[str, str] = field(default_factory=dict)  # name -> answer cell that should define it
    flags: list[str] = field(default_factory=list)  # tamper evidence and other notes for the report
    error: str | None = None  # the notebook could not be read at all

    def to_json(self) -> dict:
        return {"cells": self.cells, "missing": self.missing, "defines": self.defines, "error": self.error}


def _text(source) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return source if isinstance(source, str) else ""


def read_notebook(path: Path) -> dict:
    """Parse ``path`` as a Jupyter notebook (any nbformat version nbformat can upgrade), as a plain dict."""
    import nbformat

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise NotebookError(f"cannot open the notebook: {exc.strerror}") from None
    if size > MAX_NOTEBOOK_BYTES:
        raise NotebookError(f"the notebook is {size / 2**20:.0f} MiB, more than the {MAX_NOTEBOOK_BYTES // 2**20} MiB "
                            "limit; clear large outputs (Kernel > Restart & Clear Output) and save again")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise NotebookError(f"the notebook is not UTF-8 text (bad byte at position {exc.start}); "
                            "save it again from Jupyter") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise NotebookError(f"the notebook is not valid JSON ({exc}); it may have been corrupted or "
                            "edited by hand. Re-download your last good version or save it again from Jupyter") from None
    if not isinstance(data, dict) or not ("cells" in data or "worksheets" in data):
        raise NotebookError("the file is JSON but not a Jupyter notebook (no cells)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nb = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises many kinds on odd versions
        version = data.get("nbformat", "?")
        raise NotebookError(f"cannot read notebook format {version} ({type(exc).__name__}); open it in a "
                            "current Jupyter and save it (nbformat 4)") from None
    cells = nb.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("the notebook has no list of cells")
    return nb


def classify(cell) -> CellInfo:
    """Which of the four kinds a cell is (see assignments/README.md)."""
    if not isinstance(cell, dict):
        return CellInfo("other", "", "", None)
    meta = cell.get("metadata")
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    source, cell_id = _text(cell.get("source")), cell.get("id") if isinstance(cell.get("id"), str) else None
    if not isinstance(nbg, dict) or cell.get("cell_type") != "code":
        grade_id = str(nbg.get("grade_id", "")) if isinstance(nbg, dict) else ""
        return CellInfo("other", grade_id, source, cell_id)
    grade_id = str(nbg.get("grade_id", ""))
    if nbg.get("solution") is True and not nbg.get("grade"):
        kind = "answer"
    elif nbg.get("locked") is True and grade_id.startswith("setup"):
        kind = "setup"
    elif nbg.get("locked") is True and grade_id.startswith("check"):
        kind = "check"
    else:
        kind = "other"
    return CellInfo(kind, grade_id, source, cell_id)


def defined_names(source: str) -> list[str]:
    """Top-level names an answer cell defines (functions, classes, assignments)."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    names = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.append(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names += [t.id for t in targets if isinstance(t, ast.Name)]
    return names


def _string_continuation_lines(source: str) -> set[int]:
    """1-based numbers of the lines that continue a multi-line string (a triple-quoted one, say)."""
    import io
    import tokenize

    inside: set[int] = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.STRING and token.end[0] > token.start[0]:
                inside.update(range(token.start[0] + 1, token.end[0] + 1))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return inside


def strip_magics(source: str) -> str:
    """IPython magics and shell escapes (``%matplotlib``, ``!pip``) are not Python: comment them out, keeping
    line numbers, but never inside a string, where a line that starts with % is just text."""
    lines = source.split("\n")
    if not any(line.lstrip().startswith(("%", "!")) for line in lines):
        return source
    inside = _string_continuation_lines(source)

    def neutral(line: str) -> str:  # `pass` keeps a block that held only the magic valid
        indent = line[: len(line) - len(line.lstrip())]
        return f"{indent}pass  # {line.lstrip()}" if indent else f"# {line}"

    return "\n".join(neutral(line) if line.lstrip().startswith(("%", "!")) and number not in inside else line
                     for number, line in enumerate(lines, start=1))


def build_program(original: dict, submitted: dict | None) -> Program:
    """Interleave the original setup cells with the submitted answer cells, flagging tampering."""
    program = Program()
    expected = [classify(c) for c in original["cells"]]
    by_grade_id: dict[str, CellInfo] = {}
    by_cell_id: dict[str, CellInfo] = {}
    duplicates: set[str] = set()
    for cell in (submitted or {}).get("cells", []):
        info = classify(cell)
        if info.grade_id:
            if info.grade_id in by_grade_id:
                duplicates.add(info.grade_id)
            by_grade_id[info.grade_id] = info  # the last copy: a stub pasted above the answer must not win
        if info.cell_id and info.cell_id not in by_cell_id:
            by_cell_id[info.cell_id] = info
    for grade_id in sorted(duplicates):
        program.flags.append(f"cell `{grade_id}` appears more than once; the last copy was graded")

    for want in expected:
        if want.kind == "answer":
            for name in defined_names(want.source):
                program.defines.setdefault(name, want.grade_id)
            got = by_grade_id.get(want.grade_id)
            if got is not None and got.kind != "answer":
                program.flags.append(f"answer cell `{want.grade_id}` lost its answer-cell metadata; graded anyway")
            if got is None and want.cell_id and want.cell_id in by_cell_id:
                got = by_cell_id[want.cell_id]
                program.flags.append(f"answer cell `{want.grade_id}` had its nbgrader metadata changed; "
                                     "matched it by cell id")
            if got is None:
                program.missing.append(want.grade_id)
                continue
            program.cells.append({"grade_id": want.grade_id, "kind": "answer", "source": strip_magics(got.source)})
        elif want.kind in ("setup", "check"):
            got = by_grade_id.get(want.grade_id)
            if got is None:
                program.flags.append(f"locked cell `{want.grade_id}` was deleted; graded with the original")
            elif got.source.strip() != want.source.strip():
                program.flags.append(f"locked cell `{want.grade_id}` was edited; graded with the original")
            if want.kind == "setup":
                program.cells.append({"grade_id": want.grade_id, "kind": "setup", "source": strip_magics(want.source)})
    if submitted is not None:
        known = {c.grade_id for c in expected}
        unknown = [i.grade_id for i in by_grade_id.values() if i.kind == "answer" and i.grade_id not in known]
        if unknown:
            program.flags.append("answer cells not in the assignment were ignored: " + ", ".join(sorted(unknown)))
    return program


def load_program(original_path: Path, submitted_path: Path) -> Program:
    """Read both notebooks; a broken submission gives a Program whose answer cells are all missing."""
    original = read_notebook(original_path)
    try:
        submitted = read_notebook(submitted_path)
    except NotebookError as exc:
        program = build_program(original, {"cells": []})
        program.flags = [f for f in program.flags if "locked cell" not in f]
        program.error = str(exc)
        return program
    return build_program(original, submitted)
