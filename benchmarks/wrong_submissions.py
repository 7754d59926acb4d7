"""Does each plausible wrong submission lose only the points of the part it gets wrong?

    python benchmarks/wrong_submissions.py                         # every assignment with a wrong_submissions.toml
    python benchmarks/wrong_submissions.py 07_transformer_block --json wrong.json
    python benchmarks/wrong_submissions.py --course PATH ID         # another checkout of the course

Each ``assignments/<ID>/wrong_submissions.toml`` (private: it quotes solution lines, and publishing leaves it out)
lists mistakes a student plausibly makes:

    [[wrong]]
    name = "attention without the 1/sqrt(d_k) scale"   # the mistake, in a student's words
    cell = "attention"                                 # grade_id of the answer cell it edits
    replace = ["/ math.sqrt(d_k)", ""]                 # old, new (more pairs may follow); old occurs once in the cell
    fails = ["test_attention_matches_sdpa"]            # exactly the tests that must fail (name, or file::name)
    may_fail = ["test_generate_is_greedy"]             # optional: gates this mistake lands near (either outcome)

The script applies each edit to the source notebook (the reference solution), grades the result in the same
sandbox as ``validate`` (as root: the strict one), and checks that the failing tests are exactly ``fails`` (give or
take ``may_fail``: a gate that this mistake lands near, so that the machine's floating point decides), every
other graded test passes, the score lost equals those tests' points, every failed test carries a tutor prompt, and no
tutor prompt holds a hidden-suite or solution line. Exit status 1 if any case disagrees.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograder.course import Course  # noqa: E402
from autograder import tutor  # noqa: E402
from autograder.grading import grade  # noqa: E402

CASES_FILE = "wrong_submissions.toml"


def load_cases(assignment) -> list[dict]:
    path = assignment.manifest_dir / CASES_FILE
    cases = tomllib.loads(path.read_text(encoding="utf-8")).get("wrong", [])
    for case in cases:
        missing = {"name", "cell", "replace", "fails"} - case.keys()
        if missing:
            raise SystemExit(f"{path}: case {case.get('name', '?')!r} lacks {sorted(missing)}")
        if len(case["replace"]) % 2:
            raise SystemExit(f"{path}: case {case['name']!r}: `replace` needs [old, new] pairs")
    return cases


def wrong_notebook(assignment, case: dict, dest: Path) -> Path:
    """The source notebook with one case's edits applied to its answer cell."""
    nb = nbformat.read(assignment.source_notebook, as_version=4)
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == case["cell"]]
    if len(cells) != 1:
        raise SystemExit(f"{assignment.id}: {case['name']!r}: no single cell with grade_id {case['cell']!r}")
    source = cells[0].source
    pairs = case["replace"]
    for old, new in zip(pairs[::2], pairs[1::2]):
        if source.count(old) != 1:
            raise SystemExit(f"{assignment.id}: {case['name']!r}: {old!r} occurs {source.count(old)} times in "
                             f"cell {case['cell']!r}, not once")
        source = source.replace(old, new)
    cells[0].source = source
    path = dest / f"{assignment.id}.ipynb"
    nbformat.write(nb, path)
    return path


def named(test_name: str, entries: list[str]) -> bool:
    """Whether a test id (``test_x.py::test_y``) is one of the entries (a test's name, or its whole id)."""
    return any(test_name == e or test_name.endswith("::" + e) for e in entries)


def check(assignment, case: dict, scratch: Path) -> dict:
    result = grade(assignment, wrong_notebook(assignment, case, scratch), gpu="off")
    graded = [t for t in result.tests if t.status != "skipped"]
    failing = sorted(t.name for t in graded if t.status != "passed")
    may_fail = case.get("may_fail", [])
    expected = sorted(t.name for t in graded
                      if named(t.name, case["fails"]) or (t.name in failing and named(t.name, may_fail)))
    unknown = [e for e in case["fails"] + may_fail if not any(named(t.name, [e]) for t in graded)]
    lost = result.max_score - result.score
    expected_lost = sum(t.max_score for t in graded if t.name in expected)
    problems = [f"no graded test is called {e!r}" for e in unknown]
    if unexpected := sorted(set(failing) - set(expected)):
        problems.append("also fails: " + "; ".join(f"{t.name}: {t.message}" for t in graded if t.name in unexpected))
    if missed := sorted(set(expected) - set(failing)):
        problems.append("passes, but should fail: " + ", ".join(missed))
    if not problems and lost != expected_lost:
        problems.append(f"lost {lost:g} points, expected {expected_lost:g}")
    if unprompted := tutor.unprompted(result):
        problems.append("failed without a tutor prompt: " + ", ".join(unprompted))
    if leaked := tutor.leaks(assignment, result):  # a real failure's reason must not give the answer away
        problems.append("tutor prompts hold hidden or solution lines: " + "; ".join(leaked[:3]))
    return {"id": assignment.id, "case": case["name"], "score": result.score, "max_score": result.max_score,
            "lost": lost, "failing": failing, "duration_s": round(result.duration_s, 1), "ok": not problems,
            "problems": problems}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*", help="assignment IDs (default: every one with a wrong_submissions.toml)")
    parser.add_argument("--course", type=Path, default=ROOT, help="the course checkout (default: this one)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    course = Course(args.course.resolve())
    assignments = [a for a in course.select(args.ids or None)
                   if args.ids or (a.manifest_dir / CASES_FILE).is_file()]
    rows = []
    for assignment in assignments:
        for case in load_cases(assignment):
            with tempfile.TemporaryDirectory(prefix="wrong-submission-") as scratch:
                row = check(assignment, case, Path(scratch))
            rows.append(row)
            verdict = "ok  " if row["ok"] else "FAIL"
            print(f"{verdict} {row['id']}  {row['case']}: {row['score']:g}/{row['max_score']:g}, "
                  f"fails {', '.join(row['failing']) or 'nothing'} ({row['duration_s']} s)", flush=True)
            for problem in row["problems"]:
                print(f"       {problem}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    print(f"{sum(r['ok'] for r in rows)}/{len(rows)} wrong submissions lose exactly their part")
    return 0 if rows and all(r["ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
