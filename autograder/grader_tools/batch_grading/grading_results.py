"""What a ``course grade`` run reports: each student's result, its score from the gradebook,
and the table the command prints."""

from __future__ import annotations

from dataclasses import dataclass

from nbgrader.api import MissingEntry

from autograder.grader_tools.batch_grading.submission_status import SubmissionStatus
from autograder.grader_tools.nbgrader_course import NbgraderCourse


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


def add_scores(course: NbgraderCourse, assignment: str, results: list[StudentResult]) -> None:
    """Fill in each result's score and maximum from the gradebook (None: no submission row)."""
    with course.gradebook() as gradebook:
        for result in results:
            try:
                submission = gradebook.find_submission(assignment, result.student)
            except MissingEntry:
                continue
            result.score, result.max_score = submission.score, submission.max_score


def summary_table(results: list[StudentResult]) -> str:
    """One line per student: id, score/maximum ("-" without a score), status."""
    width = max([len("student"), *(len(r.student) for r in results)])
    rows = [f"{'student':{width}} {'score':>11}  status"]
    for r in results:
        score = f"{r.score:g}/{r.max_score:g}" if r.score is not None else "-"
        rows.append(f"{r.student:{width}} {score:>11}  {r.describe()}")
    return "\n".join(rows)
