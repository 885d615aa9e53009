"""Shared helpers for tests that run the real nbgrader in a scratch copy of the course."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import nbformat

from autograder.grader_tools.nbgrader_course import nbgrader_environment

REPO = Path(__file__).resolve().parent.parent
COURSE_ID = "backprop101"
Found = TypeVar("Found")


def wait_until(
    predicate: Callable[[], Found], timeout: float, what: str, interval: float = 0.2
) -> Found:
    """Call ``predicate`` until it returns something true, and return that.

    ``timeout`` (seconds) is a safety net for a run that hangs, never a measurement: past it,
    an AssertionError says the test was still waiting until ``what``. An assertion the
    predicate raises (a process that ended too soon) ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    while not (found := predicate()):
        assert time.monotonic() < deadline, f"still waiting after {timeout} s until {what}"
        time.sleep(interval)
    return found


def running_processes(matching: Callable[[Path], bool]) -> dict[int, str]:
    """pid -> command line of the processes whose ``/proc/<pid>`` folder ``matching``
    accepts; a process that ends while it is looked at is left out."""
    found = {}
    for folder in Path("/proc").glob("[0-9]*"):
        try:
            if matching(folder):
                found[int(folder.name)] = (folder / "cmdline").read_text().replace("\0", " ")
        except OSError:
            continue
    return found


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (to prove a submission was not modified)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tool_env(**extra: str) -> dict[str, str]:
    """The environment for nbgrader subprocesses: this interpreter's bin first on PATH."""
    return nbgrader_environment(**extra)


def copy_course(destination: Path) -> Path:
    """A scratch copy of the course: source/, release/, nbgrader_config.py and a course
    secret of its own (as `course quiz-keys` makes one)."""
    from autograder.quiz_engine.course_secret import create_course_secret

    destination.mkdir(parents=True, exist_ok=True)
    for folder in ("source", "release"):
        shutil.copytree(REPO / folder, destination / folder)
    shutil.copy(REPO / "nbgrader_config.py", destination / "nbgrader_config.py")
    create_course_secret(destination / ".quiz_secret")
    return destination


def run(cwd: Path, *command: str, env: dict[str, str] | None = None, check: bool = True):
    """Run a command; on failure show its output in the assertion message."""
    process = subprocess.run(
        list(command), cwd=cwd, capture_output=True, text=True, env=env or tool_env(), check=False
    )
    if check:
        output = f"{process.stdout}\n{process.stderr}"
        assert process.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return process


def nbgrader(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True):
    return run(cwd, sys.executable, "-m", "nbgrader", *args, env=env, check=check)


def fill_in_solutions(student_notebook: Path, source_notebook: Path) -> None:
    """Write the instructor's solution into each solution cell of a student's notebook.

    Cells are matched by nbgrader ``grade_id``, as a student editing only their answer
    cells would; test cells are left as released.
    """
    from course_simulation import solution_sources

    solutions = solution_sources(source_notebook, keep_markers=True)
    notebook = nbformat.read(student_notebook, 4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]
    nbformat.write(notebook, student_notebook)


HIDDEN_REGION = re.compile(
    r"### BEGIN (SOLUTION|HIDDEN TESTS)\n(.*?)### END (SOLUTION|HIDDEN TESTS)", re.S
)


def hidden_lines(source_notebook: Path) -> set[str]:
    """Distinctive lines inside solution and hidden-test regions of a source notebook.

    A line the instructor also shows outside those regions (an equation in the
    instructions, scaffolding like ``m = X.shape[0]``) is public, not a secret.
    """
    secret: set[str] = set()
    public_text = []
    for cell in nbformat.read(source_notebook, 4).cells:
        for _kind, body, _end in HIDDEN_REGION.findall(cell.source):
            secret |= {line.strip() for line in body.splitlines() if len(line.strip()) >= 12}
        public_text.append(HIDDEN_REGION.sub("", cell.source))
    public = "\n".join(public_text)
    return {line for line in secret if line not in public}


def execute_notebook(path: Path, timeout: int = 120) -> tuple[nbformat.NotebookNode, float]:
    """Run a notebook top to bottom in a fresh python3 kernel, in its own folder.

    Returns the executed notebook and the seconds it took (kernel start included).
    """
    from nbclient import NotebookClient

    notebook = nbformat.read(path, 4)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return notebook, time.perf_counter() - start
