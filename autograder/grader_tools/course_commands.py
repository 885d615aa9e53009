"""The ``course`` command: thin subcommands, each delegating to one function.

    course generate [ASSIGNMENT ...]   regenerate release/ from source/ (all by default)
    course check-release               fail if the committed release/ differs from source/
    course grade ASSIGNMENT [--jobs N]  autograde every submission in parallel (resumable)
    course report ASSIGNMENT           class report: CSVs, pass rates, bugs, histogram, feedback
    course quiz-keys [STUDENT ...]     each student's quiz key, as CSV (makes the secret once)
    course due-date ASSIGNMENT WHEN    set an assignment's due date in the gradebook
    course extend ASSIGNMENT STUDENT --days D [--hours H]   grant an extension (0: remove)
    course deadlines [ASSIGNMENT]      list due dates and extensions
    course similarity ASSIGNMENT       pairs of submissions whose own code is alike (HTML)

Every command checks its inputs first and answers a bad one with a single line
``course: error: ...`` (exit status 2) instead of a library traceback: an option's value
outside its range (``course_options``, checked while the command line is read, before any
work) and a broken course file alike.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import sys
from collections.abc import Sequence

from traitlets import TraitError

from autograder.grader_tools.batch_grading import similarity_report
from autograder.grader_tools.batch_grading.class_grader import grade_class
from autograder.grader_tools.batch_grading.class_report import write_class_report
from autograder.grader_tools.batch_grading.grading_results import summary_table
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.worker_settings import SandboxUnavailable
from autograder.grader_tools.course_files import CONFIG_NAME, CourseError, find_course_root
from autograder.grader_tools.course_options import (
    EXTENSION_DAYS,
    EXTENSION_HOURS,
    SHARED_CHARACTERS,
    SIMILARITY_SHARE,
    OneLineParser,
    add_trait_options,
    given_settings,
    name,
    option_help,
)
from autograder.grader_tools.deadlines import (
    course_timezone,
    deadlines,
    deadlines_text,
    grant_extension,
    local_time,
    parse_due_date,
    set_due_date,
)
from autograder.grader_tools.nbgrader_course import NbgraderCourse
from autograder.grader_tools.release_sync import generate_release, release_differences
from autograder.quiz_engine.course_secret import (
    create_course_secret,
    quiz_keys,
    read_private_course_secret,
)


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
    if args.sandbox is False and args.memory_limit is not None:
        raise CourseError("--memory-limit applies to sandboxed kernels; --no-sandbox has none.")
    course = NbgraderCourse.load()
    root = course.root
    if not (root / "submitted").is_dir():
        raise CourseError(f"no submitted/ folder in {root}: collect the submissions first.")
    try:  # the command line's values are checked already, and win over the course's
        settings = CourseGrade(config=course.config, **given_settings(args, CourseGrade))
    except (ValueError, TraitError) as error:
        raise CourseError(
            f"a CourseGrade setting in the course's {CONFIG_NAME} is not allowed: {error}"
        ) from None
    try:
        results = grade_class(course, args.assignment, settings)
    except SandboxUnavailable as error:
        raise CourseError(str(error)) from None
    if not results:
        raise CourseError(f"no submissions of '{args.assignment}' in {root / 'submitted'}.")
    print(summary_table(results))
    print(f"Next: `course report {args.assignment}` for the class report and feedback.")
    return 0


def command_report(args: argparse.Namespace) -> int:
    course = NbgraderCourse.load()
    if not list((course.root / "autograded").glob(f"*/{args.assignment}")):
        raise CourseError(
            f"nothing autograded for '{args.assignment}' in {course.root}: "
            "run `course grade` first."
        )
    folder = write_class_report(course, args.assignment)
    print(f"Class report written to {folder / 'report.md'}")
    return 0


def command_quiz_keys(args: argparse.Namespace) -> int:
    course = NbgraderCourse.load()
    secret_file = course.quiz_secret_file
    if create_course_secret(secret_file):
        print(
            f"course: made the course secret {secret_file} (keep it; never commit it)",
            file=sys.stderr,
        )
    students = args.students
    if not students:
        with course.gradebook() as gradebook:
            students = sorted(student.id for student in gradebook.students)
    if not students:
        raise CourseError(
            "no students in the gradebook: name them, or add them with `nbgrader db student add`."
        )
    try:
        secret = read_private_course_secret(secret_file)
    except ValueError as error:
        raise CourseError(str(error)) from None
    writer = csv.writer(sys.stdout)
    writer.writerow(["student_id", "quiz_key"])
    writer.writerows(quiz_keys(secret, students))
    return 0


def command_due_date(args: argparse.Namespace) -> int:
    course = NbgraderCourse.load()
    timezone = course_timezone(course)
    due = None if args.when == "none" else parse_due_date(args.when, timezone)
    set_due_date(course, args.assignment, due)
    shown = local_time(due, timezone) if due else "none"
    print(f"{args.assignment} is due {shown}; `course generate {args.assignment}` shows it.")
    return 0


def command_extend(args: argparse.Namespace) -> int:
    extension = datetime.timedelta(days=args.days, hours=args.hours)
    if extension < datetime.timedelta(0):
        raise CourseError(f"an extension cannot be negative ({extension}).")
    grant_extension(NbgraderCourse.load(), args.assignment, args.student, extension)
    print(f"{args.student}: extension on {args.assignment} is now {extension or 'none'}")
    return 0


def command_deadlines(args: argparse.Namespace) -> int:
    course = NbgraderCourse.load()
    print(deadlines_text(deadlines(course, args.assignment), course_timezone(course)))
    return 0


def command_similarity(args: argparse.Namespace) -> int:
    if not 0 <= args.threshold <= 1:
        raise CourseError(f"--threshold is a share between 0 and 1, not {args.threshold}.")
    if args.min_shared < 0:
        raise CourseError(f"--min-shared cannot be negative ({args.min_shared}).")
    course = NbgraderCourse.load()
    path, ranked, reported = similarity_report.write_similarity_report(
        course.root, args.assignment, args.threshold, args.min_shared
    )
    for rank, pair in enumerate(reported[:10], 1):
        print(
            f"{rank}. {pair.first} and {pair.second}: {pair.share_first:.0%} and "
            f"{pair.share_second:.0%} of their code shared ({pair.shared} characters)"
        )
    print(f"{len(reported)} of {len(ranked)} pairs above the threshold. Report: {path}")
    return 0


ASSIGNMENT = name("assignment name")
STUDENT = name("student id")
ASSIGNMENT_HELP = "the assignment's name (its folder in source/ and submitted/STUDENT/)"


def due_date_text(text: str) -> str:
    """An argparse type: ``none``, or a date and time ``parse_due_date`` reads (checked in
    UTC here; the command reads it in the course's time zone)."""
    if text == "none":
        return text
    try:
        parse_due_date(text, "UTC")
    except CourseError as error:
        words = str(error).replace("(in UTC)", "(in the course's time zone)")
        raise argparse.ArgumentTypeError(words.rstrip(".")) from None
    except (OverflowError, ValueError):
        raise argparse.ArgumentTypeError(f"'{text}' is out of the calendar's range") from None
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="course", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--debug", action="store_true", help="show where an unexpected error came from"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    generate = commands.add_parser("generate", help="regenerate release/ from source/")
    generate.add_argument(
        "assignments", nargs="*", type=ASSIGNMENT, help="assignment names (default: all)"
    )
    generate.set_defaults(run=command_generate)
    check = commands.add_parser("check-release", help="compare release/ with source/")
    check.set_defaults(run=command_check_release)
    grade = commands.add_parser(
        "grade",
        help="autograde every submission of an assignment",
        epilog="Each option is also a setting of the course's nbgrader_config.py, "
        "c.CourseGrade.NAME (--cell-timeout: c.CourseGrade.cell_timeout = 20; --no-sandbox: "
        "c.CourseGrade.sandbox = False); the command line wins.",
    )
    grade.add_argument("assignment", type=ASSIGNMENT, help=ASSIGNMENT_HELP)
    add_trait_options(grade, CourseGrade)
    grade.set_defaults(run=command_grade)
    report = commands.add_parser("report", help="write the class report of an assignment")
    report.add_argument("assignment", type=ASSIGNMENT, help=ASSIGNMENT_HELP)
    report.set_defaults(run=command_report)
    keys = commands.add_parser(
        "quiz-keys", help="print each student's quiz key (for a course without JupyterHub)"
    )
    keys.add_argument(
        "students", nargs="*", type=STUDENT, help="student ids (default: the gradebook's)"
    )
    keys.set_defaults(run=command_quiz_keys)
    due = commands.add_parser("due-date", help="set an assignment's due date (gradebook)")
    due.add_argument("assignment", type=ASSIGNMENT, help=ASSIGNMENT_HELP)
    due.add_argument(
        "when",
        type=due_date_text,
        help="'2026-12-10 17:00' (course time zone, nbgrader's Exchange.timezone), "
        "'2026-12-10 17:00 Europe/Berlin', or 'none' to clear it",
    )
    due.set_defaults(run=command_due_date)
    extend = commands.add_parser("extend", help="grant a student an extension (replaces one)")
    extend.add_argument("assignment", type=ASSIGNMENT, help=ASSIGNMENT_HELP)
    extend.add_argument("student", type=STUDENT, help="the student's id")
    for flag, allowed in (("--days", EXTENSION_DAYS), ("--hours", EXTENSION_HOURS)):
        extend.add_argument(
            flag,
            type=allowed,
            default=0.0,
            metavar=flag[2:].upper(),
            help=option_help(f"{flag[2:]} more, added up", allowed, "0"),
        )
    extend.set_defaults(run=command_extend)
    listing = commands.add_parser("deadlines", help="list due dates and extensions")
    listing.add_argument(
        "assignment", nargs="?", type=ASSIGNMENT, help="one assignment (default: all)"
    )
    listing.set_defaults(run=command_deadlines)
    similarity = commands.add_parser(
        "similarity", help="pairs of submissions whose own code is alike (HTML report)"
    )
    similarity.add_argument("assignment", type=ASSIGNMENT, help=ASSIGNMENT_HELP)
    similarity.add_argument(
        "--threshold",
        type=SIMILARITY_SHARE,
        default=similarity_report.THRESHOLD,
        metavar="SHARE",
        help=option_help(
            "share of each student's own code found in the other's, at least",
            SIMILARITY_SHARE,
            f"{similarity_report.THRESHOLD:g}",
        ),
    )
    similarity.add_argument(
        "--min-shared",
        type=SHARED_CHARACTERS,
        default=similarity_report.MIN_SHARED,
        metavar="CHARACTERS",
        help=option_help(
            "characters of filtered code the two share, at least",
            SHARED_CHARACTERS,
            f"{similarity_report.MIN_SHARED}",
        ),
    )
    similarity.set_defaults(run=command_similarity)
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
        if args.debug:
            raise
        print(
            f"course: error: {type(error).__name__}: {error} (`course --debug ...` shows where)",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
