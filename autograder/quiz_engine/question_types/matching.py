"""``matching``: match each term to its definition (distractors among the definitions).

With its answers a question lists ``pairs``; without (a graded quiz's released bank),
``terms`` and ``definitions``. Canonical, shown and saved answer: {term: definition}.
In a lesson, ``MatchingView`` shows it on its own with a Check button.
"""

from __future__ import annotations

import html
import random
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets

from autograder.accessible_widgets import LiveRegion, wide_button
from autograder.notebook_metadata import MatchingPairRecord, QuizQuestionRecord
from autograder.quiz_engine.question_types.base import (
    OnChange,
    Problem,
    QuestionType,
    verdict_html,
)
from autograder.quiz_engine.questions import Mark, Question, unanswered
from autograder.quiz_engine.variants import QuizVariant

TEXTS = {"type": "array", "minItems": 2, "items": {"$ref": "#/$defs/text"}}


class MatchingExercise:
    """Match each term to a definition (distractors included): by clicks or by choosing.

    Click mode: ``select_term`` then ``select_definition``. Choose mode: ``match``.
    """

    def __init__(self, question: Question, seed: int = 0, variant: QuizVariant | None = None):
        self.question = question
        # With its answers, a question lists pairs; without (graded), terms and definitions.
        self.terms = [term for term, _ in question.pairs] or list(question.terms)
        self.definitions = [d for _, d in question.pairs] + list(question.distractors)
        self.definitions = self.definitions if question.pairs else list(question.definitions)
        if variant is not None and variant.personal:
            self.definitions = variant.definition_order(self.definitions, question)
        else:
            random.Random(seed).shuffle(self.definitions)
        self.matches: dict[str, str] = {}
        self.selected_term: str | None = None
        self.result: Mark | None = None

    def restore(self, matches: Mapping[str, str] | None) -> None:
        """Take back saved matches (those of this question's terms and definitions)."""
        for term, definition in (matches or {}).items():
            if term in self.terms and definition in self.definitions:
                self.match(term, definition)

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
        self.result = Matching.mark(self.question, dict(self.matches), None)
        return self.result


class MatchingView(widgets.VBox):
    """Two ways to match: a drop-down per term, or click a term then a definition."""

    def __init__(self, exercise: MatchingExercise, show_check: bool = True, on_change=None):
        super().__init__()
        self.exercise, self.on_change = exercise, on_change
        choices = [("(choose a definition)", None)] + [(d, d) for d in exercise.definitions]
        self.dropdowns = {}
        for term in exercise.terms:
            dropdown = widgets.Dropdown(
                options=choices,
                value=None,
                description=term,
                style={"description_width": "160px"},
                layout=widgets.Layout(width="95%"),
            )
            dropdown.observe(lambda change, t=term: self._chosen(t, change["new"]), names="value")
            self.dropdowns[term] = dropdown
        self.term_buttons = {
            t: wide_button(description=t, tooltip=f"Select the term {t}") for t in exercise.terms
        }
        for term, button in self.term_buttons.items():
            button.on_click(lambda _, t=term: self._select_term(t))
        self.definition_buttons = {
            d: wide_button(description=d, tooltip=f"Match the selected term to: {d}")
            for d in exercise.definitions
        }
        for definition, button in self.definition_buttons.items():
            button.on_click(lambda _, d=definition: self._select_definition(d))
        self.status = LiveRegion()
        self.feedback = LiveRegion()
        self.check_button = widgets.Button(
            description="Check matches", tooltip="Check your matches"
        )
        self.check_button.on_click(lambda _: self._check())
        by_clicks = widgets.HBox(
            [
                widgets.VBox([widgets.Label("Terms"), *self.term_buttons.values()]),
                widgets.VBox([widgets.Label("Definitions"), *self.definition_buttons.values()]),
            ]
        )
        tabs = widgets.Tab(children=[widgets.VBox(list(self.dropdowns.values())), by_clicks])
        tabs.titles = ("Choose from lists", "Click term, then definition")
        self.children = [
            widgets.HTML(f"<b>{html.escape(exercise.question.prompt)}</b>"),
            tabs,
            self.status,
        ]
        if show_check:
            self.children += (self.check_button, self.feedback)
        self._render()

    def enter(self, shown: Mapping[str, str]) -> None:
        """Match as a student would: each term's drop-down set to its definition."""
        for term, definition in shown.items():
            self.dropdowns[term].value = definition

    def clear(self) -> None:
        for dropdown in self.dropdowns.values():
            dropdown.value = None  # each change is reported

    def _chosen(self, term: str, definition: str | None) -> None:
        if self.exercise.matches.get(term) != definition:
            self.exercise.match(term, definition)
            self._changed()

    def _select_term(self, term: str) -> None:
        self.exercise.select_term(term)
        self._render()

    def _select_definition(self, definition: str) -> None:
        if self.exercise.selected_term is None:
            self.status.value = "<p>Select a term first, then its definition.</p>"
            return
        self.exercise.select_definition(definition)
        self._changed()

    def _changed(self) -> None:
        self.feedback.value = ""
        self._render()
        if self.on_change:
            self.on_change(dict(self.exercise.matches))

    def _render(self) -> None:
        selected = self.exercise.selected_term
        for term, button in self.term_buttons.items():
            matched = self.exercise.matches.get(term)
            mark = "▶ " if term == selected else ""
            button.description = f"{mark}{term}" + (" (matched)" if matched else "")
            button.button_style = "info" if term == selected else ""
        for term, dropdown in self.dropdowns.items():
            if dropdown.value != self.exercise.matches.get(term):
                dropdown.value = self.exercise.matches.get(term)
        done = len(self.exercise.matches)
        hint = f" Selected: {selected}. Now click its definition." if selected else ""
        self.status.value = f"<p>{done} of {len(self.exercise.terms)} terms matched.{hint}</p>"

    def _check(self) -> None:
        self.feedback.value = verdict_html(self.exercise.check())


def _pair_line(pair: Mapping[str, Any], show_answers: bool) -> str:
    term, given = pair.get("term"), pair.get("given")
    if pair.get("right"):
        return f"  {term}: right"
    line = f"  {term}: not '{given}'" if given else f"  {term}: not matched"
    if show_answers:
        line += f"; should be '{pair.get('answer')}'"
    return line


class Matching(QuestionType):
    name = "matching"
    markable = True
    answer_fields = ("pairs",)
    schema = {
        "additionalProperties": False,
        "properties": {
            "prompt": {"$ref": "#/$defs/text"},
            "pairs": {
                "type": "array",
                "minItems": 2,
                "items": {
                    "type": "object",
                    "required": ["term", "definition"],
                    "additionalProperties": False,
                    "properties": {
                        "term": {"$ref": "#/$defs/text"},
                        "definition": {"$ref": "#/$defs/text"},
                    },
                },
            },
            "distractors": {"type": "array", "items": {"$ref": "#/$defs/text"}},
            "terms": TEXTS,
            "definitions": TEXTS,
        },
        "required": ["prompt"],
        "oneOf": [{"required": ["pairs"]}, {"required": ["terms", "definitions"]}],
    }

    @classmethod
    def question_fields(cls, entry: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "prompt": entry.get("prompt", ""),
            "pairs": tuple((p["term"], p["definition"]) for p in entry.get("pairs", [])),
            "distractors": tuple(entry.get("distractors", [])),
            "terms": tuple(entry.get("terms", [])),
            "definitions": tuple(entry.get("definitions", [])),
        }

    @classmethod
    def problems(cls, entry: Mapping[str, Any], answers_included: bool) -> list[Problem]:
        problems = super().problems(entry, answers_included)
        if not answers_included:
            return problems
        if "pairs" not in entry:
            return problems + [([], "'pairs' is a required property (the answer)")]
        definitions = [p["definition"] for p in entry["pairs"]] + entry.get("distractors", [])
        if len(set(definitions)) != len(definitions):
            problems.append((["pairs"], "definitions and distractors must all differ"))
        return problems

    @classmethod
    def mark(cls, question: Question, answer: Any, parameters: Mapping[str, float] | None) -> Mark:
        """One share per term matched to its own definition."""
        if not isinstance(answer, dict) or not answer:
            return unanswered(question)
        wrong = [term for term, definition in question.pairs if answer.get(term) != definition]
        score = (len(question.pairs) - len(wrong)) / len(question.pairs)
        feedback = "All pairs match." if not wrong else "Check again: " + ", ".join(wrong) + "."
        return Mark(question.id, score, feedback)

    @classmethod
    def quiz_control(
        cls, question: Question, answer: Any, variant: QuizVariant, seed: int, on_change: OnChange
    ) -> widgets.Widget:
        exercise = MatchingExercise(question, seed, variant)
        exercise.restore(answer)
        return MatchingView(exercise, show_check=False, on_change=on_change)

    @classmethod
    def feedback_entry(
        cls, question: Question, mark: Mark, given: Any, answered: bool, variant: QuizVariant
    ) -> QuizQuestionRecord:
        matched = given if isinstance(given, dict) else {}
        pairs = [
            MatchingPairRecord(
                term=term,
                given=matched.get(term),
                right=matched.get(term) == definition,
                answer=definition,
            )
            for term, definition in question.pairs
        ]
        return QuizQuestionRecord(pairs=pairs)

    @classmethod
    def feedback_heading(cls, entry: Mapping[str, Any], show_answers: bool) -> str:
        share = float(entry.get("score", 0.0))
        detail = str(entry.get("detail") or "")
        detail = "" if detail.startswith("Check again") else f" {detail}"
        return f"Question {entry.get('number')} (matching): {share:.0%} right.{detail}".rstrip()

    @classmethod
    def feedback_details(cls, entry: Mapping[str, Any], show_answers: bool) -> list[str]:
        return [_pair_line(pair, show_answers) for pair in entry.get("pairs", [])]
