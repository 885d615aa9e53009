"""Question banks: declarative YAML (or JSON) files, validated against ``bank_schema.json``.

Every problem is reported as one line naming the file, the question and the field::

    course_content/question_banks/quiz.yaml: question 'epoch' (#7), field 'options[2]':
    'text' is a required property

Question types: single_choice, multiple_select, numeric, calculation (numbers drawn
per student, answer as a formula: see ``formulas.py``), matching, ordering, flashcard,
checkpoint. A bank with ``answers_included: false`` holds questions only
(for a graded quiz, whose key stays in the instructor's hidden tests).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml


class QuestionBankError(ValueError):
    """A bank file that cannot be used; the message names the file, question and field."""


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool | None = None
    feedback: str | None = None


@dataclass(frozen=True)
class Question:
    """One item of any type; only the fields of its ``type`` are set."""

    id: str
    type: str
    prompt: str = ""
    options: tuple[Option, ...] = ()
    answer: float | None = None
    tolerance: float = 0.0
    unit: str = ""
    explanation: str = ""
    wrong_answers: tuple[tuple[float, str], ...] = ()
    pairs: tuple[tuple[str, str], ...] = ()
    distractors: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    definitions: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    front: str = ""
    back: str = ""
    sketch: str = ""
    lesson: str = ""
    # calculation: (name, (min, max, step)) per parameter, (name, formula) per derived
    # quantity, the answer's formula, (formula, feedback) per typical wrong answer.
    parameters: tuple[tuple[str, tuple[float, float, float]], ...] = ()
    derived: tuple[tuple[str, str], ...] = ()
    formula: str = ""
    wrong_formulas: tuple[tuple[str, str], ...] = ()
    working: str = ""


@dataclass(frozen=True)
class QuestionBank:
    title: str
    questions: tuple[Question, ...]
    answers_included: bool = True
    description: str = ""
    source: str = ""
    by_id: dict[str, Question] = field(default_factory=dict, compare=False, repr=False)

    def of_type(self, *types: str) -> list[Question]:
        return [q for q in self.questions if q.type in types]

    def __getitem__(self, question_id: str) -> Question:
        return self.by_id[question_id]


@cache
def _schema() -> dict:
    return json.loads(resources.files(__package__).joinpath("bank_schema.json").read_text())


def _where(data: Any, path: list) -> str:
    """'question 'epoch' (#7), field 'options[2].text'' from a jsonschema error path."""
    if len(path) < 2 or path[0] != "questions":
        return f"field '{'.'.join(map(str, path))}'" if path else "the top level"
    index = path[1]
    question = data["questions"][index] if isinstance(index, int) else {}
    name = question.get("id") if isinstance(question, dict) else None
    label = f"question '{name}' (#{index + 1})" if name else f"question #{index + 1}"
    rest = ""
    for part in path[2:]:
        rest += f"[{part}]" if isinstance(part, int) else (f".{part}" if rest else str(part))
    return f"{label}, field '{rest}'" if rest else label


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise QuestionBankError(f"{path}: cannot be read ({error.strerror}).") from None
    try:
        return yaml.safe_load(text) if path.suffix in {".yaml", ".yml"} else json.loads(text)
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        reason = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise QuestionBankError(f"{path}: not valid YAML/JSON{where} ({reason}).") from None


def _semantic_problems(data: dict) -> list[tuple[list, str]]:
    """What the schema cannot say: unique ids, exactly one right answer, no leaked keys."""
    problems: list[tuple[list, str]] = []
    seen: set[str] = set()
    answers = data.get("answers_included", True)
    for index, q in enumerate(data["questions"]):
        where = ["questions", index]
        if q["id"] in seen:
            problems.append((where + ["id"], f"duplicate id '{q['id']}'"))
        seen.add(q["id"])
        flags = [o.get("correct") for o in q.get("options", [])]
        if not answers:
            keys = ("answer", "pairs", "wrong_answers", "working", "derived")
            if any(f is not None for f in flags) or any(k in q for k in keys):
                problems.append((where, "answers_included is false, but an answer is given"))
            if q["type"] == "calculation":
                problems += _calculation_problems(q, where)
            continue
        if q["type"] == "matching" and "pairs" not in q:
            problems.append((where, "'pairs' is a required property (the answer)"))
        if q["type"] == "single_choice" and flags.count(True) != 1:
            problems.append((where + ["options"], "needs exactly one option with correct: true"))
        if q["type"] == "multiple_select" and flags.count(True) < 1:
            problems.append((where + ["options"], "needs at least one option with correct: true"))
        if q["type"] == "calculation":
            problems += _calculation_problems(q, where)
        if q["type"] == "numeric" and "answer" not in q:
            problems.append((where, "'answer' is a required property"))
        if q["type"] == "matching" and "pairs" in q:
            definitions = [p["definition"] for p in q["pairs"]] + q.get("distractors", [])
            if len(set(definitions)) != len(definitions):
                problems.append((where + ["pairs"], "definitions and distractors must all differ"))
    return problems


def _calculation_problems(q: dict, where: list) -> list[tuple[list, str]]:
    """Ranges that are empty, a prompt naming an unknown quantity, formulas that fail."""
    from autograder.quiz_engine.formulas import (  # formulas imports this module
        FormulaError,
        evaluate,
    )

    problems = []
    values = {}
    for name, bounds in q["parameters"].items():
        if bounds["min"] > bounds["max"]:
            problems.append((where + ["parameters", name], "min is larger than max"))
        values[name] = float(bounds["min"])
    formulas = [(["derived", n], f, n) for n, f in q.get("derived", {}).items()]
    formulas += [(["answer"], q["answer"], "answer")] if "answer" in q else []
    formulas += [
        (["wrong_answers", i, "formula"], w["formula"], None)
        for i, w in enumerate(q.get("wrong_answers", []))
    ]
    for field_path, formula, name in formulas:
        try:
            value = evaluate(formula, values)
        except FormulaError as error:
            problems.append((where + field_path, str(error)))
            continue
        if name:
            values[name] = value
    for text_field, names in (("prompt", q["parameters"]), ("working", values)):
        try:
            q.get(text_field, "").format_map({name: 0 for name in names})
        except (KeyError, IndexError, ValueError) as error:
            problems.append((where + [text_field], f"names an unknown quantity {error}"))
    return problems


def _question(raw: dict) -> Question:
    return Question(
        id=raw["id"],
        type=raw["type"],
        prompt=raw.get("prompt", ""),
        options=tuple(
            Option(o["text"], o.get("correct"), o.get("feedback")) for o in raw.get("options", [])
        ),
        answer=raw.get("answer") if raw["type"] == "numeric" else None,
        tolerance=float(raw.get("tolerance", 0.0)),
        unit=raw.get("unit", ""),
        explanation=raw.get("explanation", ""),
        wrong_answers=tuple(
            (w["value"], w["feedback"])
            for w in raw.get("wrong_answers", [])
            if raw["type"] == "numeric"
        ),
        pairs=tuple((p["term"], p["definition"]) for p in raw.get("pairs", [])),
        distractors=tuple(raw.get("distractors", [])),
        terms=tuple(raw.get("terms", [])),
        definitions=tuple(raw.get("definitions", [])),
        items=tuple(raw.get("items", [])),
        front=raw.get("front", ""),
        back=raw.get("back", ""),
        sketch=raw.get("sketch", ""),
        lesson=raw.get("lesson", ""),
        parameters=tuple(
            (name, (float(b["min"]), float(b["max"]), float(b["step"])))
            for name, b in raw.get("parameters", {}).items()
        ),
        derived=tuple(raw.get("derived", {}).items()),
        formula=raw.get("answer", "") if raw["type"] == "calculation" else "",
        wrong_formulas=tuple(
            (w["formula"], w["feedback"])
            for w in raw.get("wrong_answers", [])
            if raw["type"] == "calculation"
        ),
        working=raw.get("working", ""),
    )


def load_question_bank(path: str | Path) -> QuestionBank:
    """Read and validate a bank file; raise QuestionBankError with one clear line if it is bad."""
    path = Path(path)
    return question_bank_from_data(_read(path), source=str(path))


def question_bank_from_data(data: Any, source: str = "<bank>") -> QuestionBank:
    """Validate bank data already in memory (e.g. an answer key in a hidden test)."""
    path = source
    if not isinstance(data, dict):
        raise QuestionBankError(f"{path}: expected a mapping with 'title' and 'questions'.")
    errors = sorted(
        jsonschema.Draft202012Validator(_schema()).iter_errors(data),
        key=lambda e: (list(e.absolute_path), -len(e.absolute_path)),
    )
    if errors:
        error = jsonschema.exceptions.best_match(errors)
        raise QuestionBankError(
            f"{path}: {_where(data, list(error.absolute_path))}: {error.message}"
        )
    problems = _semantic_problems(data)
    if problems:
        where, message = problems[0]
        raise QuestionBankError(f"{path}: {_where(data, where)}: {message}")
    questions = tuple(_question(q) for q in data["questions"])
    return QuestionBank(
        title=data["title"],
        questions=questions,
        answers_included=data.get("answers_included", True),
        description=data.get("description", ""),
        source=source,
        by_id={q.id: q for q in questions},
    )
