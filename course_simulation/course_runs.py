"""Running the course's tools and notebooks as a person at a terminal would: a command,
nbgrader, a notebook top to bottom in a fresh kernel."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from autograder.grader_tools.nbgrader_course import nbgrader_environment


def run(
    cwd: Path, *command: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run ``command`` in ``cwd`` (environment: ``env``, else ``nbgrader_environment()``);
    with ``check``, a failure is an AssertionError that shows the command's output."""
    process = subprocess.run(
        list(command),
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env or nbgrader_environment(),
        check=False,
    )
    if check:
        output = f"{process.stdout}\n{process.stderr}"
        assert process.returncode == 0, f"{' '.join(command)} failed:\n{output}"
    return process


def nbgrader(
    cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """``nbgrader ARGS`` with this interpreter, as :func:`run` runs a command."""
    return run(cwd, sys.executable, "-m", "nbgrader", *args, env=env, check=check)


def execute_notebook(path: Path, timeout: int = 120) -> tuple[nbformat.NotebookNode, float]:
    """Run a notebook top to bottom in a fresh python3 kernel, in its own folder.

    Returns the executed notebook and the seconds it took (kernel start included).
    """
    notebook = nbformat.read(path, 4)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    return notebook, time.perf_counter() - start
