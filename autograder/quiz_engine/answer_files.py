"""The graded quiz's answers file (``quiz_answers.json``), saved atomically, read loudly.

Format, one entry per quiz title (several quizzes can share the file)::

    {"Backpropagation quiz": {"student_id": "alice",
                              "answers": {"purpose": "C", "one-weight-loss": 12.96, ...}}}

A choice is saved as the letter the student saw (their own variant's order), a matching
answer as {term: definition}, a number as a number. A file that cannot be read is never
taken for "no answers": ``read_answers`` says what is wrong, for the widget and the feedback.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from autograder.atomic_files import write_atomically


@dataclass
class SavedAnswers:
    """One quiz's entry: ``problem`` says why the file could not be used (None if it could)."""

    answers: dict[str, Any] = field(default_factory=dict)
    student_id: str | None = None
    problem: str | None = None


def _read_file(path: Path) -> tuple[dict, str | None]:
    if not path.exists():
        return {}, None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        return {}, f"{path.name} could not be read ({error.strerror})"
    except ValueError as error:
        return {}, f"{path.name} is damaged and could not be read ({error})"
    if not isinstance(data, dict):
        return {}, f"{path.name} does not hold quiz answers (it holds a {type(data).__name__})"
    return data, None


def read_answers(path: str | Path, title: str) -> SavedAnswers:
    """The answers saved for the quiz ``title``."""
    path = Path(path)
    data, problem = _read_file(path)
    if problem:
        return SavedAnswers(problem=problem)
    entry = data.get(title)
    if entry is None:
        return SavedAnswers()
    if not isinstance(entry, dict) or not isinstance(entry.get("answers", {}), dict):
        return SavedAnswers(problem=f"{path.name}: the answers to {title!r} are not readable")
    student = entry.get("student_id")
    return SavedAnswers(dict(entry.get("answers", {})), str(student) if student else None)


def save_answers(path: str | Path, title: str, student_id: str, answers: dict[str, Any]) -> None:
    """Replace the quiz's entry (other quizzes' entries are kept if the file is readable)."""
    path = Path(path)
    data, _ = _read_file(path)
    data[title] = {"student_id": student_id, "answers": answers}
    write_atomically(path, json.dumps(data, indent=1, sort_keys=True))
