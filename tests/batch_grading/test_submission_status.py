"""A submission's status comes from facts nbgrader leaves in structured form: the autograded
notebook's metadata and error outputs, and the submitted notebook's cells (the log is read
only for what nbgrader says nowhere else: tests/test_nbgrader_log.py)."""

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output
from nbgrader.preprocessors import Execute

from autograder.grader_tools.batch_grading.submission_status import (
    GRADED,
    HUGE_OUTPUT_BYTES,
    Problem,
    ProblemKind,
    SubmissionStatus,
    status_of_graded,
)
from autograder.grader_tools.notebook_records import record_tampering

GRADED_LOG = "[INFO] Autograding /course/autograded/s1/ps1/p1.ipynb\n"


def _cell(grade_id: str, *outputs) -> nbformat.NotebookNode:
    cell = new_code_cell("pass", outputs=list(outputs))
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": grade_id, "points": 1}
    return cell


def _status(tmp_path, autograded, submitted=None, expected=("a", "b")) -> SubmissionStatus:
    nbformat.write(autograded, tmp_path / "autograded.ipynb")
    nbformat.write(submitted or autograded, tmp_path / "submitted.ipynb")
    return status_of_graded(
        tmp_path / "submitted.ipynb", tmp_path / "autograded.ipynb", list(expected), GRADED_LOG
    )


def test_a_notebook_that_ran_without_incident_is_graded(tmp_path):
    status = _status(tmp_path, new_notebook(cells=[_cell("a"), _cell("b")]))
    assert status == GRADED and str(status) == "graded"


def test_a_cell_that_overran_its_time_holds_nbgraders_timeout_error(tmp_path):
    timeout = new_output("error", **Execute.class_traits()["error_on_timeout"].default())
    status = _status(tmp_path, new_notebook(cells=[_cell("a", timeout), _cell("b")]))
    assert status.problems == (Problem(ProblemKind.TIMED_OUT, "in cell 'a'"),)


def test_memory_exhausted_is_a_memory_error_output(tmp_path):
    error = new_output("error", ename="MemoryError", evalue="", traceback=[])
    status = _status(tmp_path, new_notebook(cells=[_cell("a"), _cell("b", error)]))
    assert status.problems == (Problem(ProblemKind.MEMORY, "in cell 'b'"),)


def test_a_flood_of_output_is_measured_in_the_notebook(tmp_path):
    flood = new_output("stream", name="stdout", text="x" * (HUGE_OUTPUT_BYTES + 1))
    status = _status(tmp_path, new_notebook(cells=[_cell("a", flood), _cell("b")]))
    assert status.kinds == [ProblemKind.HUGE_OUTPUT]
    assert str(status) == "printed 1.0 MB in cell 'a'"


def test_tampering_is_what_block_tampering_recorded_in_the_notebook(tmp_path):
    notebook = new_notebook(cells=[_cell("a"), _cell("b")])
    record_tampering(notebook, ["cell 'a', line 1 `import inspect`: ..."])
    assert _status(tmp_path, notebook).problems == (Problem(ProblemKind.TAMPERING_BLOCKED),)


def test_deleted_and_duplicated_cells_are_read_from_the_submitted_cells(tmp_path):
    autograded = new_notebook(cells=[_cell("a"), _cell("b")])
    submitted = new_notebook(cells=[_cell("b"), _cell("b")])
    status = _status(tmp_path, autograded, submitted)
    assert status.kinds == [ProblemKind.DELETED_CELLS, ProblemKind.DUPLICATED_CELLS]
    assert SubmissionStatus.from_json(status.to_json()).problems == status.problems
