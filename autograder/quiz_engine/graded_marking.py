"""What a graded quiz's hidden tests call: mark one submission in its own variant.

The hidden test holds the answer key and the placeholder that nbgrader autograde replaces
with the submission's variant (``variants.SUBMISSION_PLACEHOLDER``)::

    mark_graded_quiz(key, "quiz_answers.json", globals().get("answers_in_code"),
                     "@QUIZ_VARIANT_OF_THIS_SUBMISSION@", points=8)

Each graded cell holds the key to its own questions (``first_number`` numbers them as the
widget does), so one cell's failure never hides another's key.

It shows feedback in the student's own letters and numbers, mapped back to the canonical
question and option, with the right answers (the graders' view), together with the same
feedback as data (``quiz_feedback``) from which the student's feedback is written under
the course's policy; and it publishes the canonical answers for the class report.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from autograder.gradient_checking.results import Score
from autograder.integrity_guard import kernel_guard
from autograder.notebook_metadata import (
    QUIZ_ANSWERS_METADATA,
    QUIZ_FEEDBACK_METADATA,
    QuizFeedbackRecord,
    QuizQuestionRecord,
)
from autograder.quiz_engine.exercises import collected_answers
from autograder.quiz_engine.marking import mark_answer
from autograder.quiz_engine.question_types import markable_types, question_type
from autograder.quiz_engine.questions import NOT_ANSWERED, Mark, Question, QuestionBank
from autograder.quiz_engine.quiz_feedback import quiz_feedback_lines
from autograder.quiz_engine.student_identity import current_identity
from autograder.quiz_engine.variants import (
    SUBMISSION_PLACEHOLDER,
    QuizKeyError,
    QuizVariant,
)


def _record(
    number: int, question: Question, mark: Mark, given: Any, variant: QuizVariant
) -> QuizQuestionRecord:
    """One question's entry of the feedback record (see ``quiz_feedback``)."""
    answered = given is not None and mark.detail != NOT_ANSWERED
    entry = QuizQuestionRecord(
        number=number,
        id=question.id,
        type=question.type,
        answered=answered,
        correct=mark.correct,
        score=mark.score,
        detail=mark.detail if mark.detail or mark.answer else mark.feedback,
    )
    entry.update(
        question_type(question.type).feedback_entry(question, mark, given, answered, variant)
    )
    return entry


def _class_report_answer(question: Question, mark: Mark, given: Any) -> str:
    if given is None:
        return "-"
    return question_type(question.type).class_report_answer(question, mark, given)


def variant_for_grading(token: str) -> QuizVariant:
    """The submission's variant, from what ``QuizVariantForSubmission`` wrote in place of
    ``SUBMISSION_PLACEHOLDER``. Outside nbgrader autograde the placeholder is still there,
    and the variant is that of whoever runs the notebook (an instructor trying the key)."""
    if token == SUBMISSION_PLACEHOLDER:
        identity = current_identity()
        if identity is None:
            raise QuizKeyError(
                "no student id and quiz key here: these hidden tests get them from "
                "nbgrader autograde, or run the quiz widget once to set them"
            )
        return identity.variant(Path.cwd().name)  # the assignment's folder
    fields = json.loads(token)
    return QuizVariant.for_student(fields["student_id"], fields["quiz_key"], fields["assignment"])


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
    marked = list(enumerate(key.of_type(*markable_types()), first_number))
    total = 0.0
    canonical = {}
    questions: list[QuizQuestionRecord] = []
    record = QuizFeedbackRecord(notes=list(collected.notes), questions=questions)
    for number, question in marked:
        given = collected.answers.get(question.id)
        mark = mark_answer(question, given, variant.parameters(question))
        total += mark.score
        canonical[question.id] = _class_report_answer(question, mark, given)
        questions.append(_record(number, question, mark, given, variant))
    earned = points * total / len(marked)
    record["score_line"] = f"Score: {total:g} of {len(marked)} right, {earned:.4g} points."
    _publish(canonical)
    kernel_guard.verify()
    _show_feedback(record)
    return Score(round(earned, 6))


def _show_feedback(record: QuizFeedbackRecord) -> None:
    """Every answer with the right ones (the graders' view); the record rides along for
    the student's feedback, which writes it again under the course's policy."""
    text = "\n".join(quiz_feedback_lines(record, show_answers=True))
    try:
        from IPython.display import publish_display_data
    except ImportError:
        print(text)
        return
    publish_display_data({"text/plain": text}, metadata={QUIZ_FEEDBACK_METADATA: record})


def _publish(canonical: dict[str, str]) -> None:
    try:
        from IPython.display import publish_display_data
    except ImportError:
        return
    publish_display_data({"text/plain": ""}, metadata={QUIZ_ANSWERS_METADATA: canonical})
