"""Due dates, extensions and late penalties, through nbgrader's own gradebook and plugins.

Every expected penalty below is worked out by hand from the policy (comment per case).
Lateness itself is always nbgrader's: the submission's ``timestamp.txt`` read by
nbgrader's ``CourseDirectory.get_existing_timestamp``, ``SubmittedAssignment.
total_seconds_late`` (due date plus extension) and its ``AssignLatePenalties``
preprocessor, which calls the plugin and stores the penalty; one case runs the whole
``nbgrader autograde``.
"""

import datetime
import json
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import AssignLatePenalties
from traitlets import TraitError
from traitlets.config import Config

from autograder.grader_tools.batch_grading.class_report import write_class_report
from autograder.grader_tools.batch_grading.late_penalty import (
    CourseLatePenalty,
    LatePolicy,
    late_work_sentence,
)
from autograder.grader_tools.course_commands import main
from autograder.grader_tools.deadlines import (
    deadlines,
    grant_extension,
    parse_due_date,
    set_due_date,
)
from autograder.grader_tools.due_date_header import DUE_DATE_CELL_ID
from autograder.grader_tools.nbgrader_course import NbgraderCourse
from course_simulation.course_runs import nbgrader

from ..course_helpers import REPO, exit_status

ASSIGNMENT = "ps"
NOTEBOOK = "late"
DUE = "2026-12-10 17:00"  # UTC, the course's time zone (nbgrader's Exchange.timezone default)
DAILY = {"grace_minutes": 15, "unit": "day", "percent_per_unit": 10, "cap_percent": 50}
HOURLY = {"unit": "hour", "percent_per_unit": 5, "hard_deadline_hours": 24}
CONFIG = f"""
from nbgrader.converters import GenerateAssignment, GenerateFeedback
from autograder.grader_tools.batch_grading.late_penalty import CourseLatePenalty, LateWorkFeedback
from autograder.grader_tools.due_date_header import DueDateHeader
c = get_config()
c.CourseDirectory.course_id = "late101"
c.GenerateAssignment.preprocessors = [
    DueDateHeader, *GenerateAssignment.class_traits()["preprocessors"].default()
]
c.GenerateFeedback.preprocessors = [
    LateWorkFeedback, *GenerateFeedback.class_traits()["preprocessors"].default()
]
c.AssignLatePenalties.plugin_class = CourseLatePenalty
for name, value in {DAILY!r}.items():
    setattr(c.CourseLatePenalty, name, value)
"""
# (policy, timestamp.txt, extension in hours, expected penalty on a score of 8 out of 10)
CASES = {
    "on time": (DAILY, "2026-12-10 16:59:00.000000 UTC", 0, 0.0),
    # 18:10 CET = 17:10 UTC: 10 min late, inside the 15-minute grace period
    "in grace, written in CET": (DAILY, "2026-12-10 18:10:00.000000 CET", 0, 0.0),
    # 16 min late: 1 started day x 10% of 8
    "just after grace": (DAILY, "2026-12-10 17:16:00.000000 UTC", 0, 0.8),
    # 1 d 16 h late: 2 started days x 10% of 8
    "two started days": (DAILY, "2026-12-12 09:00:00.000000 UTC", 0, 1.6),
    # 10 days late: 100%, capped at 50% of 8
    "capped": (DAILY, "2026-12-20 17:00:00.000000 UTC", 0, 4.0),
    # due 2026-12-12 17:00 with the extension: on time
    "within extension": (DAILY, "2026-12-12 09:00:00.000000 UTC", 48, 0.0),
    # due 2026-12-11 17:00 with the extension: 16 h late, 1 started day x 10% of 8
    "past extension": (DAILY, "2026-12-12 09:00:00.000000 UTC", 24, 0.8),
    # 30 min late: 1 started hour x 5% of 8
    "hourly, one hour": (HOURLY, "2026-12-10 17:30:00.000000 UTC", 0, 0.4),
    # 3 h 0 min 1 s late: 4 started hours x 5% of 8
    "hourly, four hours": (HOURLY, "2026-12-10 20:00:01.000000 UTC", 0, 1.6),
    # 24 h 1 s late: past the 24 h hard deadline, not accepted: the whole 8
    "past hard deadline": (HOURLY, "2026-12-11 17:00:01.000000 UTC", 0, 8.0),
    # the hard deadline moves with the extension: 3 h late, 3 started hours x 5% of 8
    "hard deadline after extension": (HOURLY, "2026-12-11 20:00:00.000000 UTC", 24, 1.2),
}


def _tiny_course(folder: Path) -> Path:
    """An nbgrader course with one notebook: an answer cell and a 10-point test cell."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "nbgrader_config.py").write_text(CONFIG)
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    answer = nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION")
    answer.metadata["nbgrader"] = {
        "grade": False, "solution": True, "locked": False, "grade_id": "answer",
        "schema_version": 3,
    }  # fmt: skip
    test = nbformat.v4.new_code_cell("assert answer == 42")
    test.metadata["nbgrader"] = {
        "grade": True, "solution": False, "locked": True, "grade_id": "test_answer",
        "points": 10, "schema_version": 3,
    }  # fmt: skip
    notebook.cells = [answer, test]
    (folder / "source" / ASSIGNMENT).mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, folder / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    return folder


def _penalty_by_nbgrader(course_folder: Path, case: str) -> float:
    """Record one submission of ``case`` in the course's gradebook as nbgrader's autograde
    would (its timestamp.txt, a score of 8/10), grant the case's extension with ``course``'s
    function, run nbgrader's AssignLatePenalties with the case's policy; the stored penalty."""
    policy, timestamp, extension_hours, _ = CASES[case]
    course = NbgraderCourse.load(course_folder)
    student = case.replace(" ", "_").replace(",", "")
    submitted = course_folder / "submitted" / student / ASSIGNMENT
    submitted.mkdir(parents=True)
    (submitted / "timestamp.txt").write_text(timestamp)
    submitted_at = CourseDirectory().get_existing_timestamp(str(submitted))
    with course.gradebook() as gradebook:
        gradebook.add_student(student)
        gradebook.update_or_create_submission(ASSIGNMENT, student, timestamp=submitted_at)
        gradebook.find_grade("test_answer", NOTEBOOK, ASSIGNMENT, student).auto_score = 8
        gradebook.db.commit()
    grant_extension(course, ASSIGNMENT, student, datetime.timedelta(hours=extension_hours))
    config = Config()
    config.AssignLatePenalties.plugin_class = CourseLatePenalty
    for name, value in policy.items():
        setattr(config.CourseLatePenalty, name, value)
    resources = {
        "nbgrader": {
            "notebook": NOTEBOOK,
            "assignment": ASSIGNMENT,
            "student": student,
            "db_url": course.db_url,
        }
    }
    AssignLatePenalties(config=config).preprocess(nbformat.v4.new_notebook(), resources)
    with course.gradebook() as gradebook:
        stored = gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student)
        return stored.late_submission_penalty or 0.0


@pytest.fixture(scope="module")
def gradebook_course(tmp_path_factory):
    """The tiny course's gradebook with the assignment, its notebook and test cell, due DUE."""
    folder = _tiny_course(tmp_path_factory.mktemp("late") / "course")
    course = NbgraderCourse.load(folder)
    set_due_date(course, ASSIGNMENT, parse_due_date(DUE, "UTC"))
    with course.gradebook() as gradebook:
        gradebook.add_notebook(NOTEBOOK, ASSIGNMENT)
        gradebook.add_grade_cell(
            "test_answer", NOTEBOOK, ASSIGNMENT, max_score=10, cell_type="code"
        )
    return folder


@pytest.mark.parametrize("case", CASES)
def test_each_policy_against_nbgraders_late_computation(gradebook_course, case):
    assert _penalty_by_nbgrader(gradebook_course, case) == pytest.approx(CASES[case][3])


def test_reasons_say_how_late_and_what_it_cost():
    daily = LatePolicy(**DAILY)
    assert daily.assess(0).reason == "on time"
    assert daily.assess(600).reason == (
        "10 min late, within the 15-minute grace period: no penalty"
    )
    assert daily.assess(40 * 3600).reason == (
        "1 d 16 h late: 2 started days × 10% = 20% of the score"
    )
    assert daily.assess(10 * 86400).reason.endswith("= 100% of the score, capped at 50%")
    refused = LatePolicy(**HOURLY).assess(86401)
    assert refused.refused and refused.percent == 100
    assert "past the hard deadline (24 h after the due date)" in refused.reason


def test_feedback_sentences_for_grace_and_hard_deadline():
    due = "Thu 10 Dec 2026, 17:00 UTC"
    assert late_work_sentence(600, 0.0, due, LatePolicy(**DAILY)) == (
        "**Submitted 10 min after the due date** (Thu 10 Dec 2026, 17:00 UTC, any extension "
        "included), within the 15-minute grace period: no penalty."
    )
    # a cost the gradebook does not hold (graded before the due date was set) is not told
    assert late_work_sentence(40 * 3600, 0.0, due, LatePolicy(**DAILY), score=8.0) == (
        "**Submitted 1 d 16 h after the due date** (Thu 10 Dec 2026, 17:00 UTC, any extension "
        "included)."
    )
    assert late_work_sentence(90000, 8.0, due, LatePolicy(**HOURLY), score=8.0) == (
        "**Submitted 1 d 1 h after the due date** (Thu 10 Dec 2026, 17:00 UTC, any extension "
        "included), past the hard deadline (24 h after the due date): not accepted, scored 0."
        " Late penalty: −8 points."
    )


@pytest.mark.parametrize(
    "setting", [{"percent_per_unit": -1}, {"cap_percent": 120}, {"unit": "week"}]
)
def test_a_bad_policy_setting_is_refused_by_name(setting):
    name = next(iter(setting))
    with pytest.raises(TraitError, match=name):
        CourseLatePenalty(**setting)


def test_due_dates_in_other_zones_are_stored_as_nbgrader_does():
    berlin = parse_due_date("2026-12-10 18:00 Europe/Berlin", "UTC")
    offset = parse_due_date("2026-12-10T18:00+01:00", "UTC")
    local = parse_due_date("2026-12-10 18:00", "Europe/Berlin")
    assert berlin == offset == local == datetime.datetime(2026, 12, 10, 17, 0)


def test_commands_write_the_gradebook_nbgrader_reads(tmp_path, monkeypatch, capsys):
    folder = _tiny_course(tmp_path / "course")
    monkeypatch.chdir(folder)
    assert main(["due-date", ASSIGNMENT, "2026-12-10 18:00 Europe/Berlin"]) == 0
    assert exit_status(main, ["extend", ASSIGNMENT, "ada", "--days", "2"]) == 2
    assert "nbgrader db student add ada" in capsys.readouterr().err
    nbgrader(folder, "db", "student", "add", "ada")
    assert main(["extend", ASSIGNMENT, "ada", "--days", "2", "--hours", "3"]) == 0
    assert main(["deadlines"]) == 0
    listing = capsys.readouterr().out
    assert "ps: Thu 10 Dec 2026, 17:00 UTC" in listing
    assert "ada: extension 2 days, 3:00:00 (until Sat 12 Dec 2026, 20:00 UTC)" in listing
    with Gradebook(NbgraderCourse.load(folder).db_url) as gradebook:
        submission = gradebook.find_submission(ASSIGNMENT, "ada")
        assert submission.duedate == datetime.datetime(2026, 12, 12, 20, 0)
    assert main(["extend", ASSIGNMENT, "ada"]) == 0  # no time: the extension is removed
    assert deadlines(NbgraderCourse.load(folder))[0].extensions == {}
    assert exit_status(main, ["due-date", ASSIGNMENT, "next friday-ish"]) == 2
    assert "is not a date and time" in capsys.readouterr().err


@pytest.mark.nbgrader
def test_autograde_applies_the_penalty_and_the_header_shows_the_due_date(tmp_path, monkeypatch):
    """The whole path: `course due-date`, `nbgrader generate_assignment` (the header),
    submissions with timestamp.txt, `nbgrader autograde`, the stored penalty."""
    folder = _tiny_course(tmp_path / "course")
    monkeypatch.chdir(folder)
    release = folder / "release" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    nbgrader(folder, "generate_assignment", ASSIGNMENT)
    assert [
        cell.id for cell in nbformat.read(release, 4).cells if cell.id == DUE_DATE_CELL_ID
    ] == []
    assert main(["due-date", ASSIGNMENT, DUE]) == 0
    nbgrader(folder, "generate_assignment", ASSIGNMENT, "--force")
    released = nbformat.read(release, 4)
    header = released.cells[0]
    assert header.id == DUE_DATE_CELL_ID
    assert header.source == (
        "**Due: Thu 10 Dec 2026, 17:00 UTC.** Work submitted later loses points: 15-minute "
        "grace period, 10% of the score per started day, at most 50% (an extension moves it all)."
    )
    # 2 d 1 h late: 3 started days x 10% of 10 points; the other student is on time.
    for student, timestamp in {
        "late_student": "2026-12-12 18:00:00.000000 UTC",
        "punctual": "2026-12-10 16:00:00.000000 UTC",
    }.items():
        nbgrader(folder, "db", "student", "add", student)
        submitted = folder / "submitted" / student / ASSIGNMENT
        submitted.mkdir(parents=True)
        notebook = json.loads(json.dumps(released))
        notebook["cells"][1]["source"] = "answer = 42"
        nbformat.write(nbformat.from_dict(notebook), submitted / f"{NOTEBOOK}.ipynb")
        (submitted / "timestamp.txt").write_text(timestamp)
    nbgrader(folder, "autograde", ASSIGNMENT)
    with Gradebook(NbgraderCourse.load(folder).db_url) as gradebook:
        late = gradebook.find_submission(ASSIGNMENT, "late_student")
        punctual = gradebook.find_submission(ASSIGNMENT, "punctual")
        assert (late.score, late.late_submission_penalty) == (10, pytest.approx(3.0))
        assert (punctual.score, punctual.late_submission_penalty) == (10, 0)
    # The class report says who was late, by how much, what it cost and why; nbgrader's
    # feedback shows the penalty to the student.
    report = write_class_report(NbgraderCourse.load(folder), ASSIGNMENT) / "report.md"
    late_work = report.read_text().split("## Late work")[1]
    assert "Policy: 15-minute grace period, 10% of the score per started day, at most 50%." in (
        late_work
    )
    assert (
        "| late_student | 2026-12-12 18:00 | 2026-12-10 17:00 | 3 | "
        "2 d 1 h late: 3 started days × 10% = 30% of the score |"
    ) in late_work
    assert "punctual" not in late_work
    assert "**test_answer** (test): everyone right" in report.read_text()
    feedback = (folder / "feedback" / "late_student" / ASSIGNMENT / f"{NOTEBOOK}.html").read_text()
    assert "Late submission penalty (Score: -3.0)" in feedback
    assert (
        "Submitted 2 d 1 h after the due date</strong> (Thu 10 Dec 2026, 17:00 UTC, any "
        "extension included): 3 started days × 10% = 30% of the score. Late penalty: −3 points."
    ) in feedback
    on_time = folder / "feedback" / "punctual" / ASSIGNMENT / f"{NOTEBOOK}.html"
    assert "Submitted on time</strong> (due Thu 10 Dec 2026, 17:00 UTC)." in on_time.read_text()


def _inbound(exchange: Path, student: str, timestamp: str) -> None:
    """A submission in nbgrader's exchange, as `nbgrader submit` leaves it."""
    folder = exchange / "late101" / "inbound" / f"{student}+{ASSIGNMENT}+{timestamp}+{student[0]}1"
    folder.mkdir(parents=True)
    (folder / "timestamp.txt").write_text(timestamp)
    (folder / f"{NOTEBOOK}.ipynb").write_text(nbformat.writes(nbformat.v4.new_notebook()))


@pytest.mark.nbgrader
def test_which_resubmission_is_collected(tmp_path, monkeypatch):
    """nbgrader's policy (`collect --before-duedate`: the last before the due date, else the
    last), measured from each student's own due date, extension included."""
    folder = _tiny_course(tmp_path / "course")
    exchange = tmp_path / "exchange"
    with (folder / "nbgrader_config.py").open("a") as config:
        collect = "autograder.grader_tools.own_due_date_collect.CheckedCollectOwnDueDate"
        config.write(
            f"c.Exchange.root = {str(exchange)!r}\nc.ExchangeFactory.collect = {collect!r}\n"
        )
    monkeypatch.chdir(folder)
    assert main(["due-date", ASSIGNMENT, DUE]) == 0
    for student in ("ada", "bob", "cy"):
        nbgrader(folder, "db", "student", "add", student)
    assert main(["extend", ASSIGNMENT, "ada", "--days", "2"]) == 0
    before, after, in_extension = (
        "2026-12-10 16:00:00.000000 UTC",
        "2026-12-10 18:00:00.000000 UTC",
        "2026-12-11 12:00:00.000000 UTC",
    )
    _inbound(exchange, "ada", before)
    _inbound(exchange, "ada", in_extension)  # after the due date, within ada's extension
    _inbound(exchange, "bob", before)
    _inbound(exchange, "bob", after)  # an accidental resubmission after the deadline
    _inbound(exchange, "cy", after)  # late, and nothing before

    def collected() -> dict[str, str]:
        return {
            student: (folder / "submitted" / student / ASSIGNMENT / "timestamp.txt").read_text()
            for student in ("ada", "bob", "cy")
        }

    nbgrader(folder, "collect", ASSIGNMENT)
    assert collected() == {"ada": in_extension, "bob": after, "cy": after}  # the last
    nbgrader(folder, "collect", ASSIGNMENT, "--before-duedate")
    assert collected() == {"ada": in_extension, "bob": before, "cy": after}


def test_an_extension_before_handing_in_is_not_a_zero(tmp_path):
    """nbgrader keeps an extension on the student's submission record, so `course extend`
    makes one for a student who has not handed in: exports and the report still show them
    as not having submitted (empty), never as a 0; once graded, their score counts."""
    import csv

    from autograder.grader_tools.batch_grading.canvas_export import CanvasCsvExportPlugin
    from autograder.grader_tools.batch_grading.class_report import gradebook_rows
    from autograder.grader_tools.batch_grading.gradescope_results import results_for_submission
    from autograder.grader_tools.batch_grading.lms_export import LmsCsvExportPlugin

    folder = _tiny_course(tmp_path / "course")
    course = NbgraderCourse.load(folder)
    set_due_date(course, ASSIGNMENT, parse_due_date(DUE, "UTC"))
    with course.gradebook() as gradebook:
        gradebook.add_notebook(NOTEBOOK, ASSIGNMENT)
        gradebook.add_grade_cell(
            "test_answer", NOTEBOOK, ASSIGNMENT, max_score=10, cell_type="code"
        )
        gradebook.add_student("away")
    grant_extension(course, ASSIGNMENT, "away", datetime.timedelta(days=3))

    def exported() -> tuple[str, str, object, list[str]]:
        with course.gradebook() as gradebook:
            LmsCsvExportPlugin(to=str(tmp_path / "lms.csv")).export(gradebook)
            CanvasCsvExportPlugin(to=str(tmp_path / "canvas.csv")).export(gradebook)
            gradescope = results_for_submission(gradebook, ASSIGNMENT, "away", tmp_path)
        lms = list(csv.DictReader((tmp_path / "lms.csv").open()))[0][ASSIGNMENT]
        canvas = list(csv.reader((tmp_path / "canvas.csv").open()))[2][-1]
        return lms, canvas, gradescope, [row.student for row in gradebook_rows(course, ASSIGNMENT)]

    assert exported() == ("", "", None, [])
    with course.gradebook() as gradebook:  # handed in and graded, as autograde records it
        submission = gradebook.find_submission(ASSIGNMENT, "away")
        submission.timestamp = datetime.datetime(2026, 12, 12, 9, 0)
        gradebook.find_grade("test_answer", NOTEBOOK, ASSIGNMENT, "away").auto_score = 0
        gradebook.db.commit()
    lms, canvas, gradescope, rows = exported()
    assert (lms, canvas, rows) == ("0", "0", ["away"]) and gradescope is not None


def test_check_release_ignores_the_due_date_header():
    """The header comes from this term's gradebook: a release generated with a due date
    still matches source/ (`course check-release` regenerates in a scratch gradebook)."""
    from autograder.grader_tools.due_date_header import due_date_cell
    from autograder.grader_tools.release_sync import comparable_release_notebook

    released = nbformat.read(
        REPO / "release" / "a1_building_blocks" / "a1_building_blocks.ipynb", 4
    )
    with_header = nbformat.from_dict(json.loads(json.dumps(released)))
    with_header.cells.insert(0, due_date_cell("**Due: Thu 10 Dec 2026, 17:00 UTC.**"))
    assert comparable_release_notebook(with_header) == comparable_release_notebook(released)
    with_header.cells.insert(1, nbformat.v4.new_markdown_cell("anything else"))
    assert comparable_release_notebook(with_header) != comparable_release_notebook(released)
