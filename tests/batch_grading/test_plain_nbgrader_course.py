"""`course grade` on an ordinary nbgrader course: nbgrader's own autograde fixtures (they ship
inside the installed nbgrader package, BSD-licensed, and are read from there), a minimal
``nbgrader_config.py``, nbgrader's default gradebook and exchange, none of this course's
preprocessors. Grades, ``needs_manual_grade`` and the autograded files (side effects
included) must equal those of sequential ``nbgrader autograde``.
"""

import importlib.resources
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from autograder.grader_tools.nbgrader_course import NbgraderCourse
from course_simulation.course_runs import nbgrader, run

FIXTURES = Path(str(importlib.resources.files("nbgrader") / "tests" / "apps" / "files"))
COURSE_ID = "plain101"
# assignment -> (source notebook fixture, extra files in the assignment)
ASSIGNMENTS = {
    "ps1": ("submitted-unchanged.ipynb", []),
    "ps2": ("side-effects.ipynb", []),
    "ps3": ("open_relative_file.ipynb", ["data.txt"]),
}
# (assignment, student) -> {submitted file name: fixture}
SUBMISSIONS = {
    ("ps1", "unchanged"): {"p1.ipynb": "submitted-unchanged.ipynb"},
    ("ps1", "changed"): {"p1.ipynb": "submitted-changed.ipynb"},
    ("ps1", "cheat"): {"p1.ipynb": "submitted-cheat-attempt.ipynb"},
    ("ps1", "cheat_alternative"): {"p1.ipynb": "submitted-cheat-attempt-alternative.ipynb"},
    ("ps1", "grade_cell_changed"): {"p1.ipynb": "submitted-grade-cell-changed.ipynb"},
    ("ps1", "locked_cell_changed"): {"p1.ipynb": "submitted-locked-cell-changed.ipynb"},
    ("ps1", "extra_copy"): {
        "p1.ipynb": "submitted-changed.ipynb",
        "p1 copy.ipynb": "submitted-unchanged.ipynb",
    },
    ("ps2", "side_effects"): {"p1.ipynb": "side-effects.ipynb"},
    ("ps3", "relative_file"): {"p1.ipynb": "open_relative_file.ipynb", "data.txt": "data.txt"},
}


def _plain_course(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "nbgrader_config.py").write_text(
        f'c = get_config()\nc.CourseDirectory.course_id = "{COURSE_ID}"\n'
    )
    for assignment, (notebook, extras) in ASSIGNMENTS.items():
        (folder / "source" / assignment).mkdir(parents=True)
        shutil.copy(FIXTURES / notebook, folder / "source" / assignment / "p1.ipynb")
        for extra in extras:
            shutil.copy(FIXTURES / extra, folder / "source" / assignment / extra)
        nbgrader(folder, "generate_assignment", assignment)
    for (assignment, student), files in SUBMISSIONS.items():
        target = folder / "submitted" / student / assignment
        target.mkdir(parents=True)
        for name, fixture in files.items():
            shutil.copy(FIXTURES / fixture, target / name)
    return folder


def _graded_state(course: Path) -> dict:
    """(assignment, student) -> grades with needs_manual_grade, and the autograded files."""
    state = {}
    with NbgraderCourse.load(course).gradebook() as gradebook:
        for assignment, student in SUBMISSIONS:
            submission = gradebook.find_submission(assignment, student)
            grades = sorted(
                (grade.notebook.name, grade.name, grade.score, grade.needs_manual_grade)
                for notebook in submission.notebooks
                for grade in notebook.grades
            )
            folder = course / "autograded" / student / assignment
            files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
            state[assignment, student] = {"grades": grades, "files": files}
    return state


@pytest.fixture(scope="module")
def plain_courses(tmp_path_factory):
    root = tmp_path_factory.mktemp("plain")
    sequential = _plain_course(root / "sequential")
    parallel = root / "parallel"
    shutil.copytree(sequential, parallel)

    def grade_sequentially() -> None:
        for assignment in ASSIGNMENTS:
            nbgrader(sequential, "autograde", assignment)

    # Side by side: sequential nbgrader keeps one core busy, course grade has the rest.
    with ThreadPoolExecutor(max_workers=1) as background:
        reference = background.submit(grade_sequentially)
        for assignment in ASSIGNMENTS:
            graded = run(
                parallel,
                sys.executable,
                "-m",
                "autograder.grader_tools.course_commands",
                "grade",
                assignment,
            )
            assert "Traceback" not in graded.stderr
        reference.result()
    return sequential, parallel


def test_course_grade_equals_nbgrader_autograde_on_nbgrader_fixtures(plain_courses):
    sequential, parallel = plain_courses
    expected = _graded_state(sequential)
    assert _graded_state(parallel) == expected
    # The fixtures do what they are named for (so the comparison is not vacuous).
    scores = {key: sum(g[2] for g in value["grades"]) for key, value in expected.items()}
    assert scores["ps1", "unchanged"] < scores["ps1", "changed"]
    # nbgrader's two showtraceback cheats gain nothing over the unchanged notebook.
    assert (
        scores["ps1", "cheat"] == scores["ps1", "cheat_alternative"] == scores["ps1", "unchanged"]
    )
    assert any(grade[3] for grade in expected["ps1", "changed"]["grades"])  # needs_manual_grade
    assert "side-effect.txt" in expected["ps2", "side_effects"]["files"]
    assert scores["ps3", "relative_file"] > 0
    assert expected["ps1", "extra_copy"]["files"] == ["p1.ipynb"]


def test_side_effects_land_in_autograded_and_nowhere_else(plain_courses):
    sequential, parallel = plain_courses
    written = "autograded/side_effects/ps2/side-effect.txt"
    assert (parallel / written).read_text() == (sequential / written).read_text()
    assert not (parallel / "submitted/side_effects/ps2/side-effect.txt").exists()
    assert not list(parallel.glob("side-effect.txt"))


def test_course_report_on_a_plain_course(plain_courses):
    _, parallel = plain_courses
    report = run(
        parallel, sys.executable, "-m", "autograder.grader_tools.course_commands", "report", "ps1"
    )
    assert "Traceback" not in report.stderr
    assert (parallel / "reports" / "ps1" / "grades.csv").is_file()


def test_course_commands_fail_in_one_line_on_a_plain_course(plain_courses):
    _, parallel = plain_courses
    for args in (["grade", "no_such_assignment"], ["report", "no_such_assignment"]):
        process = run(
            parallel,
            sys.executable,
            "-m",
            "autograder.grader_tools.course_commands",
            *args,
            check=False,
        )
        assert process.returncode != 0
        lines = process.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("course: error: "), process.stderr
