"""What happened to one submission, as data: a ``SubmissionStatus`` is a tuple of
``Problem`` (a ``ProblemKind`` and a detail); ``str()`` says it in a few words
("timed out in cell 'x'"), the journal stores it as JSON, the report counts its kinds.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import nbformat
from nbgrader.preprocessors import Execute

from autograder.grader_tools.course_files import notebook_problem
from autograder.grader_tools.nbgrader_course import NbgraderCourse
from autograder.grader_tools.nbgrader_log import read_nbgrader_log
from autograder.grader_tools.notebook_records import grade_id, tampering_found

# A student's output above this size is reported (it still reaches the autograded notebook).
HUGE_OUTPUT_BYTES = 1_000_000
# The error output nbgrader's Execute gives a cell that overran its time (``ename``).
CELL_TIMEOUT_ERROR = Execute.class_traits()["error_on_timeout"].default()["ename"]


class ProblemKind(Enum):
    """What can happen to a submission; the value is how a status names it."""

    NOT_A_NOTEBOOK = "not a notebook:"
    NOT_GRADED = "not graded:"
    GRADING_PROCESS_DIED = "the grading process died"
    TIMED_OUT = "timed out"  # in a cell, or the whole submission
    TAMPERING_BLOCKED = "tampering blocked"
    KERNEL_DIED = "kernel died"
    MEMORY = "exhausts memory"
    HUGE_OUTPUT = "printed"
    DELETED_CELLS = "deleted cells"
    DUPLICATED_CELLS = "duplicated cells"

    @property
    def label(self) -> str:
        """The words a report counts it under ("timed out", "not a notebook")."""
        return self.value.rstrip(":")


@dataclass(frozen=True)
class Problem:
    """One thing that happened: its kind and the details (a cell, a file, a size)."""

    kind: ProblemKind
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.kind.value} {self.detail}".strip()


@dataclass(frozen=True)
class SubmissionStatus:
    """A submission's status: ``graded`` when nothing notable happened, else its problems.

    ``finished`` is False when the grading itself was cut short (a worker that died or
    overran): such a submission is graded again by the next run.
    """

    problems: tuple[Problem, ...] = ()
    finished: bool = True

    def __str__(self) -> str:
        return "; ".join(str(problem) for problem in self.problems) or "graded"

    @property
    def kinds(self) -> list[ProblemKind]:
        return [problem.kind for problem in self.problems]

    def to_json(self) -> list[dict[str, str]]:
        return [{"kind": p.kind.name, "detail": p.detail} for p in self.problems]

    @classmethod
    def from_json(cls, data: list[dict[str, str]]) -> SubmissionStatus:
        return cls(tuple(Problem(ProblemKind[item["kind"]], item["detail"]) for item in data))


GRADED = SubmissionStatus()


def problem(kind: ProblemKind, detail: str = "", *, finished: bool = True) -> SubmissionStatus:
    """A status with one problem."""
    return SubmissionStatus((Problem(kind, detail),), finished)


def not_a_notebook(path: Path) -> SubmissionStatus | None:
    """The status of a file that cannot be graded as a notebook, or None if it can."""
    reason = notebook_problem(path)
    if reason is None:
        return None
    return problem(ProblemKind.NOT_A_NOTEBOOK, f"{path.name} {reason}")


def expected_cells(course: NbgraderCourse, assignment: str) -> dict[str, list[str]]:
    """notebook file name -> the grade ids of the cells nbgrader restores when deleted
    (grade and task cells: ``OverwriteCells.add_missing_cells``), from the gradebook."""
    expected = {}
    with course.gradebook() as gradebook:
        for notebook in gradebook.find_assignment(assignment).notebooks:
            restored = {cell.name for cell in [*notebook.grade_cells, *notebook.task_cells]}
            expected[f"{notebook.name}.ipynb"] = [
                cell.name for cell in notebook.source_cells if cell.name in restored
            ]
    return expected


def cell_changes(submitted: Path, expected: list[str]) -> list[Problem]:
    """The nbgrader cells a student deleted or duplicated (empty if none)."""
    notebook = nbformat.read(submitted, as_version=4)
    ids = Counter(name for name in map(grade_id, notebook.cells) if name is not None)
    changes = []
    deleted = [name for name in expected if name not in ids]
    if deleted:
        detail = f"{', '.join(deleted)} (restored by nbgrader and graded)"
        changes.append(Problem(ProblemKind.DELETED_CELLS, detail))
    duplicated = [name for name, count in ids.items() if count > 1]
    if duplicated:
        detail = f"{', '.join(duplicated)} (the last copy is graded)"
        changes.append(Problem(ProblemKind.DUPLICATED_CELLS, detail))
    return changes


def _cell_name(cell) -> str:
    return grade_id(cell) or cell.get("id", "?")


def execution_problems(autograded: Path) -> list[Problem]:
    """What went wrong while the autograded notebook ran: tampering, timeouts, memory, floods."""
    notebook = nbformat.read(autograded, as_version=4)
    if tampering_found(notebook):
        return [Problem(ProblemKind.TAMPERING_BLOCKED)]
    problems = []
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        errors = {o.get("ename") for o in outputs if o.get("output_type") == "error"}
        where = f"in cell '{_cell_name(cell)}'"
        if CELL_TIMEOUT_ERROR in errors:
            problems.append(Problem(ProblemKind.TIMED_OUT, where))
        if MemoryError.__name__ in errors:
            problems.append(Problem(ProblemKind.MEMORY, where))
        size = len(json.dumps(outputs))
        if size > HUGE_OUTPUT_BYTES:
            problems.append(Problem(ProblemKind.HUGE_OUTPUT, f"{size / 1e6:.1f} MB {where}"))
    return problems


def status_of_graded(
    submitted: Path, autograded: Path, expected: list[str], log: str
) -> SubmissionStatus:
    """Everything notable that happened while nbgrader graded one notebook: from the
    autograded notebook (``execution_problems``) and the submitted one (``cell_changes``);
    from nbgrader's ``log`` only what nbgrader says nowhere else (``nbgrader_log``)."""
    said = read_nbgrader_log(log)
    if said.kernel_died:
        detail = "(graded 0: nbgrader drops a submission whose kernel dies)"
        return problem(ProblemKind.KERNEL_DIED, detail)
    if not autograded.exists():
        detail = said.errors[0][:100] if said.errors else "nbgrader failed"
        return problem(ProblemKind.NOT_GRADED, detail)
    found = execution_problems(autograded) + cell_changes(submitted, expected)
    return SubmissionStatus(tuple(found))
