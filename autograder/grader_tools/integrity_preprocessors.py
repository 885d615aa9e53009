"""nbgrader preprocessors that keep tampering and bad scores out of the gradebook.

Configured in ``nbgrader_config.py`` around nbgrader's own ``Execute``:
``BlockTampering`` first, ``GuardGradeOutputs`` just before ``SaveAutoGrades``.
They run in nbgrader's process; the student's kernel cannot reach them.
"""

from __future__ import annotations

import json
import math

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_locked, is_solution
from traitlets import Unicode

from autograder.grader_tools.notebook_records import grade_id, record_tampering
from autograder.integrity_guard.kernel_guard import REFUSED_MARKER
from autograder.integrity_guard.tamper_scan import find_tampering
from autograder.quiz_engine.course_secret import read_course_secret
from autograder.quiz_engine.variants import SUBMISSION_PLACEHOLDER, quiz_key


def _error_output(name: str, message: str) -> NotebookNode:
    return NotebookNode(
        output_type="error", ename=name, evalue=message, traceback=[f"{name}: {message}"]
    )


def _cell_label(cell: NotebookNode, index: int) -> str:
    name = grade_id(cell)
    return f"cell '{name}'" if name else f"cell {index + 1}"


class BlockTampering(NbGraderPreprocessor):
    """Before execution: scan every student-editable code cell; a refused one is not run.

    Locked cells (setup, tests) are restored by nbgrader from its database, so they are
    trusted. A refused cell's source is
    replaced, in the autograded copy only, by a call to ``kernel_guard.refuse_cell``: that
    cell fails with the student's own line and the reason, and every later check fails
    naming it too, exactly as the checks already told the student in JupyterLab and
    under ``nbgrader validate``. Checks before it keep their points.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        code_cells = [(i, c) for i, c in enumerate(nb.cells) if c.cell_type == "code"]
        findings = []
        for index, cell in code_cells:
            if is_locked(cell) or (is_grade(cell) and not is_solution(cell)):
                continue
            found = find_tampering(cell.source)
            if not found:
                continue
            label = _cell_label(cell, index)
            lines = [f"{label}, {f.describe()}" for f in found]
            findings += lines
            cell.source = (
                f"{REFUSED_MARKER}: it holds code that could change how the checks run.\n"
                "from autograder.integrity_guard.kernel_guard import refuse_cell\n"
                f"refuse_cell({'; '.join(lines)!r})"
            )
        if findings:
            record_tampering(nb, findings)
            self.log.warning("Tampering suspected: %s", "; ".join(findings))
        return nb, resources


class QuizVariantForSubmission(NbGraderPreprocessor):
    """Before execution: give the hidden tests the variant of the submission's student.

    Replaces ``variants.SUBMISSION_PLACEHOLDER`` (quoted) in locked test cells with the
    student id nbgrader is grading, that student's quiz key and the assignment, so the
    quiz is marked in the variant the student was shown, never one the notebook names.
    """

    secret_file = Unicode(
        "", help="The course secret (kept with the instructor; made by `course quiz-keys`)."
    ).tag(config=True)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        cells = [
            cell
            for cell in nb.cells
            if cell.cell_type == "code"
            and is_grade(cell)
            and not is_solution(cell)
            and SUBMISSION_PLACEHOLDER in cell.source
        ]
        if not cells:
            return nb, resources
        student = resources["nbgrader"]["student"]
        token = json.dumps(
            {
                "student_id": student,
                "quiz_key": quiz_key(read_course_secret(self.secret_file), student),
                "assignment": resources["nbgrader"]["assignment"],
            }
        )
        for cell in cells:
            for quote in ('"', "'"):
                cell.source = cell.source.replace(
                    f"{quote}{SUBMISSION_PLACEHOLDER}{quote}", repr(token)
                )
        return nb, resources


class GuardGradeOutputs(NbGraderPreprocessor):
    """After execution: a graded cell whose partial-credit output is not a finite float in
    ``[0, points]`` gets an error instead of nbgrader's reading of it."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        for cell in nb.cells:
            if cell.cell_type != "code" or not is_grade(cell):
                continue
            problem = _partial_credit_problem(cell)
            if problem:
                cell.outputs = [o for o in cell.outputs if o.output_type != "execute_result"]
                cell.outputs.append(_error_output("InvalidScore", problem))
        return nb, resources


def _partial_credit_problem(cell: NotebookNode) -> str | None:
    """Why a graded cell's displayed value is not a valid partial-credit score, if it is not."""
    points = float(cell.metadata["nbgrader"].get("points", 0))
    for output in cell.outputs:
        if output.output_type != "execute_result":
            continue
        text = str(output.get("data", {}).get("text/plain", "")).strip()
        try:
            value = float(text)
        except ValueError:
            return f"the cell displayed {text[:40]!r}, not a score"
        if not math.isfinite(value) or not 0.0 <= value <= points:
            return f"the cell displayed {text[:40]}, not a score in [0, {points:g}]"
    return None


class ForgetDuplicateCells(NbGraderPreprocessor):
    """Turn the extra copies of a duplicated nbgrader cell into ordinary cells.

    nbgrader's ``DeduplicateIds`` keeps the last copy and empties the others' ``nbgrader``
    metadata; ``OverwriteCells`` with ``add_missing_cells`` then fails with ``KeyError:
    'grade_id'`` on those emptied entries (nbgrader 0.9.x), which would zero the whole
    submission. Placed between the two, this removes the emptied entries.
    """

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if "nbgrader" in cell.metadata and "grade_id" not in cell.metadata.nbgrader:
            del cell.metadata["nbgrader"]
        return cell, resources
