"""Late work: the course's late-penalty policy, as an nbgrader ``LateSubmissionPlugin``.

nbgrader decides *how late* a submission is (``SubmittedAssignment.total_seconds_late``:
the ``timestamp.txt`` of the submission against the assignment's ``duedate`` plus the
student's extension) and asks its ``AssignLatePenalties`` preprocessor's plugin *what it
costs*; it stores the answer as each notebook's ``late_submission_penalty`` (never more
than the notebook's score) and its feedback shows it. This module only answers that
question:

- a grace period (minutes) in which lateness costs nothing;
- ``percent_per_unit`` of the score for every started day (or hour), counted from the due
  date once the grace period is over;
- a cap on that percentage;
- optionally a hard deadline, hours after the student's own due date (extension
  included), after which work is not accepted: the penalty is the whole score.

Configured in ``nbgrader_config.py``::

    c.AssignLatePenalties.plugin_class = CourseLatePenalty
    c.CourseLatePenalty.percent_per_unit = 10

``LatePolicy`` is the same policy as plain data, for the class report's reasons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.exchange.default.exchange import Exchange
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Enum, Float, TraitError, validate

from autograder.grader_tools.deadlines import local_time
from autograder.grader_tools.nbgrader_course import NbgraderCourse

UNIT_SECONDS = {"day": 86400, "hour": 3600}


def describe_duration(seconds: float) -> str:
    """``93780`` -> ``"1 d 2 h 3 min"`` (whole minutes, rounded up; ``"0 min"`` for 0)."""
    minutes = math.ceil(seconds / 60)
    days, minutes = divmod(minutes, 1440)
    hours, minutes = divmod(minutes, 60)
    parts = [f"{days} d" if days else "", f"{hours} h" if hours else "", f"{minutes} min"]
    text = " ".join(part for part in parts if part)
    return text.removesuffix(" 0 min") if days or hours else text


@dataclass(frozen=True)
class LateAssessment:
    """What a lateness costs: ``percent`` of the score (0..100), whether the work was
    refused (past the hard deadline), and the reason in one sentence."""

    seconds_late: float
    percent: float
    refused: bool
    reason: str


@dataclass(frozen=True)
class LatePolicy:
    """A late-penalty policy (module doc). Percentages are of the score earned."""

    grace_minutes: float = 0.0
    unit: str = "day"  # "day" or "hour"
    percent_per_unit: float = 0.0
    cap_percent: float = 100.0
    hard_deadline_hours: float | None = None

    def assess(self, seconds_late: float) -> LateAssessment:
        """The cost of being ``seconds_late`` (nbgrader's ``total_seconds_late``)."""
        late = describe_duration(seconds_late)
        if seconds_late <= 0:
            return LateAssessment(0.0, 0.0, False, "on time")
        if self.hard_deadline_hours is not None and seconds_late > self.hard_deadline_hours * 3600:
            return LateAssessment(
                seconds_late,
                100.0,
                True,
                f"{late} late, past the hard deadline ({self.hard_deadline_hours:g} h after "
                "the due date): not accepted, scored 0",
            )
        if seconds_late <= self.grace_minutes * 60:
            return LateAssessment(
                seconds_late,
                0.0,
                False,
                f"{late} late, within the {self.grace_minutes:g}-minute grace period: no penalty",
            )
        started = math.ceil(seconds_late / UNIT_SECONDS[self.unit])
        uncapped = started * self.percent_per_unit
        percent = min(self.cap_percent, uncapped)
        plural = "s" if started != 1 else ""
        reason = (
            f"{late} late: {started} started {self.unit}{plural} × "
            f"{self.percent_per_unit:g}% = {uncapped:g}% of the score"
        )
        if percent < uncapped:
            reason += f", capped at {self.cap_percent:g}%"
        return LateAssessment(seconds_late, percent, False, reason)


class CourseLatePenalty(LateSubmissionPlugin):
    """nbgrader's late-submission plugin with the course's policy (module doc)."""

    grace_minutes = Float(
        0.0, help="Minutes after the due date in which a submission costs nothing."
    ).tag(config=True)
    unit = Enum(
        ("day", "hour"), default_value="day", help="The penalty is per started day or hour."
    ).tag(config=True)
    percent_per_unit = Float(
        10.0, help="Percent of the score taken for every started day (or hour) late."
    ).tag(config=True)
    cap_percent = Float(100.0, help="The most a late submission loses, in percent.").tag(
        config=True
    )
    hard_deadline_hours = Float(
        None,
        allow_none=True,
        help="Hours after the student's due date (extension included) after which work is "
        "not accepted: scored 0. None: no hard deadline.",
    ).tag(config=True)

    @validate("grace_minutes", "percent_per_unit", "hard_deadline_hours")
    def _not_negative(self, proposal):
        value = proposal["value"]
        if value is not None and value < 0:
            name = proposal["trait"].name
            raise TraitError(f"CourseLatePenalty.{name} must be >= 0, not {value}")
        return value

    @validate("cap_percent")
    def _a_percentage(self, proposal):
        value = proposal["value"]
        if not 0 <= value <= 100:
            raise TraitError(f"CourseLatePenalty.cap_percent must be 0..100, not {value}")
        return value

    def policy(self) -> LatePolicy:
        return LatePolicy(
            grace_minutes=self.grace_minutes,
            unit=self.unit,
            percent_per_unit=self.percent_per_unit,
            cap_percent=self.cap_percent,
            hard_deadline_hours=self.hard_deadline_hours,
        )

    def late_submission_penalty(
        self, student_id: str, score: float, total_seconds_late: float
    ) -> float | None:
        """Points taken from ``score`` (nbgrader's plugin interface)."""
        assessment = self.policy().assess(total_seconds_late)
        self.log.warning("Late submission of %s: %s", student_id, assessment.reason)
        return score * assessment.percent / 100


def configured_policy(config) -> LatePolicy | None:
    """The course's policy when its nbgrader config uses ``CourseLatePenalty`` (None: another
    plugin, or nbgrader's own, decides)."""
    configured = config.get("AssignLatePenalties", {}).get("plugin_class")
    if configured not in (CourseLatePenalty, f"{__name__}.CourseLatePenalty"):
        return None
    return CourseLatePenalty(config=config).policy()


def policy_summary(policy: LatePolicy) -> str:
    """The policy in one sentence, for the report."""
    parts = [f"{policy.grace_minutes:g}-minute grace period"] if policy.grace_minutes else []
    parts.append(f"{policy.percent_per_unit:g}% of the score per started {policy.unit}")
    if policy.cap_percent < 100:
        parts.append(f"at most {policy.cap_percent:g}%")
    if policy.hard_deadline_hours is not None:
        parts.append(f"not accepted after {policy.hard_deadline_hours:g} h")
    return ", ".join(parts)


def late_work_markdown(course: NbgraderCourse, assignment: str) -> str:
    """The class report's "Late work" section: every late submission (nbgrader's
    lateness, extension included), the penalty the gradebook holds and its reason."""
    policy = configured_policy(course.config)
    lines = ["", "## Late work", ""]
    with course.gradebook() as gradebook:
        record = gradebook.find_assignment(assignment)
        if record.duedate is None:
            return "\n".join([*lines, f"No due date set (`course due-date {assignment} ...`).", ""])
        lines.append(
            f"Due {record.duedate:%Y-%m-%d %H:%M} UTC. Policy: "
            + (policy_summary(policy) if policy else "nbgrader's LateSubmissionPlugin")
            + "."
        )
        rows = []
        for submission in sorted(record.submissions, key=lambda s: s.student.id):
            seconds = submission.total_seconds_late
            if seconds <= 0:
                continue
            penalty = submission.late_submission_penalty or 0.0
            reason = f"{describe_duration(seconds)} late"
            if policy is not None:
                assessment = policy.assess(seconds)
                reason = f"**{assessment.reason}**" if assessment.refused else assessment.reason
                if not penalty_applied(assessment, penalty, submission.score):
                    reason += " (not in the gradebook: autograde again to apply it)"
            rows.append(
                f"| {submission.student.id} | {submission.timestamp:%Y-%m-%d %H:%M} | "
                f"{submission.duedate:%Y-%m-%d %H:%M} | {penalty:g} | {reason} |"
            )
    if not rows:
        return "\n".join([*lines, "", "Every submission was on time.", ""])
    header = ["", "| student | submitted (UTC) | due with extension | penalty (points) | why |"]
    return "\n".join([*lines, *header, "|---|---|---|---|---|", *rows, ""])


LATE_WORK_CELL_ID = "course-late-work"


def penalty_applied(assessment: LateAssessment, penalty: float, score: float) -> bool:
    """Whether the gradebook's ``penalty`` is the policy's: a cost stated but not stored
    (graded before the due date was set, or by another plugin) is not told as applied."""
    return assessment.percent == 0 or penalty > 0 or score == 0


def late_work_sentence(
    submitted_late: float,
    penalty: float,
    due: str,
    policy: LatePolicy | None,
    score: float = 0.0,
) -> str:
    """What a student's feedback says about their submission's lateness: ``submitted_late``
    seconds (nbgrader's), the ``penalty`` in points the gradebook holds on a ``score``, the
    due date; the policy's reason only when the gradebook holds what it says."""
    if submitted_late <= 0:
        return f"**Submitted on time** (due {due})."
    late = describe_duration(submitted_late)
    text = f"**Submitted {late} after the due date** ({due}, any extension included)"
    if policy is not None:
        assessment = policy.assess(submitted_late)
        if penalty_applied(assessment, penalty, score):
            # the reason reads "<late> late: ..." or "<late> late, ...": keep what follows
            text += assessment.reason.removeprefix(f"{late} late")
    return f"{text}." + (f" Late penalty: −{penalty:g} points." if penalty > 0 else "")


class LateWorkFeedback(NbGraderPreprocessor):
    """``GenerateFeedback`` preprocessor: a first cell saying whether the submission was
    late, by how much (nbgrader's lateness, extension included), what it cost and why.
    No due date, no cell."""

    def preprocess(self, nb, resources):
        details = resources["nbgrader"]
        policy = configured_policy(self.config)
        with Gradebook(details["db_url"]) as gradebook:
            try:
                submission = gradebook.find_submission(details["assignment"], details["student"])
                notebook = gradebook.find_submission_notebook(
                    details["notebook"], details["assignment"], details["student"]
                )
            except MissingEntry:
                return nb, resources
            if submission.duedate is None:
                return nb, resources
            timezone = Exchange(config=self.config).timezone
            sentence = late_work_sentence(
                submission.total_seconds_late,
                notebook.late_submission_penalty or 0.0,
                local_time(submission.duedate, timezone),
                policy,
                notebook.score,
            )
        cell = nbformat.v4.new_markdown_cell(sentence)
        cell.id = LATE_WORK_CELL_ID
        nb.cells = [c for c in nb.cells if c.get("id") != LATE_WORK_CELL_ID]
        nb.cells.insert(0, cell)
        return nb, resources
