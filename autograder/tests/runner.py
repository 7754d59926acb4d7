"""Run a GitHub Actions workflow file the way a hosted runner would, on this machine, for the workflow tests.

Only what the course's workflows use: one job, `run:` steps in bash (``bash -e``) in the workspace, the
``env`` of the workflow, job and step, ``if:``, step outputs through ``$GITHUB_OUTPUT``, ``$GITHUB_STEP_SUMMARY``,
and ``${{ }}`` expressions over ``vars``, ``secrets``, ``steps`` and ``github``. Actions are stood in for:
``actions/checkout`` copies a folder, ``actions/setup-python`` puts a prepared interpreter first on PATH, and
the Classroom reporter runs its real bundle (``AUTOGRADER_REPORTER_JS``) under node, or, without it, prints
the line its NotifyClassroom prints. Steps run as ``user`` (via runuser) when one is given, as on a hosted
runner, where the job runs as an unprivileged user with passwordless sudo.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import yaml

REPORTER = "classroom-resources/autograding-grading-reporter@v1"


# ---------------------------------------------------------------- expressions

TOKEN = re.compile(r"\s*(?:(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\))|(?P<name>[A-Za-z_][\w.\-]*(?:\(\))?))")


def evaluate(expression: str, context: dict):
    """A GitHub expression over ``context`` (strings, ``||``, ``&&``, ``==``, ``!=``, ``!``, ``always()``...)."""
    tokens, pos = [], 0
    while pos < len(expression):
        match = TOKEN.match(expression, pos)
        if not match or match.end() == pos:
            if expression[pos:].strip() == "":
                break
            raise ValueError(f"cannot parse expression {expression!r}")
        tokens.append(match)
        pos = match.end()
    items = [(m.lastgroup, m.group(m.lastgroup)) for m in tokens]

    def value(kind, text):
        if kind == "str":
            return text[1:-1].replace("''", "'")
        if text in ("always()", "success()"):
            return True if text == "always()" else not context.get("_failed")
        if text == "failure()":
            return bool(context.get("_failed"))
        node = context
        for part in text.split("."):
            node = node.get(part, "") if isinstance(node, dict) else ""
        return node

    def parse_or(i):
        left, i = parse_and(i)
        while i < len(items) and items[i][1] == "||":
            right, i = parse_and(i + 1)
            left = left or right
        return left, i

    def parse_and(i):
        left, i = parse_cmp(i)
        while i < len(items) and items[i][1] == "&&":
            right, i = parse_cmp(i + 1)
            left = left and right
        return left, i

    def parse_cmp(i):
        left, i = parse_unary(i)
        while i < len(items) and items[i][1] in ("==", "!="):
            op = items[i][1]
            right, i = parse_unary(i + 1)
            left = (str(left) == str(right)) if op == "==" else (str(left) != str(right))
        return left, i

    def parse_unary(i):
        kind, text = items[i]
        if text == "!":
            inner, i = parse_unary(i + 1)
            return not inner, i
        if text == "(":
            inner, i = parse_or(i + 1)
            return inner, i + 1
        return value(kind, text), i + 1

    result, _ = parse_or(0)
    return result


def substitute(text, context: dict):
    if not isinstance(text, str):
        return text
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: str(evaluate(m.group(1), context)), text)


# ---------------------------------------------------------------- the runner

@dataclass
class Run:
    steps: list[dict] = field(default_factory=list)  # {"name", "outcome", "output"}
    summary: str = ""
    notices: list[str] = field(default_factory=list)

    def points(self) -> str | None:
        for notice in self.notices:
            match = re.search(r"::notice title=Autograding complete::(Points \S+)", notice)
            if match:
                return match.group(1)
        return None

    def log(self) -> str:
        return "\n".join(f"--- {s['name']}: {s['outcome']}\n{s['output'][-3000:]}" for s in self.steps)


class Runner:
    def __init__(self, workspace: Path, checkouts: dict[str, Path], python_bin: Path, user: str | None = None,
                 variables: dict | None = None, secrets: dict | None = None, extra_env: dict | None = None):
        self.workspace, self.checkouts, self.python_bin, self.user = workspace, checkouts, python_bin, user
        self.variables, self.secrets = variables or {}, secrets or {}
        self.extra_env = extra_env or {}

    def _own(self, path: Path) -> None:
        if self.user:
            subprocess.run(["chown", "-R", f"{self.user}:{self.user}", str(path)], check=True)

    def run(self, workflow: Path, job: str = "autograding") -> Run:
        spec = yaml.safe_load(workflow.read_text())
        job_spec = spec["jobs"][job]
        context = {"vars": self.variables, "secrets": self.secrets, "steps": {},
                   "github": {"actor": "student", "workspace": str(self.workspace)}}
        result = Run()
        if "if" in job_spec and not evaluate(job_spec["if"], context):
            return result
        env = {"PATH": f"{self.python_bin}:/usr/local/bin:/usr/bin:/bin", "HOME": self._home(), "LANG": "C.UTF-8",
               "GITHUB_ACTIONS": "true", "CI": "true", "GITHUB_WORKSPACE": str(self.workspace), **self.extra_env}
        env.update({k: str(substitute(v, context)) for k, v in (spec.get("env") or {}).items()})
        env.update({k: str(substitute(v, context)) for k, v in (job_spec.get("env") or {}).items()})
        summary = self.workspace.parent / f"{self.workspace.name}-summary.md"
        summary.write_text("")
        self._own(summary)
        for index, step in enumerate(job_spec["steps"]):
            name = step.get("name", f"step {index}")
            condition = step.get("if", "success()")
            if not evaluate(condition.removeprefix("${{").removesuffix("}}"), context):
                result.steps.append({"name": name, "outcome": "skipped", "output": ""})
                continue
            step_env = dict(env, **{k: str(substitute(v, context)) for k, v in (step.get("env") or {}).items()})
            outcome, output, outputs = self._step(step, step_env, context, summary)
            result.steps.append({"name": name, "outcome": outcome, "output": output})
            result.notices += [line for line in output.splitlines() if line.startswith("::notice")]
            if step.get("id"):
                context["steps"][step["id"]] = {"outputs": outputs, "outcome": outcome}
            if outcome == "failure":
                context["_failed"] = True
        result.summary = summary.read_text()
        return result

    def _home(self) -> str:
        return str(Path("~" + self.user).expanduser()) if self.user else os.environ.get("HOME", "/root")

    def _step(self, step: dict, env: dict, context: dict, summary: Path) -> tuple[str, str, dict]:
        if "uses" in step:
            return self._action(step, env, context)
        output_file = self.workspace.parent / f"{self.workspace.name}-output"
        output_file.write_text("")
        self._own(output_file)
        script = substitute(step["run"], context)
        env = dict(env, GITHUB_OUTPUT=str(output_file), GITHUB_STEP_SUMMARY=str(summary))
        command = ["bash", "-e", "-c", script]
        if self.user:
            command = ["runuser", "-u", self.user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()]] + command
        done = subprocess.run(command, cwd=self.workspace, env=None if self.user else env, capture_output=True,
                              text=True, timeout=1500)
        return ("success" if done.returncode == 0 else "failure", done.stdout + done.stderr,
                parse_outputs(output_file.read_text()))

    def _action(self, step: dict, env: dict, context: dict) -> tuple[str, str, dict]:
        uses, inputs = step["uses"], {k: substitute(v, context) for k, v in (step.get("with") or {}).items()}
        if uses.startswith("actions/checkout@"):
            source = self.checkouts[inputs.get("path", ".")]
            target = self.workspace / inputs.get("path", ".")
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
            self._own(target)
            return "success", f"copied {source}", {}
        if uses.startswith("actions/setup-python@"):
            return "success", f"python at {self.python_bin}", {}
        if uses == REPORTER:
            return self._reporter(inputs, env)
        return "failure", f"the test runner does not know the action {uses}", {}

    def _reporter(self, inputs: dict, env: dict) -> tuple[str, str, dict]:
        runners = [r.strip() for r in inputs.get("runners", "").split(",") if r.strip()]
        env = dict(env, INPUT_RUNNERS=",".join(runners))
        bundle = os.environ.get("AUTOGRADER_REPORTER_JS")
        if bundle:
            done = subprocess.run(["node", bundle], env=env, capture_output=True, text=True, timeout=120)
            return ("success" if done.returncode == 0 else "failure"), done.stdout + done.stderr, {}
        # What NotifyClassroom prints (src/notify-classroom.js): the scores added, over the max_scores added.
        total, maximum = 0.0, 0.0
        for runner in runners:
            encoded = env.get(f"{runner.upper()}_RESULTS", "")
            if not encoded:
                return "failure", f"no results for runner {runner}", {}
            results = json.loads(base64.b64decode(encoded))
            if results.get("max_score"):
                maximum += results["max_score"]
                total += sum(test["score"] for test in results["tests"])
        return "success", f"::notice title=Autograding complete::Points {total:g}/{maximum:g}", {}


def parse_outputs(text: str) -> dict:
    """``name=value`` lines and ``name<<DELIMITER`` blocks, as GitHub reads $GITHUB_OUTPUT."""
    outputs, lines, i = {}, text.splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            block, i = [], i + 1
            while i < len(lines) and lines[i] != delimiter:
                block.append(lines[i])
                i += 1
            outputs[name] = "\n".join(block)
        elif "=" in line:
            name, value = line.split("=", 1)
            outputs[name] = value
        i += 1
    return outputs
