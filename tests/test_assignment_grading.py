"""Simulated submissions, autograded by the real nbgrader: every point is earned or lost
in the right part, feedback names the bug, everyday habits of correct students cost
nothing, tampering gains nothing over an unanswered notebook, submissions stay intact.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from nbgrader.api import Gradebook, MissingEntry

from autograder.nbgrader_course import NbgraderCourse
from autograder.simulation import build_submission
from autograder.simulation.catalogue import (
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
)

from .course_helpers import COURSE_ID, copy_course, file_digest, nbgrader, tool_env

ASSIGNMENTS = {
    A1: (A1_TESTS, A1_VARIANTS + A1_BENIGN + A1_ATTACKS),
    A2: (A2_TESTS, A2_VARIANTS + A2_BENIGN + A2_ATTACKS),
}
UNANSWERED = "unanswered"  # the released notebook as it is: what tampering must not beat


# Each assignment's submissions are split between course copies graded side by side, so
# that both cores grade until the end (a1 has five times as many submissions as a2).
SHARDS = {A1: 2, A2: 1}


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
            released = course / "release" / assignment / f"{assignment}.ipynb"
            stub = course / "submitted" / UNANSWERED / assignment / f"{assignment}.ipynb"
            stub.parent.mkdir(parents=True)
            stub.write_bytes(released.read_bytes())
            courses.append((assignment, course))
    for step in ("autograde", "generate_feedback"):
        running = [
            subprocess.Popen(
                [sys.executable, "-m", "nbgrader", step, assignment],
                cwd=course,
                env=tool_env(),
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
