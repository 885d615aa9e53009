"""ipywidgets views over the exercises in ``exercises.py`` (thin: no logic of their own).

Accessibility: every control carries a text label (a ``description``, a button's own
text, or a label beside it) that names what it acts on ("Move up: Forward pass"),
right and wrong are said in words ("Correct", "Not quite"), never by colour alone, in a
live region that stays on the page (``LiveRegion``), so a screen reader reads each verdict
as it appears; nothing needs dragging. Long button texts wrap instead of being cut off
(the ``course-wrap`` class, styled by ``autograder.accessible_widgets``). Choices are buttons, one
per option, because JupyterLab's command-mode shortcuts take the arrow keys from a
focused radio group or drop-down inside a notebook: with buttons, Tab moves between
options and Enter or Space chooses, and the chosen one is marked in its text (◉/☑).
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from autograder.accessible_widgets import LiveRegion, NamedButton, wide_button
from autograder.quiz_engine.exercises import (
    CheckpointState,
    FlashcardDeck,
    MatchingExercise,
    OrderingExercise,
    Quiz,
)
from autograder.quiz_engine.formulas import fill_in
from autograder.quiz_engine.marking import Mark
from autograder.quiz_engine.question_bank import Question, QuestionBank
from autograder.quiz_engine.student_identity import StudentIdentity, current_identity, save_identity
from autograder.quiz_engine.variants import LETTERS, QuizKeyError, QuizVariant, normalised_key

WIDE = widgets.Layout(width="auto")


def _verdict_html(mark: Mark | None) -> str:
    if mark is None:
        return ""
    if mark.correct:
        word, icon = "Correct", "✓"
    elif mark.score > 0:
        word, icon = f"Partly right ({mark.score:.0%})", "◐"
    else:
        word, icon = "Not quite", "✗"
    return f"<p><b>{icon} {word}.</b> {html.escape(mark.feedback)}</p>"


class ChoiceButtons(widgets.VBox):
    """One button per option, lettered A, B, C… as answers typed in code are; ``value`` is a
    position (single) or a sorted list of positions (multiple)."""

    def __init__(self, options: list[str], multiple: bool = False, value=None, on_change=None):
        super().__init__()
        self.options, self.multiple, self.on_change = options, multiple, on_change
        self.value = (list(value) if value else []) if multiple else value
        self.buttons = [
            wide_button(tooltip=f"Choose {LETTERS[index]}: {text}")
            for index, text in enumerate(options)
        ]
        for index, button in enumerate(self.buttons):
            button.on_click(lambda _, i=index: self.choose(i))
        self.children = self.buttons
        self._render()

    def choose(self, index: int) -> None:
        if self.multiple:
            self.value = sorted(set(self.value) ^ {index})
        else:
            self.value = index
        self._render()
        if self.on_change:
            self.on_change(self.value)

    def clear(self) -> None:
        self.value = [] if self.multiple else None
        self._render()

    def _render(self) -> None:
        for index, (button, text) in enumerate(zip(self.buttons, self.options, strict=True)):
            chosen = index in self.value if self.multiple else index == self.value
            mark = ("☑" if chosen else "☐") if self.multiple else ("◉" if chosen else "○")
            button.description = f"{mark} {LETTERS[index]}. {text}"
            button.button_style = "info" if chosen else ""


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
        self.feedback.value = _verdict_html(self.exercise.check())


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
        self.feedback.value = _verdict_html(self.exercise.check())


class QuizView(widgets.VBox):
    """A quiz: all questions at once or one at a time; practice or graded mode.

    Choices appear in ``variant``'s order with their letters; a calculation shows the
    variant's numbers. Every change, clearing included, goes to the ``Quiz`` (which saves
    in graded mode).
    """

    def __init__(
        self,
        bank: QuestionBank,
        mode: str = "practice",
        one_at_a_time: bool = False,
        answers_path: str | Path | None = None,
        seed: int = 0,
        variant: QuizVariant | None = None,
    ):
        super().__init__()
        self.quiz = Quiz(bank, mode, answers_path, variant)
        self.variant = self.quiz.variant
        self.inputs: dict[str, Any] = {}
        self.feedback: dict[str, widgets.HTML] = {}
        self.boxes = [self._question_box(i, q, seed) for i, q in enumerate(self.quiz.questions)]
        self.position = 0
        self.one_at_a_time = one_at_a_time
        self.previous_button = wide_button(description="Previous question")
        self.next_button = wide_button(description="Next question")
        self.previous_button.on_click(lambda _: self.show(self.position - 1))
        self.next_button.on_click(lambda _: self.show(self.position + 1))
        self.submit_button = widgets.Button(
            description="Submit quiz", button_style="primary", tooltip="Score the whole quiz"
        )
        self.submit_button.on_click(lambda _: self.submit())
        self.result = LiveRegion()
        self.status = LiveRegion()
        footer = [self.submit_button, self.result] if mode == "practice" else [self.status]
        self.question_area = widgets.VBox()
        navigation = (
            widgets.HBox([self.previous_button, self.next_button])
            if one_at_a_time
            else widgets.HBox()
        )
        self.children = [
            widgets.HTML(f"<h3>{html.escape(bank.title)}</h3>"),
            self.question_area,
            navigation,
            *footer,
        ]
        self.show(0)
        self._update_status()

    def prompt(self, question: Question) -> str:
        """The question as this student sees it (a calculation with their own numbers)."""
        if question.type == "calculation":
            return fill_in(question.prompt, self.quiz.parameters(question.id))
        return question.prompt

    def _question_box(self, index: int, question: Question, seed: int) -> widgets.VBox:
        header = widgets.HTML(
            f"<b>Question {index + 1} of {len(self.quiz.questions)}.</b> "
            f"{html.escape(self.prompt(question))}"
        )
        saved = self.quiz.answers.get(question.id)
        if question.type in ("single_choice", "multiple_select"):
            order = self.variant.option_order(question)
            multiple = question.type == "multiple_select"
            shown = (
                None
                if saved is None
                else (sorted(order.index(i) for i in saved) if multiple else order.index(saved))
            )
            control = ChoiceButtons(
                [question.options[i].text for i in order],
                multiple=multiple,
                value=shown,
                on_change=lambda value, q=question, o=order: self._answered(
                    q.id, sorted(o[p] for p in value) if isinstance(value, list) else o[value]
                ),
            )
        elif question.type in ("numeric", "calculation"):
            control = widgets.Text(
                value="" if saved is None else str(saved),
                description="Answer",
                placeholder=question.unit or "a number",
            )
            control.observe(
                lambda c, q=question: self._answered(q.id, _number_or_none(c["new"])), names="value"
            )
        elif question.type == "matching":
            exercise = MatchingExercise(question, seed, self.variant)
            for term, definition in (saved or {}).items():
                if term in exercise.terms and definition in exercise.definitions:
                    exercise.match(term, definition)
            control = MatchingView(
                exercise, show_check=False, on_change=lambda m, q=question: self._answered(q.id, m)
            )
        else:  # ordering
            ordering = OrderingExercise(question, seed)
            if saved and sorted(saved) == sorted(ordering.order):
                ordering.order = list(saved)
            control = OrderingView(
                ordering, show_check=False, on_change=lambda o, q=question: self._answered(q.id, o)
            )
        self.inputs[question.id] = control
        children = [header, control]
        if self.quiz.mode == "practice":
            check = widgets.Button(
                description="Check answer", tooltip=f"Check question {index + 1}"
            )
            retry = widgets.Button(
                description="Retry", tooltip=f"Clear question {index + 1} and try again"
            )
            check.on_click(lambda _, q=question: self.check(q.id))
            retry.on_click(lambda _, q=question: self.retry(q.id))
            self.feedback[question.id] = LiveRegion()
            children += [widgets.HBox([check, retry]), self.feedback[question.id]]
        elif question.type != "ordering":
            clear = widgets.Button(
                description="Clear answer", tooltip=f"Clear question {index + 1}"
            )
            clear.on_click(lambda _, q=question: self.clear(q.id))
            children.append(clear)
        return widgets.VBox(children, layout=widgets.Layout(margin="0 0 12px 0"))

    def _answered(self, question_id: str, value: Any) -> None:
        self.quiz.answer(question_id, value)  # None, [] or {} clears, and is saved too
        if question_id in self.feedback:
            self.feedback[question_id].value = ""
        self._update_status()

    def _update_status(self) -> None:
        problem = self.quiz.load_problem
        warning = (
            f"<p><b>Your saved answers could not be used:</b> {html.escape(problem)}.</p>"
            if problem
            else ""
        )
        self.status.value = warning + (
            f"<p>Saved: {self.quiz.answered} of {len(self.quiz.questions)} "
            "answered. Your answers are marked when your work is graded.</p>"
        )

    def show(self, position: int) -> None:
        self.position = max(0, min(position, len(self.boxes) - 1))
        self.question_area.children = (
            [self.boxes[self.position]] if self.one_at_a_time else self.boxes
        )
        self.previous_button.disabled = self.position == 0
        self.next_button.disabled = self.position == len(self.boxes) - 1

    def answer(self, question_id: str, value: Any) -> None:
        """Answer as a student would, through the question's own control: a choice by
        the letter this student sees (or a list of letters)."""
        control = self.inputs[question_id]
        if isinstance(control, ChoiceButtons):
            for letter in value if control.multiple else [value]:
                control.choose(LETTERS.index(letter))
        elif isinstance(control, widgets.Text):
            control.value = str(value)
        elif isinstance(control, MatchingView):
            for term, definition in value.items():
                control.dropdowns[term].value = definition
        else:  # ordering
            control.exercise.order = list(value)
            control._render()
            self._answered(question_id, list(value))

    def clear(self, question_id: str) -> None:
        """The question's "Clear answer" button: empty its control and save that."""
        control = self.inputs[question_id]
        if isinstance(control, widgets.Text):
            control.value = ""  # its observer saves
        elif isinstance(control, MatchingView):
            for dropdown in control.dropdowns.values():
                dropdown.value = None  # each change saves
        elif isinstance(control, ChoiceButtons):
            control.clear()
        self._answered(question_id, None)

    def check(self, question_id: str) -> Mark:
        mark = self.quiz.check(question_id)
        self.feedback[question_id].value = _verdict_html(mark)
        return mark

    def retry(self, question_id: str) -> None:
        self.quiz.retry(question_id)
        control = self.inputs[question_id]
        if isinstance(control, ChoiceButtons):
            control.clear()
        elif isinstance(control, widgets.Text):
            control.value = ""
        self.feedback[question_id].value = ""

    def submit(self):
        report = self.quiz.submit()
        wrong = [
            f"<li><b>Question {i + 1}:</b> {html.escape(report.marks[q.id].feedback)}</li>"
            for i, q in enumerate(self.quiz.questions)
            if not report.marks[q.id].correct
        ]
        for question_id, mark in report.marks.items():
            self.feedback[question_id].value = _verdict_html(mark)
        details = f"<ul>{''.join(wrong)}</ul>" if wrong else ""
        self.result.value = (
            f"<h4>Quiz complete! Score: {report.summary}</h4>"
            f"<p>{html.escape(report.message)}</p>{details}"
        )
        return report


class GradedQuizView(widgets.VBox):
    """The graded quiz in the student's own variant, once we know who the student is.

    On the course's JupyterHub the student id and quiz key come with the server; elsewhere
    the student types them once (``IdentityForm``) and the quiz appears below the form,
    which folds into its one button, now "Not you? Change": the form stays first on the
    page, so the keyboard focus stays on that button, and Tab goes on into the quiz.
    """

    def __init__(self, bank: QuestionBank, answers_path: str | Path, assignment: str):
        super().__init__()
        self.bank, self.answers_path, self.assignment = bank, answers_path, assignment
        self.quiz_view: QuizView | None = None
        self.form = IdentityForm(on_saved=self._show_quiz, on_reopened=self._ask_again)
        identity = current_identity()
        if identity is None:
            self.children = [self.form]
        else:
            self.form.fold()
            self._show_quiz(identity)

    def _ask_again(self) -> None:
        self.quiz_view = None
        self.children = [self.form]

    def _show_quiz(self, identity: StudentIdentity) -> None:
        variant = identity.variant(self.assignment)
        self.quiz_view = QuizView(
            self.bank, "graded", answers_path=self.answers_path, variant=variant
        )
        hub = identity.source == "JupyterHub"
        where = "from JupyterHub" if hub else f"saved in {identity.source}"
        whose = LiveRegion(
            f"<p>Your own version of this quiz, for student "
            f"<b>{html.escape(identity.student_id)}</b> ({html.escape(where)}): its "
            "options are in your own order, with your own letters, and its numbers "
            "are yours. It is marked as the work of the student id you submit as.</p>"
        )
        self.children = [*([] if hub else [self.form]), whose, self.quiz_view]


class IdentityForm(widgets.VBox):
    """Once per computer: the student id and the quiz key the instructor gave the student."""

    def __init__(
        self,
        on_saved: Callable[[StudentIdentity], None],
        on_reopened: Callable[[], None] | None = None,
    ):
        super().__init__()
        self.on_saved, self.on_reopened = on_saved, on_reopened
        self.folded = False
        self.student_id = widgets.Text(
            value=os.environ.get("JUPYTERHUB_USER", ""),  # a hub without the course's keys
            description="Student id",
            placeholder="e.g. jsmith",
        )
        self.quiz_key = widgets.Text(description="Quiz key", placeholder="e.g. ABCD-EFGHJ")
        self.save_button = wide_button(description="Save and show my quiz", button_style="primary")
        self.save_button.on_click(lambda _: self.save())
        self.message = LiveRegion()
        self.key_check = LiveRegion()  # says, as the key is typed, whether it fits the id
        for field in (self.student_id, self.quiz_key):
            field.observe(lambda _: self._check_key(), names="value")
        self.fields = [
            widgets.HTML(
                "<p><b>Who is taking this quiz?</b> Each student gets their own version of "
                "the graded quiz: the options in a different order and their own numbers. "
                "Enter your student id (the name your instructor uses for you in nbgrader) "
                "and the quiz key your instructor gave you. You do this once: they are "
                "saved in your home folder for every quiz of this course.</p>"
            ),
            self.student_id,
            self.quiz_key,
            self.key_check,
        ]
        self.children = [*self.fields, self.save_button, self.message]

    def fold(self) -> None:
        """Only the button shows, as "Not you? Change" (the same button: focus stays)."""
        self.folded = True
        for field in self.fields:
            field.layout.display = "none"
        self.save_button.description = "Not you? Change"
        self.save_button.tooltip = "Enter another student id"
        self.save_button.button_style = ""

    def unfold(self) -> None:
        self.folded = False
        for field in self.fields:
            field.layout.display = ""
        self.save_button.description = "Save and show my quiz"
        self.save_button.tooltip = ""
        self.save_button.button_style = "primary"
        self.message.value = ""

    def _check_key(self) -> None:
        student_id, key = self.student_id.value.strip(), self.quiz_key.value
        if not student_id or sum(ch.isalnum() for ch in key) < 9:
            self.key_check.value = ""
            return
        try:
            normalised = normalised_key(student_id, key)
        except QuizKeyError as error:
            self.key_check.value = f"<p>✗ {html.escape(str(error))}.</p>"
        else:
            self.key_check.value = (
                f"<p>✓ {normalised} is the key of student id {html.escape(student_id)}.</p>"
            )

    def save(self) -> None:
        if self.folded:  # the button says "Not you? Change"
            self.unfold()
            if self.on_reopened:
                self.on_reopened()
            return
        try:
            identity = save_identity(self.student_id.value, self.quiz_key.value)
        except QuizKeyError as error:
            self.message.value = f"<p>Not saved: {html.escape(str(error))}.</p>"
            return
        self.fold()
        self.message.value = "<p>Saved. Your quiz follows: press Tab to go on to it.</p>"
        self.on_saved(identity)


def _number_or_none(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


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
