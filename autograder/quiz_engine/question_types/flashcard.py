"""``flashcard``: a card with a ``front`` and a ``back``, in a deck the student flips
through and sorts into known / not yet. Not marked."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets

from autograder.accessible_widgets import LiveRegion
from autograder.quiz_engine.question_types.base import QuestionType
from autograder.quiz_engine.questions import Question, QuestionBank


class Flashcard(QuestionType):
    name = "flashcard"
    schema = {
        "required": ["front", "back"],
        "additionalProperties": False,
        "properties": {"front": {"$ref": "#/$defs/text"}, "back": {"$ref": "#/$defs/text"}},
    }

    @classmethod
    def question_fields(cls, entry: Mapping[str, Any]) -> dict[str, Any]:
        return {"front": entry["front"], "back": entry["back"]}


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
        return cls(bank.of_type(Flashcard.name))

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


class FlashcardView(widgets.VBox):
    """One card at a time: Flip, Previous, Next, I know it, Not yet."""

    def __init__(self, deck: FlashcardDeck):
        super().__init__()
        self.deck = deck
        # A live region: what Flip reveals is read out.
        self.card = LiveRegion(
            layout=widgets.Layout(border="1px solid #888", padding="16px", min_height="90px")
        )
        self.progress = widgets.Label()
        buttons = {
            "Flip card": deck.flip,
            "Previous card": deck.previous,
            "Next card": deck.next,
            "I know it": deck.mark_known,
            "Not yet": deck.mark_unknown,
        }
        self.buttons = {}
        for label, action in buttons.items():
            button = widgets.Button(description=label, tooltip=label)
            button.on_click(lambda _, a=action: self._act(a))
            self.buttons[label] = button
        self.children = [self.card, widgets.HBox(list(self.buttons.values())), self.progress]
        self._render()

    def _act(self, action: Callable[[], object]) -> None:
        action()
        self._render()

    def _render(self) -> None:
        side = "Answer" if self.deck.flipped else "Term"
        self.card.value = (
            f"<p><i>{side}:</i></p><p style='font-size:1.2em'>{html.escape(self.deck.showing)}</p>"
        )
        self.progress.value = self.deck.progress
