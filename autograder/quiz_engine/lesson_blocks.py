"""One call per interactive block in a lesson notebook; a broken bank never breaks the lesson.

Each ``show_*`` returns the widget (displayed as the cell's result). If the bank file
is missing or malformed, it returns a short notice naming the file and the problem
instead of raising, so the rest of the lesson still opens and runs.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets

from autograder.quiz_engine.question_bank import QuestionBank, QuestionBankError, load_question_bank
from autograder.quiz_engine.question_types.checkpoint import CheckpointState, CheckpointView
from autograder.quiz_engine.question_types.flashcard import Flashcard, FlashcardDeck, FlashcardView
from autograder.quiz_engine.question_types.matching import MatchingExercise, MatchingView
from autograder.quiz_engine.question_types.ordering import OrderingExercise, OrderingView
from autograder.quiz_engine.quiz_widgets import QuizView


def _guarded(
    bank_path: str | Path, build: Callable[[QuestionBank], widgets.Widget]
) -> widgets.Widget:
    try:
        return build(load_question_bank(bank_path))
    except (QuestionBankError, KeyError, IndexError) as error:
        message = (
            str(error) if isinstance(error, QuestionBankError) else f"{bank_path}: no item {error}"
        )
        return widgets.HTML(
            f"<p role='alert'><b>This exercise could not be loaded.</b> {html.escape(message)} "
            "The rest of the lesson works; tell your instructor.</p>"
        )


def show_quiz(bank_path: str | Path, one_at_a_time: bool = False) -> widgets.Widget:
    """The bank's quiz in practice mode: instant feedback, retry, and a final score."""
    return _guarded(bank_path, lambda bank: QuizView(bank, "practice", one_at_a_time))


def show_flashcards(bank_path: str | Path, *card_ids: str) -> widgets.Widget:
    """The bank's flashcards; or, when ids are given, only those cards, in that order (a
    lesson shows the cards of the words it teaches)."""

    def build(bank: QuestionBank) -> widgets.Widget:
        if not card_ids:
            return FlashcardView(FlashcardDeck.from_bank(bank))
        cards = [bank[card_id] for card_id in card_ids]
        not_cards = [card.id for card in cards if card.type != Flashcard.name]
        if not_cards:
            raise KeyError(f"{', '.join(not_cards)} (not a flashcard)")
        return FlashcardView(FlashcardDeck(cards))

    return _guarded(bank_path, build)


def show_matching(bank_path: str | Path, question_id: str, seed: int = 0) -> widgets.Widget:
    return _guarded(bank_path, lambda bank: MatchingView(MatchingExercise(bank[question_id], seed)))


def show_ordering(bank_path: str | Path, question_id: str, seed: int = 0) -> widgets.Widget:
    return _guarded(bank_path, lambda bank: OrderingView(OrderingExercise(bank[question_id], seed)))


def show_checkpoint(bank_path: str | Path, *question_ids: str) -> widgets.Widget:
    """One checkpoint, or several one under the other (a lesson's review questions)."""

    def build(bank: QuestionBank) -> widgets.Widget:
        views = [CheckpointView(CheckpointState(bank[qid])) for qid in question_ids]
        return views[0] if len(views) == 1 else widgets.VBox(views)

    return _guarded(bank_path, build)
