"""Grade one submission on a slot: retry what failed through no fault of the student, then
judge the autograded notebooks' status (``submission_status``).

A grading retried after a transient failure gets ``GRADING_ATTEMPTS`` attempts at most,
each bounded by the slot's timeout.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from autograder.grader_tools.batch_grading.grading_engine import GradingSlot
from autograder.grader_tools.batch_grading.grading_results import StudentResult
from autograder.grader_tools.batch_grading.submission_status import (
    GRADED,
    ProblemKind,
    not_a_notebook,
    problem,
    status_of_graded,
)
from autograder.grader_tools.nbgrader_log import read_nbgrader_log

GRADING_ATTEMPTS = 3


@dataclass(frozen=True)
class AssignmentGrading:
    """What grading any submission of one run needs to know."""

    course: Path
    assignment: str
    wall_timeout: float  # seconds for one whole submission
    expected: dict[str, list[str]]  # notebook name -> its graded cells (``expected_cells``)


def grade_submission(
    grading: AssignmentGrading, slot: GradingSlot, student: str, folder: Path
) -> StudentResult:
    """Autograde ``student``'s submission (``folder``) on ``slot``; its result (no score yet)."""
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return StudentResult(student, problem(ProblemKind.NOT_A_NOTEBOOK, "no .ipynb file"))
    # A broken file is still handed to nbgrader, which records it in the gradebook with
    # zero exactly as a sequential `nbgrader autograde` does; the status says why.
    broken = [status for status in map(not_a_notebook, notebooks) if status]
    log = ""
    for _attempt in range(GRADING_ATTEMPTS):
        answer, failure = slot.autograde(student, grading.wall_timeout)
        if failure is not None:
            return StudentResult(student, failure)
        log = answer or ""
        # Failures of the grading machinery, not of the student's code, are graded again.
        # SQLite lets one writer in at a time (a job that waited past its busy timeout), and
        # a kernel can lose the port jupyter_client picked for it to another socket before
        # it binds it; it then dies before it answers kernel_info, before any cell ran.
        if not read_nbgrader_log(log).transient:
            break
    if broken:
        return StudentResult(student, broken[0])
    graded = grading.course / "autograded" / student / grading.assignment
    statuses = [  # nbgrader grades only the assignment's notebooks, and ignores extra copies
        status_of_graded(folder / nb.name, graded / nb.name, grading.expected[nb.name], log)
        for nb in notebooks
        if nb.name in grading.expected
    ]
    return StudentResult(student, next((s for s in statuses if s.problems), GRADED))
