"""Mark one answer to one question: pure functions, partial credit as a fraction in [0, 1].

Answer formats (the same in practice and graded mode, and in the saved answers file):
single_choice: canonical option index; multiple_select: list of canonical option indices;
numeric and calculation: a number; matching: {term: definition}; ordering: list of the
items in the chosen order. A calculation is marked with the student's own parameters.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from autograder.quiz_engine.formulas import evaluate, fill_in, worked_values
from autograder.quiz_engine.question_bank import Question


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


def _unanswered(question: Question) -> Mark:
    return Mark(question.id, 0.0, "Not answered yet.", detail="Not answered yet.")


def mark_single_choice(question: Question, chosen: int) -> Mark:
    if not isinstance(chosen, int) or not 0 <= chosen < len(question.options):
        return _unanswered(question)
    option = question.options[chosen]
    right = next(o for o in question.options if o.correct)
    if option.correct:
        feedback = option.feedback or question.explanation or "Correct."
        return Mark(question.id, 1.0, feedback, detail=feedback, answer=right.text)
    detail = option.feedback or question.explanation or ""
    feedback = f"{detail} The answer: {right.text}".strip()
    return Mark(question.id, 0.0, feedback, detail=detail, answer=right.text)


def mark_multiple_select(question: Question, chosen: list[int]) -> Mark:
    """Each right pick earns a share, each wrong pick takes one back (never below 0)."""
    picks = {c for c in chosen if isinstance(c, int) and 0 <= c < len(question.options)}
    right = {i for i, o in enumerate(question.options) if o.correct}
    if not picks:
        return _unanswered(question)
    score = max(0.0, (len(picks & right) - len(picks - right)) / len(right))
    notes = [feedback for i in sorted(picks - right) if (feedback := question.options[i].feedback)]
    missed = [question.options[i].text for i in sorted(right - picks)]
    if missed:
        notes.append("Also right: " + "; ".join(missed) + ".")
    return Mark(question.id, score, " ".join(notes) or question.explanation or "All right.")


def _finite_number(value: Any) -> float | None:
    """The answer as a finite float; None if it is not one (counts as unanswered)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def mark_numeric(question: Question, value: Any) -> Mark:
    number = _finite_number(value)
    if number is None:
        return _unanswered(question)
    if question.answer is not None and abs(number - float(question.answer)) <= question.tolerance:
        return Mark(question.id, 1.0, question.explanation or "Correct.")
    for wrong, feedback in question.wrong_answers:
        if abs(number - wrong) <= question.tolerance:
            return Mark(question.id, 0.0, feedback)
    return Mark(question.id, 0.0, f"Not quite. {question.explanation}".strip())


def mark_calculation(question: Question, value: Any, parameters: dict[str, float]) -> Mark:
    """Right within ``tolerance`` (relative, and absolute near 0); a typical wrong answer is
    named; the feedback works the student's own numbers through."""
    number = _finite_number(value)
    if number is None:
        return _unanswered(question)
    values = worked_values(question, parameters)
    working = fill_in(question.working, values) if question.working else ""
    tolerance = question.tolerance or 1e-9

    def close(expected: float) -> bool:
        return math.isclose(number, expected, rel_tol=tolerance, abs_tol=tolerance)

    if close(values["answer"]):
        return Mark(question.id, 1.0, f"Right. {working}".strip(), detail="Right.", answer=working)
    for formula, feedback in question.wrong_formulas:
        if close(evaluate(formula, values)):
            full = f"{feedback} {working}".strip()
            return Mark(question.id, 0.0, full, detail=feedback, answer=working)
    return Mark(question.id, 0.0, f"Not quite. {working}".strip(), detail="", answer=working)


def mark_matching(question: Question, matches: dict[str, str]) -> Mark:
    """One share per term matched to its own definition."""
    if not isinstance(matches, dict) or not matches:
        return _unanswered(question)
    wrong = [term for term, definition in question.pairs if matches.get(term) != definition]
    score = (len(question.pairs) - len(wrong)) / len(question.pairs)
    feedback = "All pairs match." if not wrong else "Check again: " + ", ".join(wrong) + "."
    return Mark(question.id, score, feedback)


def mark_ordering(question: Question, order: list[str]) -> Mark:
    """One share per item in its right position."""
    if not isinstance(order, list) or sorted(order) != sorted(question.items):
        return _unanswered(question)
    placed = sum(a == b for a, b in zip(order, question.items, strict=True))
    score = placed / len(question.items)
    feedback = question.explanation or "Right order."
    if score < 1.0:
        feedback = f"{placed} of {len(question.items)} in the right place. {question.explanation}"
    return Mark(question.id, score, feedback.strip())


MARKERS: dict[str, Callable[[Question, Any], Mark]] = {
    "single_choice": mark_single_choice,
    "multiple_select": mark_multiple_select,
    "numeric": mark_numeric,
    "matching": mark_matching,
    "ordering": mark_ordering,
}


def mark_answer(
    question: Question, answer: Any, parameters: dict[str, float] | None = None
) -> Mark:
    """Mark any answer to any markable question; a missing answer scores 0. A calculation
    needs the student's ``parameters`` (see ``variants.QuizVariant.parameters``)."""
    if answer is None:
        return _unanswered(question)
    if question.type == "calculation":
        if parameters is None:
            raise ValueError(f"question {question.id!r} is marked with the student's numbers")
        return mark_calculation(question, answer, parameters)
    return MARKERS[question.type](question, answer)
