"""Autograde every submission of an assignment, ``jobs`` at a time, through nbgrader itself.

Each submission is graded by its own ``nbgrader autograde ASSIGNMENT --student S``
process (nbgrader's preprocessors, cell restoration and gradebook, unchanged), so one
student's crash cannot stop the others. Its kernel starts through ``kernel_sandbox``: an
unprivileged uid of its own, a memory limit, and a view of the disk without the course.
A submission already autograded is skipped unless ``force`` is set, so an interrupted run
resumes where it stopped; nbgrader replaces a half-written autograded folder on regrade.
"""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from tqdm import tqdm
from traitlets.config.loader import PyFileConfigLoader

from . import kernel_sandbox
from .grading_journal import GradingJournal
from .submission_status import expected_cells, not_a_notebook, status_of_graded

# Student kernels run as uid SANDBOX_FIRST_UID + job slot: ids no account on the machine uses.
SANDBOX_FIRST_UID = 3_000_000
DEFAULT_MEMORY_LIMIT_MB = 3072
DATABASE_ATTEMPTS = 3


class SandboxUnavailable(RuntimeError):
    """Student kernels cannot be isolated on this machine; the message says why and what to do."""


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


def _nbgrader_env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {**os.environ, "PATH": path, **extra}


@dataclass
class _Run:
    """What every job of one run shares."""

    course: Path
    assignment: str
    options: list[str]
    env: dict[str, str]
    wall_timeout: float
    expected: dict[str, list[str]]
    uids: queue.Queue | None


def _grade_one(run: _Run, student: str, folder: Path) -> StudentResult:
    uid = run.uids.get() if run.uids else None
    try:
        return _run_nbgrader(run, student, folder, uid)
    finally:
        if run.uids:
            run.uids.put(uid)


def _run_nbgrader(run: _Run, student: str, folder: Path, uid: int | None) -> StudentResult:
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return StudentResult(student, "not a notebook: no .ipynb file")
    # A broken file is still handed to nbgrader, which records it in the gradebook with
    # zero exactly as a sequential `nbgrader autograde` does; the status says why.
    problems = [p for p in (not_a_notebook(nb) for nb in notebooks) if p]
    command = [sys.executable, "-m", "nbgrader", "autograde", run.assignment]
    command += ["--student", student, "--force", *run.options]
    env = run.env if uid is None else {**run.env, kernel_sandbox.UID_VARIABLE: str(uid)}
    for _attempt in range(DATABASE_ATTEMPTS):
        try:
            process = subprocess.run(
                command,
                cwd=run.course,
                capture_output=True,
                text=True,
                env=env,
                timeout=run.wall_timeout,
            )
        except subprocess.TimeoutExpired:
            return StudentResult(student, f"timed out after {run.wall_timeout:g} s in total")
        log = process.stdout + process.stderr
        # SQLite lets one writer in at a time; a job that waited past its busy timeout retries.
        if "database is locked" not in log:
            break
    if problems:
        return StudentResult(student, problems[0])
    graded = run.course / "autograded" / student / run.assignment
    statuses = [
        status_of_graded(folder / nb.name, graded / nb.name, run.expected.get(nb.name, []), log)
        for nb in notebooks
    ]
    return StudentResult(student, next((s for s in statuses if s != "graded"), "graded"))


def grade_class(
    course: Path,
    assignment: str,
    *,
    jobs: int = 2,
    force: bool = False,
    cell_timeout: int | None = None,
    memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB,
    sandbox: bool = True,
    wall_timeout: float = 600,
    progress: bool = True,
) -> list[StudentResult]:
    """Autograde every submission; return one result per student, with its score.

    ``sandbox`` isolates each kernel (see ``kernel_sandbox``; needs root on Linux) and limits
    its address space to ``memory_limit_mb``; ``SandboxUnavailable`` says when it cannot.
    """
    course = Path(course)
    config = course_config(course)
    journal = GradingJournal(course, assignment)
    if force:
        journal.forget()
    todo, results = {}, []
    for student, folder in submissions(course, assignment).items():
        earlier = journal.finished_status(student, folder)
        if earlier is None:
            todo[student] = folder
        else:
            results.append(StudentResult(student, f"graded earlier: {earlier}"))
    options = [f"--Execute.timeout={cell_timeout}"] if cell_timeout else []
    with tempfile.TemporaryDirectory(prefix="course-grade-") as kernels_dir:
        env, uids = _nbgrader_env(), None
        if sandbox and todo:
            uids = queue.Queue()
            for slot in range(jobs):
                uids.put(SANDBOX_FIRST_UID + slot)
            hidden = _hidden_from_students(course, config)
            problem = kernel_sandbox.sandbox_problem(SANDBOX_FIRST_UID, memory_limit_mb, hidden)
            if problem:
                raise SandboxUnavailable(
                    f"cannot isolate student kernels on this machine ({problem}); run as root "
                    "on Linux, or pass --no-sandbox to grade without isolation"
                )
            name = kernel_sandbox.write_kernelspec(Path(kernels_dir), memory_limit_mb, hidden)
            options.append(f"--Execute.kernel_name={name}")
            jupyter_path = os.pathsep.join(filter(None, [kernels_dir, env.get("JUPYTER_PATH")]))
            env["JUPYTER_PATH"] = jupyter_path
        expected = expected_cells(gradebook_url(course, config), config, assignment) if todo else {}
        run = _Run(course, assignment, options, env, wall_timeout, expected, uids)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {
                pool.submit(_grade_one, run, student, folder): folder
                for student, folder in todo.items()
            }
            for future in tqdm(
                as_completed(futures),
                total=len(futures),
                disable=not progress,
                desc=f"grading {assignment}",
                unit="submission",
            ):
                result = future.result()
                journal.record(result.student, futures[future], result.status)
                results.append(result)
    _add_scores(gradebook_url(course, config), config, assignment, results)
    return sorted(results, key=lambda r: r.student)


def course_config(course: Path):
    """The course's nbgrader configuration, read from its nbgrader_config.py."""
    return PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()


def gradebook_url(course: Path, config) -> str:
    """The gradebook's database URL: nbgrader's ``db_url`` setting, else course/gradebook.db."""
    return config.CourseDirectory.db_url or f"sqlite:///{course / 'gradebook.db'}"


def _hidden_from_students(course: Path, config) -> list[Path]:
    """Folders a student's kernel must not see: the course, the grader's home, the exchange."""
    hidden = [course.resolve(), Path.home().resolve()]
    if "root" in config.Exchange:
        hidden.append(Path(config.Exchange.root).resolve())
    database = gradebook_url(course, config)
    if database.startswith("sqlite:///"):
        hidden.append(Path(database.removeprefix("sqlite:///")).resolve().parent)
    # Hiding "/" would hide Python itself: the home of a root grader run from / is skipped.
    return [path for path in dict.fromkeys(hidden) if path != Path("/")]


def _add_scores(db_url: str, config, assignment: str, results: list[StudentResult]) -> None:
    with Gradebook(db_url, config.CourseDirectory.course_id) as gradebook:
        for result in results:
            try:
                submission = gradebook.find_submission(assignment, result.student)
            except MissingEntry:
                continue
            result.score, result.max_score = submission.score, submission.max_score


def summary_table(results: list[StudentResult]) -> str:
    width = max([len("student"), *(len(r.student) for r in results)])
    rows = [f"{'student':{width}} {'score':>11}  status"]
    for r in results:
        score = f"{r.score:g}/{r.max_score:g}" if r.score is not None else "-"
        rows.append(f"{r.student:{width}} {score:>11}  {r.status}")
    return "\n".join(rows)
