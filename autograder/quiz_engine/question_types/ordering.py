"""``ordering``: put the items in order, with move-up / move-down (no dragging).

The bank lists the items in the right order. Canonical, shown and saved answer: the list
of items in the order chosen. In a lesson, ``OrderingView`` shows it with a Check button.
"""

from __future__ import annotations

import html
import random
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from autograder.accessible_widgets import LiveRegion, NamedButton
from autograder.quiz_engine.question_types.base import OnChange, QuestionType, verdict_html
from autograder.quiz_engine.questions import Mark, Question, unanswered
from autograder.quiz_engine.variants import QuizVariant


class OrderingExercise:
    """Put items in order with move-up / move-down (keyboard friendly, no dragging)."""

    def __init__(self, question: Question, seed: int = 0):
        self.question = question
        self.order = list(question.items)
        rng = random.Random(seed)
        while self.order == list(question.items) and len(self.order) > 1:
            rng.shuffle(self.order)
        self.result: Mark | None = None

    def restore(self, order: list[str] | None) -> None:
        """Take back a saved order (if it holds exactly this question's items)."""
        if order and sorted(order) == sorted(self.order):
            self.order = list(order)

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
        self.result = Ordering.mark(self.question, list(self.order), None)
        return self.result


class OrderingView(widgets.VBox):
    """Rows of 'item [Move up] [Move down]' and a Check button.

    The rows stay on the page while items move through them, so the keyboard focus is
    never lost: after a move it follows the item (to its new row's button), and the live
    region says where the item now is.
    """

    def __init__(self, exercise: OrderingExercise, show_check: bool = True, on_change=None):
        super().__init__()
        self.exercise, self.on_change = exercise, on_change
        self.labels: list[widgets.HTML] = []
        self.up_buttons: list[NamedButton] = []
        self.down_buttons: list[NamedButton] = []
        rows = []
        for position in range(len(exercise.order)):
            label = widgets.HTML(layout=widgets.Layout(width="320px", min_width="200px"))
            # Each button is named after its item: "Move up" alone would be every row's name.
            up, down = NamedButton(description="Move up"), NamedButton(description="Move down")
            up.on_click(lambda _, p=position: self._move(p, True))
            down.on_click(lambda _, p=position: self._move(p, False))
            self.labels.append(label)
            self.up_buttons.append(up)
            self.down_buttons.append(down)
            rows.append(
                widgets.HBox([label, up, down], layout=widgets.Layout(align_items="center"))
            )
        self.rows = widgets.VBox(rows)
        self.moved = LiveRegion()
        self.feedback = LiveRegion()
        self.check_button = widgets.Button(description="Check order", tooltip="Check the order")
        self.check_button.on_click(lambda _: self._check())
        self.children = [
            widgets.HTML(f"<b>{html.escape(exercise.question.prompt)}</b>"),
            self.rows,
            self.moved,
        ]
        if show_check:
            self.children += (self.check_button, self.feedback)
        self._render()

    def enter(self, shown: list[str]) -> None:
        """Put the items in ``shown``'s order, and report it."""
        self.exercise.order = list(shown)
        self._render()
        if self.on_change:
            self.on_change(list(shown))

    def clear(self) -> None:
        """An order is always shown: nothing to empty."""

    def _move(self, position: int, up: bool) -> None:
        item = self.exercise.order[position]
        (self.exercise.move_up if up else self.exercise.move_down)(position)
        self.feedback.value = ""
        self._render()
        now = self.exercise.order.index(item)
        count = len(self.exercise.order)
        way = "up" if up else "down"
        self.moved.value = f"<p>“{html.escape(item)}” moved {way}: now {now + 1} of {count}.</p>"
        same, other = (
            (self.up_buttons, self.down_buttons) if up else (self.down_buttons, self.up_buttons)
        )
        (same[now] if not same[now].disabled else other[now]).focus()
        if self.on_change:
            self.on_change(list(self.exercise.order))

    def _render(self) -> None:
        last = len(self.exercise.order) - 1
        for position, item in enumerate(self.exercise.order):
            self.labels[position].value = f"<b>{position + 1}.</b> {html.escape(item)}"
            up, down = self.up_buttons[position], self.down_buttons[position]
            up.accessible_name, up.tooltip = f"Move up: {item}", f"Move “{item}” up one place"
            down.accessible_name = f"Move down: {item}"
            down.tooltip = f"Move “{item}” down one place"
            up.disabled, down.disabled = position == 0, position == last

    def _check(self) -> None:
        self.feedback.value = verdict_html(self.exercise.check())


class Ordering(QuestionType):
    name = "ordering"
    markable = True
    clearable = False
    schema = {
        "required": ["prompt", "items"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"$ref": "#/$defs/text"},
            "items": {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/text"}},
            "explanation": {"$ref": "#/$defs/text"},
        },
    }

    @classmethod
    def question_fields(cls, entry: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "prompt": entry.get("prompt", ""),
            "items": tuple(entry["items"]),
            "explanation": entry.get("explanation", ""),
        }

    @classmethod
    def mark(cls, question: Question, answer: Any, parameters: Mapping[str, float] | None) -> Mark:
        """One share per item in its right position."""
        if not isinstance(answer, list) or sorted(answer) != sorted(question.items):
            return unanswered(question)
        placed = sum(a == b for a, b in zip(answer, question.items, strict=True))
        score = placed / len(question.items)
        feedback = question.explanation or "Right order."
        if score < 1.0:
            feedback = (
                f"{placed} of {len(question.items)} in the right place. {question.explanation}"
            )
        return Mark(question.id, score, feedback.strip())

    @classmethod
    def quiz_control(
        cls, question: Question, answer: Any, variant: QuizVariant, seed: int, on_change: OnChange
    ) -> widgets.Widget:
        exercise = OrderingExercise(question, seed)
        exercise.restore(answer)
        return OrderingView(exercise, show_check=False, on_change=on_change)
