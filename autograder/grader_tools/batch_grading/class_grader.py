"""Autograde every submission of an assignment, ``jobs`` at a time, through nbgrader itself.

``jobs`` long-lived ``grading_worker`` processes each run nbgrader's own autograde
(``NbGraderAPI.autograde``: nbgrader's preprocessors, cell restoration and gradebook,
unchanged) for one student after another; a worker that dies or overruns is replaced, so
one student's crash cannot stop the others. Kernels start through ``kernel_launcher``: a
memory limit, no network, and a view of the disk without the course (bubblewrap for an
ordinary grader; as root, an unprivileged uid per worker).
A submission this grader finished before (``grading_journal``) is skipped unless ``force``
is set, so an interrupted or killed run resumes where it stopped; nbgrader replaces a
half-written autograded folder when it grades that student again.

Nothing waits without a bound: a worker's answer comes within ``wall_timeout`` or the
worker is stopped and the submission reported as timed out (also when it stays silent, or
stops half-way through its answer); a grading retried after a transient failure gets
``GRADING_ATTEMPTS`` such attempts at most. The course's files (journal, submissions,
gradebook, quiz secret) are checked before any worker starts.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import select
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nbgrader.api import MissingEntry
from tqdm import tqdm
from traitlets import Unicode
from traitlets.config import Configurable

from autograder.grader_tools.batch_grading import grading_kernelspec
from autograder.grader_tools.batch_grading.grading_journal import (
    GradingJournal,
    journal_path,
    submission_digest,
)
from autograder.grader_tools.batch_grading.kernel_launcher import UID_VARIABLE
from autograder.grader_tools.batch_grading.submission_status import (
    GRADED,
    ProblemKind,
    SubmissionStatus,
    expected_cells,
    not_a_notebook,
    problem,
    status_of_graded,
)
from autograder.grader_tools.course_files import CourseError
from autograder.grader_tools.course_options import (
    CELL_TIMEOUT,
    JOBS,
    MEMORY_LIMIT_MB,
    SUBMISSION_TIMEOUT,
)
from autograder.grader_tools.nbgrader_course import NbgraderCourse, sqlite_path
from autograder.quiz_engine.course_secret import read_private_course_secret
from autograder.quiz_engine.variants import SUBMISSION_PLACEHOLDER

LOG = logging.getLogger(__name__)
# Student kernels run as uid SANDBOX_FIRST_UID + job slot: ids no account on the machine uses.
SANDBOX_FIRST_UID = 3_000_000
DEFAULT_MEMORY_LIMIT_MB = 3072
GRADING_ATTEMPTS = 3
GRADINGS_PER_PROCESS = 100
# Failures of the grading machinery, not of the student's code: the submission is graded
# again. SQLite lets one writer in at a time (a job that waited past its busy timeout), and
# a kernel can lose the port jupyter_client picked for it to another socket before it binds
# it; it then dies before it answers kernel_info, so before any cell of the notebook ran.
TRANSIENT_FAILURES = ("database is locked", "Kernel died before replying to kernel_info")


class SandboxUnavailable(RuntimeError):
    """Student kernels cannot be isolated on this machine; the message says why and what to do."""


@dataclass
class StudentResult:
    """One student's outcome; ``earlier`` when this run found it graded by an earlier one."""

    student: str
    status: SubmissionStatus
    score: float | None = None
    max_score: float | None = None
    earlier: bool = False

    @property
    def finished(self) -> bool:
        return self.status.finished

    def describe(self) -> str:
        return f"graded earlier: {self.status}" if self.earlier else str(self.status)


def submissions(course: Path, assignment: str) -> dict[str, Path]:
    """student id -> the submitted notebook folder, for every student who handed in;
    CourseError naming a folder the grader cannot read (rather than skipping it)."""
    found = {}
    try:
        for student in sorted((course / "submitted").iterdir()):
            folder = student / assignment
            if not student.name.startswith(".") and folder.is_dir():
                found[student.name] = folder
                os.listdir(folder)
    except FileNotFoundError:
        return {}
    except PermissionError as error:
        raise CourseError(_unreadable(error)) from None
    return found


def _unreadable(error: OSError) -> str:
    """The sentence for a submitted file or folder the grader may not read."""
    return (
        f"{error.filename} cannot be read ({error.strerror}): give the grader read access "
        f"to the submissions (e.g. `chmod -R g+rX {error.filename}` for the graders' group), "
        "then run the same command again"
    )


class CourseGrade(Configurable):
    """``course grade`` settings a course can keep in its ``nbgrader_config.py``."""

    scheduler = Unicode(
        "",
        help="Address of a Dask scheduler (tcp://host:8786): grade on that cluster "
        "(dask_grading). Empty: grade on this machine. `course grade --scheduler` overrides it.",
    ).tag(config=True)


@dataclass(frozen=True)
class GradingOptions:
    """How ``grade_class`` grades; the ``course grade`` options and their defaults.

    Each number must lie in its ``course_options`` range (ValueError otherwise): zero jobs
    would leave every submission waiting for a worker, a huge timeout overflows ``select``.
    """

    # One more than cores: the CPU works while kernels start (within JOBS' range).
    jobs: int = min((os.cpu_count() or 1) + 1, int(JOBS.high))
    force: bool = False
    cell_timeout: int | None = None  # seconds per cell; None keeps the course's Execute.timeout
    memory_limit_mb: int = 3072
    sandbox: bool = True
    warm_kernels: bool = True  # as root: fork kernels from a warm process (kernel_fork_server)
    wall_timeout: float = 600  # seconds for one whole submission
    progress: bool = True
    scheduler: str | None = None  # a Dask scheduler's address: grade on that cluster

    def __post_init__(self) -> None:
        JOBS.check("jobs", self.jobs)
        if self.cell_timeout is not None:
            CELL_TIMEOUT.check("cell_timeout", self.cell_timeout)
        MEMORY_LIMIT_MB.check("memory_limit_mb", self.memory_limit_mb)
        SUBMISSION_TIMEOUT.check("wall_timeout", self.wall_timeout)


class _GradingWorker:
    """A ``grading_worker`` process, restarted if it dies or overruns ``wall_timeout``, and
    after ``GRADINGS_PER_PROCESS`` gradings (nbgrader's process grows by about 0.15 MB per
    submission; a fresh one keeps a class of thousands from growing it without bound)."""

    def __init__(self, course: Path, assignment: str, overrides: dict, env: dict, log: Path):
        self.command = [
            sys.executable,
            "-m",
            "autograder.grader_tools.batch_grading.grading_worker",
        ]
        self.command += [str(course), assignment, json.dumps(overrides)]
        self.course, self.env, self.log = course, env, log
        self.process: subprocess.Popen | None = None
        self.gradings = 0

    def autograde(
        self, student: str, wall_timeout: float
    ) -> tuple[str, None] | tuple[None, SubmissionStatus]:
        """(nbgrader's log, None), or (None, what went wrong with the grading process)."""
        if self.process is None or self.process.poll() is not None:
            with open(self.log, "a", encoding="utf-8") as log:
                self.process = subprocess.Popen(
                    self.command,
                    cwd=self.course,
                    env=self.env,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=log,
                    text=True,
                )
        process = self.process  # stop() may clear the attribute from another thread
        assert process.stdin is not None and process.stdout is not None
        answer, overran = "", False
        try:
            process.stdin.write(student + "\n")
            process.stdin.flush()
            answer, overran = read_line(process.stdout.fileno(), wall_timeout)
        except (OSError, ValueError):  # the worker was stopped under us
            pass
        if not answer:
            self.stop()
            if overran:
                detail = f"after {wall_timeout:g} s in total"
                return None, problem(ProblemKind.TIMED_OUT, detail, finished=False)
            detail = f"(its log: {self.log})"
            return None, problem(ProblemKind.GRADING_PROCESS_DIED, detail, finished=False)
        self.gradings += 1
        if self.gradings % GRADINGS_PER_PROCESS == 0:
            self.stop()  # the next student starts a fresh process
        try:
            return json.loads(answer)["log"], None
        except (ValueError, KeyError, TypeError):
            self.stop()
            detail = f"(it answered {answer[:80]!r}; its log: {self.log})"
            return None, problem(ProblemKind.GRADING_PROCESS_DIED, detail, finished=False)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.kill()
            process.wait()


def read_line(descriptor: int, timeout: float) -> tuple[str, bool]:
    """One line from a pipe, waiting ``timeout`` seconds at most in all (a worker that
    stops half-way through its answer cannot hold ``readline`` forever).

    Returns (the line with its newline, False); ("", False) at the end of the pipe;
    (what came, True) when the time ran out first.
    """
    deadline = time.monotonic() + timeout
    received = b""
    while not received.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([descriptor], [], [], left)[0]:
            return received.decode("utf-8", "replace"), True
        chunk = os.read(descriptor, 1 << 16)
        if not chunk:
            return "", False
        received += chunk
    return received.decode("utf-8"), False


@dataclass
class _Run:
    """What every job of one run shares."""

    course: Path
    assignment: str
    wall_timeout: float
    expected: dict[str, list[str]]
    idle_workers: queue.Queue


def _grade_one(run: _Run, student: str, folder: Path) -> StudentResult:
    # There are as many threads as workers, so a worker is free at once; the timeout only
    # makes sure that no mistake in that count can leave a submission waiting forever.
    try:
        worker = run.idle_workers.get(timeout=run.wall_timeout * GRADING_ATTEMPTS)
    except queue.Empty:
        detail = f"waiting {run.wall_timeout * GRADING_ATTEMPTS:g} s for a grading process"
        return StudentResult(student, problem(ProblemKind.TIMED_OUT, detail, finished=False))
    try:
        return _autograde(run, worker, student, folder)
    finally:
        run.idle_workers.put(worker)


def _autograde(run: _Run, worker: _GradingWorker, student: str, folder: Path) -> StudentResult:
    notebooks = sorted(folder.glob("*.ipynb"))
    if not notebooks:
        return StudentResult(student, problem(ProblemKind.NOT_A_NOTEBOOK, "no .ipynb file"))
    # A broken file is still handed to nbgrader, which records it in the gradebook with
    # zero exactly as a sequential `nbgrader autograde` does; the status says why.
    broken = [status for status in map(not_a_notebook, notebooks) if status]
    log = ""
    for _attempt in range(GRADING_ATTEMPTS):
        answer, failure = worker.autograde(student, run.wall_timeout)
        if failure is not None:
            return StudentResult(student, failure)
        log = answer or ""
        if not any(symptom in log for symptom in TRANSIENT_FAILURES):
            break
    if broken:
        return StudentResult(student, broken[0])
    graded = run.course / "autograded" / student / run.assignment
    statuses = [  # nbgrader grades only the assignment's notebooks, and ignores extra copies
        status_of_graded(folder / nb.name, graded / nb.name, run.expected[nb.name], log)
        for nb in notebooks
        if nb.name in run.expected
    ]
    return StudentResult(student, next((s for s in statuses if s.problems), GRADED))


def grade_class(
    course: NbgraderCourse, assignment: str, options: GradingOptions = GradingOptions()
) -> list[StudentResult]:
    """Autograde every submission; return one result per student, with its score.

    ``options.sandbox`` isolates each kernel (see ``kernel_launcher``: bubblewrap, or root)
    and limits its address space; ``SandboxUnavailable`` says when it cannot.
    """
    journal = GradingJournal(course.root, assignment, start_over=options.force)
    if journal.kept_broken is not None:
        LOG.warning(
            "course: %s was not a grading journal; it is kept as %s, and every submission "
            "is graded again (--force)",
            journal.path,
            journal.kept_broken,
        )
    todo, results = {}, []
    for student, folder in submissions(course.root, assignment).items():
        try:  # the digest reads every file: one the grader may not read stops the run now
            earlier = journal.finished_status(student, folder)
            if earlier is None:
                submission_digest(folder)
        except PermissionError as error:
            raise CourseError(_unreadable(error)) from None
        if earlier is None:
            todo[student] = folder
        else:
            results.append(StudentResult(student, earlier, earlier=True))
    if todo:
        expected = _expected_cells(course, assignment)
        secret_problem = _quiz_secret_problem(course, assignment)
        if secret_problem:
            raise CourseError(secret_problem)
        with tempfile.TemporaryDirectory(prefix="course-grade-") as scratch:
            client, workers = _workers(course, assignment, options, Path(scratch), len(todo))
            try:
                idle_workers: queue.Queue = queue.Queue()
                for worker in workers:
                    idle_workers.put(worker)
                run = _Run(course.root, assignment, options.wall_timeout, expected, idle_workers)
                results += _grade_all(run, todo, workers, journal, options)
            finally:
                if client is not None:
                    client.close()
    _add_scores(course, assignment, results)
    return sorted(results, key=lambda r: r.student)


def _expected_cells(course: NbgraderCourse, assignment: str) -> dict[str, list[str]]:
    """``expected_cells``, or CourseError if the gradebook does not know the assignment."""
    try:
        return expected_cells(course, assignment)
    except MissingEntry:
        raise CourseError(
            f"'{assignment}' is not in the gradebook: run `nbgrader generate_assignment "
            f"{assignment}` (it records the assignment's cells) before grading"
        ) from None


def _quiz_secret_problem(course: NbgraderCourse, assignment: str) -> str | None:
    """Why the course secret cannot serve this assignment's quiz cells (missing, unreadable,
    open to every account); None when it can, or the assignment has no quiz cells."""
    notebooks = sorted((course.root / "source" / assignment).glob("*.ipynb"))
    if not any(SUBMISSION_PLACEHOLDER in nb.read_text(encoding="utf-8") for nb in notebooks):
        return None
    try:
        read_private_course_secret(course.quiz_secret_file)
    except ValueError as error:
        return str(error)
    return None


def _workers(
    course: NbgraderCourse,
    assignment: str,
    options: GradingOptions,
    scratch: Path,
    todo: int,
) -> tuple[Any, list]:
    """The run's workers: local grading processes, or stand-ins for tasks on the Dask
    cluster at ``options.scheduler`` (with its session, to close after the run)."""
    if options.scheduler:
        from autograder.grader_tools.batch_grading.dask_grading import dask_workers

        return dask_workers(course, assignment, options)
    overrides, env = _worker_settings(course, options, scratch)
    log_folder = journal_path(course.root, assignment).parent
    log_folder.mkdir(parents=True, exist_ok=True)
    workers = [
        _GradingWorker(
            course.root,
            assignment,
            *_slot_settings(overrides, env, scratch, slot, options.sandbox),
            log_folder / f"{assignment}-worker{slot + 1}.log",
        )
        for slot in range(min(options.jobs, todo))
    ]
    return None, workers


def _worker_settings(
    course: NbgraderCourse, options: GradingOptions, scratch: Path, also_hidden: tuple = ()
) -> tuple[dict, dict[str, str]]:
    """The workers' nbgrader overrides and environment; with the sandbox, its kernelspec
    (written into ``scratch``) selected for every kernel."""
    overrides = json.loads(json.dumps(course.overrides))  # plain dicts, for the workers
    if options.cell_timeout:
        overrides.setdefault("Execute", {})["timeout"] = options.cell_timeout
    env = course.environment()
    if options.sandbox:
        hidden = [*_hidden_from_students(course), *(p for p in also_hidden if p.exists())]
        memory = options.memory_limit_mb
        problem = grading_kernelspec.sandbox_problem(SANDBOX_FIRST_UID, memory, hidden)
        if problem:
            raise SandboxUnavailable(
                f"cannot isolate student kernels on this machine ({problem}); grading needs "
                "Linux with bubblewrap and user namespaces (or root). Student code was not "
                "run. Pass --no-sandbox to grade without isolation, only for code you trust"
            )
        # As root, kernels are forked from a warm process (kernel_fork_server).
        warm = options.warm_kernels and os.geteuid() == 0
        name = grading_kernelspec.write_kernelspec(scratch, memory, hidden, warm=warm)
        overrides.setdefault("Execute", {})["kernel_name"] = name
        # Sandboxed kernels have no network: they talk to their worker through sockets in
        # a folder of the worker's (see _slot_settings).
        overrides.setdefault("KernelManager", {})["transport"] = "ipc"
        env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(scratch), env.get("JUPYTER_PATH")]))
    return overrides, env


def _slot_settings(
    overrides: dict, env: dict[str, str], scratch: Path, slot: int, sandbox: bool
) -> tuple[dict, dict[str, str]]:
    """One worker's nbgrader overrides and environment. Sandboxed, its kernels' IPC sockets
    live in a folder of the worker's, which the sandbox lets them reach; when the grader is
    root, they run as a uid of their own (see kernel_launcher)."""
    if not sandbox:
        return overrides, env
    uid = SANDBOX_FIRST_UID + slot
    sockets = scratch / f"kernels-{slot + 1}"
    sockets.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(sockets, uid, uid)
    # jupyter_client names the sockets <ip>-<n>, within Linux's 107 bytes for a socket path.
    if len(os.fsencode(sockets / "kernel-65535")) > 107:
        raise SandboxUnavailable(
            f"the grader's temporary folder {scratch.parent} has too long a path for the "
            "kernels' sockets: set TMPDIR to a short one such as /tmp"
        )
    kernel_manager = {**overrides.get("KernelManager", {}), "ip": str(sockets / "kernel")}
    slot_env = {**env, UID_VARIABLE: str(uid)}
    return {**overrides, "KernelManager": kernel_manager}, slot_env


def _grade_all(
    run: _Run,
    todo: dict[str, Path],
    workers: list[_GradingWorker],
    journal: GradingJournal,
    options: GradingOptions,
) -> list[StudentResult]:
    """Grade ``todo`` on the workers, recording each finished submission in the journal."""
    results = []
    pool = ThreadPoolExecutor(max_workers=max(1, len(workers)))
    try:
        futures = {
            pool.submit(_grade_one, run, student, folder): folder
            for student, folder in todo.items()
        }
        for future in tqdm(
            as_completed(futures),
            total=len(futures),
            disable=not options.progress,
            desc=f"grading {run.assignment}",
            unit="submission",
        ):
            result = future.result()
            if result.finished:
                journal.record(result.student, futures[future], result.status)
            results.append(result)
    finally:
        # On Ctrl-C nothing queued starts, and stopping the workers ends the running
        # gradings; what was not recorded in the journal is graded by the next run.
        pool.shutdown(wait=False, cancel_futures=True)
        for worker in workers:
            worker.stop()
        pool.shutdown(wait=True)
    return results


def _hidden_from_students(course: NbgraderCourse) -> list[Path]:
    """Folders a student's kernel must not see: the course, the exchange, the gradebook's
    folder (``kernel_launcher`` hides the grader's home itself)."""
    hidden = [course.root, course.exchange_root.resolve()]
    database = sqlite_path(course.db_url)
    if database is not None:
        hidden.append(database.resolve().parent)
    return [path for path in dict.fromkeys(hidden) if path != Path("/")]  # "/" would hide Python


def _add_scores(course: NbgraderCourse, assignment: str, results: list[StudentResult]) -> None:
    with course.gradebook() as gradebook:
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
        rows.append(f"{r.student:{width}} {score:>11}  {r.describe()}")
    return "\n".join(rows)
