"""What runs on a Dask cluster's workers for ``course grade --scheduler`` (``dask_engine``).

A task (``autograde_task``) autogrades one submission with the very grading process a local
run uses (``grading_worker``: nbgrader's own ``NbGraderAPI.autograde``, kept alive between
tasks), in a scratch copy of the course made from the run's ``CoursePackage``, under that
machine's sandbox (``worker_settings``), and returns nbgrader's log and the autograded files.

Each thread of a Dask worker (`dask worker` runs one per core by default) grades with a
grading process of its own, for its own prepared courses, newest last. A run that ends
releases its own (``release_course``); a killed client's stay until two newer runs replace
them (each holds a grading process of about 150 MB: kept for ever, they would add up run
after run). Two, so that a thread serving two runs at once keeps both.

One student's grading at a time, whatever still runs: a killed client's running tasks go on
to their end on the workers, unread, and a run that resumes meanwhile grades those students
again. Each task therefore holds a lease on its (gradebook, assignment, student) while it
grades (``grading_lease``: a ``distributed.Lock``, kept by the scheduler): a second task for
that student waits until the first has ended, then grades, so the gradebook's row for the
student is written by one grading after another, never by two at once. The scheduler lets a
lease go when its task ends, or when the worker holding it stops renewing it (a worker that
died: ``distributed.scheduler.locks.lease-timeout``, 30 s by default).
"""

from __future__ import annotations

import atexit
import hashlib
import itertools
import json
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.grader_tools.batch_grading.grading_worker import GradingWorker
from autograder.grader_tools.batch_grading.submission_status import ProblemKind, problem
from autograder.grader_tools.batch_grading.worker_settings import (
    WorkerOptions,
    slot_settings,
    worker_settings,
)
from autograder.grader_tools.nbgrader_course import NbgraderCourse

PREPARED_COURSES_KEPT = 2
# Beyond the waiting task's own submission timeout (which bounds an earlier grading of the
# same run's settings): for a dead worker's lease to expire (see the module's docstring).
LEASE_MARGIN_SECONDS = 60
_THIS_THREAD = threading.local()
_EVERY_THREAD: list[dict[str, tuple[Path, GradingWorker]]] = []
_SLOTS = itertools.count()  # grading processes started by this worker process


@dataclass(frozen=True)
class CoursePackage:
    """What a worker needs of the course to autograde one assignment."""

    assignment: str
    config: bytes  # nbgrader_config.py
    quiz_secret: bytes | None
    source: dict[str, bytes]  # the assignment's source files but notebooks (autograde copies them)
    db_url: str
    options: WorkerOptions
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


def autograde_task(
    package: CoursePackage, student: str, files: dict[str, bytes], wall_timeout: float
) -> dict[str, Any]:
    """A Dask task: autograde one student's submission (``files``, relative to their
    assignment folder); nbgrader's log, a failure of the grading itself, the autograded files."""
    # Imported here, as in dask_engine: an optional dependency (any machine running this
    # task has it), which a run on one machine does not load.
    from distributed import Lock

    name = grading_lease(package.db_url, package.assignment, student)
    lease = Lock(name)
    try:
        acquired = lease.acquire(timeout=wall_timeout + LEASE_MARGIN_SECONDS)
    except RuntimeError:  # forgotten as another run ended (``forget_idle_leases``): anew
        lease = Lock(name)
        acquired = lease.acquire(timeout=wall_timeout + LEASE_MARGIN_SECONDS)
    if not acquired:
        detail = (
            f"(an earlier grading of this student still ran after {wall_timeout:g} s: "
            "the next run grades it)"
        )
        failure = problem(ProblemKind.TIMED_OUT, detail, finished=False)
        return {"log": None, "failure": failure, "files": {}}
    try:
        return _autograde_prepared(package, student, files, wall_timeout)
    finally:
        lease.release()
        _stop_renewing(lease)


def _stop_renewing(lease: Any) -> None:
    """Stop a released lease's renewals: a periodic callback on the worker's event loop that
    keeps the lease object alive until closed (one kept per task, the worker would grow with
    the class). Not ``close``: that also makes the scheduler forget the name, under a
    resumed task that may be waiting for it."""
    renewals = getattr(lease, "refresh_callback", None)  # none if leases never time out
    if renewals is not None:
        lease.loop.add_callback(renewals.stop)  # the loop's own thread: tornado's rule


def forget_idle_leases(names: list[str], dask_scheduler: Any) -> int:
    """Run on the scheduler as a run ends (``client.run_on_scheduler``): forget the leases
    in ``names`` that no task holds or waits for, else the scheduler keeps each student's
    lease (about 16 kB) for as long as it runs. Between two lease requests: it runs on the
    scheduler's event loop, as they do. Returns how many were forgotten."""
    semaphores = dask_scheduler.extensions["semaphores"]
    idle = [
        name
        for name in names
        if name in semaphores.max_leases
        and not semaphores.leases.get(name)
        and not semaphores.metrics["pending"].get(name)
    ]
    for name in idle:
        semaphores.close(name)
    return len(idle)


def grading_lease(db_url: str, assignment: str, student: str) -> str:
    """The name of the lease a task holds while it grades ``student``'s ``assignment`` into
    the gradebook at ``db_url`` (a digest: the URL may hold a password)."""
    gradebook = hashlib.sha256(db_url.encode()).hexdigest()[:16]
    return f"course-grade/{gradebook}/{assignment}/{student}"


def _autograde_prepared(
    package: CoursePackage, student: str, files: dict[str, bytes], wall_timeout: float
) -> dict[str, Any]:
    """``autograde_task``'s grading, once it holds the student's lease."""
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


def _prepared(package: CoursePackage) -> tuple[Path, GradingWorker]:
    """This worker thread's copy of the course and its grading process (made once)."""
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
        overrides, env = worker_settings(loaded, package.options, scratch, also_hidden)
        if package.quiz_secret is not None:
            secret = course / ".quiz_secret"
            secret.write_bytes(package.quiz_secret)
            overrides.setdefault("QuizVariantForSubmission", {})["secret_file"] = str(secret)
        # A slot per grading process: as root, its kernels' uid (see worker_settings).
        slot = (os.getpid() * 16 + next(_SLOTS)) % 50_000
        overrides, env = slot_settings(overrides, env, scratch, slot, package.options.sandbox)
        log = scratch / "grading-worker.log"
        worker = GradingWorker(course, package.assignment, overrides, env, log)
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


def _clean_up(worker: GradingWorker, scratch: Path) -> None:
    worker.stop()
    shutil.rmtree(scratch, ignore_errors=True)


@atexit.register
def _clean_up_all() -> None:
    for prepared in _EVERY_THREAD:
        while prepared:
            course, worker = prepared.popitem()[1]
            _clean_up(worker, course.parent)
