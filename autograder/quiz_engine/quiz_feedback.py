"""The graded quiz's feedback as data, and its sentences with or without the right answers.

``graded_marking`` builds one record per graded cell while it marks (in the grading
kernel) and shows it with every answer (the instructor's and the grader's view). The
student's feedback (``autograder.grader_tools.student_feedback``) writes the same record's
sentences again, showing the right answers only when the course's policy allows. A record
(``autograder.notebook_metadata.QuizFeedbackRecord``, published under ``QUIZ_FEEDBACK_METADATA``)
is JSON::

    {"notes": ["..."], "score_line": "Score: 3 of 8 right, 3 points.",
     "questions": [
        {"number": 1, "id": "purpose", "type": "single_choice", "answered": true,
         "correct": false, "given": "C, 'Integration'", "detail": "(the option's feedback)",
         "answer": "B, 'The chain rule'"},
        {"number": 9, "id": "one-weight-loss", "type": "calculation", "answered": true,
         "correct": false, "given": "12.5", "numbers": "w = 0.6, x = 2.5, y = 10",
         "detail": "(the named mistake, or empty)", "answer": "(the working, to the answer)"},
        {"number": 13, "id": "match-network-parts", "type": "matching", "answered": true,
         "correct": false, "score": 0.33, "detail": "...",
         "pairs": [{"term": "Weight", "given": "(their definition or null)", "right": false,
                    "answer": "(the right definition)"}]}]}

``answer`` and each pair's ``answer`` are the key: they are written only when
``show_answers`` is true (a calculation the student got right shows its working, which
ends in the student's own answer). Each question type writes its own entries' sentences
(``QuestionType.feedback_heading`` and ``feedback_details``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from autograder.quiz_engine.question_types import QuestionType, registered_types


def _prompt_line(question: Mapping[str, Any], prompts: Mapping[str, str]) -> list[str]:
    prompt = prompts.get(str(question.get("id")), "")
    return [f"    (the question: {prompt})"] if prompt else []


def quiz_feedback_lines(
    record: Mapping[str, Any], show_answers: bool, prompts: Mapping[str, str] | None = None
) -> list[str]:
    """The record's sentences, one question per line (matching: one line per pair).

    ``prompts`` (question id -> the question as the student read it) adds each question's
    text after its number.
    """
    prompts = prompts or {}
    lines = [f"Note: {note}" for note in record.get("notes", [])]
    for question in record.get("questions", []):
        # A type no longer registered is written as any type is, by its detail.
        kind = registered_types().get(str(question.get("type")), QuestionType)
        lines.append(kind.feedback_heading(question, show_answers))
        lines += _prompt_line(question, prompts)
        lines += kind.feedback_details(question, show_answers)
    if record.get("score_line"):
        lines.append(str(record["score_line"]))
    return lines
