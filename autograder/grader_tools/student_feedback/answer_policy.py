"""When a student's feedback may show the quiz's right answers: the instructor's policy.

``never`` (the default): only the student's own answers, right or wrong, with the
feedback for what they chose. ``after_due``: also the right answers, once the assignment's
due date has passed for everyone, extensions in the gradebook included (no due date: not
shown). ``always``: also the right answers.
"""

from __future__ import annotations

import datetime

from nbgrader.api import Gradebook, MissingEntry

POLICIES = ("never", "after_due", "always")


def latest_due_date(gradebook: Gradebook, assignment: str) -> datetime.datetime | None:
    """The assignment's due date pushed back by its longest extension (naive UTC, as
    nbgrader stores it); None when it has no due date."""
    try:
        record = gradebook.find_assignment(assignment)
    except MissingEntry:
        return None
    if record.duedate is None:
        return None
    due_dates = [record.duedate] + [s.duedate for s in record.submissions if s.duedate]
    return max(due_dates)


def answers_may_be_shown(
    policy: str, latest_due: datetime.datetime | None, now: datetime.datetime
) -> bool:
    """Whether right answers may be shown under ``policy`` at ``now`` (naive UTC)."""
    if policy not in POLICIES:
        raise ValueError(f"answer policy {policy!r}: choose one of {', '.join(POLICIES)}")
    if policy == "always":
        return True
    if policy == "after_due":
        return latest_due is not None and now > latest_due
    return False
