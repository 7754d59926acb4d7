"""How often does the offline tutor (SmolLM2-135M) name the concept a wrong submission gets wrong?

    python benchmarks/tutor_hints.py 01_house_prices 02_linear_regression   # the cases of wrong_submissions.toml
    python benchmarks/tutor_hints.py --json hints.json --show

For every plausible wrong submission (``assignments/<ID>/wrong_submissions.toml``), the script grades it as
``benchmarks/wrong_submissions.py`` does, takes the tutor prompt of its first failing test, asks SmolLM2 (greedy,
offline, as ``autograder tutor`` does) and checks the hint against the concept that test states.

"Names the concept" is a lexical proxy, stated so anyone can rerun and argue with it: the hint contains at least
one key term of the concept line (a word of 5 letters or more, stopwords dropped, matched on its first 5
letters, so "gradient" matches "gradients"). ``--show`` prints every hint for a person to judge.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from autograder import tutor  # noqa: E402
from autograder.course import Course  # noqa: E402
from autograder.grading import grade  # noqa: E402
from wrong_submissions import CASES_FILE, load_cases, named, wrong_notebook  # noqa: E402

STOPWORDS = {"every", "their", "which", "there", "these", "those", "should", "would", "about", "after", "before",
             "other", "where", "while", "without", "within", "gives", "given", "returns", "return", "equal",
             "equals", "exactly", "always", "never", "value", "values", "shape", "check", "checks", "tests",
             "matches", "match", "correct", "right", "first", "second", "small", "large", "whole"}


def key_terms(concept: str) -> set[str]:
    words = re.findall(r"[a-zA-Z][a-zA-Z_-]{4,}", concept.lower())
    return {w[:5] for w in words if w not in STOPWORDS}


def names_concept(hint: str, concept: str) -> bool:
    found = {w[:5] for w in re.findall(r"[a-zA-Z][a-zA-Z_-]{4,}", hint.lower())}
    return bool(key_terms(concept) & found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ids", nargs="*")
    parser.add_argument("--course", type=Path, default=ROOT)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--show", action="store_true", help="print each hint")
    parser.add_argument("--max-new-tokens", type=int, default=120)
    args = parser.parse_args(argv)
    course = Course(args.course.resolve())
    rows = []
    for assignment in [a for a in course.select(args.ids or None) if (a.manifest_dir / CASES_FILE).is_file()]:
        for case in load_cases(assignment):
            with tempfile.TemporaryDirectory(prefix="tutor-hint-") as scratch:
                result = grade(assignment, wrong_notebook(assignment, case, Path(scratch)), gpu="off")
            failing = [t for t in result.tests if t.tutor_prompt and named(t.name, case["fails"])]
            if not failing:
                continue
            test = failing[0]
            start = time.perf_counter()
            hint = tutor.ask_local(test.tutor_prompt, max_new_tokens=args.max_new_tokens)
            row = {"id": assignment.id, "case": case["name"], "test": test.name, "concept": test.concept,
                   "hint": hint, "names_concept": names_concept(hint, test.concept or ""),
                   "seconds": round(time.perf_counter() - start, 1)}
            rows.append(row)
            print(f"{'yes' if row['names_concept'] else 'no '}  {assignment.id}  {case['name']}", flush=True)
            if args.show:
                print(f"     concept: {test.concept}\n     hint: {hint[:600]}\n", flush=True)
    hits = sum(r["names_concept"] for r in rows)
    print(f"{hits}/{len(rows)} hints name the concept of the failing test (lexical proxy, see --help)")
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
