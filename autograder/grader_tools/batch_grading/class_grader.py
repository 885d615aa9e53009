"""Autograde every submission of an assignment, several at a time, through nbgrader itself.

``grade_class`` (``course grade``) is the run: the roster (``submissions``), the course's
files checked before any grading starts (journal, submissions, gradebook, quiz secret),
the journal (``grading_journal``: a submission this grader finished before is skipped
unless ``force`` is set, so an interrupted or killed run resumes where it stopped), and
the engine, chosen by the settings (``grading_settings.CourseGrade``):
``local_worker_pool`` on this machine, or ``dask_engine`` when a scheduler is set.

Each submission goes to an idle slot of the engine (``submission_grading``: retries and
status); each finished one is recorded in the journal by this thread alone; the scores
come from the gradebook at the end (``grading_results``). Nothing waits without a bound: a
slot's answer comes within the submission timeout, or the submission is reported as
timed out. nbgrader replaces a half-written autograded folder when it grades that student
again.
"""

from __future__ import annotations

import logging
import os
import queue
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from nbgrader.api import MissingEntry
from tqdm import tqdm

from autograder.grader_tools.batch_grading.dask_engine import DaskEngine
from autograder.grader_tools.batch_grading.grading_engine import GradingEngine, GradingSlot
from autograder.grader_tools.batch_grading.grading_journal import (
    GradingJournal,
    submission_digest,
)
from autograder.grader_tools.batch_grading.grading_results import StudentResult, add_scores
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.local_worker_pool import LocalWorkerPool
from autograder.grader_tools.batch_grading.submission_grading import (
    GRADING_ATTEMPTS,
    AssignmentGrading,
    grade_submission,
)
from autograder.grader_tools.batch_grading.submission_status import (
    ProblemKind,
    expected_cells,
    problem,
)
from autograder.grader_tools.course_files import CourseError
from autograder.grader_tools.nbgrader_course import NbgraderCourse
from autograder.quiz_engine.course_secret import read_private_course_secret
from autograder.quiz_engine.variants import SUBMISSION_PLACEHOLDER

LOG = logging.getLogger(__name__)


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


def grade_class(
    course: NbgraderCourse, assignment: str, settings: CourseGrade | None = None
) -> list[StudentResult]:
    """Autograde every submission; return one result per student, with its score.

    ``settings``: the course's ``CourseGrade`` settings when not given. ``settings.sandbox``
    isolates each kernel (see ``worker_settings``) and limits its address space;
    ``worker_settings.SandboxUnavailable`` says when it cannot.
    """
    if settings is None:
        settings = CourseGrade(config=course.config)
    journal = GradingJournal(course.root, assignment, start_over=settings.force)
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
        grading = AssignmentGrading(course.root, assignment, settings.submission_timeout, expected)
        with engine_for(course, assignment, settings) as engine:
            slots = engine.open_slots(len(todo))
            results += _grade_all(grading, todo, slots, journal, settings.progress)
    add_scores(course, assignment, results)
    return sorted(results, key=lambda r: r.student)


def engine_for(course: NbgraderCourse, assignment: str, settings: CourseGrade) -> GradingEngine:
    """The cluster at ``settings.scheduler``, else this machine's worker pool."""
    if settings.scheduler:
        return DaskEngine(course, assignment, settings)
    return LocalWorkerPool(course, assignment, settings)


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


@dataclass
class _IdleSlots:
    """The run's slots not grading now."""

    slots: queue.Queue
    patience: float  # seconds to wait for one

    def grade(self, grading: AssignmentGrading, student: str, folder: Path) -> StudentResult:
        # There are as many threads as slots, so a slot is free at once; the timeout only
        # makes sure that no mistake in that count can leave a submission waiting forever.
        try:
            slot = self.slots.get(timeout=self.patience)
        except queue.Empty:
            detail = f"waiting {self.patience:g} s for a grading process"
            return StudentResult(student, problem(ProblemKind.TIMED_OUT, detail, finished=False))
        try:
            return grade_submission(grading, slot, student, folder)
        finally:
            self.slots.put(slot)


def _grade_all(
    grading: AssignmentGrading,
    todo: dict[str, Path],
    slots: list[GradingSlot],
    journal: GradingJournal,
    progress: bool,
) -> list[StudentResult]:
    """Grade ``todo`` on the slots, recording each finished submission in the journal."""
    idle = _IdleSlots(queue.Queue(), grading.wall_timeout * GRADING_ATTEMPTS)
    for slot in slots:
        idle.slots.put(slot)
    results = []
    pool = ThreadPoolExecutor(max_workers=max(1, len(slots)))
    try:
        futures = {
            pool.submit(idle.grade, grading, student, folder): folder
            for student, folder in todo.items()
        }
        for future in tqdm(
            as_completed(futures),
            total=len(futures),
            disable=not progress,
            desc=f"grading {grading.assignment}",
            unit="submission",
        ):
            result = future.result()
            if result.finished:
                journal.record(result.student, futures[future], result.status)
            results.append(result)
    finally:
        # On Ctrl-C nothing queued starts, and stopping the slots ends the running
        # gradings; what was not recorded in the journal is graded by the next run.
        pool.shutdown(wait=False, cancel_futures=True)
        for slot in slots:
            slot.stop()
        pool.shutdown(wait=True)
    return results
