"""Grade a class on a Dask cluster: ``course grade ASSIGNMENT --scheduler ADDRESS``.

One submission is one Dask task. The course files nbgrader's autograde needs travel with
the run (the course's ``nbgrader_config.py`` and quiz secret, the assignment's source
files: scattered to the workers once) and the submission with its task, so workers need
no shared filesystem. On the worker, the task runs the very grading worker a local run
uses (``grading_worker``: nbgrader's own ``NbGraderAPI.autograde``, kept alive between
tasks) in a scratch copy of the course, under that machine's sandbox (``kernel_sandbox``),
and returns nbgrader's log and the autograded files; the client writes them into the
course's ``autograded/``, judges the status and records the journal, exactly as locally.

The gradebook is the course's own: nbgrader's ``db_url``, which every worker must reach
(a PostgreSQL server; on one machine, the course's SQLite file also works).

A worker that dies mid-task: the scheduler gives its task to another worker (Dask's
``allowed-failures``); nbgrader's autograde of a student replaces any earlier, partial
grading of that student, so no grade is lost or recorded twice. A killed client: its tasks
are released, and the next run resumes from the journal.
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import json
import os
import shutil
import socket
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from autograder.grader_tools.batch_grading.submission_status import (
    ProblemKind,
    SubmissionStatus,
    problem,
)
from autograder.grader_tools.course_files import CourseError
from autograder.grader_tools.nbgrader_course import NbgraderCourse

if TYPE_CHECKING:
    from autograder.grader_tools.batch_grading.class_grader import GradingOptions, _GradingWorker


@dataclass(frozen=True)
class CoursePackage:
    """What a worker needs of the course to autograde one assignment."""

    assignment: str
    config: bytes  # nbgrader_config.py
    quiz_secret: bytes | None
    source: dict[str, bytes]  # the assignment's source files but notebooks (autograde copies them)
    db_url: str
    options: GradingOptions
    # The client's course and exchange: hidden from kernels too, should a worker share a
    # filesystem with the client (a LocalCluster, a shared course folder).
    hidden: tuple[str, ...]

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.assignment.encode() + self.config + (self.quiz_secret or b""))
        for name, content in sorted(self.source.items()):
            digest.update(name.encode() + b"\0" + content)
        digest.update(json.dumps([self.db_url, repr(self.options)]).encode())
        return digest.hexdigest()


def course_package(
    course: NbgraderCourse, assignment: str, options: GradingOptions
) -> CoursePackage:
    from autograder.grader_tools.batch_grading.class_grader import _hidden_from_students

    source = course.root / "source" / assignment
    files = {
        str(path.relative_to(source)): path.read_bytes()
        for path in sorted(source.rglob("*"))
        if path.is_file() and path.suffix != ".ipynb"
    }
    secret = course.quiz_secret_file
    return CoursePackage(
        assignment=assignment,
        config=(course.root / "nbgrader_config.py").read_bytes(),
        quiz_secret=secret.read_bytes() if secret.is_file() else None,
        source=files,
        db_url=course.db_url,
        options=options,
        hidden=tuple(str(path) for path in _hidden_from_students(course)),
    )


# ---- on the worker -------------------------------------------------------------------

# Each thread of a Dask worker (`dask worker` runs one per core by default) grades with a
# grading process of its own, for its own prepared courses, newest last. A run that ends
# releases its own (``release_course``); a killed client's stay until two newer runs
# replace them (each holds a grading process of about 150 MB: kept for ever, they would
# add up run after run). Two, so that a thread serving two runs at once keeps both.
PREPARED_COURSES_KEPT = 2
_THIS_THREAD = threading.local()
_EVERY_THREAD: list[dict[str, tuple[Path, _GradingWorker]]] = []
_SLOTS = itertools.count()  # grading processes started by this worker process
SCHEDULER_CONNECT_SECONDS = 10
# Beyond the submission timeouts, for shipping a submission and its autograded files.
CLUSTER_MARGIN_SECONDS = 60


def grade_submission(
    package: CoursePackage, student: str, files: dict[str, bytes], wall_timeout: float
) -> dict[str, Any]:
    """A Dask task: autograde one student's submission (``files``, relative to their
    assignment folder); nbgrader's log, a failure of the grading itself, the autograded files."""
    course, worker = _prepared(package)
    submitted = course / "submitted" / student / package.assignment
    graded = course / "autograded" / student / package.assignment
    try:
        for relative, content in files.items():
            (submitted / relative).parent.mkdir(parents=True, exist_ok=True)
            (submitted / relative).write_bytes(content)
        log, failure = worker.autograde(student, wall_timeout)
        written = {
            str(path.relative_to(graded)): path.read_bytes()
            for path in sorted(graded.rglob("*"))
            if path.is_file() and not path.is_symlink()
        }
        return {"log": log, "failure": failure, "files": written}
    finally:
        shutil.rmtree(course / "submitted" / student, ignore_errors=True)
        shutil.rmtree(course / "autograded" / student, ignore_errors=True)


def _prepared(package: CoursePackage) -> tuple[Path, _GradingWorker]:
    """This worker thread's copy of the course and its grading worker (made once)."""
    from autograder.grader_tools.batch_grading.class_grader import (
        _GradingWorker,
        _slot_settings,
        _worker_settings,
    )

    prepared = getattr(_THIS_THREAD, "courses", None)
    if prepared is None:
        prepared = _THIS_THREAD.courses = {}
        _EVERY_THREAD.append(prepared)
    key = package.key
    if key in prepared:
        prepared[key] = prepared.pop(key)  # most recently used last
    else:
        while len(prepared) >= PREPARED_COURSES_KEPT:
            course, worker = prepared.pop(next(iter(prepared)))
            _clean_up(worker, course.parent)
        scratch = Path(tempfile.mkdtemp(prefix="course-grade-"))
        course = scratch / "course"
        (course / "source" / package.assignment).mkdir(parents=True)
        (course / "nbgrader_config.py").write_bytes(package.config)
        for relative, content in package.source.items():
            path = course / "source" / package.assignment / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
        loaded = NbgraderCourse.load(course, db_url=package.db_url)
        also_hidden = tuple(Path(path) for path in package.hidden)
        overrides, env = _worker_settings(loaded, package.options, scratch, also_hidden)
        if package.quiz_secret is not None:
            secret = course / ".quiz_secret"
            secret.write_bytes(package.quiz_secret)
            overrides.setdefault("QuizVariantForSubmission", {})["secret_file"] = str(secret)
        # A slot per grading process: as root, its kernels' uid (see kernel_sandbox).
        slot = (os.getpid() * 16 + next(_SLOTS)) % 50_000
        overrides, env = _slot_settings(overrides, env, scratch, slot, package.options.sandbox)
        log = scratch / "grading-worker.log"
        worker = _GradingWorker(course, package.assignment, overrides, env, log)
        prepared[key] = (course, worker)
    return prepared[key]


def release_course(key: str) -> int:
    """Run on every worker when a run ends: stop its grading processes and remove its
    scratch courses (how many were released)."""
    released = 0
    for prepared in _EVERY_THREAD:
        entry = prepared.pop(key, None)
        if entry is not None:
            _clean_up(entry[1], entry[0].parent)
            released += 1
    return released


def _clean_up(worker: _GradingWorker, scratch: Path) -> None:
    worker.stop()
    shutil.rmtree(scratch, ignore_errors=True)


@atexit.register
def _clean_up_all() -> None:
    for prepared in _EVERY_THREAD:
        while prepared:
            course, worker = prepared.popitem()[1]
            _clean_up(worker, course.parent)


# ---- on the client -------------------------------------------------------------------


class DaskGradingWorker:
    """Stands where a local ``_GradingWorker`` stands: ``autograde`` runs one student as a
    task on the cluster and writes the autograded files into the course."""

    def __init__(self, client: Any, package: Any, course: Path, assignment: str, rounds: int = 1):
        self.client, self.package = client, package
        self.course, self.assignment = course, assignment
        # Tasks queue on the cluster: each thread grades at most ``rounds`` of this run's
        # tasks in turn, so a task's answer comes within ``rounds`` submission timeouts.
        self.rounds = rounds
        self.future: Any = None

    def autograde(
        self, student: str, wall_timeout: float
    ) -> tuple[str, None] | tuple[None, SubmissionStatus]:
        from distributed import KilledWorker

        folder = self.course / "submitted" / student / self.assignment
        files = {
            str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
        self.future = self.client.submit(
            grade_submission,
            self.package,
            student,
            files,
            wall_timeout,
            key=f"course-grade-{self.assignment}-{student}-{uuid.uuid4().hex[:8]}",
            pure=False,
        )
        patience = self.rounds * wall_timeout + CLUSTER_MARGIN_SECONDS
        try:
            answer = self.future.result(timeout=patience)
        except KilledWorker as error:
            return None, problem(ProblemKind.GRADING_PROCESS_DIED, f"({error})", finished=False)
        except TimeoutError:  # Future.result's timeout
            self.future.cancel()
            detail = f"(the cluster did not answer within {patience:g} s)"
            return None, problem(ProblemKind.TIMED_OUT, detail, finished=False)
        finally:
            self.future = None
        if answer["failure"] is not None:
            return None, answer["failure"]
        _write_autograded(self.course / "autograded" / student / self.assignment, answer["files"])
        return answer["log"], None

    def stop(self) -> None:
        future = self.future
        if future is not None:
            future.cancel()


def _write_autograded(folder: Path, files: dict[str, bytes]) -> None:
    """Replace ``folder`` with ``files`` (relative paths from the worker, checked)."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for relative, content in files.items():
        path = (folder / relative).resolve()
        if folder.resolve() not in path.parents:
            raise ValueError(f"a worker returned a file outside the autograded folder: {relative}")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


class ClusterSession:
    """The run's client of the cluster. Closing it ends the run on the workers too: they
    stop the run's grading processes (a killed client leaves them to the next runs, which
    replace them, see ``PREPARED_COURSES_KEPT``)."""

    def __init__(self, client: Any, package_key: str):
        self.client, self.package_key = client, package_key

    def close(self) -> None:
        try:
            self.client.run(release_course, self.package_key)
        except Exception:  # noqa: BLE001 - a worker that is gone has nothing to release
            pass
        finally:
            self.client.close()


def _scheduler_problem(address: str) -> str | None:
    """Why no connection can be opened to the scheduler at ``address`` (checked before a
    ``Client`` is made: a client that fails to connect prints tracebacks as it goes)."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, port = parse_host_port(location)
    except ValueError as error:
        return str(error)
    if scheme not in ("tcp", "tls", "ws", "wss"):
        return None  # not a TCP address: the client checks it itself
    try:
        socket.create_connection((host, port), timeout=SCHEDULER_CONNECT_SECONDS).close()
    except OSError as error:
        return error.strerror or str(error) or type(error).__name__
    return None


def dask_workers(
    course: NbgraderCourse, assignment: str, options: GradingOptions
) -> tuple[ClusterSession, list[DaskGradingWorker]]:
    """A session on the cluster at ``options.scheduler`` and enough stand-in workers to
    keep every thread of the cluster busy (the session closes with the run)."""
    from distributed import Client

    assert options.scheduler
    problem = _scheduler_problem(options.scheduler)
    if problem:
        raise CourseError(
            f"cannot reach the Dask scheduler at {options.scheduler} ({problem}): start it, "
            "or grade on this machine (leave out --scheduler and CourseGrade.scheduler)"
        )
    client = Client(options.scheduler, set_as_default=False)
    package = course_package(course, assignment, options)
    shipped = client.scatter(package, broadcast=True)
    threads = sum(client.nthreads().values()) or 1
    slots = max(options.jobs, 2 * threads)
    rounds = -(-slots // threads)
    return ClusterSession(client, package.key), [
        DaskGradingWorker(client, shipped, course.root, assignment, rounds) for _ in range(slots)
    ]
