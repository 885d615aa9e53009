"""``nbgrader generate_feedback`` in a plain nbgrader course (no configuration of this
project) still does what nbgrader does: its own preprocessors and template, the whole test
cell in the feedback (hidden tests included, as nbgrader shows them), the scores."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograder.grader_tools.nbgrader_course import nbgrader_environment
from course_simulation.course_runs import nbgrader

SOLUTION = "def add(a, b):\n    ### BEGIN SOLUTION\n    return a + b\n    ### END SOLUTION"
TEST = (
    "assert add(1, 2) == 3\n"
    "### BEGIN HIDDEN TESTS\n"
    "assert add(-1, 1) == 0, 'hidden check of add'\n"
    "### END HIDDEN TESTS"
)


def _metadata(grade_id: str, **flags) -> dict:
    return {
        "nbgrader": {
            "grade_id": grade_id,
            "schema_version": 3,
            "locked": False,
            "solution": False,
            "grade": False,
            "task": False,
            **flags,
        }
    }


def test_generate_feedback_in_a_plain_course_is_nbgraders(tmp_path):
    course = tmp_path / "plain_course"
    (course / "source" / "ps1").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(
        'c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = "plain"\n'
    )
    notebook = new_notebook(
        cells=[
            new_markdown_cell("Write `add`."),
            new_code_cell(SOLUTION, metadata=_metadata("add", solution=True)),
            new_code_cell(TEST, metadata=_metadata("test_add", grade=True, locked=True, points=1)),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3"}},
    )
    nbformat.write(notebook, course / "source" / "ps1" / "ps1.ipynb")
    env = nbgrader_environment()
    nbgrader(course, "generate_assignment", "ps1", "--create", env=env)
    released = nbformat.read(course / "release" / "ps1" / "ps1.ipynb", 4)
    released.cells[1].source = "def add(a, b):\n    return a + b"
    (course / "submitted" / "alice" / "ps1").mkdir(parents=True)
    nbformat.write(released, course / "submitted" / "alice" / "ps1" / "ps1.ipynb")
    nbgrader(course, "autograde", "ps1", "--create", env=env)
    nbgrader(course, "generate_feedback", "ps1", env=env)

    page = (course / "feedback" / "alice" / "ps1" / "ps1.html").read_text()
    assert "ps1 (Score: 1.0 / 1.0)" in page  # nbgrader's feedback template
    assert "Grade cell: <code>test_add</code>" in page
    assert "hidden check of add" in page and "BEGIN HIDDEN TESTS" in page  # as nbgrader does
    assert "Hidden checks of" not in page and "hidden-checks" not in page  # none of ours
    assert "repeated the hidden tests" not in page
