"""Mark one answer to one question: partial credit as a fraction in [0, 1].

Each question type marks its own answers (``question_types``); ``mark_answer`` finds the
question's type and asks it. Answer formats (the same in practice and graded mode, and in
the saved answers file once a choice is read as its letter): single_choice: canonical
option index; multiple_select: list of canonical option indices; numeric and calculation:
a number; matching: {term: definition}; ordering: list of the items in the chosen order.
A calculation is marked with the student's own parameters.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.quiz_engine.question_types import question_type
from autograder.quiz_engine.questions import Mark, Question, unanswered

__all__ = ["Mark", "mark_answer"]


def mark_answer(
    question: Question, answer: Any, parameters: Mapping[str, float] | None = None
) -> Mark:
    """Mark any answer to any markable question; a missing answer scores 0. A calculation
    needs the student's ``parameters`` (see ``variants.QuizVariant.parameters``)."""
    if answer is None:
        return unanswered(question)
    return question_type(question.type).mark(question, answer, parameters)
