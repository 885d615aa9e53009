"""Simulated submissions, autograded by the real nbgrader: every point is earned or lost
in the right part, feedback names the bug, tampering scores zero, submissions stay intact.
"""

from __future__ import annotations

import hashlib

import pytest
from nbgrader.api import Gradebook

from .course_helpers import COURSE_ID, copy_course, nbgrader, tool_env
from .simulated_submissions import (
    A1,
    A1_TESTS,
    A1_VARIANTS,
    A2,
    A2_TESTS,
    A2_VARIANTS,
    apply_variant,
)

ASSIGNMENTS = {A1: (A1_TESTS, A1_VARIANTS), A2: (A2_TESTS, A2_VARIANTS)}


def _digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Autograde every variant of both assignments once; return what the tests inspect."""
    course = copy_course(tmp_path_factory.mktemp("grading") / "course")
    db_url = f"sqlite:///{course / 'gradebook.db'}"
    env = tool_env(NBGRADER_DB_URL=db_url, NBGRADER_EXCHANGE=str(course / "exchange"))
    digests = {}
    for assignment, (_, variants) in ASSIGNMENTS.items():
        nbgrader(course, "generate_assignment", assignment, "--force", env=env)
        for variant in variants:
            out = course / "submitted" / variant.name / assignment / f"{assignment}.ipynb"
            apply_variant(
                course / "release" / assignment / f"{assignment}.ipynb",
                course / "source" / assignment / f"{assignment}.ipynb",
                variant,
                out,
            )
            digests[out] = _digest(out)
        nbgrader(course, "autograde", assignment, env=env)
        nbgrader(course, "generate_feedback", assignment, env=env)
    return course, db_url, digests


def _cases():
    for assignment, (_, variants) in ASSIGNMENTS.items():
        for variant in variants:
            yield pytest.param(assignment, variant, id=f"{assignment}-{variant.name}")


@pytest.mark.parametrize(("assignment", "variant"), list(_cases()))
def test_scores_and_feedback(graded, assignment, variant):
    course, db_url, _ = graded
    tests, _ = ASSIGNMENTS[assignment]
    with Gradebook(db_url, COURSE_ID) as gradebook:
        scores = {
            grade_id: gradebook.find_grade(grade_id, assignment, assignment, variant.name).score
            for grade_id in tests
        }
    expected = {
        grade_id: 0.0 if variant.all_zero else variant.scores.get(grade_id, points)
        for grade_id, points in tests.items()
    }
    assert scores == expected
    feedback = course / "feedback" / variant.name / assignment / f"{assignment}.html"
    html = feedback.read_text()
    for phrase in variant.feedback:
        assert phrase in html, f"feedback for {variant.name} lacks {phrase!r}"


def test_every_score_is_a_finite_float_within_its_points(graded):
    _, db_url, _ = graded
    with Gradebook(db_url, COURSE_ID) as gradebook:
        for assignment, (tests, variants) in ASSIGNMENTS.items():
            for variant in variants:
                for grade_id, points in tests.items():
                    score = gradebook.find_grade(
                        grade_id, assignment, assignment, variant.name
                    ).score
                    assert type(score) is float and 0.0 <= score <= points


def test_submitted_files_are_never_modified(graded):
    _, _, digests = graded
    for path, digest in digests.items():
        assert _digest(path) == digest, f"{path} changed during grading"
