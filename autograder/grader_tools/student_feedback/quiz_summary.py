"""The graded quiz widget as static text: each question as the student read it and the
answer they saved, in their own letters and numbers. No key is needed or read.

Built from the released bank (``quiz_questions.yaml``, no answers), the saved answers
(``quiz_answers.json``) and the student's variant.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from autograder.quiz_engine.answer_files import read_answers
from autograder.quiz_engine.formulas import fill_in
from autograder.quiz_engine.question_bank import Question, QuestionBank, load_question_bank
from autograder.quiz_engine.variants import LETTERS, QuizVariant


def question_text(question: Question, variant: QuizVariant | None) -> str:
    """The prompt as the student read it (a calculation with their own numbers)."""
    if question.type == "calculation" and variant is not None:
        return fill_in(question.prompt, variant.parameters(question))
    return question.prompt


def _saved(question: Question, value: Any, variant: QuizVariant | None) -> str:
    if value is None or value == {} or value == "":
        return "no answer saved"
    if question.type == "single_choice" and isinstance(value, str) and variant is not None:
        canonical = variant.canonical_of(question, value)
        if canonical is not None:
            return f"{value.strip().upper()}, '{question.options[canonical].text}'"
    if question.type == "matching" and isinstance(value, dict):
        pairs = [f"\n      {term} → {definition}" for term, definition in value.items()]
        return "".join(pairs) if pairs else "no answer saved"
    return str(value)


def _options(question: Question, variant: QuizVariant | None) -> list[str]:
    if question.type != "single_choice":
        return []
    order = variant.option_order(question) if variant else list(range(len(question.options)))
    return [f"      {LETTERS[i]}. {question.options[c].text}" for i, c in enumerate(order)]


def quiz_summary_lines(folder: Path, variant: QuizVariant | None) -> list[str]:
    """The quiz in ``folder`` (the bank and the answers file) as lines of text."""
    bank_file = folder / "quiz_questions.yaml"
    if not bank_file.exists():
        return ["(The quiz was answered in a widget here; its questions file is missing.)"]
    bank: QuestionBank = load_question_bank(bank_file)
    saved = read_answers(folder / "quiz_answers.json", bank.title)
    lines = [f"{bank.title}: the questions and the answers you saved in the widget."]
    if saved.problem:
        lines.append(f"Note: {saved.problem}")
    questions = [
        q for q in bank.questions if q.type in ("single_choice", "calculation", "matching")
    ]
    for number, question in enumerate(questions, 1):
        lines.append(f"Question {number}. {question_text(question, variant)}")
        lines += _options(question, variant)
        lines.append(
            f"    Your saved answer: {_saved(question, saved.answers.get(question.id), variant)}"
        )
    return lines


def question_prompts(folder: Path, variant: QuizVariant | None) -> dict[str, str]:
    """Question id -> the question as the student read it ({} without a bank)."""
    bank_file = folder / "quiz_questions.yaml"
    if not bank_file.exists():
        return {}
    return {q.id: question_text(q, variant) for q in load_question_bank(bank_file).questions}
