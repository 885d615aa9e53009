"""The question types, by the ``type`` a bank gives each question.

One module per type (or per family of types) defines a ``QuestionType`` subclass: its
fields in the bank (a JSON-schema fragment and the checks a schema cannot make), how an
answer is marked, its answers as the student sees them, and its widget. The bank schema
(``question_bank``), the marking (``marking``), the quiz (``exercises``), the graded
feedback (``graded_marking``, ``quiz_feedback``) and the quiz widget (``quiz_widgets``)
all go through this registry. A new type is a new module here plus its line in
``BUILT_IN`` (or, outside the course's own types, a call to ``register``).

The registry is a read-only mapping that ``register`` replaces with a new one: in a
grading kernel the integrity guard records it, so a type swapped in by a notebook's cell
is caught (``integrity_guard.kernel_guard``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from autograder.quiz_engine.question_types.base import AnswerControl, QuestionType, verdict_html
from autograder.quiz_engine.question_types.calculation import Calculation
from autograder.quiz_engine.question_types.checkpoint import Checkpoint
from autograder.quiz_engine.question_types.choices import MultipleSelect, SingleChoice
from autograder.quiz_engine.question_types.flashcard import Flashcard
from autograder.quiz_engine.question_types.matching import Matching
from autograder.quiz_engine.question_types.numeric import Numeric
from autograder.quiz_engine.question_types.ordering import Ordering

BUILT_IN: tuple[type[QuestionType], ...] = (
    SingleChoice,
    MultipleSelect,
    Numeric,
    Calculation,
    Matching,
    Ordering,
    Flashcard,
    Checkpoint,
)

_registered: Mapping[str, type[QuestionType]] = MappingProxyType({t.name: t for t in BUILT_IN})


def register(question_type: type[QuestionType]) -> type[QuestionType]:
    """Add a type (ValueError if it has no name or its name is taken); returns it."""
    global _registered
    if not question_type.name or question_type.name in _registered:
        raise ValueError(f"a question type needs a new name, not {question_type.name!r}")
    _registered = MappingProxyType({**_registered, question_type.name: question_type})
    return question_type


def unregister(name: str) -> None:
    """Remove a type added by ``register`` (the course's own types stay)."""
    global _registered
    if any(t.name == name for t in BUILT_IN):
        raise ValueError(f"{name!r} is one of the course's own question types")
    _registered = MappingProxyType({n: t for n, t in _registered.items() if n != name})


def registered_types() -> Mapping[str, type[QuestionType]]:
    """{type name: its class}, in the order they were registered."""
    return _registered


def question_type(name: str) -> type[QuestionType]:
    """The type called ``name``; KeyError naming it if there is none."""
    try:
        return _registered[name]
    except KeyError:
        raise KeyError(f"no question type {name!r}") from None


def markable_types() -> tuple[str, ...]:
    """The names of the types a quiz marks."""
    return tuple(name for name, t in _registered.items() if t.markable)


__all__ = [
    "AnswerControl",
    "QuestionType",
    "markable_types",
    "question_type",
    "register",
    "registered_types",
    "unregister",
    "verdict_html",
]
