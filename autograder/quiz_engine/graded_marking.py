"""What a graded quiz's hidden tests call: mark one submission in its own variant.

The hidden test holds the answer key and the placeholder that nbgrader autograde replaces
with the submission's variant (``variants.SUBMISSION_PLACEHOLDER``)::

    mark_graded_quiz(key, "quiz_answers.json", globals().get("answers_in_code"),
                     "@QUIZ_VARIANT_OF_THIS_SUBMISSION@", points=8)

Each graded cell holds the key to its own questions (``first_number`` numbers them as the
widget does), so one cell's failure never hides another's key.

It prints feedback in the student's own letters and numbers, mapped back to the canonical
question and option, and publishes the canonical answers for the class report.
"""

from __future__ import annotations

from typing import Any

from ..gradient_checking.results import Score
from ..grading import kernel_guard
from .exercises import MARKABLE, collected_answers
from .formulas import fill_in
from .marking import Mark, mark_answer
from .question_bank import Question, QuestionBank
from .variants import QuizVariant, variant_for_grading

QUIZ_ANSWERS_METADATA = "autograder/quiz_answers"


def _choice_line(question: Question, mark: Mark, chosen: Any, variant: QuizVariant) -> str:
    if chosen is None:
        return f"no answer. {mark.feedback}"
    letter = variant.letter_of(question, chosen)
    verdict = "Correct" if mark.correct else "Not quite"
    return f"you chose {letter}, '{question.options[chosen].text}'. {verdict}: {mark.feedback}"


def _calculation_line(question: Question, mark: Mark, given: Any, variant: QuizVariant) -> str:
    numbers = fill_in(
        ", ".join(f"{name} = {{{name}}}" for name, _ in question.parameters),
        variant.parameters(question),
    )
    if given is None:
        return f"no answer (your numbers: {numbers}). {mark.feedback}"
    verdict = "Correct" if mark.correct else "Not quite"
    return f"you answered {given} (your numbers: {numbers}). {verdict}: {mark.feedback}"


def _matching_lines(question: Question, matched: Any) -> list[str]:
    matched = matched if isinstance(matched, dict) else {}
    return [
        f"  {term}: "
        + ("right" if matched.get(term) == definition else f"should be '{definition}'")
        for term, definition in question.pairs
    ]


def _canonical_letter(question: Question, mark: Mark, given: Any) -> str:
    if given is None:
        return "-"
    if question.type == "single_choice":
        return chr(ord("A") + given)
    return "right" if mark.correct else "wrong"


def mark_graded_quiz(
    key: QuestionBank,
    answers_path: str,
    answers_in_code: dict[str, Any] | None,
    variant_token: str,
    points: float,
    first_number: int = 1,
) -> Score:
    """Print feedback on each of the key's questions; return the points earned."""
    kernel_guard.verify()
    variant = variant_for_grading(variant_token)
    collected = collected_answers(key, answers_path, answers_in_code, variant)
    for note in collected.notes:
        print(f"Note: {note}")
    marked = list(enumerate(key.of_type(*MARKABLE), first_number))
    total = 0.0
    canonical = {}
    for number, question in marked:
        given = collected.answers.get(question.id)
        mark = mark_answer(question, given, variant.parameters(question))
        total += mark.score
        canonical[question.id] = _canonical_letter(question, mark, given)
        if question.type == "single_choice":
            print(f"Question {number}: {_choice_line(question, mark, given, variant)}")
        elif question.type == "calculation":
            print(f"Question {number}: {_calculation_line(question, mark, given, variant)}")
        elif question.type == "matching":
            print(f"Question {number} (matching): {mark.score:.0%} right. {mark.feedback}")
            print("\n".join(_matching_lines(question, given)))
        else:
            print(f"Question {number}: {mark.feedback}")
    _publish(canonical)
    kernel_guard.verify()
    print(f"Score: {total:g} of {len(marked)} right, {points * total / len(marked):.4g} points.")
    return Score(round(points * total / len(marked), 6))


def _publish(canonical: dict[str, str]) -> None:
    try:
        from IPython.display import publish_display_data
    except ImportError:
        return
    publish_display_data({"text/plain": ""}, metadata={QUIZ_ANSWERS_METADATA: canonical})
