"""The ``course`` command: thin subcommands, each delegating to one function.

    course generate [ASSIGNMENT ...]   regenerate release/ from source/ (all by default)
    course check-release               fail if the committed release/ differs from source/
    course grade ASSIGNMENT [--jobs N]  autograde every submission in parallel (resumable)
    course report ASSIGNMENT           class report: CSVs, pass rates, bugs, histogram, feedback

Every command checks its inputs first and answers a bad one with a single line
``course: error: ...`` (exit status 2) instead of a library traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .course_files import CourseError, find_course_root
from .nbgrader_course import NbgraderCourse
from .release_sync import generate_release, release_differences


def command_generate(args: argparse.Namespace) -> int:
    root = find_course_root()
    for assignment in generate_release(root, args.assignments or None):
        print(f"generated release/{assignment}")
    return 0


def command_check_release(args: argparse.Namespace) -> int:
    differences = release_differences(find_course_root())
    for line in differences:
        print(line)
    if differences:
        print("release/ is out of date: run `course generate` and commit the result.")
        return 1
    print("release/ matches source/.")
    return 0


def command_grade(args: argparse.Namespace) -> int:
    from .batch_grading.class_grader import (
        GradingOptions,
        SandboxUnavailable,
        grade_class,
        summary_table,
    )

    course = NbgraderCourse.load()
    root = course.root
    if not (root / "submitted").is_dir():
        raise CourseError(f"no submitted/ folder in {root}: collect the submissions first.")
    options = GradingOptions(
        jobs=args.jobs,
        force=args.force,
        cell_timeout=args.cell_timeout,
        memory_limit_mb=args.memory_limit,
        sandbox=not args.no_sandbox,
        wall_timeout=args.submission_timeout,
    )
    try:
        results = grade_class(course, args.assignment, options)
    except SandboxUnavailable as error:
        raise CourseError(str(error)) from None
    if not results:
        raise CourseError(f"no submissions of '{args.assignment}' in {root / 'submitted'}.")
    print(summary_table(results))
    print(f"Next: `course report {args.assignment}` for the class report and feedback.")
    return 0


def command_report(args: argparse.Namespace) -> int:
    from .batch_grading.class_report import write_class_report

    course = NbgraderCourse.load()
    if not list((course.root / "autograded").glob(f"*/{args.assignment}")):
        raise CourseError(
            f"nothing autograded for '{args.assignment}' in {course.root}: "
            "run `course grade` first."
        )
    folder = write_class_report(course, args.assignment)
    print(f"Class report written to {folder / 'report.md'}")
    return 0


def grading_defaults():
    from .batch_grading.class_grader import GradingOptions

    return GradingOptions()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="regenerate release/ from source/")
    generate.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    generate.set_defaults(run=command_generate)
    check = commands.add_parser("check-release", help="compare release/ with source/")
    check.set_defaults(run=command_check_release)
    grade = commands.add_parser("grade", help="autograde every submission of an assignment")
    # Defaults come from GradingOptions, so the command and the API cannot drift apart.
    defaults = grading_defaults()
    grade.add_argument("assignment")
    grade.add_argument("--force", action="store_true", help="regrade submissions graded before")
    for flag, kind, default, explanation in (
        ("--jobs", int, defaults.jobs, "submissions graded at once (default: cores + 1)"),
        ("--cell-timeout", int, defaults.cell_timeout, "seconds per cell (default: the course's)"),
        ("--submission-timeout", float, defaults.wall_timeout, "seconds for one submission"),
        ("--memory-limit", int, defaults.memory_limit_mb, "MB of address space per kernel"),
    ):
        grade.add_argument(flag, type=kind, default=default, help=explanation)
    grade.add_argument(
        "--no-sandbox",
        action="store_true",
        help="run student kernels as yourself, seeing the whole course (not recommended)",
    )
    grade.set_defaults(run=command_grade)
    report = commands.add_parser("report", help="write the class report of an assignment")
    report.add_argument("assignment")
    report.set_defaults(run=command_report)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.run(args)
    except CourseError as error:
        print(f"course: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("course: interrupted (run the same command again to resume).", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get("COURSE_DEBUG"):
            raise
        print(
            f"course: error: {type(error).__name__}: {error} (COURSE_DEBUG=1 shows where)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
