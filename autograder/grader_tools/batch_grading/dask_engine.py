"""``course grade``'s engine on a Dask cluster: ``course grade ASSIGNMENT --scheduler ADDRESS``.

One submission is one Dask task (``dask_tasks.autograde_task``). The course files nbgrader's
autograde needs travel with the run (``CoursePackage``: the course's ``nbgrader_config.py``
and quiz secret, the assignment's source files, scattered to the workers once) and the
submission with its task, so workers need no shared filesystem. Each slot here submits one
task at a time and writes the autograded files it returns into the course's
``autograded/``; ``class_grader`` judges the status and records the journal, exactly as
locally.

The gradebook is the course's own: nbgrader's ``db_url``, which every worker must reach
(a PostgreSQL server; on one machine, the course's SQLite file also works).

A worker that dies mid-task: the scheduler gives its task to another worker (Dask's
``allowed-failures``); nbgrader's autograde of a student replaces any earlier, partial
grading of that student, so no grade is lost or recorded twice. A killed client: its tasks
are released (those running go on to their end, unread), and the next run resumes from the
journal; a task grades a student only under that student's lease (``dask_tasks``), so a
resumed grading waits for a still running one instead of overlapping it. ``distributed`` is
an optional dependency (``pip install .[dask]``): it is imported only when a run uses a
cluster.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import uuid
from pathlib import Path
from typing import Any

from autograder.grader_tools.batch_grading.dask_tasks import (
    LEASE_MARGIN_SECONDS,
    CoursePackage,
    autograde_task,
    forget_idle_leases,
    grading_lease,
    release_course,
)
from autograder.grader_tools.batch_grading.grading_engine import (
    AutogradeAnswer,
    GradingEngine,
    GradingSlot,
)
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.submission_status import ProblemKind, problem
from autograder.grader_tools.batch_grading.worker_settings import (
    WorkerOptions,
    hidden_from_students,
)
from autograder.grader_tools.course_files import CourseError
from autograder.grader_tools.nbgrader_course import NbgraderCourse

SCHEDULER_CONNECT_SECONDS = 10
# Beyond the submission timeouts, for shipping a submission and its autograded files.
CLUSTER_MARGIN_SECONDS = 60


def course_package(course: NbgraderCourse, assignment: str, settings: CourseGrade) -> CoursePackage:
    """What the cluster's workers need of ``course`` to autograde ``assignment``."""
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
        options=WorkerOptions.of(settings),
        hidden=tuple(str(path) for path in hidden_from_students(course)),
    )


class DaskSlot:
    """A ``GradingSlot`` on the cluster: ``autograde`` runs one student as a task and writes
    the autograded files into the course."""

    def __init__(self, client: Any, package: Any, course: Path, assignment: str, rounds: int = 1):
        self.client, self.package = client, package
        self.course, self.assignment = course, assignment
        # Tasks queue on the cluster: each thread grades at most ``rounds`` of this run's
        # tasks in turn, so a task's answer comes within ``rounds`` submission timeouts.
        self.rounds = rounds
        self.future: Any = None
        self.students: set[str] = set()  # whose leases this slot's tasks took

    def autograde(self, student: str, wall_timeout: float) -> AutogradeAnswer:
        from distributed import KilledWorker

        folder = self.course / "submitted" / student / self.assignment
        files = {
            str(path.relative_to(folder)): path.read_bytes()
            for path in sorted(folder.rglob("*"))
            if path.is_file()
        }
        self.students.add(student)
        self.future = self.client.submit(
            autograde_task,
            self.package,
            student,
            files,
            wall_timeout,
            key=f"course-grade-{self.assignment}-{student}-{uuid.uuid4().hex[:8]}",
            pure=False,
        )
        # Its turn, then a wait for an earlier grading of this student (``dask_tasks``'s
        # lease), then its own grading.
        lease_wait = wall_timeout + LEASE_MARGIN_SECONDS
        patience = self.rounds * wall_timeout + lease_wait + CLUSTER_MARGIN_SECONDS
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


class DaskEngine(GradingEngine):
    """The run's client of the cluster at ``settings.scheduler``. Closing it ends the run on
    the workers too: they stop the run's grading processes (a killed client leaves them to
    the next runs, which replace them, see ``dask_tasks.PREPARED_COURSES_KEPT``)."""

    def __init__(self, course: NbgraderCourse, assignment: str, settings: CourseGrade):
        self.course, self.assignment, self.settings = course, assignment, settings
        self.client: Any = None
        self.package_key = ""
        self.slots: list[DaskSlot] = []

    def open_slots(self, submissions: int) -> list[GradingSlot]:
        """Enough slots to keep every thread of the cluster busy (whatever ``submissions``:
        the cluster's threads, not this machine's, bound the run)."""
        from distributed import Client

        address = self.settings.scheduler
        problem = _scheduler_problem(address)
        if problem:
            raise CourseError(
                f"cannot reach the Dask scheduler at {address} ({problem}): start it, "
                "or grade on this machine (leave out --scheduler and CourseGrade.scheduler)"
            )
        self.client = Client(address, set_as_default=False)
        package = course_package(self.course, self.assignment, self.settings)
        self.package_key = package.key
        shipped = self.client.scatter(package, broadcast=True)
        threads = sum(self.client.nthreads().values()) or 1
        count = max(self.settings.jobs, 2 * threads)
        rounds = -(-count // threads)
        self.slots = [
            DaskSlot(self.client, shipped, self.course.root, self.assignment, rounds)
            for _ in range(count)
        ]
        return list(self.slots)

    def close(self) -> None:
        for slot in self.slots:
            slot.stop()
        if self.client is None:
            return
        # A worker that is gone has nothing to release; a scheduler refusing to run the
        # function keeps the leases.
        try:
            with contextlib.suppress(Exception):
                self.client.run(release_course, self.package_key)
            students = sorted(set().union(*(slot.students for slot in self.slots)))
            db_url, assignment = self.course.db_url, self.assignment
            leases = [grading_lease(db_url, assignment, student) for student in students]
            with contextlib.suppress(Exception):
                self.client.run_on_scheduler(forget_idle_leases, leases)
        finally:
            self.client.close()
