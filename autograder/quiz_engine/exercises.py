"""The state of each interactive exercise: plain Python, tested without a browser.

The widgets in ``quiz_widgets.py`` only display these objects and forward clicks
to their methods, so everything a student can do is testable here.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..grading import kernel_guard
from .marking import Mark, mark_answer
from .question_bank import Question, QuestionBank

MARKABLE = ("single_choice", "multiple_select", "numeric", "matching", "ordering")


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
    ``submit`` gives the score. Graded: no feedback and no score before grading;
    answers are saved to ``answers_path`` after every change, so that they travel with
    the submission and nbgrader's autograde can mark them.
    """

    def __init__(
        self, bank: QuestionBank, mode: str = "practice", answers_path: str | Path | None = None
    ):
        if mode not in ("practice", "graded"):
            raise ValueError("mode must be 'practice' or 'graded'")
        if mode == "practice" and not bank.answers_included:
            raise ValueError(f"{bank.source}: practice mode needs a bank with its answers")
        self.bank, self.mode = bank, mode
        self.questions = bank.of_type(*MARKABLE)
        self.answers: dict[str, Any] = {}
        self.checked: dict[str, Mark] = {}
        self.answers_path = Path(answers_path) if answers_path else None
        if self.answers_path and self.answers_path.exists():
            self.answers = load_answers(self.answers_path).get(bank.title, {})

    def answer(self, question_id: str, value: Any) -> None:
        self.bank[question_id]  # KeyError for an unknown question
        self.answers[question_id] = value
        self.checked.pop(question_id, None)
        if self.answers_path:
            save_answers(self.answers_path, self.bank.title, self.answers)

    def check(self, question_id: str) -> Mark:
        if self.mode != "practice":
            raise PermissionError("answers are marked after grading in a graded quiz")
        mark = mark_answer(self.bank[question_id], self.answers.get(question_id))
        self.checked[question_id] = mark
        return mark

    def retry(self, question_id: str) -> None:
        self.answers.pop(question_id, None)
        self.checked.pop(question_id, None)

    @property
    def answered(self) -> int:
        return sum(q.id in self.answers for q in self.questions)

    def submit(self) -> QuizReport:
        if self.mode != "practice":
            raise PermissionError("a graded quiz is scored by the autograder")
        marks = {q.id: mark_answer(q, self.answers.get(q.id)) for q in self.questions}
        self.checked.update(marks)
        return QuizReport(sum(m.score for m in marks.values()), len(self.questions), marks)


def grade_answers(key: QuestionBank, answers: dict[str, Any]) -> QuizReport:
    """Mark saved answers against an answer key (used by hidden tests at grading time)."""
    kernel_guard.verify()
    marks = {q.id: mark_answer(q, answers.get(q.id)) for q in key.of_type(*MARKABLE)}
    return QuizReport(sum(m.score for m in marks.values()), len(marks), marks)


def save_answers(path: Path, title: str, answers: dict[str, Any]) -> None:
    """Write answers next to the notebook (merged with other quizzes' answers in the file)."""
    everything = load_answers(path) if path.exists() else {}
    everything[title] = answers
    path.write_text(json.dumps(everything, indent=1, sort_keys=True), encoding="utf-8")


def load_answers(path: Path) -> dict[str, dict[str, Any]]:
    """Answers by quiz title; an unreadable file counts as no answers."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass
class FlashcardDeck:
    """Cards with a front and a back: flip, step, and sort into known / not yet."""

    cards: list[Question]
    index: int = 0
    flipped: bool = False
    known: set[str] = field(default_factory=set)
    unknown: set[str] = field(default_factory=set)

    @classmethod
    def from_bank(cls, bank: QuestionBank) -> FlashcardDeck:
        return cls(bank.of_type("flashcard"))

    @property
    def card(self) -> Question:
        return self.cards[self.index]

    @property
    def showing(self) -> str:
        return self.card.back if self.flipped else self.card.front

    @property
    def side(self) -> str:
        return "back" if self.flipped else "front"

    def flip(self) -> None:
        self.flipped = not self.flipped

    def next(self) -> None:
        self.index, self.flipped = (self.index + 1) % len(self.cards), False

    def previous(self) -> None:
        self.index, self.flipped = (self.index - 1) % len(self.cards), False

    def mark_known(self) -> None:
        self.known.add(self.card.id)
        self.unknown.discard(self.card.id)
        self.next()

    def mark_unknown(self) -> None:
        self.unknown.add(self.card.id)
        self.known.discard(self.card.id)
        self.next()

    @property
    def progress(self) -> str:
        return (
            f"Card {self.index + 1} of {len(self.cards)} ({self.side}) · "
            f"known {len(self.known)} · not yet {len(self.unknown)}"
        )


class MatchingExercise:
    """Match each term to a definition (distractors included): by clicks or by choosing.

    Click mode: ``select_term`` then ``select_definition``. Choose mode: ``match``.
    """

    def __init__(self, question: Question, seed: int = 0):
        self.question = question
        # With its answers, a question lists pairs; without (graded), terms and definitions.
        self.terms = [term for term, _ in question.pairs] or list(question.terms)
        self.definitions = [d for _, d in question.pairs] + list(question.distractors)
        self.definitions = self.definitions if question.pairs else list(question.definitions)
        random.Random(seed).shuffle(self.definitions)
        self.matches: dict[str, str] = {}
        self.selected_term: str | None = None
        self.result: Mark | None = None

    def select_term(self, term: str) -> None:
        if term not in self.terms:
            raise KeyError(term)
        self.selected_term = term

    def select_definition(self, definition: str) -> None:
        if self.selected_term is None:
            raise ValueError("choose a term first, then its definition")
        self.match(self.selected_term, definition)
        self.selected_term = None

    def match(self, term: str, definition: str | None) -> None:
        if term not in self.terms or (
            definition is not None and definition not in self.definitions
        ):
            raise KeyError(term if term not in self.terms else definition)
        if definition is None:
            self.matches.pop(term, None)
        else:
            self.matches[term] = definition
        self.result = None

    def check(self) -> Mark:
        self.result = mark_answer(self.question, dict(self.matches))
        return self.result


class OrderingExercise:
    """Put items in order with move-up / move-down (keyboard friendly, no dragging)."""

    def __init__(self, question: Question, seed: int = 0):
        self.question = question
        self.order = list(question.items)
        rng = random.Random(seed)
        while self.order == list(question.items) and len(self.order) > 1:
            rng.shuffle(self.order)
        self.result: Mark | None = None

    def move_up(self, position: int) -> None:
        if position > 0:
            self.order[position - 1], self.order[position] = (
                self.order[position],
                self.order[position - 1],
            )
            self.result = None

    def move_down(self, position: int) -> None:
        if position < len(self.order) - 1:
            self.move_up(position + 1)

    def check(self) -> Mark:
        self.result = mark_answer(self.question, list(self.order))
        return self.result


@dataclass
class CheckpointState:
    """Write an answer first, then reveal the sketch to compare."""

    question: Question
    response: str = ""
    revealed: bool = False

    def reveal(self) -> str:
        self.revealed = True
        return self.question.sketch


def collected_answers(
    questions: QuestionBank, answers_path: str | Path, answers_in_code: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A graded quiz's answers: the widget's saved file, overridden by answers typed in code.

    In code, a choice is its letter (``"B"``) or its text; a matching answer maps each
    term to its definition's text. Unknown questions and unreadable values are ignored.
    """
    kernel_guard.verify()
    answers = dict(load_answers(Path(answers_path)).get(questions.title, {}))
    for question_id, value in (answers_in_code or {}).items():
        question = questions.by_id.get(question_id)
        if question is None:
            continue
        if question.type in ("single_choice", "multiple_select"):
            picks = value if isinstance(value, list) else [value]
            indices = [_option_index(question, pick) for pick in picks]
            indices = [i for i in indices if i is not None]
            if indices:
                answers[question_id] = indices if question.type == "multiple_select" else indices[0]
        else:
            answers[question_id] = value
    return answers


def _option_index(question: Question, pick: Any) -> int | None:
    if isinstance(pick, str) and len(pick) == 1 and pick.isalpha():
        index = ord(pick.upper()) - ord("A")
        return index if 0 <= index < len(question.options) else None
    texts = [o.text for o in question.options]
    return texts.index(pick) if pick in texts else None
