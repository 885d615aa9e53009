"""Find and read the course's files, turning every bad input into one clear sentence.

nbgrader itself answers a missing config or a broken notebook with a traceback of
its internals; the ``course`` command checks these first and says what is wrong.
"""

from __future__ import annotations

import json
import traceback
from pathlib import Path

import nbformat


class CourseError(Exception):
    """A problem with the course's files, worded for the person who can fix it."""


CONFIG_NAME = "nbgrader_config.py"


def find_course_root(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` that holds ``nbgrader_config.py``."""
    start = (start or Path.cwd()).resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise CourseError(
        f"no {CONFIG_NAME} in {start} or any folder above it: run this inside the course folder."
    )


def config_problem(path: Path, error: BaseException) -> str:
    """One sentence for a configuration file that raised ``error`` while it ran: the file,
    the line, the error's first line and the fix."""
    line = error.lineno if isinstance(error, SyntaxError) else None
    for frame in traceback.extract_tb(error.__traceback__):
        if frame.filename == str(path):
            line = frame.lineno  # the innermost line of the file itself
    words = str(error).strip().splitlines()
    what = f"{type(error).__name__}: {words[0]}" if words else type(error).__name__
    where = f" at line {line}" if line else ""
    return (
        f"{path} raised {what}{where}: fix the course's settings there; nothing ran "
        "(nbgrader reads that file too, and fails the same way until it is fixed)"
    )


def source_assignments(root: Path) -> list[str]:
    """Names of the assignments in ``source/``, sorted."""
    source = root / "source"
    if not source.is_dir():
        return []
    return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith("."))


def assignment_notebooks(root: Path, assignment: str) -> list[Path]:
    """The notebooks of one source assignment, each checked to be a readable notebook."""
    if not assignment:
        raise CourseError("no assignment name given.")
    folder = root / "source" / assignment
    if not folder.is_dir():
        known = ", ".join(source_assignments(root)) or "none"
        raise CourseError(f"no assignment '{assignment}' in {root / 'source'} (found: {known}).")
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        raise CourseError(f"{folder} holds no .ipynb notebook.")
    for path in notebooks:
        read_notebook(path)
    return notebooks


def notebook_problem(path: Path) -> str | None:
    """Why ``path`` is not a readable notebook, as words that follow its name
    ("is not valid JSON (line 2, column 5: ...)"); None if it is one."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return f"cannot be read ({error})"
    try:
        json.loads(text)
    except json.JSONDecodeError as error:
        return f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})"
    try:
        nbformat.validate(nbformat.reads(text, as_version=4))
    except Exception as error:  # noqa: BLE001 - nbformat raises several unrelated types
        lines = str(error).strip().splitlines()
        return f"is not a valid notebook ({lines[0] if lines else type(error).__name__})"
    return None


def read_notebook(path: Path) -> nbformat.NotebookNode:
    """Read a notebook, or raise CourseError naming the file and what is wrong with it."""
    problem = notebook_problem(path)
    if problem:
        raise CourseError(f"not a notebook: {path} {problem}.")
    return nbformat.read(path, as_version=4)
