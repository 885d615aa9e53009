"""Due dates and extensions, kept where nbgrader keeps them: its gradebook.

``Assignment.duedate`` (naive UTC, as nbgrader stores it) and each student's
``SubmittedAssignment.extension`` (``Gradebook.grant_extension``) are what nbgrader's
autograde compares with a submission's ``timestamp.txt``, what the formgrader shows and
what the late-penalty plugin (``batch_grading.late_penalty``) is given. The ``course
due-date``, ``course extend`` and ``course deadlines`` commands call these functions.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import dateutil.parser
import dateutil.tz
from nbgrader.api import MissingEntry
from nbgrader.exchange.default.exchange import Exchange

from autograder.grader_tools.course_files import CourseError
from autograder.grader_tools.nbgrader_course import NbgraderCourse


def course_timezone(course: NbgraderCourse) -> str:
    """The course's time zone: nbgrader's ``Exchange.timezone`` (default ``UTC``), the one
    ``timestamp.txt`` is written in."""
    return Exchange(config=course.config).timezone


def parse_due_date(text: str, timezone: str) -> datetime.datetime:
    """``"2026-12-10 17:00"`` (in ``timezone``), ``"2026-12-10T17:00+01:00"`` or
    ``"2026-12-10 17:00 Europe/Berlin"`` -> naive UTC, as nbgrader's gradebook stores it."""
    words = text.split()
    zone = dateutil.tz.gettz(words[-1]) if len(words) == 3 else None
    if len(words) == 3 and zone is None:
        raise CourseError(f"unknown time zone '{words[-1]}' in the due date '{text}'.")
    try:
        when = dateutil.parser.isoparse(" ".join(words[:2]).replace(" ", "T"))
    except ValueError:
        raise CourseError(
            f"'{text}' is not a date and time: write e.g. '2026-12-10 17:00' "
            f"(in {timezone}) or '2026-12-10 17:00 Europe/Berlin'."
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone or dateutil.tz.gettz(timezone))
    return when.astimezone(datetime.timezone.utc).replace(tzinfo=None)


def local_time(utc: datetime.datetime, timezone: str) -> str:
    """A gradebook time (naive UTC) in ``timezone``: ``"Thu 10 Dec 2026, 17:00 CET"``."""
    moment = utc.replace(tzinfo=datetime.timezone.utc).astimezone(dateutil.tz.gettz(timezone))
    return moment.strftime("%a %d %b %Y, %H:%M %Z")


def set_due_date(course: NbgraderCourse, assignment: str, due: datetime.datetime | None) -> None:
    """Set (or with None, clear) an assignment's due date, creating the assignment in the
    gradebook if ``generate_assignment`` has not yet."""
    with course.gradebook() as gradebook:
        record = gradebook.update_or_create_assignment(assignment)
        record.duedate = due
        gradebook.db.commit()


def grant_extension(
    course: NbgraderCourse, assignment: str, student: str, extension: datetime.timedelta
) -> None:
    """Give ``student`` ``extension`` more time (a zero one removes it); extensions replace,
    never add up (``Gradebook.grant_extension``). A student who has not submitted yet gets
    the empty submission record nbgrader keeps the extension on."""
    with course.gradebook() as gradebook:
        try:
            gradebook.find_assignment(assignment)
        except MissingEntry:
            raise CourseError(
                f"no assignment '{assignment}' in the gradebook: set its due date first "
                f"(`course due-date {assignment} ...`)."
            ) from None
        try:
            gradebook.find_student(student)
        except MissingEntry:
            raise CourseError(
                f"no student '{student}' in the gradebook: add them with "
                f"`nbgrader db student add {student}`."
            ) from None
        gradebook.update_or_create_submission(assignment, student)
        minutes = extension.total_seconds() / 60
        gradebook.grant_extension(assignment, student, minutes=minutes)


def holds_only_an_extension(submission) -> bool:
    """Whether a gradebook submission is the record ``grant_extension`` made for a student
    who has not handed in (no timestamp, no score of any kind): exports and reports treat
    that student as not having submitted, never as a 0."""
    return (
        submission.extension is not None
        and submission.timestamp is None
        and all(
            grade.auto_score is None and grade.manual_score is None
            for notebook in submission.notebooks
            for grade in notebook.grades
        )
    )


@dataclass(frozen=True)
class Deadline:
    """One assignment's due date (naive UTC or None) and its extensions (student -> time)."""

    assignment: str
    due: datetime.datetime | None
    extensions: dict[str, datetime.timedelta]


def deadlines(course: NbgraderCourse, assignment: str | None = None) -> list[Deadline]:
    """Every assignment's (or one's) due date and extensions, by due date."""
    with course.gradebook() as gradebook:
        records = gradebook.assignments
        if assignment is not None:
            records = [record for record in records if record.name == assignment]
            if not records:
                raise CourseError(f"no assignment '{assignment}' in the gradebook.")
        return [
            Deadline(
                record.name,
                record.duedate,
                {
                    submission.student.id: submission.extension
                    for submission in record.submissions
                    if submission.extension
                },
            )
            for record in records
        ]


def deadlines_text(rows: list[Deadline], timezone: str) -> str:
    """The ``course deadlines`` listing: one line per assignment, one per extension."""
    lines = []
    for row in rows:
        due = local_time(row.due, timezone) if row.due else "no due date"
        lines.append(f"{row.assignment}: {due}")
        for student, extension in sorted(row.extensions.items()):
            until = f" (until {local_time(row.due + extension, timezone)})" if row.due else ""
            lines.append(f"  {student}: extension {extension}{until}")
    return "\n".join(lines) if lines else "no assignments in the gradebook."
