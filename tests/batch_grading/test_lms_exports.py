"""Grades into an LMS: Canvas's gradebook import CSV and Gradescope's results.json, both
written by real `nbgrader export` from the gradebook of a class graded by `course grade`,
and both checked against the importing system's format."""

import csv
import json
import shutil

import jsonschema
import pytest

from autograder.grader_tools.batch_grading.gradescope_results import SCHEMA
from autograder.grader_tools.nbgrader_course import NbgraderCourse
from course_simulation.course_runs import nbgrader

from .canvas_import_format import canvas_import_problems
from .conftest import A1, student_of_kind

CANVAS = "autograder.grader_tools.batch_grading.canvas_export.CanvasCsvExportPlugin"
GRADESCOPE = (
    "autograder.grader_tools.batch_grading.gradescope_results.GradescopeResultsExportPlugin"
)
CANVAS_ID = 4321


@pytest.fixture(scope="module")
def exported(graded_class, tmp_path_factory):
    """A copy of the graded class with one more student on the roster who never submitted,
    exported both ways; with the gradebook's scores."""
    course = tmp_path_factory.mktemp("lms") / "course"
    shutil.copytree(graded_class["parallel"], course, symlinks=True)
    with NbgraderCourse.load(course).gradebook() as gradebook:
        gradebook.add_student("absent", first_name="Ada", last_name="Absent", lms_user_id="9001")
        scores = {s.student.id: s.score for s in gradebook.assignment_submissions(A1)}
        roster = [s.id for s in gradebook.students]
    with open(course / "nbgrader_config.py", "a") as config:
        config.write(f"\nc.CanvasCsvExportPlugin.assignment_ids = {{'{A1}': {CANVAS_ID}}}\n")
    nbgrader(course, "export", f"--exporter={CANVAS}", "--to", "canvas.csv")
    nbgrader(course, "export", f"--exporter={GRADESCOPE}", "--to", "gradescope")
    return course, scores, roster


def test_the_canvas_file_is_what_canvas_imports(exported):
    course, scores, roster = exported
    assert canvas_import_problems(course / "canvas.csv") == []
    with open(course / "canvas.csv", newline="") as file:
        rows = list(csv.DictReader(file))
    column = f"{A1} ({CANVAS_ID})"
    assert rows[0]["Student"] == "Points Possible" and rows[0][column] == "14"
    students = {row["SIS Login ID"]: row for row in rows[1:]}
    assert set(students) == set(roster)
    for student, score in scores.items():
        assert float(students[student][column]) == score  # a submitted 0 stays a 0
    assert students["absent"][column] == ""  # never submitted: left ungraded, not 0
    assert students["absent"]["Student"] == "Absent, Ada" and students["absent"]["ID"] == "9001"
    assert 0.0 in scores.values()  # the class has a real zero, written as "0"


def test_the_canvas_checker_catches_what_canvas_refuses(exported, tmp_path):
    course, _, _ = exported
    with open(course / "canvas.csv", newline="") as file:
        rows = list(csv.reader(file))
    broken = {
        "no Points Possible row": [rows[0]] + rows[2:],
        "a score that is not a number": [rows[0], rows[1], rows[2][:5] + ["missing"]],
        "a row without any id": [rows[0], rows[1], [rows[2][0], "", "", "", ""] + rows[2][5:]],
        "a renamed identity column": [["Name"] + rows[0][1:]] + rows[1:],
    }
    for name, content in broken.items():
        path = tmp_path / "broken.csv"
        with open(path, "w", newline="") as file:
            csv.writer(file).writerows(content)
        assert canvas_import_problems(path), name


def test_gradescope_results_follow_the_schema_and_the_gradebook(exported, graded_class):
    course, scores, _ = exported
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    files = {p.parts[-2]: p for p in (course / "gradescope" / A1).glob("*/results.json")}
    assert set(files) == set(scores)  # one per submission; none for "absent"
    for student, path in files.items():
        results = json.loads(path.read_text())
        errors = [e.message for e in validator.iter_errors(results)]
        assert errors == [], (student, errors)
        assert results["score"] == scores[student]
        scored = [t["score"] for t in results["tests"] if "score" in t]
        assert sum(scored) == pytest.approx(scores[student])
        for test in results["tests"]:  # no score yet: said, not a 0
            assert (
                "score" in test
                or "your instructor will grade it" in test["output"]
                or ("not graded yet" in test["output"])
            )
        assert {t["visibility"] for t in results["tests"]} == {"after_published"}
    roster = graded_class["roster"]
    buggy = json.loads(files[student_of_kind(roster, "forgot_1_over_m")].read_text())
    failed = next(t for t in buggy["tests"] if t["name"] == "test_linear_backward")
    assert failed["status"] == "failed" and failed["score"] < failed["max_score"]
    assert "did you forget to divide by m?" in failed["output"]
    correct = json.loads(files[student_of_kind(roster, "correct")].read_text())
    assert {t["status"] for t in correct["tests"]} == {"passed"}
    broken = json.loads(files[student_of_kind(roster, "not_json")].read_text())
    assert broken["score"] == 0 and all("score" not in t for t in broken["tests"])
    assert "could not be autograded" in broken["tests"][0]["output"]


def test_the_schema_refuses_what_gradescope_refuses():
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    assert not validator.is_valid({"tests": [{"name": "no score anywhere", "max_score": 1}]})
    assert not validator.is_valid({"score": 1, "visibility": "sometimes"})
    assert not validator.is_valid({"score": 1, "tests": [{"score": "1"}]})
    assert validator.is_valid({"tests": [{"score": 1.0, "max_score": 1.0}]})
