"""What the grader's nbgrader preprocessors write into a notebook for a later step, defined
once: the keys, the records under them, and the functions that write and read them.

- Notebook metadata ``autograder.tampering``: ``list[str]``, one line per refused cell
  (``integrity_preprocessors.BlockTampering`` writes it while autograding; the submission's
  status reads it: ``batch_grading.submission_status``).
- Cell metadata ``autograder_feedback.hidden_checks``: a ``HiddenCheckRecord`` per hidden
  check of a test cell (``student_feedback.preprocessors.DescribeHiddenChecks`` writes it
  while feedback is generated; the feedback template reads it through the
  ``hidden_checks`` filter, ``TEMPLATE_FILTERS``).

What the student's kernel publishes for the grader (diagnoses, quiz answers and feedback)
is defined in the runtime: ``autograder.notebook_metadata``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

from nbformat import NotebookNode

AUTOGRADER_METADATA = "autograder"
TAMPERING = "tampering"
FEEDBACK_METADATA = "autograder_feedback"
HIDDEN_CHECKS = "hidden_checks"


class HiddenCheckRecord(TypedDict):
    """One hidden check, as the student's feedback shows it: what it checked (in words),
    its outcome (``hidden_checks.PASSED``, ``FAILED``, ``NOT_RUN`` or ``PARTIAL``) and one
    sentence."""

    checked: str
    outcome: str
    result: str


def grade_id(cell: Mapping[str, Any]) -> str | None:
    """The nbgrader cell id (``metadata.nbgrader.grade_id``), None for a cell without one."""
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def record_tampering(nb: NotebookNode, findings: list[str]) -> None:
    nb.metadata.setdefault(AUTOGRADER_METADATA, {})[TAMPERING] = findings


def tampering_found(nb: Mapping[str, Any]) -> list[str]:
    """The refused cells ``record_tampering`` wrote (empty when none was refused)."""
    return list(nb.get("metadata", {}).get(AUTOGRADER_METADATA, {}).get(TAMPERING, []))


def record_hidden_checks(cell: NotebookNode, checks: list[HiddenCheckRecord]) -> None:
    cell.metadata.setdefault(FEEDBACK_METADATA, {})[HIDDEN_CHECKS] = checks


def hidden_checks_of(cell: Mapping[str, Any]) -> list[HiddenCheckRecord]:
    """The hidden checks ``record_hidden_checks`` wrote into a cell (empty when none)."""
    return list(cell.get("metadata", {}).get(FEEDBACK_METADATA, {}).get(HIDDEN_CHECKS, []))


# Jinja filters for the feedback template (``HTMLExporter.filters``).
TEMPLATE_FILTERS = {"hidden_checks": hidden_checks_of}
