"""Autograde every submission of an assignment, ``jobs`` at a time, through nbgrader itself.

Each submission is graded by its own ``nbgrader autograde ASSIGNMENT --student S``
process (nbgrader's preprocessors, cell restoration and gradebook, unchanged), so one
student's crash cannot stop the others. A submission already autograded is skipped
unless ``force`` is set, so an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from tqdm import tqdm
from traitlets.config.loader import PyFileConfigLoader

from .submission_status import not_a_notebook, status_of_graded


@dataclass
class StudentResult:
    student: str
    status: str
    score: float | None = None
    max_score: float | None = None


def submissions(course: Path, assignment: str) -> dict[str, Path]:
    """student id -> the submitted notebook folder, for every student who handed in."""
    found = {}
    for folder in sorted((course / "submitted").glob(f"*/{assignment}")):
        found[folder.parent.name] = folder
    return found


def _nbgrader_env() -> dict[str, str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path}


def _grade_one(
    course: Path,
    assignment: str,
    student: str,
    folder: Path,
    options: list[str],
    wall_timeout: float,
) -> StudentResult:
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return StudentResult(student, "not a notebook: no .ipynb file")
    # A broken file is still handed to nbgrader, which records it in the gradebook with
    # zero exactly as a sequential `nbgrader autograde` does; the status says why.
    problems = [p for p in (not_a_notebook(nb) for nb in notebooks) if p]
    command = [
        sys.executable,
        "-m",
        "nbgrader",
        "autograde",
        assignment,
        "--student",
        student,
        "--force",
        *options,
    ]
    try:
        process = subprocess.run(
            command,
            cwd=course,
            capture_output=True,
            text=True,
            env=_nbgrader_env(),
            timeout=wall_timeout,
        )
        log = process.stdout + process.stderr
    except subprocess.TimeoutExpired:
        return StudentResult(student, f"timed out after {wall_timeout:g} s in total")
    statuses = [
        status_of_graded(course / "autograded" / student / assignment / notebook.name, log)
        for notebook in notebooks
    ]
    if problems:
        return StudentResult(student, problems[0])
    return StudentResult(student, next((s for s in statuses if s != "graded"), "graded"))


def _already_graded(course: Path, assignment: str, student: str, folder: Path) -> bool:
    graded = course / "autograded" / student / assignment
    return all((graded / nb.name).exists() for nb in folder.glob("*.ipynb")) and any(
        folder.glob("*.ipynb")
    )


def grade_class(
    course: Path,
    assignment: str,
    *,
    jobs: int = 2,
    force: bool = False,
    cell_timeout: int | None = None,
    wall_timeout: float = 600,
    db_url: str | None = None,
    progress: bool = True,
) -> list[StudentResult]:
    """Autograde every submission; return one result per student, with its score."""
    course = Path(course)
    options = [f"--Execute.timeout={cell_timeout}"] if cell_timeout else []
    todo, results = {}, []
    for student, folder in submissions(course, assignment).items():
        if not force and _already_graded(course, assignment, student, folder):
            results.append(StudentResult(student, "graded earlier"))
        else:
            todo[student] = folder
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [
            pool.submit(_grade_one, course, assignment, student, folder, options, wall_timeout)
            for student, folder in todo.items()
        ]
        for future in tqdm(
            as_completed(futures),
            total=len(futures),
            disable=not progress,
            desc=f"grading {assignment}",
            unit="submission",
        ):
            results.append(future.result())
    _add_scores(course, assignment, results, db_url)
    return sorted(results, key=lambda r: r.student)


def _add_scores(
    course: Path, assignment: str, results: list[StudentResult], db_url: str | None
) -> None:
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    db_url = db_url or config.CourseDirectory.db_url
    with Gradebook(db_url, config.CourseDirectory.course_id) as gradebook:
        for result in results:
            try:
                submission = gradebook.find_submission(assignment, result.student)
            except MissingEntry:
                continue
            result.score, result.max_score = submission.score, submission.max_score


def summary_table(results: list[StudentResult]) -> str:
    rows = [f"{'student':24} {'score':>12}  status"]
    for r in results:
        score = f"{r.score:g}/{r.max_score:g}" if r.score is not None else "-"
        rows.append(f"{r.student:24} {score:>12}  {r.status}")
    return "\n".join(rows)
