"""Generate the student versions in ``release/`` from ``source/`` and check they are in sync.

Generation is nbgrader's own ``generate_assignment``; this module only checks the
inputs first, runs it, and compares what it makes with what is committed.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat

from .course_files import CONFIG_NAME, CourseError, assignment_notebooks, source_assignments


def nbgrader_environment(**extra: str) -> dict[str, str]:
    """This environment with the interpreter's own ``bin`` first on PATH (nbgrader runs
    ``alembic`` from there), plus ``extra``."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, **extra}


def run_nbgrader(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run ``nbgrader ARGS`` in ``root``; return its log, or raise CourseError with its error."""
    process = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args],
        cwd=root,
        capture_output=True,
        text=True,
        env=nbgrader_environment(**(env or {})),
        check=False,
    )
    log = process.stdout + process.stderr
    if process.returncode != 0:
        raise CourseError(f"nbgrader {args[0]} failed: {_reason(log, process.returncode)}")
    return log


def _reason(log: str, returncode: int) -> str:
    """The most telling line of a failed nbgrader run: the exception, else its first error."""
    exceptions = re.findall(r"^\s*(\w+(?:Error|Exception): .+)$", log, flags=re.M)
    if exceptions:
        return exceptions[-1].strip()
    errors = [line.strip() for line in log.splitlines() if "| ERROR]" in line]
    return errors[0] if errors else f"exit status {returncode}"


def generate_release(root: Path, assignments: list[str] | None = None) -> list[str]:
    """Regenerate ``release/NAME`` for each assignment (all in ``source/`` by default)."""
    names = assignments or source_assignments(root)
    if not names:
        raise CourseError(f"no assignments in {root / 'source'}.")
    for name in names:
        assignment_notebooks(root, name)  # clear errors before nbgrader sees a bad file
    for name in names:
        run_nbgrader(root, "generate_assignment", name, "--force")
    return names


def _comparable(notebook: nbformat.NotebookNode) -> dict:
    """What matters in a released notebook: its cells and metadata (no timestamps exist)."""
    return {
        "metadata": dict(notebook.metadata),
        "cells": [
            (cell.cell_type, cell.get("id"), cell.source, dict(cell.metadata))
            for cell in notebook.cells
        ],
    }


def release_differences(root: Path) -> list[str]:
    """Regenerate every assignment in a scratch copy; list how ``release/`` differs from it."""
    with tempfile.TemporaryDirectory(prefix="course-release-") as scratch:
        copy = Path(scratch) / "course"
        shutil.copytree(root / "source", copy / "source")
        shutil.copy(root / CONFIG_NAME, copy / CONFIG_NAME)
        env = {"NBGRADER_DB_URL": f"sqlite:///{copy / 'gradebook.db'}"}
        for name in source_assignments(copy):
            assignment_notebooks(copy, name)
            run_nbgrader(copy, "generate_assignment", name, "--force", env=env)
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
            if _comparable(nbformat.read(new, 4)) != _comparable(nbformat.read(old, 4)):
                differences.append(f"release/{relative}: differs from what source/ generates")
        elif new.read_bytes() != old.read_bytes():
            differences.append(f"release/{relative}: differs from source/")
    return differences
