"""nbgrader's own validator: the instructor's solutions pass, the student versions fail."""

import pytest
from nbgrader.utils import is_grade

from course_simulation.course_runs import nbgrader

from .course_helpers import REPO

AUTOGRADED = ["a1_building_blocks", "a2_training_a_network"]


@pytest.mark.parametrize("assignment", AUTOGRADED)
def test_instructor_solution_passes_validate(assignment):
    process = nbgrader(REPO, "validate", f"source/{assignment}/{assignment}.ipynb")
    assert "Success! Your notebook passes all the tests." in process.stdout


@pytest.mark.parametrize("assignment", AUTOGRADED)
def test_release_copy_passes_validate_invert(assignment):
    process = nbgrader(REPO, "validate", "--invert", f"release/{assignment}/{assignment}.ipynb")
    assert "Success! The notebook does not pass any tests." in process.stdout


def test_the_released_quiz_checks_show_what_is_saved_not_a_score(tmp_path):
    """The quiz's check cells only say what is saved: nothing like a grade, no failure for
    an unanswered quiz (its answers are marked at grading)."""
    import shutil

    import nbformat
    from nbclient import NotebookClient

    folder = shutil.copytree(REPO / "release" / "a3_quiz", tmp_path / "a3_quiz")
    notebook = nbformat.read(folder / "a3_quiz.ipynb", 4)
    NotebookClient(notebook, resources={"metadata": {"path": str(folder)}}).execute()
    checks = [c for c in notebook.cells if is_grade(c)]
    assert len(checks) == 3
    for check in checks:
        texts = [o.get("text", "") for o in check.outputs if o.output_type == "stream"]
        assert texts == [
            "Saved: 0 of 13 answered (widget and code together). "
            "Your answers are marked when your work is graded.\n"
        ]
        assert not [o for o in check.outputs if o.output_type in ("execute_result", "error")]
    process = nbgrader(REPO, "validate", str(folder / "a3_quiz.ipynb"))
    assert "Success! Your notebook passes all the tests." in process.stdout


def _student_copy(tmp_path, prefix: str):
    """A correct a1 submission whose first answer cell starts with ``prefix``."""
    from course_simulation import build_submission
    from course_simulation.catalogue import A1, Variant, _prepend

    out = tmp_path / f"{A1}.ipynb"
    build_submission(
        REPO / "release" / A1 / f"{A1}.ipynb",
        REPO / "source" / A1 / f"{A1}.ipynb",
        Variant("student", rewrites=_prepend("activations", prefix)),
        out,
    )
    return out


def test_validate_passes_a_correct_notebook_with_everyday_habits(tmp_path):
    habits = "%matplotlib inline\n%time _ = 1\nfrom IPython.display import display\n%precision 3"
    process = nbgrader(REPO, "validate", str(_student_copy(tmp_path, habits)))
    assert "Success! Your notebook passes all the tests." in process.stdout


def test_validate_names_the_line_the_grader_will_refuse(tmp_path):
    process = nbgrader(REPO, "validate", str(_student_copy(tmp_path, "x = 1\nimport inspect")))
    assert "VALIDATION FAILED" in process.stdout
    assert "line 2 `import inspect`: inspect reaches inside the checks" in process.stdout
    assert "Remove that code" in process.stdout
