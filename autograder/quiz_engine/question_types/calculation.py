"""``calculation``: numbers drawn per student, the answer and typical wrong answers as
formulas over them (see ``formulas``); the feedback works the student's own numbers through.

Canonical, shown and saved answer: the number. Marked with the student's ``parameters``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from autograder.notebook_metadata import QuizQuestionRecord
from autograder.quiz_engine.formulas import FormulaError, evaluate, fill_in, worked_values
from autograder.quiz_engine.question_types.base import OnChange, Problem, QuestionType
from autograder.quiz_engine.question_types.numeric import NumberInput, finite_number
from autograder.quiz_engine.questions import Mark, Question, unanswered
from autograder.quiz_engine.variants import QuizVariant

NAME_PATTERN = {"pattern": "^[a-z][a-z0-9_]*$"}


def _calculation_problems(entry: Mapping[str, Any]) -> list[Problem]:
    """Ranges that are empty, a prompt naming an unknown quantity, formulas that fail."""
    problems: list[Problem] = []
    values = {}
    for name, bounds in entry["parameters"].items():
        if bounds["min"] > bounds["max"]:
            problems.append((["parameters", name], "min is larger than max"))
        values[name] = float(bounds["min"])
    formulas: list[tuple[list[str | int], str, str | None]] = [
        (["derived", n], f, n) for n, f in entry.get("derived", {}).items()
    ]
    formulas += [(["answer"], entry["answer"], "answer")] if "answer" in entry else []
    formulas += [
        (["wrong_answers", i, "formula"], w["formula"], None)
        for i, w in enumerate(entry.get("wrong_answers", []))
    ]
    for field_path, formula, name in formulas:
        try:
            value = evaluate(formula, values)
        except FormulaError as error:
            problems.append((field_path, str(error)))
            continue
        if name:
            values[name] = value
    for text_field, names in (("prompt", entry["parameters"]), ("working", values)):
        try:
            entry.get(text_field, "").format_map({name: 0 for name in names})
        except (KeyError, IndexError, ValueError) as error:
            problems.append(([text_field], f"names an unknown quantity {error}"))
    return problems


class Calculation(QuestionType):
    name = "calculation"
    markable = True
    answer_fields = ("answer", "wrong_answers", "working", "derived")
    schema = {
        "required": ["prompt", "parameters"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"$ref": "#/$defs/text"},
            "parameters": {
                "type": "object",
                "minProperties": 1,
                "propertyNames": NAME_PATTERN,
                "additionalProperties": {
                    "type": "object",
                    "required": ["min", "max", "step"],
                    "additionalProperties": False,
                    "properties": {
                        "min": {"type": "number"},
                        "max": {"type": "number"},
                        "step": {"type": "number", "exclusiveMinimum": 0},
                    },
                },
            },
            "derived": {
                "type": "object",
                "propertyNames": NAME_PATTERN,
                "additionalProperties": {"$ref": "#/$defs/text"},
            },
            "answer": {"$ref": "#/$defs/text"},
            "tolerance": {"type": "number", "minimum": 0},
            "unit": {"type": "string"},
            "working": {"$ref": "#/$defs/text"},
            "explanation": {"$ref": "#/$defs/text"},
            "wrong_answers": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["formula", "feedback"],
                    "additionalProperties": False,
                    "properties": {
                        "formula": {"$ref": "#/$defs/text"},
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
            "tolerance": float(entry.get("tolerance", 0.0)),
            "unit": entry.get("unit", ""),
            "explanation": entry.get("explanation", ""),
            "parameters": tuple(
                (name, (float(b["min"]), float(b["max"]), float(b["step"])))
                for name, b in entry["parameters"].items()
            ),
            "derived": tuple(entry.get("derived", {}).items()),
            "formula": entry.get("answer", ""),
            "wrong_formulas": tuple(
                (w["formula"], w["feedback"]) for w in entry.get("wrong_answers", [])
            ),
            "working": entry.get("working", ""),
        }

    @classmethod
    def problems(cls, entry: Mapping[str, Any], answers_included: bool) -> list[Problem]:
        return super().problems(entry, answers_included) + _calculation_problems(entry)

    @classmethod
    def mark(cls, question: Question, answer: Any, parameters: Mapping[str, float] | None) -> Mark:
        """Right within ``tolerance`` (relative, and absolute near 0); a typical wrong answer
        is named; the feedback works the student's own numbers through."""
        if parameters is None:
            raise ValueError(f"question {question.id!r} is marked with the student's numbers")
        number = finite_number(answer)
        if number is None:
            return unanswered(question)
        values = worked_values(question, parameters)
        working = fill_in(question.working, values) if question.working else ""
        tolerance = question.tolerance or 1e-9

        def close(expected: float) -> bool:
            return math.isclose(number, expected, rel_tol=tolerance, abs_tol=tolerance)

        if close(values["answer"]):
            return Mark(
                question.id, 1.0, f"Right. {working}".strip(), detail="Right.", answer=working
            )
        for formula, feedback in question.wrong_formulas:
            if close(evaluate(formula, values)):
                full = f"{feedback} {working}".strip()
                return Mark(question.id, 0.0, full, detail=feedback, answer=working)
        return Mark(question.id, 0.0, f"Not quite. {working}".strip(), detail="", answer=working)

    @classmethod
    def prompt(cls, question: Question, parameters: Mapping[str, float]) -> str:
        return fill_in(question.prompt, parameters)

    @classmethod
    def quiz_control(
        cls, question: Question, answer: Any, variant: QuizVariant, seed: int, on_change: OnChange
    ) -> widgets.Widget:
        return NumberInput(answer, question.unit or "a number", on_change)

    @classmethod
    def feedback_entry(
        cls, question: Question, mark: Mark, given: Any, answered: bool, variant: QuizVariant
    ) -> QuizQuestionRecord:
        return QuizQuestionRecord(
            numbers=fill_in(
                ", ".join(f"{name} = {{{name}}}" for name, _ in question.parameters),
                variant.parameters(question),
            ),
            given=None if given is None else str(given),
            answer=mark.answer,
        )

    @classmethod
    def feedback_heading(cls, entry: Mapping[str, Any], show_answers: bool) -> str:
        numbers = entry.get("numbers", "")
        if not entry.get("answered"):
            text = f"no answer (your numbers: {numbers}). Not answered yet."
        else:
            verdict = "Correct." if entry.get("correct") else "Not quite."
            detail = str(entry.get("detail") or "")
            detail = "" if detail in ("Right.", "Not quite.") else f" {detail}"
            text = f"you answered {entry.get('given')} (your numbers: {numbers}). {verdict}{detail}"
        if (show_answers or entry.get("correct")) and entry.get("answer"):
            text += f" {entry['answer']}"
        return f"Question {entry.get('number')}: {text}"
