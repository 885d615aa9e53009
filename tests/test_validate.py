"""nbgrader's own validator: the instructor's solutions pass, the student versions fail."""

import pytest

from .course_helpers import REPO, nbgrader

AUTOGRADED = ["a1_building_blocks", "a2_training_a_network"]


@pytest.mark.parametrize("assignment", AUTOGRADED)
def test_instructor_solution_passes_validate(assignment):
    process = nbgrader(REPO, "validate", f"source/{assignment}/{assignment}.ipynb")
    assert "Success! Your notebook passes all the tests." in process.stdout


@pytest.mark.parametrize("assignment", [*AUTOGRADED, "a3_quiz"])
def test_release_copy_passes_validate_invert(assignment):
    process = nbgrader(REPO, "validate", "--invert", f"release/{assignment}/{assignment}.ipynb")
    assert "Success! The notebook does not pass any tests." in process.stdout
