"""Generate the student versions in ``release/`` from ``source/`` and check they are in sync.

Generation is nbgrader's own ``generate_assignment``; this module only checks the
inputs first, runs it, and compares what it makes with what is committed.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import nbformat

from autograder.grader_tools.course_files import (
    CONFIG_NAME,
    CourseError,
    assignment_notebooks,
    source_assignments,
)
from autograder.grader_tools.due_date_header import is_due_date_cell
from autograder.grader_tools.nbgrader_course import NbgraderCourse


def generate_release(root: Path, assignments: list[str] | None = None) -> list[str]:
    """Regenerate ``release/NAME`` for each assignment (all in ``source/`` by default)."""
    names = assignments or source_assignments(root)
    if not names:
        raise CourseError(f"no assignments in {root / 'source'}.")
    for name in names:
        assignment_notebooks(root, name)  # clear errors before nbgrader sees a bad file
    course = NbgraderCourse.load(root)
    for name in names:
        course.run_nbgrader("generate_assignment", name, "--force")
    return names


def comparable_release_notebook(notebook: nbformat.NotebookNode) -> dict:
    """What matters in a released notebook: its cells and metadata (no timestamps exist);
    not the due-date header, which comes from this term's gradebook (``due_date_header``)."""
    return {
        "metadata": dict(notebook.metadata),
        "cells": [
            (cell.cell_type, cell.get("id"), cell.source, dict(cell.metadata))
            for cell in notebook.cells
            if not is_due_date_cell(cell)
        ],
    }


def release_differences(root: Path) -> list[str]:
    """Regenerate every assignment in a scratch copy; list how ``release/`` differs from it."""
    NbgraderCourse.load(root)  # a broken nbgrader_config.py is named where it is, not in the copy
    with tempfile.TemporaryDirectory(prefix="course-release-") as scratch:
        copy = Path(scratch) / "course"
        shutil.copytree(root / "source", copy / "source")
        shutil.copy(root / CONFIG_NAME, copy / CONFIG_NAME)
        course = NbgraderCourse.load(copy)  # its own gradebook: nbgrader's default, in the copy
        for name in source_assignments(copy):
            assignment_notebooks(copy, name)
            course.run_nbgrader("generate_assignment", name, "--force")
        return _compare_trees(copy / "release", root / "release")


def _compare_trees(expected: Path, committed: Path) -> list[str]:
    differences = []
    expected_files = {p.relative_to(expected) for p in expected.rglob("*") if p.is_file()}
    committed_files = (
        {p.relative_to(committed) for p in committed.rglob("*") if p.is_file()}
        if committed.is_dir()
        else set()
    )
    for missing in sorted(expected_files - committed_files):
        differences.append(f"release/{missing}: missing (source/ generates it)")
    for extra in sorted(committed_files - expected_files):
        differences.append(f"release/{extra}: not generated from source/ (remove it)")
    for relative in sorted(expected_files & committed_files):
        new, old = expected / relative, committed / relative
        if relative.suffix == ".ipynb":
            if comparable_release_notebook(nbformat.read(new, 4)) != comparable_release_notebook(
                nbformat.read(old, 4)
            ):
                differences.append(f"release/{relative}: differs from what source/ generates")
        elif new.read_bytes() != old.read_bytes():
            differences.append(f"release/{relative}: differs from source/")
    return differences
