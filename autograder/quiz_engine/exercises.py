"""The state of a quiz and of its answers: plain Python, tested without a browser.

The quiz widget (``quiz_widgets``) only displays this state and forwards clicks to its
methods, so everything a student can do is testable here. Each question type reads and
shows its own answers (``question_types``); the exercises of one question (a flashcard
deck, a matching, an ordering, a checkpoint) live with their type.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograder.integrity_guard import kernel_guard
from autograder.quiz_engine.answer_files import read_answers, save_answers
from autograder.quiz_engine.marking import Mark, mark_answer
from autograder.quiz_engine.question_types import markable_types, question_type
from autograder.quiz_engine.questions import QuestionBank
from autograder.quiz_engine.variants import QuizVariant


def score_message(right: float, total: int) -> str:
    """The closing message for a quiz score."""
    share = right / total if total else 0.0
    if share == 1.0:
        return "Great job! You understand how neural networks learn."
    if share >= 0.75:
        return "Well done: read the feedback on the ones you missed, then try them again."
    if share >= 0.5:
        return "A good start: revisit the lesson sections named in the feedback and retry."
    return "Worth another look: go back through the lesson, then retry the quiz."


@dataclass
class QuizReport:
    score: float
    total: int
    marks: dict[str, Mark]

    @property
    def summary(self) -> str:
        return f"{self.score:g}/{self.total}"

    @property
    def message(self) -> str:
        return score_message(self.score, self.total)


class Quiz:
    """A quiz over a bank's markable questions, in ``practice`` or ``graded`` mode.

    Practice: each answer can be checked at once (``check``) and retried (``retry``);
    ``submit`` gives the score. Graded: no feedback and no score before grading; every
    change (clearing included) is saved to ``answers_path`` at once, so the file that
    travels with the submission is exactly what the student last saw.

    ``answers`` hold canonical values (an option's index in the bank); ``variant`` says
    in which order this student sees the options and which numbers they get.
    """

    def __init__(
        self,
        bank: QuestionBank,
        mode: str = "practice",
        answers_path: str | Path | None = None,
        variant: QuizVariant | None = None,
    ):
        if mode not in ("practice", "graded"):
            raise ValueError("mode must be 'practice' or 'graded'")
        if mode == "practice" and not bank.answers_included:
            raise ValueError(f"{bank.source}: practice mode needs a bank with its answers")
        self.bank, self.mode = bank, mode
        self.variant = variant or QuizVariant()
        self.questions = bank.of_type(*markable_types())
        self.answers: dict[str, Any] = {}
        self.checked: dict[str, Mark] = {}
        self.answers_path = Path(answers_path) if answers_path else None
        # Why the saved answers could not be read, or whose they were: shown by the widget.
        self.load_problem: str | None = None
        if self.answers_path:
            saved = read_answers(self.answers_path, bank.title)
            self.load_problem = saved.problem
            if saved.student_id and saved.student_id != self.variant.student_id:
                self.load_problem = (
                    f"{self.answers_path.name} holds answers saved by student "
                    f"{saved.student_id!r}; answering here replaces them with yours"
                )
            else:
                self.answers = canonical_answers(bank, saved.answers, self.variant)

    def parameters(self, question_id: str) -> dict[str, float]:
        return self.variant.parameters(self.bank[question_id])

    def answer(self, question_id: str, value: Any) -> None:
        """Set an answer (canonical); ``None``, ``[]`` or ``{}`` clears it."""
        self.bank[question_id]  # KeyError for an unknown question
        if value is None or value == [] or value == {}:
            self.answers.pop(question_id, None)
        else:
            self.answers[question_id] = value
        self.checked.pop(question_id, None)
        self._save()

    def _save(self) -> None:
        if self.answers_path:
            shown = shown_answers(self.bank, self.answers, self.variant)
            save_answers(self.answers_path, self.bank.title, self.variant.student_id, shown)
            self.load_problem = None

    def check(self, question_id: str) -> Mark:
        if self.mode != "practice":
            raise PermissionError("answers are marked after grading in a graded quiz")
        question = self.bank[question_id]
        mark = mark_answer(
            question, self.answers.get(question_id), self.variant.parameters(question)
        )
        self.checked[question_id] = mark
        return mark

    def retry(self, question_id: str) -> None:
        self.answer(question_id, None)

    @property
    def answered(self) -> int:
        return sum(q.id in self.answers for q in self.questions)

    def submit(self) -> QuizReport:
        if self.mode != "practice":
            raise PermissionError("a graded quiz is scored by the autograder")
        report = _mark_all(self.bank, self.answers, self.variant)
        self.checked.update(report.marks)
        return report


def grade_answers(
    key: QuestionBank, answers: dict[str, Any], variant: QuizVariant | None = None
) -> QuizReport:
    """Mark canonical answers against an answer key; calculations with ``variant``'s numbers."""
    kernel_guard.verify()
    return _mark_all(key, answers, variant or QuizVariant())


def _mark_all(key: QuestionBank, answers: dict[str, Any], variant: QuizVariant) -> QuizReport:
    marks = {
        q.id: mark_answer(q, answers.get(q.id), variant.parameters(q))
        for q in key.of_type(*markable_types())
    }
    return QuizReport(sum(m.score for m in marks.values()), len(marks), marks)


def shown_answers(bank: QuestionBank, answers: dict[str, Any], variant: QuizVariant) -> dict:
    """Canonical answers as the student saw them: each choice as its letter in their order."""
    shown = {}
    for question_id, value in answers.items():
        question = bank.by_id.get(question_id)
        if question is not None:
            value = question_type(question.type).shown_answer(question, value, variant)
        shown[question_id] = value
    return shown


def canonical_answers(bank: QuestionBank, given: dict[str, Any], variant: QuizVariant) -> dict:
    """Answers as saved or typed (a choice by the letter this student saw, or by its text)
    in canonical form; unknown questions and unreadable values are left out."""
    answers: dict[str, Any] = {}
    for question_id, value in given.items():
        question = bank.by_id.get(question_id)
        if question is None:
            continue
        answer = question_type(question.type).canonical_answer(question, value, variant)
        if answer is not None:
            answers[question_id] = answer
    return answers


@dataclass
class CollectedAnswers:
    """A submission's answers in canonical form, and what the student should be told."""

    answers: dict[str, Any]
    notes: list[str]


def collected_answers(
    bank: QuestionBank,
    answers_path: str | Path,
    answers_in_code: dict[str, Any] | None,
    variant: QuizVariant,
) -> CollectedAnswers:
    """A graded quiz's answers: the widget's saved file, overridden by answers typed in code.

    In code, a choice is the letter the student saw (``"B"``) or the option's text; a
    matching answer maps each term to its definition's text. The saved file's letters are
    read in ``variant``'s order, whoever saved them.
    """
    kernel_guard.verify()
    saved = read_answers(answers_path, bank.title)
    notes = []
    if saved.problem:
        notes.append(f"{saved.problem}: only answers typed in code could be marked.")
    if saved.student_id and variant.personal and saved.student_id != variant.student_id:
        notes.append(
            f"The quiz widget saved these answers for student {saved.student_id!r}, but you "
            f"submitted as {variant.student_id!r}: they were marked as answers to your own "
            "version of the quiz."
        )
    answers = canonical_answers(bank, saved.answers, variant)
    typed = answers_in_code if isinstance(answers_in_code, dict) else {}
    answers.update(canonical_answers(bank, typed, variant))
    return CollectedAnswers(answers, notes)


def answers_status(
    bank: QuestionBank, answers_path: str | Path, answers_in_code: dict[str, Any] | None
) -> str:
    """What a released check cell shows: how much is saved, never anything like a score."""
    saved = read_answers(answers_path, bank.title)
    typed = answers_in_code if isinstance(answers_in_code, dict) else {}
    given = {**saved.answers, **{k: v for k, v in typed.items() if v not in (None, "", [], {})}}
    markable = [q.id for q in bank.of_type(*markable_types())]
    answered = sum(question_id in given for question_id in markable)
    text = (
        f"Saved: {answered} of {len(markable)} answered (widget and code together). "
        "Your answers are marked when your work is graded."
    )
    if saved.problem:
        text += f"\nProblem: {saved.problem}. Answer again in the widget to save a new file."
    return text
