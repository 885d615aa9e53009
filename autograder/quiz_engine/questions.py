"""What a bank and its questions are, and what an answer earned: the data every question
type, the marking, the exercises and the widgets share (``question_bank`` reads banks).

A ``Question`` names the fields the course's own types use; each type fills in its own
(``question_types``) and leaves the rest at their defaults. A type with fields of its own
reads them from ``bank_entry``, the question as the bank gives it (validated).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class Question:
    """One item of any type; only the fields of its ``type`` are set."""

    id: str
    type: str
    prompt: str = ""
    options: tuple[Option, ...] = ()
    answer: float | None = None
    tolerance: float = 0.0
    unit: str = ""
    explanation: str = ""
    wrong_answers: tuple[tuple[float, str], ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    distractors: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    front: str = ""
    back: str = ""
    sketch: str = ""
    lesson: str = ""
    # calculation: (name, (min, max, step)) per parameter, (name, formula) per derived
    # quantity, the answer's formula, (formula, feedback) per typical wrong answer.
    parameters: tuple[tuple[str, tuple[float, float, float]], ...] = ()
    derived: tuple[tuple[str, str], ...] = ()
    formula: str = ""
    wrong_formulas: tuple[tuple[str, str], ...] = ()
    working: str = ""
    # The question as the bank gives it (a copy): {field: value}.
    bank_entry: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class QuestionBank:
    title: str
    questions: tuple[Question, ...]
    answers_included: bool = True
    description: str = ""
    source: str = ""
    by_id: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def of_type(self, *types: str) -> list[Question]:
        return [q for q in self.questions if q.type in types]

    def __getitem__(self, question_id: str) -> Question:
        return self.by_id[question_id]


@dataclass(frozen=True)
class Mark:
    """``score`` in [0, 1]; ``feedback``: what the answer shows (a misconception, or why right).

    Graded feedback tells the two parts of ``feedback`` apart: ``detail`` is about the
    student's own answer (the chosen option's feedback, the mistake it matches); ``answer``
    is what reveals the right answer (the right option, the working that ends in it). Both
    empty when ``feedback`` is all there is.
    """

    question_id: str
    score: float
    feedback: str
    detail: str = ""
    answer: str = ""

    @property
    def correct(self) -> bool:
        return self.score == 1.0


NOT_ANSWERED = "Not answered yet."


def unanswered(question: Question) -> Mark:
    """The mark of a missing or unreadable answer: 0."""
    return Mark(question.id, 0.0, NOT_ANSWERED, detail=NOT_ANSWERED)
