"""One long-lived grading process: nbgrader's own autograde, in-process, student after student.

    python -m autograder.grader_tools.batch_grading.grading_worker DESCRIPTOR

``GradingWorker`` (the grader's side) starts it with one end of a ``multiprocessing``
pipe, whose descriptor it inherits. Over it go plain dicts (``Connection.send``/``recv``;
the library frames them): first ``{"course": ..., "assignment": ..., "overrides": {...}}``,
then one ``{"student": ...}`` per submission, each answered by ``{"student": ...,
"success": ..., "log": ...}``. The grading is ``NbGraderAPI.autograde``: the very
``Autograde`` app that ``nbgrader autograde --student S --force`` runs (and that nbgrader's
formgrader calls the same way), configured by the course's ``nbgrader_config.py`` plus the
overrides (e.g. ``{"Execute": {"timeout": 10}}``). Python, nbgrader and the configuration
load once per process instead of once per student, which is most of what a separate
``nbgrader autograde`` call costs. What it prints goes to its log file.

Student code never runs here: it runs in the kernel nbgrader starts (through the grading
kernelspec when the grader asks for it). The process dies with its parent, so a killed
``course grade`` leaves no grading behind. Both engines use it: ``local_worker_pool`` on
this machine, ``dask_tasks`` on a Dask worker's.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing import Pipe
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from nbgrader.apps import NbGraderAPI
from nbgrader.auth import NoAuthPlugin
from nbgrader.coursedir import CourseDirectory
from traitlets.config import Config

from autograder.grader_tools.batch_grading.dies_with_parent import ParentEnded, die_with_parent
from autograder.grader_tools.batch_grading.grading_engine import AutogradeAnswer
from autograder.grader_tools.batch_grading.submission_status import ProblemKind, problem
from autograder.grader_tools.nbgrader_course import NbgraderCourse

MODULE = "autograder.grader_tools.batch_grading.grading_worker"
# nbgrader's process grows by about 0.15 MB per submission; a fresh one every this many
# gradings keeps a class of thousands from growing it without bound.
GRADINGS_PER_PROCESS = 100


class GradingWorker:
    """The grader's handle on one grading process (a ``GradingSlot``): started when needed,
    stopped if it dies, overruns ``wall_timeout`` or answers nonsense, and after
    ``GRADINGS_PER_PROCESS`` gradings."""

    def __init__(self, course: Path, assignment: str, overrides: dict, env: dict, log: Path):
        self.setup = {"course": str(course), "assignment": assignment, "overrides": overrides}
        self.course, self.env, self.log = course, env, log
        self.process: subprocess.Popen | None = None
        self.connection: Connection | None = None
        self.gradings = 0

    def _start(self) -> tuple[subprocess.Popen, Connection]:
        ours, theirs = Pipe()
        try:
            with open(self.log, "a", encoding="utf-8") as log:
                process = subprocess.Popen(
                    [sys.executable, "-m", MODULE, str(theirs.fileno())],
                    cwd=self.course,
                    env=self.env,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    pass_fds=(theirs.fileno(),),
                )
        finally:
            theirs.close()  # the process's own end: its exit then ends our reads
        self.process, self.connection = process, ours
        ours.send(self.setup)
        return process, ours

    def autograde(self, student: str, wall_timeout: float) -> AutogradeAnswer:
        """(nbgrader's log, None), or (None, what went wrong with the grading process)."""
        answer: Any = None
        overran = False
        # stop() may clear the attributes from another thread: read them once
        process, connection = self.process, self.connection
        try:
            if process is None or connection is None or process.poll() is not None:
                process, connection = self._start()
            connection.send({"student": student})
            answer, overran = receive_within(connection, wall_timeout, process.kill)
        except (OSError, ValueError):  # the process was stopped under us
            pass
        if answer is None:
            self.stop()
            if overran:
                detail = f"after {wall_timeout:g} s in total"
                return None, problem(ProblemKind.TIMED_OUT, detail, finished=False)
            detail = f"(its log: {self.log})"
            return None, problem(ProblemKind.GRADING_PROCESS_DIED, detail, finished=False)
        self.gradings += 1
        if self.gradings % GRADINGS_PER_PROCESS == 0:
            self.stop()  # the next student starts a fresh process
        log = answer.get("log") if isinstance(answer, dict) else None
        if not isinstance(log, str):
            self.stop()
            detail = f"(it answered {str(answer)[:80]!r}; its log: {self.log})"
            return None, problem(ProblemKind.GRADING_PROCESS_DIED, detail, finished=False)
        return log, None

    def stop(self) -> None:
        """Kill the process (if any); the next ``autograde`` starts a fresh one."""
        process, self.process = self.process, None
        connection, self.connection = self.connection, None
        if process is not None:
            process.kill()
            process.wait()
        if connection is not None:
            connection.close()


def receive_within(
    connection: Connection, timeout: float, stop_sender: Callable[[], None]
) -> tuple[Any, bool]:
    """The next message on ``connection``, waiting ``timeout`` seconds at most in all, also
    when the sender stops half-way through a message (``stop_sender`` is then called at the
    deadline, which ends the read).

    Returns (the message, False); (None, False) when the other end closed first; (None,
    True) when the time ran out first.
    """
    deadline = time.monotonic() + timeout
    if not connection.poll(timeout):
        return None, True
    watchdog = threading.Timer(max(0.0, deadline - time.monotonic()), stop_sender)
    watchdog.start()
    try:
        return connection.recv(), False
    except (EOFError, OSError):
        return None, time.monotonic() >= deadline
    finally:
        watchdog.cancel()


def serve(connection: Connection) -> None:
    """Grade what ``connection`` asks for until the grader closes it (the process's work)."""

    setup = connection.recv()
    course, assignment = setup["course"], setup["assignment"]
    config = NbgraderCourse.load(Path(course)).config
    config.merge(Config(setup["overrides"]))
    # Autograding asks nothing of the exchange, but nbgrader's API lists it when it starts;
    # a hub's JupyterHubAuthPlugin would then need a hub session, which a grader's login
    # shell or a Dask worker does not have.
    config.Authenticator.plugin_class = NoAuthPlugin
    coursedir = CourseDirectory(config=config)
    if "root" not in config.CourseDirectory:
        coursedir.root = course  # as `nbgrader autograde` run in the course folder
    api = NbGraderAPI(coursedir=coursedir, config=config)
    while True:
        try:
            student = connection.recv()["student"]
        except EOFError:
            return
        result = api.autograde(assignment, student, force=True, create=True)
        log = result.get("log", "") + result.get("error", "")
        connection.send({"student": student, "success": result["success"], "log": log})


def main(argv: list[str] | None = None) -> None:
    try:
        die_with_parent(os.getppid())
    except ParentEnded:
        return
    [descriptor] = argv or sys.argv[1:]
    os.set_inheritable(int(descriptor), False)  # not into kernels nbgrader starts
    serve(Connection(int(descriptor)))


if __name__ == "__main__":
    main()
