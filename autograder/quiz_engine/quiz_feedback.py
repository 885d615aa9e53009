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
ends in the student's own answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _prompt_line(question: Mapping[str, Any], prompts: Mapping[str, str]) -> list[str]:
    prompt = prompts.get(str(question.get("id")), "")
    return [f"    (the question: {prompt})"] if prompt else []


def _choice_sentence(question: Mapping[str, Any], show_answers: bool) -> str:
    detail = str(question.get("detail") or "")
    if not question.get("answered"):
        text = f"no answer. {detail}".strip()
    else:
        verdict = "Correct" if question.get("correct") else "Not quite"
        text = f"you chose {question.get('given')}. {verdict}: {detail}".strip()
    if show_answers and not question.get("correct") and question.get("answer"):
        text += f" The answer: {question['answer']}"
    return text


def _calculation_sentence(question: Mapping[str, Any], show_answers: bool) -> str:
    numbers = question.get("numbers", "")
    if not question.get("answered"):
        text = f"no answer (your numbers: {numbers}). Not answered yet."
    else:
        verdict = "Correct." if question.get("correct") else "Not quite."
        detail = str(question.get("detail") or "")
        detail = "" if detail in ("Right.", "Not quite.") else f" {detail}"
        text = f"you answered {question.get('given')} (your numbers: {numbers}). {verdict}{detail}"
    if (show_answers or question.get("correct")) and question.get("answer"):
        text += f" {question['answer']}"
    return text


def _pair_line(pair: Mapping[str, Any], show_answers: bool) -> str:
    term, given = pair.get("term"), pair.get("given")
    if pair.get("right"):
        return f"  {term}: right"
    line = f"  {term}: not '{given}'" if given else f"  {term}: not matched"
    if show_answers:
        line += f"; should be '{pair.get('answer')}'"
    return line


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
        number, kind = question.get("number"), question.get("type")
        if kind == "single_choice":
            lines.append(f"Question {number}: {_choice_sentence(question, show_answers)}")
        elif kind == "calculation":
            lines.append(f"Question {number}: {_calculation_sentence(question, show_answers)}")
        elif kind == "matching":
            share = float(question.get("score", 0.0))
            detail = str(question.get("detail") or "")
            detail = "" if detail.startswith("Check again") else f" {detail}"
            lines.append(f"Question {number} (matching): {share:.0%} right.{detail}".rstrip())
        else:
            lines.append(f"Question {number}: {question.get('detail', '')}")
        lines += _prompt_line(question, prompts)
        if kind == "matching":
            lines += [_pair_line(pair, show_answers) for pair in question.get("pairs", [])]
    if record.get("score_line"):
        lines.append(str(record["score_line"]))
    return lines
