"""``course grade``'s engine on this machine: a pool of grading processes, one per job.

Each slot is a ``grading_worker.GradingWorker`` with its own settings (``slot_settings``:
its kernels' sockets folder and, as root, their uid), logging beside the journal
(``.course_grade/<assignment>-worker<N>.log``). A process that dies or overruns is
replaced by the next submission's; one student's crash cannot stop the others.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from autograder.grader_tools.batch_grading.grading_engine import GradingEngine, GradingSlot
from autograder.grader_tools.batch_grading.grading_journal import journal_path
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.grading_worker import GradingWorker
from autograder.grader_tools.batch_grading.worker_settings import (
    WorkerOptions,
    slot_settings,
    worker_settings,
)
from autograder.grader_tools.nbgrader_course import NbgraderCourse


class LocalWorkerPool(GradingEngine):
    """``settings.jobs`` grading processes (fewer for fewer submissions); a scratch folder
    for the grading kernelspec and the kernels' sockets, removed on ``close``."""

    def __init__(self, course: NbgraderCourse, assignment: str, settings: CourseGrade):
        self.course, self.assignment, self.settings = course, assignment, settings
        self.scratch = tempfile.TemporaryDirectory(prefix="course-grade-")
        self.workers: list[GradingWorker] = []

    def open_slots(self, submissions: int) -> list[GradingSlot]:
        scratch = Path(self.scratch.name)
        options = WorkerOptions.of(self.settings)
        overrides, env = worker_settings(self.course, options, scratch)
        log_folder = journal_path(self.course.root, self.assignment).parent
        log_folder.mkdir(parents=True, exist_ok=True)
        self.workers = [
            GradingWorker(
                self.course.root,
                self.assignment,
                *slot_settings(overrides, env, scratch, slot, options.sandbox),
                log_folder / f"{self.assignment}-worker{slot + 1}.log",
            )
            for slot in range(max(1, min(self.settings.jobs, submissions)))
        ]
        return list(self.workers)

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.scratch.cleanup()
