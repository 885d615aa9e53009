"""Choice questions: ``single_choice`` (one right option) and ``multiple_select`` (one or
more), with their options in each student's own order (``variants.QuizVariant``).

Canonical answer: the option's index in the bank (``multiple_select``: a sorted list of
indices). Shown and saved: the letter the student saw (a list of letters), or in code the
option's text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import ipywidgets as widgets

from autograder.accessible_widgets import wide_button
from autograder.notebook_metadata import QuizQuestionRecord
from autograder.quiz_engine.question_types.base import OnChange, Problem, QuestionType
from autograder.quiz_engine.questions import Mark, Option, Question, unanswered
from autograder.quiz_engine.variants import LETTERS, QuizVariant

OPTIONS_SCHEMA = {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/option"}}


class ChoiceOrder:
    """A choice question's options in the order one student sees them (position 0 is
    letter A), and the way between the positions the buttons show and the canonical
    answer the quiz holds: an option index, or a sorted list of them (``multiple``)."""

    def __init__(self, question: Question, variant: QuizVariant, multiple: bool):
        self.multiple = multiple
        self.order = variant.option_order(question)  # canonical index at each position
        self.texts = [question.options[i].text for i in self.order]

    def positions_of(self, answer: Any) -> Any:
        """The position (multiple: sorted positions) of a canonical answer; None for none."""
        if answer is None:
            return None
        if self.multiple:
            return sorted(self.order.index(i) for i in answer)
        return self.order.index(answer)

    def answer_at(self, positions: Any) -> Any:
        """The canonical answer behind a position (multiple: a list of positions)."""
        if self.multiple:
            return sorted(self.order[p] for p in positions)
        return self.order[positions]


class ChoiceButtons(widgets.VBox):
    """One button per option, lettered A, B, C… as answers typed in code are; ``value`` is a
    position (single) or a sorted list of positions (multiple)."""

    def __init__(self, options: list[str], multiple: bool = False, value=None, on_change=None):
        super().__init__()
        self.options, self.multiple, self.on_change = options, multiple, on_change
        self.value = (list(value) if value else []) if multiple else value
        self.buttons = [
            wide_button(tooltip=f"Choose {LETTERS[index]}: {text}")
            for index, text in enumerate(options)
        ]
        for index, button in enumerate(self.buttons):
            button.on_click(lambda _, i=index: self.choose(i))
        self.children = self.buttons
        self._render()

    def choose(self, index: int) -> None:
        if self.multiple:
            self.value = sorted(set(self.value) ^ {index})
        else:
            self.value = index
        self._render()
        if self.on_change:
            self.on_change(self.value)

    def enter(self, shown: Any) -> None:
        """Choose by letter (multiple: each letter of a list, as clicks would)."""
        for letter in shown if self.multiple else [shown]:
            self.choose(LETTERS.index(letter))

    def clear(self) -> None:
        self.value = [] if self.multiple else None
        self._render()

    def _render(self) -> None:
        for index, (button, text) in enumerate(zip(self.buttons, self.options, strict=True)):
            chosen = index in self.value if self.multiple else index == self.value
            mark = ("☑" if chosen else "☐") if self.multiple else ("◉" if chosen else "○")
            button.description = f"{mark} {LETTERS[index]}. {text}"
            button.button_style = "info" if chosen else ""


def _option_index(question: Question, pick: Any, variant: QuizVariant) -> int | None:
    if not isinstance(pick, str):
        return None
    if len(pick.strip()) == 1:
        return variant.canonical_of(question, pick)
    texts = [" ".join(o.text.lower().split()) for o in question.options]
    wanted = " ".join(pick.lower().split())
    return texts.index(wanted) if wanted in texts else None


class _Choice(QuestionType):
    """What both choice types share; ``multiple`` tells them apart."""

    multiple: ClassVar[bool] = False
    markable = True
    schema = {
        "required": ["prompt", "options"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"$ref": "#/$defs/text"},
            "options": OPTIONS_SCHEMA,
            "explanation": {"$ref": "#/$defs/text"},
        },
    }

    @classmethod
    def question_fields(cls, entry: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "prompt": entry.get("prompt", ""),
            "options": tuple(
                Option(o["text"], o.get("correct"), o.get("feedback")) for o in entry["options"]
            ),
            "explanation": entry.get("explanation", ""),
        }

    @classmethod
    def key_given(cls, entry: Mapping[str, Any]) -> bool:
        return any(o.get("correct") is not None for o in entry.get("options", []))

    @classmethod
    def shown_answer(cls, question: Question, answer: Any, variant: QuizVariant) -> Any:
        if cls.multiple:
            return sorted(variant.letter_of(question, index) for index in answer)
        return variant.letter_of(question, answer)

    @classmethod
    def canonical_answer(cls, question: Question, given: Any, variant: QuizVariant) -> Any:
        picks = given if isinstance(given, list) else [given]
        indices = sorted(
            {i for p in picks if (i := _option_index(question, p, variant)) is not None}
        )
        if not indices:
            return None
        return indices if cls.multiple else indices[0]

    @classmethod
    def quiz_control(
        cls, question: Question, answer: Any, variant: QuizVariant, seed: int, on_change: OnChange
    ) -> widgets.Widget:
        order = ChoiceOrder(question, variant, cls.multiple)
        return ChoiceButtons(
            order.texts,
            multiple=cls.multiple,
            value=order.positions_of(answer),
            on_change=lambda positions: on_change(order.answer_at(positions)),
        )


def _choice_sentence(entry: Mapping[str, Any], show_answers: bool) -> str:
    detail = str(entry.get("detail") or "")
    if not entry.get("answered"):
        text = f"no answer. {detail}".strip()
    else:
        verdict = "Correct" if entry.get("correct") else "Not quite"
        text = f"you chose {entry.get('given')}. {verdict}: {detail}".strip()
    if show_answers and not entry.get("correct") and entry.get("answer"):
        text += f" The answer: {entry['answer']}"
    return text


class SingleChoice(_Choice):
    """Exactly one right option."""

    name = "single_choice"

    @classmethod
    def problems(cls, entry: Mapping[str, Any], answers_included: bool) -> list[Problem]:
        problems = super().problems(entry, answers_included)
        flags = [o.get("correct") for o in entry["options"]]
        if answers_included and flags.count(True) != 1:
            problems.append((["options"], "needs exactly one option with correct: true"))
        return problems

    @classmethod
    def mark(cls, question: Question, answer: Any, parameters: Mapping[str, float] | None) -> Mark:
        if not isinstance(answer, int) or not 0 <= answer < len(question.options):
            return unanswered(question)
        option = question.options[answer]
        right = next(o for o in question.options if o.correct)
        if option.correct:
            feedback = option.feedback or question.explanation or "Correct."
            return Mark(question.id, 1.0, feedback, detail=feedback, answer=right.text)
        detail = option.feedback or question.explanation or ""
        feedback = f"{detail} The answer: {right.text}".strip()
        return Mark(question.id, 0.0, feedback, detail=detail, answer=right.text)

    @classmethod
    def feedback_entry(
        cls, question: Question, mark: Mark, given: Any, answered: bool, variant: QuizVariant
    ) -> QuizQuestionRecord:
        right = next(i for i, option in enumerate(question.options) if option.correct)
        entry = QuizQuestionRecord(
            answer=f"{variant.letter_of(question, right)}, '{question.options[right].text}'"
        )
        if answered:
            text = question.options[given].text
            entry["given"] = f"{variant.letter_of(question, given)}, '{text}'"
        return entry

    @classmethod
    def class_report_answer(cls, question: Question, mark: Mark, given: Any) -> str:
        return chr(ord("A") + given)

    @classmethod
    def feedback_heading(cls, entry: Mapping[str, Any], show_answers: bool) -> str:
        return f"Question {entry.get('number')}: {_choice_sentence(entry, show_answers)}"


class MultipleSelect(_Choice):
    """One or more right options; partial credit."""

    name = "multiple_select"
    multiple = True

    @classmethod
    def problems(cls, entry: Mapping[str, Any], answers_included: bool) -> list[Problem]:
        problems = super().problems(entry, answers_included)
        flags = [o.get("correct") for o in entry["options"]]
        if answers_included and flags.count(True) < 1:
            problems.append((["options"], "needs at least one option with correct: true"))
        return problems

    @classmethod
    def mark(cls, question: Question, answer: Any, parameters: Mapping[str, float] | None) -> Mark:
        """Each right pick earns a share, each wrong pick takes one back (never below 0)."""
        picks = {c for c in answer if isinstance(c, int) and 0 <= c < len(question.options)}
        right = {i for i, o in enumerate(question.options) if o.correct}
        if not picks:
            return unanswered(question)
        score = max(0.0, (len(picks & right) - len(picks - right)) / len(right))
        notes = [
            feedback for i in sorted(picks - right) if (feedback := question.options[i].feedback)
        ]
        missed = [question.options[i].text for i in sorted(right - picks)]
        if missed:
            notes.append("Also right: " + "; ".join(missed) + ".")
        return Mark(question.id, score, " ".join(notes) or question.explanation or "All right.")
