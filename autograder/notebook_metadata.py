"""What a grading kernel leaves in the autograded notebook for the grader's tools: the
output-metadata keys and the records under them, defined once.

The runtime publishes each record with ``publish_display_data(data, metadata={KEY: record})``
while nbgrader autogrades; nbgrader keeps it in the cell's output, where the class report,
the item analysis and the student's feedback (``autograder.grader_tools``) read it back
with :func:`published`. Keys and records:

- ``DIAGNOSES_METADATA``: ``Diagnoses``, the diagnosis sentence of each array a gradient
  check failed (``gradient_checking.results``);
- ``QUIZ_ANSWERS_METADATA``: ``QuizAnswers``, question id -> the canonical answer: a
  choice's letter in the bank's own order, "right"/"wrong" for other questions, "-" for
  none (``quiz_engine.graded_marking``);
- ``QUIZ_FEEDBACK_METADATA``: a ``QuizFeedbackRecord``, the graded quiz's feedback as data
  (``quiz_engine.quiz_feedback`` writes its sentences).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

DIAGNOSES_METADATA = "autograder/diagnoses"
QUIZ_ANSWERS_METADATA = "autograder/quiz_answers"
QUIZ_FEEDBACK_METADATA = "autograder/quiz_feedback"

Diagnoses = list[str]
QuizAnswers = dict[str, str]


class MatchingPairRecord(TypedDict):
    """One term of a matching question: the definition given (None: not matched), whether
    it is the right one, and the right one (the key)."""

    term: str
    given: str | None
    right: bool
    answer: str


class QuizQuestionRecord(TypedDict, total=False):
    """One question's feedback. Every question has ``number`` .. ``detail``; a choice adds
    ``given`` and ``answer`` (letter and text in the student's order), a calculation
    ``numbers`` (the student's own), ``given`` and ``answer`` (the working), a matching
    question ``pairs``. ``answer`` and the pairs' ``answer`` are the key."""

    number: int
    id: str
    type: str
    answered: bool
    correct: bool
    score: float
    detail: str
    given: str | None
    answer: str
    numbers: str
    pairs: list[MatchingPairRecord]


class QuizFeedbackRecord(TypedDict, total=False):
    """A graded cell's quiz feedback: notes on the answers file, one record per question
    it marked, and the score in words."""

    notes: list[str]
    questions: list[QuizQuestionRecord]
    score_line: str


def published(output: Mapping[str, Any], key: str) -> Any:
    """The record a cell output carries under ``key`` (None when it carries none)."""
    return output.get("metadata", {}).get(key)
