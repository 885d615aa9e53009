"""Simulated submissions, autograded by the real nbgrader: every point is earned or lost
in the right part, feedback names the bug, everyday habits of correct students cost
nothing, tampering gains nothing over an unanswered notebook, submissions stay intact, and
no hidden test takes a point the visible check or the instructions did not warn of.
"""

from __future__ import annotations

import re
import subprocess
import sys

import nbformat
import pytest
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.utils import is_grade

from autograder.grader_tools import notebook_records
from autograder.grader_tools.nbgrader_course import NbgraderCourse, nbgrader_environment
from course_simulation import build_submission
from course_simulation.catalogue import (
    A1,
    A1_ATTACKS,
    A1_BENIGN,
    A1_TESTS,
    A1_VARIANTS,
    A2,
    A2_ATTACKS,
    A2_BENIGN,
    A2_TESTS,
    A2_VARIANTS,
    A3,
    A3_BENIGN,
    A3_TESTS,
    A3_VARIANTS,
)
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

from .course_helpers import COURSE_ID, file_digest

ASSIGNMENTS = {
    A1: (A1_TESTS, A1_VARIANTS + A1_BENIGN + A1_ATTACKS),
    A2: (A2_TESTS, A2_VARIANTS + A2_BENIGN + A2_ATTACKS),
    A3: (A3_TESTS, A3_VARIANTS + A3_BENIGN),
}
UNANSWERED = "unanswered"  # the released notebook as it is: what tampering must not beat


# Each assignment's submissions are split between course copies graded side by side, so
# that both cores grade until the end (an a2 submission trains networks: it takes longest).
SHARDS = {A1: 1, A2: 2, A3: 1}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Autograde every variant once with the real `nbgrader autograde`, in course copies
    graded side by side (one `nbgrader autograde` each); return where each student of each
    assignment was graded, (assignment, student) -> (course, gradebook URL), and the
    submissions' digests. Every copy also grades the unanswered notebook."""
    courses, graded_in, digests = [], {}, {}
    for assignment, (_, variants) in ASSIGNMENTS.items():
        for shard in range(SHARDS[assignment]):
            course = copy_course(tmp_path_factory.mktemp("grading") / "course")
            nbgrader(course, "generate_assignment", assignment, "--force")
            db_url = NbgraderCourse.load(course).db_url
            for variant in variants[shard :: SHARDS[assignment]]:
                out = course / "submitted" / variant.name / assignment / f"{assignment}.ipynb"
                build_submission(
                    course / "release" / assignment / f"{assignment}.ipynb",
                    course / "source" / assignment / f"{assignment}.ipynb",
                    variant,
                    out,
                )
                digests[out] = file_digest(out)
                graded_in[assignment, variant.name] = (course, db_url)
            released = course / "release" / assignment
            stub = course / "submitted" / UNANSWERED / assignment
            stub.mkdir(parents=True)
            for item in released.iterdir():  # the notebook and its files, as released
                (stub / item.name).write_bytes(item.read_bytes())
            courses.append((assignment, course))
    for step in ("autograde", "generate_feedback"):
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "nbgrader", step, assignment],
                cwd=course,
                env=nbgrader_environment(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for assignment, course in courses
        ]
        for process in running:
            process.wait()
    return graded_in, digests


def _cases(attacks: bool):
    for assignment, (_, variants) in ASSIGNMENTS.items():
        for variant in variants:
            if (variant.attack is not None) == attacks:
                yield pytest.param(assignment, variant, id=f"{assignment}-{variant.name}")


def _total(db_url: str, assignment: str, student: str) -> float:
    """The student's score; 0 where nbgrader recorded nothing (a kernel that died)."""
    with Gradebook(db_url, COURSE_ID) as gradebook:
        try:
            return gradebook.find_submission(assignment, student).score
        except MissingEntry:
            return 0.0


@pytest.mark.parametrize(("assignment", "variant"), list(_cases(attacks=False)))
def test_scores_and_feedback(graded, assignment, variant):
    course, db_url = graded[0][assignment, variant.name]
    tests, _ = ASSIGNMENTS[assignment]
    with Gradebook(db_url, COURSE_ID) as gradebook:
        scores = {
            grade_id: gradebook.find_grade(grade_id, assignment, assignment, variant.name).score
            for grade_id in tests
        }
    expected = {
        grade_id: variant.scores.get(grade_id, points) for grade_id, points in tests.items()
    }
    assert scores == expected
    feedback = course / "feedback" / variant.name / assignment / f"{assignment}.html"
    html = feedback.read_text()
    for phrase in variant.feedback:
        assert phrase in html, f"feedback for {variant.name} lacks {phrase!r}"


@pytest.mark.parametrize(("assignment", "variant"), list(_cases(attacks=True)))
def test_tampering_scores_no_more_than_an_unanswered_notebook(graded, assignment, variant):
    course, db_url = graded[0][assignment, variant.name]
    # The unanswered notebook graded in the same course copy, by the same process.
    assert _total(db_url, assignment, variant.name) <= _total(db_url, assignment, UNANSWERED)
    if variant.feedback:
        feedback = course / "feedback" / variant.name / assignment / f"{assignment}.html"
        html = feedback.read_text()
        for phrase in variant.feedback:
            assert phrase in html, f"feedback for {variant.name} lacks {phrase!r}"


def test_every_score_is_a_finite_float_within_its_points(graded):
    for assignment, (tests, variants) in ASSIGNMENTS.items():
        for variant in variants:
            if variant.attack is not None:
                continue  # a kernel killed by an attack leaves no grades (checked above)
            _, db_url = graded[0][assignment, variant.name]
            with Gradebook(db_url, COURSE_ID) as gradebook:
                for grade_id, points in tests.items():
                    score = gradebook.find_grade(
                        grade_id, assignment, assignment, variant.name
                    ).score
                    assert type(score) is float and 0.0 <= score <= points


def test_submitted_files_are_never_modified(graded):
    _, digests = graded
    for path, digest in digests.items():
        assert file_digest(path) == digest, f"{path} changed during grading"


# --- the visible checks agree with the hidden tests --------------------------------------
HIDDEN_START = "### BEGIN HIDDEN TESTS"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
HIDDEN_OUTPUT_START = "When graded:"  # what a partial-credit cell's hidden part prints first
ANNOUNCES_MARKING = "after grading"  # a check that only saves answers: all marking is hidden


def _normalised(text: str) -> str:
    return " ".join(re.sub(r"[`*_]", "", text).lower().split())


def _first_clause(message: str) -> str:
    """A hidden failure's own words: its first sentence, up to its first colon."""
    return _normalised(re.split(r"[:\n]|\. ", message.strip(), maxsplit=1)[0])


def _failed_line(cell: nbformat.NotebookNode) -> int | None:
    """The cell's line where its error was raised (nbgrader's traceback), or None."""
    for output in cell.outputs:
        if output.output_type == "error":
            frames = [ANSI.sub("", line) for line in output.traceback]
            for frame in frames:
                found = re.search(r"^Cell In\[\d+\], line (\d+)", frame)
                if found:
                    return int(found.group(1))
            return 1
    return None


def _printed(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def _visible_failed_and_hidden_messages(cell) -> tuple[bool, list[str]]:
    """Did the visible part of a graded cell fail, and what do the hidden tests say?"""
    hidden_line = cell.source[: cell.source.index(HIDDEN_START)].count("\n") + 1
    errors = [o for o in cell.outputs if o.output_type == "error"]
    line = _failed_line(cell)
    if line is not None and line < hidden_line:
        return True, []
    hidden = [f"{errors[0].evalue}"] if errors else []
    visible_text, _, hidden_text = _printed(cell).partition(HIDDEN_OUTPUT_START)
    hidden += [
        text.strip()[len("--") :].strip()
        for text in hidden_text.splitlines()
        if text.strip().startswith("--")
    ]
    visible_failed = any(text.strip().startswith("--") for text in visible_text.splitlines())
    return visible_failed, hidden


def _instructions_and_visible_check(source_cells, grade_id: str) -> str:
    """The markdown since the previous graded cell, and the visible part of this one."""
    text = []
    for cell in source_cells:
        if is_grade(cell) and cell.cell_type == "code":
            if notebook_records.grade_id(cell) == grade_id:
                text.append(cell.source.split(HIDDEN_START)[0])
                return _normalised("\n".join(text))
            text = []
        elif cell.cell_type == "markdown":
            text.append(cell.source)
    raise AssertionError(f"no graded cell {grade_id}")


def _no_surprise_cases():
    for assignment, (_, variants) in ASSIGNMENTS.items():
        for variant in variants:
            if variant.attack is None:
                yield pytest.param(assignment, variant, id=f"{assignment}-{variant.name}")


@pytest.mark.parametrize(("assignment", "variant"), list(_no_surprise_cases()))
def test_no_hidden_test_takes_a_point_unannounced(graded, assignment, variant):
    """Wherever a hidden test takes points, the visible part of the same cell failed too, or
    the instructions and the visible check name what the hidden test adds (its failure's
    first clause), or the visible check says the cell is marked after grading."""
    course, db_url = graded[0][assignment, variant.name]
    tests, _ = ASSIGNMENTS[assignment]
    notebook = course / "autograded" / variant.name / assignment / f"{assignment}.ipynb"
    cells = {
        notebook_records.grade_id(c): c
        for c in nbformat.read(notebook, 4).cells
        if notebook_records.grade_id(c) in tests
    }
    source_cells = nbformat.read(course / "source" / assignment / f"{assignment}.ipynb", 4).cells
    with Gradebook(db_url, COURSE_ID) as gradebook:
        for grade_id, points in tests.items():
            score = gradebook.find_grade(grade_id, assignment, assignment, variant.name).score
            if score >= points:
                continue
            visible_failed, hidden_messages = _visible_failed_and_hidden_messages(cells[grade_id])
            announced = _instructions_and_visible_check(source_cells, grade_id)
            if visible_failed or ANNOUNCES_MARKING in announced:
                continue
            assert hidden_messages, f"{grade_id}: hidden points lost without a message"
            for message in hidden_messages:
                assert _first_clause(message) in announced, (
                    f"{variant.name}: {grade_id}'s hidden test takes points the visible check "
                    f"passed, and neither it nor the instructions say {_first_clause(message)!r}"
                )
