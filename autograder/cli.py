"""The `autograder` command line: release, grade, grade-all, validate, publish-grader, models, tutor, solutions."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import reports
from autograder.course import Course, CourseError
from autograder.faults import GraderFault
from autograder.sandbox import DEFAULT_MODE, MODES


def _course(args) -> Course:
    return Course.find(args.course)


def cmd_release(args) -> int:
    from autograder.release import release, stale_files

    course = _course(args)
    stale_all = []
    for assignment in course.select(args.ids):
        if args.check:
            stale = stale_files(assignment)
            stale_all += stale
            print(f"{assignment.id}: {'stale: ' + ', '.join(stale) if stale else 'current'}")
        else:
            print(f"{assignment.id}: released to {release(assignment).relative_to(course.root)}")
    if stale_all:
        print(f"release/ is stale in {len(stale_all)} files: run `autograder release`", file=sys.stderr)
        return 1
    return 0


def cmd_grade(args) -> int:
    from autograder.grading import grade

    course = _course(args)
    assignment = course.assignment(args.id)
    result = grade(assignment, Path(args.path), gpu=args.gpu, sandbox=args.sandbox, keep_logs=args.keep_logs)
    with reports.QuietWorkflowCommands(sys.stdout):
        print(reports.table(result))
    if args.json:
        reports.write_json(args.json, reports.to_json(result))
    if args.gradescope:
        reports.write_json(args.gradescope, reports.gradescope(result))
    if args.markdown:
        Path(args.markdown).write_text(reports.markdown(result), encoding="utf-8")
    if args.html:
        Path(args.html).write_text(reports.html_report(result), encoding="utf-8")
    if args.classroom:
        data = reports.classroom(result)
        reports.write_json(args.classroom, data)
        reports.set_github_output("result", reports.encode_classroom(data))
    return 0


def cmd_validate(args) -> int:
    from autograder.validate import progress, validate

    course = _course(args)
    rows = []
    header = (f"{'assignment':<22} {'reference':>10} {'stub':>8} {'determ.':>8} {'time':>8} {'cpu':>7} "
              f"{'probe':>6} {'ratio':>6} {'budget':>6}  ok")
    print(header)
    print("-" * len(header))
    for assignment in progress(course.select(args.ids)):
        row = validate(assignment, gpu=args.gpu, runs=args.runs, sandbox=args.sandbox)
        rows.append(row)
        ref = f"{row.reference.score:g}/{row.reference.max_score:g}"
        stub = f"{row.stub.score:g}/{row.stub.max_score:g}"
        print(f"{row.id:<22} {ref:>10} {stub:>8} {'yes' if row.deterministic else 'NO':>8} "
              f"{row.duration_s:>7.1f}s {row.reference.cpu_s:>6.1f}s {row.probe_s:>5.2f}s {row.ratio:>6.1f} "
              f"{assignment.budget_probes:>6g}  {'ok' if row.ok else 'FAIL'}", flush=True)
        for problem in row.problems:
            print(f"    {reports.safe(problem, 600)}")
        for warning in row.warnings:
            print(f"    warning: {reports.safe(warning, 600)}")
        if row.reference.gpu_points_pending:
            print(f"    {row.reference.gpu_points_pending:g} points await a GPU (skipped here)")
        e = row.emulated()
        if e:
            print(f"    GPU tests on the CPU (--gpu emulate, never scored): the reference passes "
                  f"{e['reference_passed']}/{e['tests']}, the stub {e['stub_passed']}/{e['tests']} "
                  f"({e['duration_s']:g} s, not counted in the time)")
    if args.json:
        reports.write_json(args.json, {"probe": {"workload": "autograder.calibration.PROBE",
                                                 "s": [round(r.probe_s, 3) for r in rows]},
                                       "assignments": [r.to_json() for r in rows]})
    failed = [r.id for r in rows if not r.ok]
    print(f"{len(rows) - len(failed)}/{len(rows)} assignments valid" + (f"; failing: {', '.join(failed)}" if failed else ""))
    return 1 if failed or not rows else 0


def cmd_solutions(args) -> int:
    from autograder.solutions import generate

    course = _course(args)
    for assignment in course.select(args.ids):
        print(f"{assignment.id}: {generate(assignment).relative_to(course.root)}", flush=True)
    return 0


def cmd_grade_all(args) -> int:
    from autograder.bulk import grade_all, parse_shard

    course = _course(args)
    shard = parse_shard(args.shard) if args.shard else None
    summary = grade_all(course.assignment(args.id), Path(args.dir), jobs=args.jobs, gpu=args.gpu,
                        regrade=args.regrade, sandbox=args.sandbox, keep_logs=args.keep_logs, shard=shard)
    print(summary)
    return 1 if summary.failed else 0


def cmd_merge_grades(args) -> int:
    from autograder.bulk import merge_grades

    grades = merge_grades(args.id, [Path(d) for d in args.dirs], Path(args.out))
    print(f"{args.id}: merged {len(args.dirs)} shard(s) into {grades} and {grades.with_name(args.id + '-dashboard.html')}")
    return 0


def cmd_publish_grader(args) -> int:
    from autograder.publish import publish

    course = _course(args)
    dest = publish(course, Path(args.dest), course.select(args.ids), sandbox=args.sandbox)
    print(f"grader written to {dest}: push it to the grader repository the Classroom workflow checks out")
    return 0


def cmd_tutor(args) -> int:
    from autograder import tutor
    from autograder.grading import grade

    course = _course(args)
    result = grade(course.assignment(args.id), Path(args.notebook), gpu="off", sandbox=args.sandbox)
    test = tutor.choose(result, args.test)
    if test is None:
        print("every test passed: nothing to ask the tutor" if not args.test else f"no failed test named {args.test}")
        return 0
    print(f"--- the prompt for {test.name} (paste it into any LLM tutor) ---\n{test.tutor_prompt}")
    if args.print_only:
        return 0
    if args.base_url:
        answer = tutor.ask_endpoint(test.tutor_prompt, args.base_url, args.model, tutor.api_key())
    else:
        answer = tutor.ask_local(test.tutor_prompt)
    print(f"--- the tutor ({args.base_url or 'SmolLM2-135M-Instruct, local'}) ---\n{answer}")

def cmd_gradescope(args) -> int:
    from autograder.gradescope import build

    course = _course(args)
    dest = build(course, course.assignment(args.id), Path(args.dest), sandbox=args.sandbox)
    print(f"{args.id}: Gradescope autograder written to {dest}: upload it as the assignment's autograder (zip file)")
    return 0


def cmd_new(args) -> int:
    from autograder.scaffold import create

    course = _course(args)
    for path in create(course, args.id):
        print(f"wrote {path.relative_to(course.root)}")
    print(f"next: write the reference in the answer cell, then `autograder release {args.id}` and "
          f"`autograder validate {args.id}`")
    return 0


def cmd_models(args) -> int:
    from autograder import models
    from autograder.release_modules import course_models

    folder = models.ensure(list(models.BUILDERS), rebuild=args.rebuild)
    print(f"model cache: {folder} (${course_models.CACHE_ENV} sets it); verified: {', '.join(models.BUILDERS)}")
    return 0


def _sandbox_option(p) -> None:
    p.add_argument("--sandbox", choices=MODES, default=DEFAULT_MODE,
                   help="strict (default: root, bubblewrap, a cgroup per worker), userns (no root) or none "
                        "(a local self-check only); a mode that cannot be set up is an error, never a fallback")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="autograder", description="Release, grade and validate the course's assignments.")
    p.add_argument("--course", help="course directory (default: the nearest one above the current folder)")
    sub = p.add_subparsers(dest="command", required=True)

    r = sub.add_parser("release", help="regenerate release/ from source/ with nbgrader")
    r.add_argument("ids", nargs="*")
    r.add_argument("--check", action="store_true", help="exit non-zero and name the files where release/ is stale")
    r.set_defaults(func=cmd_release)

    gpu_help = "run GPU-marked tests: on, off, or auto (when CUDA is available)"
    g = sub.add_parser("grade", help="grade one submission (a notebook or a Classroom repository folder)")
    g.add_argument("id")
    g.add_argument("path")
    g.add_argument("--json", help="write the full result as JSON")
    g.add_argument("--classroom", help="write GitHub Classroom's result object (and set the step output `result`)")
    g.add_argument("--gradescope", help="write Gradescope's results.json")
    g.add_argument("--markdown", help="write a Markdown summary (for $GITHUB_STEP_SUMMARY)")
    g.add_argument("--html", help="write the HTML feedback page (grouped by task, with tutor prompts)")
    g.add_argument("--gpu", choices=("auto", "on", "off"), default="auto", help=gpu_help)
    _sandbox_option(g)
    g.add_argument("--keep-logs", metavar="DIR", help="keep the hidden suite's log in DIR (instructors only)")
    g.set_defaults(func=cmd_grade)

    b = sub.add_parser("grade-all", help="grade every submission in nbgrader's submitted/<student>/<ID>/ layout")
    b.add_argument("id")
    b.add_argument("dir", help="the folder holding submitted/ (an nbgrader course directory)")
    b.add_argument("--jobs", type=int, default=1)
    b.add_argument("--gpu", choices=("auto", "on", "off"), default="auto", help=gpu_help)
    b.add_argument("--regrade", action="store_true", help="grade again students that already have a report")
    _sandbox_option(b)
    b.add_argument("--keep-logs", metavar="DIR", help="keep each hidden-suite log in DIR (instructors only)")
    b.add_argument("--shard", metavar="K/N", help="grade only shard K of N: the students whose name's sha256 is "
                   "K-1 mod N (stable when others are added or removed); join the shards with merge-grades")
    b.set_defaults(func=cmd_grade_all)

    mg = sub.add_parser("merge-grades", help="join grade-all --shard outputs into one gradebook and dashboard")
    mg.add_argument("id")
    mg.add_argument("dirs", nargs="+", help="the shards' output folders (each holding grades/ and autograded/)")
    mg.add_argument("--out", default=".", help="write OUT/grades/<ID>.csv and <ID>-dashboard.html (default: .)")
    mg.set_defaults(func=cmd_merge_grades)

    v = sub.add_parser("validate", help="reference 100 %%, stub 0, deterministic, within budget, release current")
    v.add_argument("ids", nargs="*")
    v.add_argument("--json")
    v.add_argument("--runs", type=int, default=2, help="gradings of the reference that must agree (default 2)")
    v.add_argument("--gpu", choices=("auto", "on", "off", "emulate"), default="auto",
                   help=gpu_help + "; emulate: run them on the CPU to check their logic (reported apart, never scored); "
                   "auto emulates where CUDA is absent")
    _sandbox_option(v)
    v.set_defaults(func=cmd_validate)

    w = sub.add_parser("publish-grader", help="write what the Classroom workflow needs, and no solution, to DEST")
    w.add_argument("dest")
    w.add_argument("ids", nargs="*", help="assignments to include (default: all)")
    _sandbox_option(w)
    w.set_defaults(func=cmd_publish_grader)

    t = sub.add_parser("tutor", help="grade a notebook and ask an LLM tutor about a failed test (hints, not answers)")
    t.add_argument("id")
    t.add_argument("notebook")
    t.add_argument("--test", help="the failed test to ask about (default: the first)")
    t.add_argument("--base-url", help="an OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 (key: $OPENAI_API_KEY); "
                   "default: SmolLM2-135M-Instruct, offline")
    t.add_argument("--model", default="gpt-4o-mini", help="the endpoint's model name (with --base-url)")
    t.add_argument("--print-only", action="store_true", help="print the prompt only, to paste into a tutor yourself")
    _sandbox_option(t)
    t.set_defaults(func=cmd_tutor)

    gs = sub.add_parser("gradescope", help="write a Gradescope autograder archive (no solution) for one assignment")
    gs.add_argument("id")
    gs.add_argument("dest", help="the .zip to write")
    _sandbox_option(gs)
    gs.set_defaults(func=cmd_gradescope)

    n = sub.add_parser("new", help="write the skeleton of a new assignment (notebook, manifest, hidden test)")
    n.add_argument("id", help="e.g. 10_tokenizers")
    n.set_defaults(func=cmd_new)

    m = sub.add_parser("models", help="build (once) and verify the model cache that the LLM assignments read")
    m.add_argument("--rebuild", action="store_true", help="build it again even if it is complete")
    m.set_defaults(func=cmd_models)

    s = sub.add_parser("solutions", help="execute the reference notebooks into solutions/")
    s.add_argument("ids", nargs="*")
    s.set_defaults(func=cmd_solutions)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except CourseError as exc:
        print(f"autograder: {exc}", file=sys.stderr)
        return 2
    except GraderFault as exc:  # no score: the grader or the course failed, never the submission
        print(f"autograder: error: {exc}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("autograder: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # an engine or course problem: one clear line, the details for maintainers
        from autograder.notebook import NotebookError
        from autograder.release import ReleaseError

        if isinstance(exc, (NotebookError, ReleaseError, RuntimeError, ValueError)):
            print(f"autograder: {exc}", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
