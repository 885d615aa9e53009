"""The due date at the top of every released notebook, from nbgrader's gradebook.

``DueDateHeader`` is a ``GenerateAssignment`` preprocessor: when ``generate_assignment``
(``course generate``) runs, it reads the assignment's ``duedate`` from the gradebook and
puts one Markdown cell first in the notebook saying when the work is due, in the course's
time zone, and what the course's late policy costs. An assignment without a due date gets
no cell, so ``release/`` stays as it was (``course check-release`` compares in a scratch
gradebook, and ignores this cell).
"""

from __future__ import annotations

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.exchange import Exchange
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Unicode, default

from autograder.grader_tools.batch_grading.late_penalty import configured_policy, policy_summary
from autograder.grader_tools.deadlines import local_time

DUE_DATE_CELL_ID = "course-due-date"


def is_due_date_cell(cell: nbformat.NotebookNode) -> bool:
    return cell.get("id") == DUE_DATE_CELL_ID


def due_date_cell(text: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    cell.id = DUE_DATE_CELL_ID
    # Read-only for students, like nbgrader's locked cells.
    cell.metadata = {"deletable": False, "editable": False}
    return cell


class DueDateHeader(NbGraderPreprocessor):
    """Write the gradebook's due date into the notebook's first cell (module doc)."""

    timezone = Unicode(
        help="The time zone the due date is shown in (default: nbgrader's Exchange.timezone)."
    ).tag(config=True)

    @default("timezone")
    def _course_timezone(self) -> str:
        return Exchange(config=self.config).timezone

    def _late_policy(self) -> str:
        """The course's late policy in a sentence (``CourseLatePenalty``, if configured)."""
        policy = configured_policy(self.config)
        if policy is None:
            return "Submit before then: work submitted later may lose points."
        summary = policy_summary(policy)
        return f"Work submitted later loses points: {summary} (an extension moves it all)."

    def preprocess(self, nb: nbformat.NotebookNode, resources: dict):
        details = resources["nbgrader"]
        nb.cells = [cell for cell in nb.cells if not is_due_date_cell(cell)]
        with Gradebook(details["db_url"]) as gradebook:
            try:
                due = gradebook.find_assignment(details["assignment"]).duedate
            except MissingEntry:
                due = None
        if due is not None:
            when = local_time(due, self.timezone)
            text = f"**Due: {when}.** {self._late_policy()}"
            nb.cells.insert(0, due_date_cell(text))
        return nb, resources
