"""Helpers only the tests use: where the checkout is, waiting without a clock, processes, digests,
solutions and hidden lines of the instructor's notebooks. What tests share with the benchmarks
(scratch course copies, running nbgrader and notebooks) is in ``course_simulation``."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import nbformat

from autograder.grader_tools.notebook_records import grade_id
from autograder.quiz_engine import QuestionBank, QuizVariant, question_bank_from_data, quiz_key
from course_simulation import solution_sources

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


def student_variant(secret: bytes, student: str, assignment: str) -> QuizVariant:
    """The quiz variant a course's secret gives a student (their key, as `course quiz-keys`
    and the hub hand it out)."""
    return QuizVariant.for_student(student, quiz_key(secret, student), assignment)


def answer_keys(source_notebook: Path) -> dict[str, QuestionBank]:
    """cell id -> the answer key each graded cell of an instructor's quiz notebook defines: its
    hidden tests up to the marking call (however the cell names the marker), run with
    ``question_bank_from_data`` alone in scope."""
    keys = {}
    for cell in nbformat.read(source_notebook, 4).cells:
        if "### BEGIN HIDDEN TESTS" not in cell.source:
            continue
        hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END HIDDEN TESTS")[0]
        lines = hidden.split("\n")
        marking = next(i for i, line in enumerate(lines) if "mark_graded_quiz(" in line)
        namespace = {"question_bank_from_data": question_bank_from_data}
        exec("\n".join(lines[:marking]), namespace)
        keys[cell["id"]] = namespace["_key"]
    return keys


def flat(text: str) -> str:
    """``text`` with each run of whitespace one space (a phrase is found across line breaks)."""
    return " ".join(text.split())


def exit_status(command: Callable[[list[str]], int], argv: list[str]) -> int:
    """The exit status of a command-line ``main`` given ``argv``, whether the command or
    argparse refuses the input."""
    try:
        return command(argv)
    except SystemExit as refused:
        return int(refused.code or 0)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes (to prove a submission was not modified)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill_in_solutions(student_notebook: Path, source_notebook: Path) -> None:
    """Write the instructor's solution into each solution cell of a student's notebook.

    Cells are matched by nbgrader ``grade_id``, as a student editing only their answer
    cells would; test cells are left as released.
    """
    solutions = solution_sources(source_notebook, keep_markers=True)
    notebook = nbformat.read(student_notebook, 4)
    for cell in notebook.cells:
        name = grade_id(cell)
        if name in solutions:
            cell.source = solutions[name]
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
