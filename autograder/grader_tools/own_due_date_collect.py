"""Which submission counts after a resubmission: the instructor's choice, with extensions.

nbgrader's own setting chooses the policy: ``ExchangeCollect.before_duedate`` (``nbgrader
collect --before-duedate``) collects each student's last submission before the due date
(none before it: their last), otherwise (the default) their last. nbgrader compares every
student with the assignment's due date, so a student with an extension who resubmits
within it would get their earlier work graded. ``OwnDueDateCollect`` compares each
student with their own due date (``SubmittedAssignment.duedate``: extension included), and
changes nothing else.
"""

from __future__ import annotations

import datetime
import glob
import os
from typing import Any

from nbgrader.api import Gradebook, MissingEntry

from autograder.grader_tools.exchange_access import CheckedCollect


class OwnDueDateCollect:
    """Mixed into an nbgrader ``ExchangeCollect`` class (module doc)."""

    before_duedate: bool
    duedate: datetime.datetime | None
    inbound_path: str
    coursedir: Any
    src_records: list[dict[str, Any]]

    def init_src(self) -> None:
        super().init_src()  # type: ignore[misc]
        if not self.before_duedate or self.duedate is None:
            return
        student = self.coursedir.student_id or "*"
        pattern = os.path.join(self.inbound_path, f"{student}+{self.coursedir.assignment_id}+*")
        by_student: dict[str, list[dict[str, Any]]] = {}
        for path in glob.glob(pattern):
            record = self._path_to_record(path)  # type: ignore[attr-defined]
            by_student.setdefault(record["username"], []).append(record)
        chosen = []
        with Gradebook(self.coursedir.db_url, self.coursedir.course_id) as gradebook:
            for username, records in sorted(by_student.items()):
                due = self._own_due_date(gradebook, username)
                newest_first = self._sort_by_timestamp(records)  # type: ignore[attr-defined]
                on_time = [r for r in newest_first if r["timestamp"] <= due]
                chosen.append(on_time[0] if on_time else newest_first[0])
        self.src_records = chosen

    def _own_due_date(self, gradebook: Gradebook, student: str) -> datetime.datetime:
        """The student's due date: the assignment's plus their extension, if any."""
        assert self.duedate is not None
        try:
            submission = gradebook.find_submission(self.coursedir.assignment_id, student)
        except MissingEntry:
            return self.duedate
        return submission.duedate or self.duedate


class CheckedCollectOwnDueDate(OwnDueDateCollect, CheckedCollect):
    """The course's ``nbgrader collect``: refusals in one line (``exchange_access``), each
    student's own due date for ``--before-duedate``."""
