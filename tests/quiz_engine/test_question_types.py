"""A question type lives in one module: registered, its questions are validated by the bank
schema, marked, shown in the quiz widget and written in the graded feedback, with no
other module changed. The toy type here is defined in this file only."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import ipywidgets as widgets
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from autograder.grader_tools.nbgrader_course import NbgraderCourse
from autograder.quiz_engine import (
    QuestionBankError,
    QuestionType,
    QuizVariant,
    load_question_bank,
    mark_answer,
    mark_graded_quiz,
    question_bank_from_data,
    quiz_key,
    register,
)
from autograder.quiz_engine.exercises import canonical_answers, shown_answers
from autograder.quiz_engine.question_bank import bank_schema
from autograder.quiz_engine.question_types import (
    markable_types,
    question_type,
    registered_types,
    unregister,
)
from autograder.quiz_engine.question_types.choices import ChoiceOrder
from autograder.quiz_engine.questions import Mark, Question
from autograder.quiz_engine.quiz_feedback import quiz_feedback_lines
from autograder.quiz_engine.quiz_widgets import QuizView

from ..course_helpers import REPO

BANKS = REPO / "course_content" / "question_banks"
SECRET = b"0123456789abcdef0123456789abcdef"
KEY = quiz_key(SECRET, "alice")


class TrueFalseButtons(widgets.HBox):
    """The toy type's control: a True and a False button."""

    def __init__(self, answer: Any, on_change):
        super().__init__()
        self.value, self.on_change = answer, on_change
        self.buttons = {v: widgets.Button(description=str(v)) for v in (True, False)}
        for value, button in self.buttons.items():
            button.on_click(lambda _, v=value: self.enter(v))
        self.children = tuple(self.buttons.values())

    def enter(self, shown: Any) -> None:
        self.value = shown
        self.on_change(shown)

    def clear(self) -> None:
        self.value = None


class TrueFalse(QuestionType):
    """A statement that is true or false; the key is ``true: yes|no`` (in the bank)."""

    name = "toy_true_false"
    markable = True
    answer_fields = ("true",)
    schema = {
        "required": ["prompt"],
        "additionalProperties": False,
        "properties": {"prompt": {"$ref": "#/$defs/text"}, "true": {"enum": ["yes", "no"]}},
    }

    @classmethod
    def mark(cls, question: Question, answer: Any, parameters: Mapping[str, float] | None) -> Mark:
        right = question.bank_entry["true"] == "yes"
        return Mark(question.id, float(answer is right), "Right." if answer is right else "No.")

    @classmethod
    def quiz_control(cls, question, answer, variant, seed, on_change):
        return TrueFalseButtons(answer, on_change)


@pytest.fixture
def true_false():
    register(TrueFalse)
    yield TrueFalse
    unregister(TrueFalse.name)


TOY_BANK = {
    "title": "Toy quiz",
    "questions": [
        {"id": "sky", "type": "toy_true_false", "prompt": "The sky is green.", "true": "no"},
        {"id": "rate", "type": "numeric", "prompt": "Steps in 2 epochs of 3?", "answer": 6},
    ],
}


def test_a_registered_type_is_validated_by_the_bank_schema(true_false):
    bank = question_bank_from_data(TOY_BANK)
    assert bank["sky"].type == "toy_true_false" and bank["sky"].prompt == "The sky is green."
    assert true_false.name in bank_schema()["$defs"]["question"]["properties"]["type"]["enum"]
    wrong = {"title": "x", "questions": [{"id": "q", "type": "toy_true_false", "prompt": "p"}]}
    wrong["questions"][0]["true"] = "maybe"
    with pytest.raises(QuestionBankError, match=r"question 'q' \(#1\), field 'true'"):
        question_bank_from_data(wrong)
    leaked = {"title": "x", "answers_included": False, "questions": [TOY_BANK["questions"][0]]}
    with pytest.raises(QuestionBankError, match="answers_included is false, but an answer"):
        question_bank_from_data(leaked)


def test_an_unregistered_type_is_refused_by_the_bank_schema():
    assert "toy_true_false" not in registered_types()
    with pytest.raises(QuestionBankError, match=r"question 'sky' \(#1\), field 'type'"):
        question_bank_from_data(TOY_BANK)


def test_a_registered_type_is_marked_drawn_and_written_in_feedback(true_false):
    bank = question_bank_from_data(TOY_BANK)
    assert true_false.name in markable_types()
    assert mark_answer(bank["sky"], False).correct and not mark_answer(bank["sky"], True).correct

    view = QuizView(bank)  # practice: check each answer, then submit
    assert isinstance(view.inputs["sky"], TrueFalseButtons)
    view.inputs["sky"].buttons[False].click()
    assert view.check("sky").correct and "✓ Correct" in view.feedback["sky"].value
    view.retry("sky")
    assert view.inputs["sky"].value is None and "sky" not in view.quiz.answers
    view.answer("sky", True)
    view.answer("rate", 6)
    assert view.submit().summary == "1/2"

    variant = QuizVariant()
    assert canonical_answers(bank, {"sky": True}, variant) == {"sky": True}
    assert shown_answers(bank, {"sky": True}, variant) == {"sky": True}


def test_a_registered_type_is_graded_with_its_feedback(true_false, tmp_path, capsys):
    bank = question_bank_from_data(TOY_BANK)
    token = json.dumps({"student_id": "alice", "quiz_key": KEY, "assignment": "toy"})
    answers = {"sky": True, "rate": 6}  # typed in code
    score = mark_graded_quiz(bank, str(tmp_path / "none.json"), answers, token, points=4)
    assert score == 2
    lines = capsys.readouterr().out.splitlines()
    assert "Question 1: No." in lines and "Score: 1 of 2 right, 2 points." in lines
    entry = {"number": 1, "type": "toy_true_false", "detail": "No."}
    assert quiz_feedback_lines({"questions": [entry]}, show_answers=False) == ["Question 1: No."]


def test_a_type_name_is_registered_once():
    with pytest.raises(ValueError, match="needs a new name"):
        register(question_type("single_choice"))
    with pytest.raises(ValueError, match="course's own"):
        unregister("single_choice")


def test_every_type_the_course_banks_use_is_registered():
    banks = sorted(BANKS.glob("*.yaml")) + sorted((REPO / "source").rglob("*.yaml"))
    banks += sorted((REPO / "release").glob("*/quiz_questions.yaml"))
    used = {q.type for path in banks for q in load_question_bank(path).questions}
    assert used == set(registered_types())


def test_a_choice_is_held_as_the_bank_option_and_shown_in_the_students_order():
    bank = load_question_bank(REPO / "source" / "a3_quiz" / "quiz_questions.yaml")
    question = next(q for q in bank.questions if q.type == "single_choice")
    variant = QuizVariant.for_student("alice", KEY, "a3_quiz")
    order = ChoiceOrder(question, variant, multiple=False)
    assert sorted(order.order) == list(range(len(question.options)))
    for position, canonical in enumerate(order.order):
        assert order.texts[position] == question.options[canonical].text
        assert order.answer_at(position) == canonical and order.positions_of(canonical) == position
        assert variant.letter_of(question, canonical) == "ABCDEFGH"[position]
    several = ChoiceOrder(question, variant, multiple=True)
    assert several.answer_at([1, 0]) == sorted(order.order[:2])
    assert several.positions_of(sorted(order.order[:2])) == [0, 1]
    assert order.positions_of(None) is None


def test_retry_empties_a_matching_control_with_its_answer():
    view = QuizView(load_question_bank(BANKS / "training_concepts.yaml"))
    question = next(q for q in view.quiz.questions if q.type == "matching")
    term, definition = question.pairs[0]
    view.answer(question.id, {term: definition})
    assert view.quiz.answers[question.id] == {term: definition}
    view.retry(question.id)
    assert question.id not in view.quiz.answers
    assert all(dropdown.value is None for dropdown in view.inputs[question.id].dropdowns.values())


def _guarded_kernel_errors(*cells: str) -> list[str]:
    """Run ``cells`` in a kernel started as a grading kernel is (the integrity guard on);
    return each cell's error ("" for none)."""
    extra = list(NbgraderCourse.load(REPO).config.Execute.extra_arguments)
    notebook = new_notebook(cells=[new_code_cell(cell) for cell in cells])
    client = NotebookClient(notebook, extra_arguments=extra, allow_errors=True, timeout=60)
    client.execute()
    return [
        next((f"{o.ename}: {o.evalue}" for o in cell.outputs if o.output_type == "error"), "")
        for cell in notebook.cells
    ]


MARK = (
    "from autograder.quiz_engine import grade_answers, question_bank_from_data\n"
    "bank = question_bank_from_data({'title': 't', 'questions': [{'id': 'q', 'type': "
    "'single_choice', 'prompt': 'p', 'options': [{'text': 'a', 'correct': True}, "
    "{'text': 'b'}]}]})\n"
    "print(grade_answers(bank, {'q': 1}).summary)"
)


@pytest.mark.parametrize(
    "tampering, named",
    [
        (
            "import autograder.quiz_engine.question_types.choices as choices\n"
            "choices.SingleChoice.mark = classmethod(lambda cls, q, a, p: None)",
            "autograder.quiz_engine.question_types.choices.SingleChoice.mark",
        ),
        (
            "import autograder.quiz_engine.question_types as types\n"
            "class Mine(types.QuestionType):\n    name = 'mine'\n"
            "types.register(Mine)",
            "autograder.quiz_engine.question_types._registered",
        ),
    ],
    ids=["a type's marking", "the registry"],
)
def test_a_grading_kernel_sees_a_question_type_or_the_registry_changed(tampering, named):
    errors = _guarded_kernel_errors(MARK, tampering, MARK)
    assert errors[:2] == ["", ""]
    assert "TamperingDetected" in errors[2] and named in errors[2]
