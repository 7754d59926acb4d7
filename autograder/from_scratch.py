"""From scratch means from scratch: a task may declare, in the manifest, the library calls it asks students to
write themselves (``[tasks.<grade_id>] off_limits = ["sklearn.metrics", "torch.autograd", ".backward"]``).

The trusted side reads the answer cell's syntax tree, never runs it: a dotted name is resolved through the
notebook's imports (``import torch.nn as nn``, ``from sklearn.metrics import mean_squared_error as mse``) and
``getattr(x, "name")`` with a constant string, and matches an entry when it is that name or inside it
(``sklearn.metrics`` matches ``sklearn.metrics.r2_score``). An entry that starts with a dot matches that attribute
on anything (``.backward``). A task that uses one scores 0 on its tests, with a reason that says which call.
The worker also records the calls that no name shows (``off_limits_calls``), and ``apply`` counts both.
"""

from __future__ import annotations

import ast


def _aliases(tree: ast.AST) -> dict[str, str]:
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` (and ``getattr(a.b, "c")``) as ["a", "b", "c"]; None for anything else."""
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return base + [node.attr] if base else None
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        base = _dotted(node.args[0])
        return base + [node.args[1].value] if base else None
    return None


def _attributes(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
            and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and isinstance(node.args[1].value, str)):
        return [node.args[1].value]
    return []


def _matches(name: str, entry: str) -> bool:
    return name == entry or name.startswith(entry + ".")


def uses(answer: str, context: str, off_limits: tuple[str, ...] | list[str]) -> list[str]:
    """The off-limits entries the answer cell's code reaches (``context``: the setup cells, for their imports)."""
    try:
        tree = ast.parse(answer)
    except SyntaxError:
        return []  # the cell fails to run anyway, and its tests say so
    try:
        aliases = _aliases(ast.parse(context)) if context else {}
    except SyntaxError:
        aliases = {}
    aliases.update(_aliases(tree))
    found = []
    dotted_entries = [e for e in off_limits if not e.startswith(".")]
    attribute_entries = {e[1:] for e in off_limits if e.startswith(".")}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = ([a.name for a in node.names] if isinstance(node, ast.Import)
                       else [f"{node.module}.{a.name}" for a in node.names] if node.module and not node.level else [])
            found += [e for m in modules for e in dotted_entries if _matches(m, e)]
            continue
        parts = _dotted(node)
        if parts:
            head = aliases.get(parts[0], parts[0])
            name = ".".join([head] + parts[1:])
            found += [e for e in dotted_entries if _matches(name, e)]
        found += [f".{a}" for a in _attributes(node) if a in attribute_entries]
    return sorted(set(found))


def apply(assignment, program, result, recorded=()) -> None:
    """Zero the tests of every task whose answer cell uses a call it asks students to write themselves: named in
    the cell (its syntax tree), or ``recorded`` by the worker as called while the cell's code ran."""
    tasks = getattr(assignment.manifest, "tasks", {}) or {}
    if not any(t.off_limits for t in tasks.values()):
        return
    context = "\n".join(c["source"] for c in program.cells if c.get("kind") == "setup")
    code = {c["grade_id"]: c["source"] for c in program.cells if c.get("kind") == "answer"}
    called = {}
    for pair in recorded or ():  # from the worker: untrusted, so only what the manifest declares counts
        if isinstance(pair, (list, tuple)) and len(pair) == 2 and pair[0] in tasks and pair[1] in tasks[pair[0]].off_limits:
            called.setdefault(pair[0], set()).add(pair[1])
    for grade_id, task in tasks.items():
        named = uses(code.get(grade_id, ""), context, task.off_limits) if task.off_limits else []
        hits = sorted(set(named) | called.get(grade_id, set()))
        if not hits:
            continue
        how = "" if set(hits) <= set(named) else " (called while its code ran)"
        reason = f"uses {', '.join(f'`{h}`' for h in hits)}{how}, which this task asks you to write yourself"
        for test in result.tests:
            if test.task == grade_id and test.status != "skipped":
                test.status, test.score, test.exception = "failed", 0.0, "OffLimits"
                test.message = reason
        result.flags.append(f"task `{grade_id}` {reason}")
    result.score = round(sum(t.score for t in result.tests if t.status != "skipped" and not t.emulated), 6)
