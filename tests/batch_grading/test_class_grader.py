"""The class grader: same grades as sequential nbgrader autograde, clear statuses, resumable."""

import hashlib
import shutil
import sys

import pytest
from nbgrader.api import Gradebook

from autograder.batch_grading.class_grader import grade_class
from autograder.batch_grading.simulated_class import write_simulated_class

from ..course_helpers import COURSE_ID, copy_course, nbgrader, run, tool_env

A1 = "a1_building_blocks"
KINDS = ["correct", "blank", "not_json", "infinite_loop", "huge_print", "tampering", "correct"]


def _digests(course):
    return {
        p: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in (course / "submitted").rglob("*")
        if p.is_file()
    }


def _scores(course):
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", COURSE_ID) as gradebook:
        return {s.student.id: s.score for s in gradebook.assignment_submissions(A1)}


@pytest.fixture(scope="module")
def two_courses(tmp_path_factory, monkeypatch_module):
    root = tmp_path_factory.mktemp("class")
    parallel = copy_course(root / "parallel")
    monkeypatch_module.setenv("NBGRADER_DB_URL", f"sqlite:///{parallel / 'gradebook.db'}")
    nbgrader(
        parallel,
        "generate_assignment",
        A1,
        "--force",
        env=tool_env(NBGRADER_DB_URL=f"sqlite:///{parallel / 'gradebook.db'}"),
    )
    roster = write_simulated_class(parallel, A1, KINDS, seed=4)
    sequential = root / "sequential"
    shutil.copytree(parallel, sequential)
    before = _digests(parallel)
    results = grade_class(parallel, A1, jobs=2, cell_timeout=10, progress=False)
    sequential_env = tool_env(NBGRADER_DB_URL=f"sqlite:///{sequential / 'gradebook.db'}")
    nbgrader(sequential, "autograde", A1, "--Execute.timeout=10", env=sequential_env, check=False)
    return parallel, sequential, roster, results, before


@pytest.fixture(scope="module")
def monkeypatch_module():
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def test_statuses_name_what_happened(two_courses):
    _, _, roster, results, _ = two_courses
    by_kind = {roster[r.student]: r for r in results}
    assert by_kind["correct"].status == "graded" and by_kind["correct"].score == 14.0
    assert by_kind["blank"].status == "graded" and by_kind["blank"].score == 0.0
    assert by_kind["not_json"].status.startswith(
        "not a notebook: a1_building_blocks.ipynb is not valid JSON"
    )
    assert by_kind["infinite_loop"].status == "timed out in cell 'activations'"
    assert by_kind["huge_print"].status == "graded" and by_kind["huge_print"].score == 14.0
    assert by_kind["tampering"].status == "tampering blocked" and by_kind["tampering"].score == 0.0


def test_grades_equal_sequential_nbgrader_autograde(two_courses):
    parallel, sequential, _, _, _ = two_courses
    assert _scores(parallel) == _scores(sequential)
    assert len(_scores(parallel)) == len(
        KINDS
    )  # the broken file is recorded with 0, as nbgrader does


def test_submissions_are_never_modified(two_courses):
    parallel, _, _, _, before = two_courses
    assert _digests(parallel) == before


def test_a_second_run_resumes_and_changes_nothing(two_courses):
    parallel, _, _, _, _ = two_courses
    scores = _scores(parallel)
    again = grade_class(parallel, A1, jobs=2, cell_timeout=10, progress=False)
    assert all(r.status == "graded earlier" or r.status.startswith("not a notebook") for r in again)
    assert _scores(parallel) == scores


def test_grade_command_errors_are_one_line(tmp_path):
    course = copy_course(tmp_path / "course")
    process = run(
        course, sys.executable, "-m", "autograder.course_commands", "grade", A1, check=False
    )
    assert process.returncode == 2 and process.stderr.count("\n") == 1
    assert "no submitted/ folder" in process.stderr
