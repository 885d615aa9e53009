"""``checkpoint``: an open question in a lesson; the student writes an answer, then
reveals the ``sketch`` to compare. Not marked."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets

from autograder.accessible_widgets import LiveRegion, wide_button
from autograder.quiz_engine.question_types.base import QuestionType
from autograder.quiz_engine.questions import Question


class Checkpoint(QuestionType):
    name = "checkpoint"
    schema = {
        "required": ["prompt", "sketch"],
        "additionalProperties": False,
        "properties": {
            "prompt": {"$ref": "#/$defs/text"},
            "sketch": {"$ref": "#/$defs/text"},
            "lesson": {"type": "string"},
        },
    }

    @classmethod
    def question_fields(cls, entry: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "prompt": entry["prompt"],
            "sketch": entry["sketch"],
            "lesson": entry.get("lesson", ""),
        }


@dataclass
class CheckpointState:
    """Write an answer first, then reveal the sketch to compare."""

    question: Question
    response: str = ""
    revealed: bool = False

    def reveal(self) -> str:
        self.revealed = True
        return self.question.sketch


class CheckpointView(widgets.VBox):
    """Write your answer, then reveal the sketch to compare."""

    def __init__(self, state: CheckpointState):
        super().__init__()
        self.state = state
        self.response = widgets.Textarea(
            description="Your answer",
            placeholder="Write a few sentences first",
            layout=widgets.Layout(width="95%", height="80px"),
        )
        self.response.observe(lambda c: setattr(state, "response", c["new"]), names="value")
        self.reveal_button = wide_button(description="Reveal answer sketch")
        self.reveal_button.on_click(lambda _: self.reveal())
        self.sketch = LiveRegion()
        self.children = [
            widgets.HTML(f"<b>Checkpoint.</b> {html.escape(state.question.prompt)}"),
            self.response,
            self.reveal_button,
            self.sketch,
        ]

    def reveal(self) -> None:
        sketch = self.state.reveal()
        self.sketch.value = f"<p><b>Answer sketch:</b> {html.escape(sketch)}</p>"
