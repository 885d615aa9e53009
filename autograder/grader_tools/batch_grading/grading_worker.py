"""One long-lived grading process: nbgrader's own autograde, in-process, student after student.

    python -m autograder.grader_tools.batch_grading.grading_worker COURSE ASSIGNMENT CONFIG_JSON

It reads student ids on stdin, one per line, and answers each with one JSON line on stdout,
``{"student": ..., "success": ..., "log": ...}``. The grading is ``NbGraderAPI.autograde``:
the very ``Autograde`` app that ``nbgrader autograde --student S --force`` runs (and that
nbgrader's formgrader calls the same way), configured by the course's
``nbgrader_config.py`` plus ``CONFIG_JSON`` (e.g. ``{"Execute": {"timeout": 10}}``).
Python, nbgrader and the configuration load once per worker instead of once per student,
which is most of what a separate ``nbgrader autograde`` call costs.

Student code never runs here: it runs in the kernel nbgrader starts (through
``kernel_sandbox`` when the grader asks for it). The worker dies with its parent, so a
killed ``course grade`` leaves no grading behind.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main(argv: list[str] | None = None) -> None:
    _die_with_parent()
    course, assignment, overrides = argv or sys.argv[1:]
    # The answers get their own copy of stdout; anything else printed goes to stderr (the log).
    answers = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    from nbgrader.apps import NbGraderAPI
    from nbgrader.auth import NoAuthPlugin
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    from autograder.grader_tools.nbgrader_course import NbgraderCourse

    config = NbgraderCourse.load(Path(course)).config
    config.merge(Config(json.loads(overrides)))
    # Autograding asks nothing of the exchange, but nbgrader's API lists it when it starts;
    # a hub's JupyterHubAuthPlugin would then need a hub session, which a grader's login
    # shell or a Dask worker does not have.
    config.Authenticator.plugin_class = NoAuthPlugin
    coursedir = CourseDirectory(config=config)
    if "root" not in config.CourseDirectory:
        coursedir.root = course  # as `nbgrader autograde` run in the course folder
    api = NbGraderAPI(coursedir=coursedir, config=config)
    for line in sys.stdin:
        student = line.strip()
        if not student:
            continue
        result = api.autograde(assignment, student, force=True, create=True)
        log = result.get("log", "") + result.get("error", "")
        answers.write(json.dumps({"student": student, "success": result["success"], "log": log}))
        answers.write("\n")
        answers.flush()


if __name__ == "__main__":
    main()
