"""The everyday-habits corpus under `course grade` (sandboxed, parallel): every correct
submission earns full marks there too, as it does under `nbgrader autograde`
(tests/test_assignment_grading.py)."""

from autograder.batch_grading.class_grader import GradingOptions, grade_class
from autograder.nbgrader_course import NbgraderCourse
from autograder.simulation import build_submission
from autograder.simulation.catalogue import A1, A1_BENIGN, A1_TESTS, A2, A2_BENIGN, A2_TESTS

from ..course_helpers import copy_course, nbgrader


def test_benign_corpus_earns_full_marks_under_course_grade(tmp_path):
    course = copy_course(tmp_path / "course")
    corpus = {A1: (A1_TESTS, A1_BENIGN), A2: (A2_TESTS, A2_BENIGN)}
    nbgrader_course = NbgraderCourse.load(course)
    for assignment, (_, variants) in corpus.items():
        nbgrader(course, "generate_assignment", assignment, "--force")
        for variant in variants:
            build_submission(
                course / "release" / assignment / f"{assignment}.ipynb",
                course / "source" / assignment / f"{assignment}.ipynb",
                variant,
                course / "submitted" / variant.name / assignment / f"{assignment}.ipynb",
            )
        results = grade_class(nbgrader_course, assignment, GradingOptions(progress=False))
        assert {r.student: r.describe() for r in results} == {v.name: "graded" for v in variants}
    with nbgrader_course.gradebook() as gradebook:
        for assignment, (tests, variants) in corpus.items():
            for variant in variants:
                scores = {
                    grade_id: gradebook.find_grade(
                        grade_id, assignment, assignment, variant.name
                    ).score
                    for grade_id in tests
                }
                assert scores == {**tests, **variant.scores}, variant.name
