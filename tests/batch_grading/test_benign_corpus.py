"""The everyday-habits corpus: every correct submission, written the ways students write
(magics, introspection, plots and files, their own helpers and tests, quiz answers typed
either way), earns full marks under `course grade` (sandboxed, parallel) as it does under
`nbgrader autograde` (tests/test_assignment_grading.py), and `nbgrader validate` reports
nothing for it."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from autograder.grader_tools.batch_grading.class_grader import grade_class
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.submission_status import GRADED
from autograder.grader_tools.nbgrader_course import NbgraderCourse
from course_simulation import build_submission
from course_simulation.catalogue import (
    A1,
    A1_BENIGN,
    A1_TESTS,
    A2,
    A2_BENIGN,
    A2_TESTS,
    A3,
    A3_BENIGN,
    A3_TESTS,
)
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

CORPUS = {A1: (A1_TESTS, A1_BENIGN), A2: (A2_TESTS, A2_BENIGN), A3: (A3_TESTS, A3_BENIGN)}
# The corpus's own promise (issue 26): at least 80 correct submissions, 20 for a2 and a3.
MINIMUM = {A2: 20, A3: 20}


def _correct(variants):
    """The corpus's correct submissions (a variant with expected losses is not one)."""
    return [v for v in variants if not v.scores]


def test_the_corpus_is_large_enough():
    counts = {assignment: len(_correct(variants)) for assignment, (_, variants) in CORPUS.items()}
    assert sum(counts.values()) >= 80, counts
    assert all(counts[assignment] >= least for assignment, least in MINIMUM.items()), counts


@pytest.fixture(scope="module")
def corpus_course(tmp_path_factory):
    """A course copy with every corpus submission in submitted/."""
    course = copy_course(tmp_path_factory.mktemp("corpus") / "course")
    for assignment, (_, variants) in CORPUS.items():
        nbgrader(course, "generate_assignment", assignment, "--force")
        for variant in variants:
            build_submission(
                course / "release" / assignment / f"{assignment}.ipynb",
                course / "source" / assignment / f"{assignment}.ipynb",
                variant,
                course / "submitted" / variant.name / assignment / f"{assignment}.ipynb",
            )
    return course


def test_benign_corpus_earns_full_marks_under_course_grade(corpus_course):
    nbgrader_course = NbgraderCourse.load(corpus_course)
    for assignment, (_, variants) in CORPUS.items():
        results = grade_class(nbgrader_course, assignment, CourseGrade(progress=False))
        assert {r.student: r.describe() for r in results} == {v.name: str(GRADED) for v in variants}
    with nbgrader_course.gradebook() as gradebook:
        for assignment, (tests, variants) in CORPUS.items():
            for variant in variants:
                scores = {
                    grade_id: gradebook.find_grade(
                        grade_id, assignment, assignment, variant.name
                    ).score
                    for grade_id in tests
                }
                assert scores == {**tests, **variant.scores}, variant.name


@pytest.mark.parametrize("assignment", list(CORPUS))
def test_validate_reports_nothing_for_the_corpus(corpus_course, assignment):
    _, variants = CORPUS[assignment]
    notebooks = [
        corpus_course / "submitted" / v.name / assignment / f"{assignment}.ipynb"
        for v in _correct(variants)
    ]
    # Two nbgrader processes, each validating every other notebook: the suite's batch-grading
    # worker is often the last one running, so the second core would otherwise sit idle.
    halves = [notebooks[0::2], notebooks[1::2]]
    with ThreadPoolExecutor(len(halves)) as pool:
        processes = list(
            pool.map(
                lambda half: nbgrader(corpus_course, "validate", *map(str, half), check=False),
                halves,
            )
        )
    output = "".join(process.stdout + process.stderr for process in processes)
    assert output.count("Success! Your notebook passes all the tests.") == len(notebooks), output
    assert "VALIDATION FAILED" not in output and "TamperingDetected" not in output, output
