"""The quiz's ipywidgets views over the state in ``exercises.py`` (thin: no logic of their
own). Each question's control is its type's (``question_types``): the quiz asks the
type for it, and the control maps what the student clicks to the canonical answer
through the type's state (e.g. ``choices.ChoiceOrder``).

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

import functools
import html
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from autograder.accessible_widgets import LiveRegion, wide_button
from autograder.quiz_engine.exercises import Quiz
from autograder.quiz_engine.question_types import AnswerControl, question_type, verdict_html
from autograder.quiz_engine.question_types.checkpoint import CheckpointView
from autograder.quiz_engine.question_types.choices import ChoiceButtons
from autograder.quiz_engine.question_types.flashcard import FlashcardView
from autograder.quiz_engine.question_types.matching import MatchingView
from autograder.quiz_engine.question_types.ordering import OrderingView
from autograder.quiz_engine.questions import Mark, Question, QuestionBank
from autograder.quiz_engine.student_identity import StudentIdentity, current_identity, save_identity
from autograder.quiz_engine.variants import QuizKeyError, QuizVariant, normalised_key

# The views of single questions live with their types; named here too, where lessons and
# tests have always found them.
__all__ = [
    "CheckpointView",
    "ChoiceButtons",
    "FlashcardView",
    "GradedQuizView",
    "IdentityForm",
    "MatchingView",
    "OrderingView",
    "QuizView",
]

WIDE = widgets.Layout(width="auto")


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
        self.inputs: dict[str, AnswerControl] = {}
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
        return question_type(question.type).prompt(question, self.quiz.parameters(question.id))

    def _question_box(self, index: int, question: Question, seed: int) -> widgets.VBox:
        header = widgets.HTML(
            f"<b>Question {index + 1} of {len(self.quiz.questions)}.</b> "
            f"{html.escape(self.prompt(question))}"
        )
        kind = question_type(question.type)
        control = kind.quiz_control(
            question,
            self.quiz.answers.get(question.id),
            self.variant,
            seed,
            functools.partial(self._answered, question.id),
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
        elif kind.clearable:
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
        self.inputs[question_id].enter(value)

    def clear(self, question_id: str) -> None:
        """The question's "Clear answer" button: empty its control and save that."""
        self.inputs[question_id].clear()
        self._answered(question_id, None)

    def check(self, question_id: str) -> Mark:
        mark = self.quiz.check(question_id)
        self.feedback[question_id].value = verdict_html(mark)
        return mark

    def retry(self, question_id: str) -> None:
        self.quiz.retry(question_id)
        self.inputs[question_id].clear()
        self.feedback[question_id].value = ""

    def submit(self):
        report = self.quiz.submit()
        wrong = [
            f"<li><b>Question {i + 1}:</b> {html.escape(report.marks[q.id].feedback)}</li>"
            for i, q in enumerate(self.quiz.questions)
            if not report.marks[q.id].correct
        ]
        for question_id, mark in report.marks.items():
            self.feedback[question_id].value = verdict_html(mark)
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
