"""The whole instructor and student workflow through the real nbgrader commands.

generate -> release -> a student fetches, fills in the solution, submits -> collect
-> autograde -> generate_feedback -> export. A second student hands in the release
copy untouched. Everything runs in a scratch copy of the course with its own
exchange and gradebook.
"""

import csv
import getpass

import pytest

from autograder.grader_tools.nbgrader_course import nbgrader_environment
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

from .course_helpers import COURSE_ID, fill_in_solutions

ASSIGNMENT = "a1_building_blocks"
MAX_SCORE = 14.0


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    root = tmp_path_factory.mktemp("workflow")
    course = copy_course(root / "course")
    exchange = root / "exchange"
    env = nbgrader_environment(NBGRADER_EXCHANGE=str(exchange))
    student_options = [f"--Exchange.root={exchange}", f"--course={COURSE_ID}"]

    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", env=env)
    nbgrader(course, "release_assignment", ASSIGNMENT, env=env)

    home = root / "student_home"
    home.mkdir()
    nbgrader(home, "fetch_assignment", ASSIGNMENT, *student_options, env=env)
    fetched = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    fill_in_solutions(fetched, course / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader(home, "submit", ASSIGNMENT, *student_options, env=env)
    nbgrader(course, "collect", ASSIGNMENT, env=env)

    # A second student hands in the release copy untouched (placed as zip_collect would).
    blank = course / "submitted" / "blank_student" / ASSIGNMENT
    blank.mkdir(parents=True)
    (blank / f"{ASSIGNMENT}.ipynb").write_bytes(
        (course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").read_bytes()
    )

    nbgrader(course, "autograde", ASSIGNMENT, env=env)
    nbgrader(course, "generate_feedback", ASSIGNMENT, env=env)
    nbgrader(course, "export", "--to", str(root / "grades.csv"), env=env)
    return course, root / "grades.csv"


def grades(csv_path):
    with open(csv_path, newline="") as handle:
        return {row["student_id"]: row for row in csv.DictReader(handle)}


def test_correct_submission_gets_full_marks(graded_course):
    _, csv_path = graded_course
    row = grades(csv_path)[getpass.getuser()]
    assert float(row["max_score"]) == MAX_SCORE
    assert float(row["score"]) == MAX_SCORE


def test_untouched_release_scores_zero(graded_course):
    _, csv_path = graded_course
    assert float(grades(csv_path)["blank_student"]["score"]) == 0.0


def test_feedback_exists_and_names_failed_tests(graded_course):
    course, _ = graded_course
    blank = course / "feedback" / "blank_student" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    full = course / "feedback" / getpass.getuser() / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert full.is_file() and blank.is_file()
    blank_html = blank.read_text()
    for failed_test in ("test_activations", "test_linear_backward", "test_softmax_cross_entropy"):
        assert failed_test in blank_html
    assert "NotImplementedError" in blank_html
    assert f"Score: {MAX_SCORE} / {MAX_SCORE}" in full.read_text()
