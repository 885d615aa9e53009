"""``numeric``: one number, right within ``tolerance``; typical wrong values named.

Canonical, shown and saved answer: the number.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from autograder.quiz_engine.question_types.base import OnChange, Problem, QuestionType
from autograder.quiz_engine.questions import Mark, Question, unanswered
from autograder.quiz_engine.variants import QuizVariant


def finite_number(value: Any) -> float | None:
    """The answer as a finite float; None if it is not one (counts as unanswered)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


class NumberInput(widgets.Text):
    """A text box for a number; ``on_change`` gets the number typed (None if it is not one)."""

    def __init__(self, answer: Any, placeholder: str, on_change: OnChange):
        super().__init__(
            value="" if answer is None else str(answer),
            description="Answer",
            placeholder=placeholder,
        )
        self.observe(lambda change: on_change(_number_or_none(change["new"])), names="value")

    def enter(self, shown: Any) -> None:
        self.value = str(shown)

    def clear(self) -> None:
        self.value = ""


class Numeric(QuestionType):
    name = "numeric"
    markable = True
    answer_fields = ("answer", "wrong_answers")
    schema = {
        "required": ["prompt"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"$ref": "#/$defs/text"},
            "answer": {"type": "number"},
            "tolerance": {"type": "number", "minimum": 0},
            "unit": {"type": "string"},
            "explanation": {"$ref": "#/$defs/text"},
            "wrong_answers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["value", "feedback"],
                    "additionalProperties": False,
                    "properties": {
                        "value": {"type": "number"},
                        "feedback": {"$ref": "#/$defs/text"},
                    },
                },
            },
        },
    }

    @classmethod
    def question_fields(cls, entry: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "prompt": entry.get("prompt", ""),
            "answer": entry.get("answer"),
            "tolerance": float(entry.get("tolerance", 0.0)),
            "unit": entry.get("unit", ""),
            "explanation": entry.get("explanation", ""),
            "wrong_answers": tuple(
                (w["value"], w["feedback"]) for w in entry.get("wrong_answers", [])
            ),
        }

    @classmethod
    def problems(cls, entry: Mapping[str, Any], answers_included: bool) -> list[Problem]:
        problems = super().problems(entry, answers_included)
        if answers_included and "answer" not in entry:
            problems.append(([], "'answer' is a required property"))
        return problems

    @classmethod
    def mark(cls, question: Question, answer: Any, parameters: Mapping[str, float] | None) -> Mark:
        number = finite_number(answer)
        if number is None:
            return unanswered(question)
        if (
            question.answer is not None
            and abs(number - float(question.answer)) <= question.tolerance
        ):
            return Mark(question.id, 1.0, question.explanation or "Correct.")
        for wrong, feedback in question.wrong_answers:
            if abs(number - wrong) <= question.tolerance:
                return Mark(question.id, 0.0, feedback)
        return Mark(question.id, 0.0, f"Not quite. {question.explanation}".strip())

    @classmethod
    def quiz_control(
        cls, question: Question, answer: Any, variant: QuizVariant, seed: int, on_change: OnChange
    ) -> widgets.Widget:
        return NumberInput(answer, question.unit or "a number", on_change)
