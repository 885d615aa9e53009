"""What every question type is: its bank fields, its marking, its answers and its widget.

A type is a subclass of ``QuestionType`` in a module of its own, registered by name in
``question_types/__init__.py``. Everything is a class attribute or a class method: the
registry holds the classes themselves, whose members the integrity guard records when a
grading kernel starts (``integrity_guard.kernel_guard``), so none is swapped unnoticed.

Answers come in two forms. *Canonical* (what marking and the quiz hold): a choice is the
option's index in the bank, a number a float, a matching {term: definition}, an ordering
the list of items. *Shown* (what the student saw, typed and saved): a choice is the letter
in the student's own variant; other types are the same in both forms.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol

import ipywidgets as widgets

from autograder.notebook_metadata import QuizQuestionRecord
from autograder.quiz_engine.questions import Mark, Question
from autograder.quiz_engine.variants import QuizVariant

# (field path inside the question, message): what the schema cannot say about a question.
Problem = tuple[list[str | int], str]
OnChange = Callable[[Any], None]  # called with the new canonical answer (None: cleared)


class AnswerControl(Protocol):
    """The widget a quiz shows for one question (an ipywidgets widget)."""

    def enter(self, shown: Any) -> None:
        """Answer as a student would, through the control (a choice by its letter)."""

    def clear(self) -> None:
        """Empty the control."""


def verdict_html(mark: Mark | None) -> str:
    """A mark in words and a symbol, never by colour alone: "✓ Correct.", "✗ Not quite."."""
    if mark is None:
        return ""
    if mark.correct:
        word, icon = "Correct", "✓"
    elif mark.score > 0:
        word, icon = f"Partly right ({mark.score:.0%})", "◐"
    else:
        word, icon = "Not quite", "✗"
    return f"<p><b>{icon} {word}.</b> {html.escape(mark.feedback)}</p>"


def empty(answer: Any) -> bool:
    """No answer: ``None``, ``[]`` or ``{}``."""
    return answer is None or answer == [] or answer == {}


class QuestionType:
    """One kind of question. A subclass sets ``name`` and ``schema`` and overrides what
    differs from these defaults (a question shown, never marked)."""

    name: ClassVar[str] = ""
    # JSON-schema fragment for a question of this type, without ``id`` and ``type``:
    # {"required": [...], "properties": {field: schema}} (``#/$defs/text`` and
    # ``#/$defs/option`` from bank_schema.json can be referred to).
    schema: ClassVar[Mapping[str, Any]] = {"properties": {}}
    markable: ClassVar[bool] = False  # answered in a quiz and marked
    answer_fields: ClassVar[tuple[str, ...]] = ()  # fields that give the answer away
    clearable: ClassVar[bool] = True  # a graded quiz shows a "Clear answer" button

    # -- the bank -------------------------------------------------------------------
    @classmethod
    def question_fields(cls, entry: Mapping[str, Any]) -> dict[str, Any]:
        """The ``Question`` fields (other than id and type) from the bank's entry."""
        return {"prompt": entry.get("prompt", "")}

    @classmethod
    def key_given(cls, entry: Mapping[str, Any]) -> bool:
        """The entry gives its answer away (refused in a bank without answers)."""
        return any(name in entry for name in cls.answer_fields)

    @classmethod
    def problems(cls, entry: Mapping[str, Any], answers_included: bool) -> list[Problem]:
        """What the schema cannot say, e.g. "exactly one right option"."""
        if not answers_included and cls.key_given(entry):
            return [([], "answers_included is false, but an answer is given")]
        return []

    # -- marking --------------------------------------------------------------------
    @classmethod
    def mark(cls, question: Question, answer: Any, parameters: Mapping[str, float] | None) -> Mark:
        """Mark a canonical answer (not None); ``parameters``: the student's numbers."""
        raise TypeError(f"question {question.id!r}: a {cls.name} question is not marked")

    # -- answers in a quiz ----------------------------------------------------------
    @classmethod
    def prompt(cls, question: Question, parameters: Mapping[str, float]) -> str:
        """The question as this student reads it."""
        return question.prompt

    @classmethod
    def shown_answer(cls, question: Question, answer: Any, variant: QuizVariant) -> Any:
        """A canonical answer as the student saw it (and as it is saved)."""
        return answer

    @classmethod
    def canonical_answer(cls, question: Question, given: Any, variant: QuizVariant) -> Any:
        """An answer as saved or typed, in canonical form; None if it gives no answer."""
        return None if empty(given) else given

    @classmethod
    def quiz_control(
        cls, question: Question, answer: Any, variant: QuizVariant, seed: int, on_change: OnChange
    ) -> widgets.Widget:
        """The ``AnswerControl`` a quiz shows, holding canonical ``answer`` (or None)."""
        raise TypeError(f"question {question.id!r}: a {cls.name} question is not in a quiz")

    # -- graded feedback (see quiz_feedback) ----------------------------------------
    @classmethod
    def feedback_entry(
        cls, question: Question, mark: Mark, given: Any, answered: bool, variant: QuizVariant
    ) -> QuizQuestionRecord:
        """What this type adds to the question's feedback record (``given``: the canonical
        answer or None; ``answered``: it counts as an answer)."""
        return QuizQuestionRecord()

    @classmethod
    def class_report_answer(cls, question: Question, mark: Mark, given: Any) -> str:
        """The answer (not None) as the class report counts it."""
        return "right" if mark.correct else "wrong"

    @classmethod
    def feedback_heading(cls, entry: Mapping[str, Any], show_answers: bool) -> str:
        """The record entry's first line."""
        return f"Question {entry.get('number')}: {entry.get('detail', '')}"

    @classmethod
    def feedback_details(cls, entry: Mapping[str, Any], show_answers: bool) -> list[str]:
        """Lines after the heading and the question's text."""
        return []
