"""The class report: nbgrader's CSV, the LMS CSV, pass rates, diagnosed bugs, histogram and
feedback (the quiz's answer distribution is tested with the graded quiz)."""

import csv

from autograder.grader_tools.batch_grading.class_report import write_class_report
from autograder.grader_tools.batch_grading.submission_status import ProblemKind
from autograder.grader_tools.nbgrader_course import NbgraderCourse

from .conftest import A1, student_of_kind


def test_class_report_files(graded_class):
    course = graded_class["parallel"]
    roster = graded_class["roster"]
    nbgrader_course = NbgraderCourse.load(course)
    folder = write_class_report(nbgrader_course, A1)
    with nbgrader_course.gradebook() as gradebook:
        scores = {s.student.id: s.score for s in gradebook.assignment_submissions(A1)}
        linear_backward = [
            gradebook.find_grade("test_linear_backward", A1, A1, student).score
            for student in scores
        ]
    with open(folder / "grades_lms.csv", newline="") as file:
        lms = {row["student_id"]: row for row in csv.DictReader(file)}
    assert {s: float(row[A1]) for s, row in lms.items()} == scores
    assert {row[f"{A1} max"] for row in lms.values()} == {"14"}
    with open(folder / "canvas_grades.csv", newline="") as file:
        canvas = list(csv.DictReader(file))[1:]  # after the Points Possible row
    assert {row["SIS Login ID"]: float(row[A1]) for row in canvas if row[A1]} == scores
    with open(folder / "grades.csv", newline="") as file:
        exported = {row["student_id"]: float(row["score"]) for row in csv.DictReader(file)}
    assert exported == scores
    assert (folder / "histogram.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    report = (folder / "report.md").read_text()
    full = sum(score == 3.0 for score in linear_backward)
    assert f"| test_linear_backward | {full}/{len(scores)} " in report
    assert (
        "| test_linear_backward | dW is off by a factor of the batch size (m = 7): did you forget "
        "to divide by m? | 1 |" in report
    )
    assert "| test_linear_backward | dA_prev has the wrong sign" in report
    assert f"| {ProblemKind.KERNEL_DIED.label} | 1 |" in report
    assert f"| {ProblemKind.MEMORY.label} | 1 |" in report
    # nbgrader's generate_feedback: one HTML per student whose notebook was autograded.
    not_autograded = {student_of_kind(roster, k) for k in ("kernel_killer", "not_json")}
    with_feedback = {p.parts[-3] for p in (course / "feedback").glob(f"*/{A1}/*.html")}
    assert with_feedback == set(roster) - not_autograded
    buggy = student_of_kind(roster, "forgot_1_over_m")
    html = (course / "feedback" / buggy / A1 / f"{A1}.html").read_text()
    assert "did you forget to divide by m?" in html
