"""Say what happened to one submission in a few words ("timed out in cell 'x'", ...)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import nbformat

from ..course_files import notebook_problem
from ..nbgrader_course import NbgraderCourse

# A student's output above this size is reported (it still reaches the autograded notebook).
HUGE_OUTPUT_BYTES = 1_000_000


# What can happen to a submission, as the statuses below begin (for counting them).
STATUS_KINDS = (
    "not a notebook",
    "not graded",
    "the grading process died",
    "tampering blocked",
    "kernel died",
    "timed out",
    "exhausts memory",
    "printed",
    "deleted cells",
    "duplicated cells",
)


def status_kinds(status: str) -> list[str]:
    """The kinds of trouble in a status ("graded" has none); "graded earlier: " is ignored."""
    parts = status.removeprefix("graded earlier: ").split("; ")
    return [kind for part in parts for kind in STATUS_KINDS if part.startswith(kind)]


def not_a_notebook(path: Path) -> str | None:
    """The status of a file that cannot be graded as a notebook, or None if it can."""
    problem = notebook_problem(path)
    if problem is None:
        return None
    return f"not a notebook: {path.name} {problem}"


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


def cell_changes(submitted: Path, expected: list[str]) -> list[str]:
    """The nbgrader cells a student deleted or duplicated, in words (empty if none)."""
    notebook = nbformat.read(submitted, as_version=4)
    ids = Counter(
        cell.metadata["nbgrader"]["grade_id"]
        for cell in notebook.cells
        if "grade_id" in cell.metadata.get("nbgrader", {})
    )
    changes = []
    deleted = [grade_id for grade_id in expected if grade_id not in ids]
    if deleted:
        changes.append(f"deleted cells {', '.join(deleted)} (restored by nbgrader and graded)")
    duplicated = [grade_id for grade_id, count in ids.items() if count > 1]
    if duplicated:
        changes.append(f"duplicated cells {', '.join(duplicated)} (the last copy is graded)")
    return changes


def _cell_name(cell) -> str:
    return cell.metadata.get("nbgrader", {}).get("grade_id") or cell.get("id", "?")


def execution_problems(autograded: Path) -> list[str]:
    """What went wrong while the autograded notebook ran: tampering, timeouts, memory, floods."""
    notebook = nbformat.read(autograded, as_version=4)
    if notebook.metadata.get("autograder", {}).get("tampering"):
        return ["tampering blocked"]
    problems = []
    for cell in notebook.cells:
        outputs = cell.get("outputs", [])
        errors = {o.get("ename") for o in outputs if o.get("output_type") == "error"}
        if "CellTimeoutError" in errors:
            problems.append(f"timed out in cell '{_cell_name(cell)}'")
        if "MemoryError" in errors:
            problems.append(f"exhausts memory in cell '{_cell_name(cell)}'")
        size = len(json.dumps(outputs))
        if size > HUGE_OUTPUT_BYTES:
            problems.append(f"printed {size / 1e6:.1f} MB in cell '{_cell_name(cell)}'")
    return problems


def status_of_graded(submitted: Path, autograded: Path, expected: list[str], log: str) -> str:
    """'graded', or everything notable that happened while nbgrader graded it ("; " between)."""
    if "DeadKernelError" in log or "Kernel died" in log:
        return "kernel died (graded 0: nbgrader drops a submission whose kernel dies)"
    if not autograded.exists():
        errors = [line.strip() for line in log.splitlines() if "ERROR]" in line]
        return "not graded: " + (errors[0][:100] if errors else "nbgrader failed")
    problems = execution_problems(autograded) + cell_changes(submitted, expected)
    return "; ".join(problems) or "graded"
