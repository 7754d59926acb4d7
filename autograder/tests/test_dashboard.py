"""The class dashboard (grades/<ID>-dashboard.html) and sharded grading: grade-all --shard K/N, merge-grades."""

import csv
import shutil
import tempfile
from pathlib import Path

import pytest

from autograder import dashboard
from autograder.bulk import grade_all, in_shard, merge_grades, parse_shard
from autograder.cli import main
from browser import blank, render

KINDS = {"reference": 6.0, "wrong_add": 4.0, "stub": 0.0}
STUDENTS = {f"s{i:02d}": list(KINDS)[i % 3] for i in range(20)}


def report(score, statuses, flags=(), duration=1.5):
    tests = [{"name": f"test_toy.py::{n}", "status": s, "score": 1.0 if s == "passed" else 0.0, "max_score": 1.0,
              "message": "", "duration_s": 0.1} for n, s in statuses.items()]
    return {"assignment": "00_toy", "score": score, "max_score": 6.0, "duration_s": duration, "tests": tests,
            "flags": list(flags), "load_problems": []}


def test_the_dashboard_shows_students_tasks_pass_rates_errors_and_flags(tmp_path):
    reports = {
        "ada": report(6, {"test_add": "passed", "test_scale": "passed"}),
        "bob": report(4, {"test_add": "failed", "test_scale": "passed"}, flags=["prints <b>bold</b> HTML"]),
        "cyd": report(0, {"test_add": "failed", "test_scale": "failed"}, duration=9.0),
    }
    reports["ada"]["tests"][0] |= {"task": "add", "concept": "adding two numbers"}
    rows = {s: {"student": s, "score": r["score"], "max_score": 6, "flags": "; ".join(r["flags"])}
            for s, r in reports.items()}
    rows["dee"] = {"student": "dee", "score": "", "max_score": "", "flags": "grading failed: no sandbox"}
    page = dashboard.write(tmp_path, "00_toy", rows, reports)
    assert page == tmp_path / "grades" / "00_toy-dashboard.html"
    data = dashboard.collect("00_toy", rows, reports)
    assert [(t["name"], t["passed"], t["total"]) for t in data["tests"]] == [
        ("test_toy.py::test_add", 1, 3), ("test_toy.py::test_scale", 2, 3)]  # worst first
    assert {t["name"]: t["passed"] for t in data["tasks"]} == {"add": 1, "test_toy.py": 2}
    assert "<b>bold</b>" not in page.read_text()  # autoescaped: a flag is text, never markup

    png = Path(tempfile.gettempdir()) / "autograder-dashboard.png"  # a fixed path: the lead looks at it
    text = render(page, png)
    print(f"dashboard screenshot: {png}")
    assert not blank(png)
    for expected in ("00_toy: class dashboard", "ada", "bob", "cyd", "dee", "grading failed: no sandbox",
                     "test_toy.py::test_add", "adding two numbers", "33 %", "67 %", "prints <b>bold</b> HTML",
                     "not graded", "9.0 s"):
        assert expected in text, expected


def test_shards_are_stable_and_cover_everyone_once():
    names = [f"student{i}" for i in range(200)]
    shards = [{n for n in names if in_shard(n, (k, 3))} for k in (1, 2, 3)]
    assert sum(map(len, shards)) == 200 and set().union(*shards) == set(names) and all(shards)
    fewer = [{n for n in names[::2] if in_shard(n, (k, 3))} for k in (1, 2, 3)]
    assert all(f <= s for f, s in zip(fewer, shards))  # removing students moves nobody else
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "x", "1/0"):
        with pytest.raises(ValueError):
            parse_shard(bad)


def write_class(toy, root: Path) -> Path:
    for student, kind in STUDENTS.items():
        folder = root / "submitted" / student / toy.id
        folder.mkdir(parents=True)
        target = folder / f"{toy.id}.ipynb"
        if kind == "stub":
            target.write_bytes(toy.release_notebook.read_bytes())
        else:
            text = toy.source_notebook.read_text()
            target.write_text(text.replace("return a + b", "return a - b") if kind == "wrong_add" else text)
    return root


def gradebook(root: Path) -> list[dict]:
    with open(root / "grades" / "00_toy.csv") as handle:
        return list(csv.DictReader(handle))


def comparable(data: dict) -> dict:
    return {k: v for k, v in data.items() if k != "times"}  # grading times differ run to run


@pytest.mark.slow
def test_three_shards_merged_equal_one_unsharded_grading(toy, tmp_path):
    fast = toy.with_grading(test_timeout_s=5, load_timeout_s=8)
    whole = write_class(toy, tmp_path / "whole")
    grade_all(fast, whole, jobs=2, gpu="off")
    shard_roots = []
    for k in (1, 2, 3):
        root = tmp_path / f"shard{k}"
        shutil.copytree(whole / "submitted", root / "submitted")
        summary = grade_all(fast, root, jobs=2, gpu="off", shard=(k, 3))
        assert 0 < summary.graded < 20
        shard_roots.append(root)
    merged = tmp_path / "merged"
    assert main(["merge-grades", toy.id, *map(str, shard_roots), "--out", str(merged)]) == 0
    assert gradebook(merged) == gradebook(whole)
    assert {r["student"]: float(r["score"]) for r in gradebook(merged)} == {s: KINDS[k] for s, k in STUDENTS.items()}
    reports_whole = {p.parent.parent.name: p for p in whole.glob("autograded/*/00_toy/report.json")}
    assert len(reports_whole) == 20
    import json

    def data(roots):
        found = {}
        for root in roots:
            for p in root.glob("autograded/*/00_toy/report.json"):
                found[p.parent.parent.name] = json.loads(p.read_text())
        rows = {r["student"]: r for r in gradebook(roots[0] if len(roots) == 1 else merged)}
        return comparable(dashboard.collect("00_toy", rows, found))

    assert data(shard_roots) == data([whole])
    assert (merged / "grades" / "00_toy-dashboard.html").is_file()
    assert (whole / "grades" / "00_toy-dashboard.html").is_file()


def test_progress_bars_are_for_terminals_only(monkeypatch):
    import sys

    from autograder.bulk import progress_enabled

    monkeypatch.delenv("TQDM_DISABLE", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert progress_enabled()
    monkeypatch.setenv("TQDM_DISABLE", "1")
    assert not progress_enabled()
    monkeypatch.delenv("TQDM_DISABLE")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    assert not progress_enabled()
