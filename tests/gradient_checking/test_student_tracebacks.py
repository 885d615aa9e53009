"""A failed visible check shows the student's own lines and the check's message, never
the frames inside the autograder package (in a real kernel, as JupyterLab shows it)."""

import re

import nbformat
import pytest
from nbclient import NotebookClient

from autograder.gradient_checking import call_student_code, check_values
from autograder.student_tracebacks import PACKAGE_DIR

CELLS = [
    "import numpy as np\nfrom autograder.gradient_checking import call_student_code, check_values",
    "def triple(x):\n    return x * 3",
    # 2: a wrong answer
    "check_values('triple(x)', call_student_code(triple, np.ones(2)), [2.0, 2.0]).assert_passed()",
    "def broken(x):\n    y = x[5]\n    return y",
    # 4: the student's function raises
    "check_values('broken(x)', call_student_code(broken, np.ones(2)), [2.0]).assert_passed()",
    # 6: the check called from a helper of the student's own
    "def my_check():\n    check_values('triple', triple(np.ones(2)), [2.0, 2.0]).assert_passed()",
    "my_check()",
]


def plain(lines: list[str]) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(lines))


@pytest.fixture(scope="module")
def errors():
    notebook = nbformat.v4.new_notebook()
    notebook.metadata.kernelspec = {"name": "python3", "display_name": "Python 3"}
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    NotebookClient(notebook, timeout=120, kernel_name="python3", allow_errors=True).execute()
    return {
        index: output
        for index, cell in enumerate(notebook.cells)
        for output in cell.outputs
        if output.output_type == "error"
    }


def test_a_wrong_answer_shows_the_check_line_and_the_message_only(errors):
    shown = plain(errors[2].traceback)
    assert "----> 1 check_values('triple(x)'" in shown
    assert "CheckFailed: triple(x):" in shown and "1.5 x expected" in shown
    assert PACKAGE_DIR not in shown and "raise CheckFailed" not in shown
    assert errors[2].ename == "CheckFailed"


def test_an_error_in_student_code_names_their_line(errors):
    shown = plain(errors[4].traceback)
    assert "broken raised IndexError" in shown and "(in broken, line 2)" in shown
    assert PACKAGE_DIR not in shown and "safe_calls" not in shown


def test_the_students_own_frames_stay(errors):
    shown = plain(errors[6].traceback)
    assert "----> 1 my_check()" in shown
    assert "check_values('triple', triple(np.ones(2))" in shown  # the student's helper
    assert PACKAGE_DIR not in shown


def test_outside_ipython_the_message_is_still_there():
    with pytest.raises(AssertionError) as failure:
        check_values("x", call_student_code(lambda: [1.0]), [2.0]).assert_passed()
    rendered = "".join(failure.value._render_traceback_())
    assert "CheckFailed: x:" in rendered and PACKAGE_DIR not in rendered
