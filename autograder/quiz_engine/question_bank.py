"""Question banks: declarative YAML (or JSON) files, validated against ``bank_schema.json``.

Every problem is reported as one line naming the file, the question and the field::

    course_content/question_banks/quiz.yaml: question 'epoch' (#7), field 'options[2]':
    'text' is a required property

Question types (``question_types``, one module each, and whatever else is registered):
single_choice, multiple_select, numeric, calculation (numbers drawn per student, answer
as a formula: see ``formulas.py``), matching, ordering, flashcard, checkpoint. Each type
gives its fields' schema and its own checks; this module adds what all share. A bank with
``answers_included: false`` holds questions only (for a graded quiz, whose key stays in
the instructor's hidden tests).
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from autograder.quiz_engine.question_types import QuestionType, question_type, registered_types
from autograder.quiz_engine.questions import Option, Question, QuestionBank

# Option, Question and QuestionBank are defined in ``questions``, and read from here too.
__all__ = [
    "Option",
    "Question",
    "QuestionBank",
    "QuestionBankError",
    "bank_schema",
    "load_question_bank",
    "question_bank_from_data",
]


class QuestionBankError(ValueError):
    """A bank file that cannot be used; the message names the file, question and field."""


def bank_schema(types: Mapping[str, type[QuestionType]] | None = None) -> dict[str, Any]:
    """``bank_schema.json`` with the question types' fragments: ``type`` is one of their
    names, and a question of each type has that type's fields (``QuestionType.schema``)."""
    return copy.deepcopy(_registered_schema(types))


def _registered_schema(types: Mapping[str, type[QuestionType]] | None = None) -> dict[str, Any]:
    return _schema(tuple((registered_types() if types is None else types).values()))


@cache
def _schema(types: tuple[type[QuestionType], ...]) -> dict[str, Any]:
    schema = json.loads(resources.files(__package__).joinpath("bank_schema.json").read_text())
    question = schema["$defs"]["question"]
    question["properties"]["type"] = {"enum": [t.name for t in types]}
    question["allOf"] = [
        {
            "if": {"properties": {"type": {"const": t.name}}},
            "then": {
                **t.schema,
                "properties": {"id": True, "type": True, **t.schema.get("properties", {})},
            },
        }
        for t in types
    ]
    return schema


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
    """What the schema cannot say: unique ids, and each type's own checks (exactly one
    right answer, no key in a bank without answers, formulas that evaluate...)."""
    problems: list[tuple[list, str]] = []
    seen: set[str] = set()
    answers = data.get("answers_included", True)
    for index, q in enumerate(data["questions"]):
        where: list = ["questions", index]
        if q["id"] in seen:
            problems.append((where + ["id"], f"duplicate id '{q['id']}'"))
        seen.add(q["id"])
        problems += [
            (where + path, message)
            for path, message in question_type(q["type"]).problems(q, answers)
        ]
    return problems


def _question(entry: dict) -> Question:
    fields = question_type(entry["type"]).question_fields(entry)
    return Question(
        id=entry["id"],
        type=entry["type"],
        bank_entry=copy.deepcopy(entry),
        **fields,
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
        jsonschema.Draft202012Validator(_registered_schema()).iter_errors(data),
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
