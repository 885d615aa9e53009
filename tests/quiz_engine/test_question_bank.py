"""Banks load and validate; a malformed bank gets one line naming file, question and field."""

import textwrap

import ipywidgets as widgets
import pytest

from autograder.quiz_engine import QuestionBankError, load_question_bank
from autograder.quiz_engine.lesson_blocks import show_flashcards, show_quiz

from ..course_helpers import REPO

BANKS = sorted((REPO / "course_content" / "question_banks").glob("*.yaml")) + sorted(
    (REPO / "source").rglob("*.yaml")
)


def test_there_are_banks():
    assert len(BANKS) >= 4


@pytest.mark.parametrize("path", BANKS, ids=lambda p: p.name)
def test_every_course_bank_is_valid(path):
    assert load_question_bank(path).questions


def test_course_content_covers_every_question_type():
    types = set()
    for path in BANKS:
        types |= {q.type for q in load_question_bank(path).questions}
    assert types == {
        "single_choice",
        "multiple_select",
        "numeric",
        "calculation",
        "matching",
        "ordering",
        "flashcard",
        "checkpoint",
    }


BAD = {
    "not yaml": ("title: [unclosed\n", "not valid YAML/JSON at line"),
    "no questions": ("title: x\n", "'questions' is a required property"),
    "unknown type": (
        "title: x\nquestions:\n  - {id: q1, type: essay, prompt: p}\n",
        "question 'q1' (#1), field 'type'",
    ),
    "option without text": (
        """
        title: x
        questions:
          - id: q1
            type: single_choice
            prompt: p
            options: [{text: a, correct: true}, {correct: false}]
        """,
        "question 'q1' (#1), field 'options[1]': 'text' is a required property",
    ),
    "two correct options": (
        """
        title: x
        questions:
          - id: q1
            type: single_choice
            prompt: p
            options: [{text: a, correct: true}, {text: b, correct: true}]
        """,
        "question 'q1' (#1), field 'options': needs exactly one option with correct: true",
    ),
    "duplicate id": (
        """
        title: x
        questions:
          - {id: same, type: flashcard, front: a, back: b}
          - {id: same, type: flashcard, front: c, back: d}
        """,
        "question 'same' (#2), field 'id': duplicate id 'same'",
    ),
    "misspelt field": (
        "title: x\nquestions:\n  - {id: c1, type: checkpoint, prompt: p, skecth: s}\n",
        "question 'c1' (#1)",
    ),
    "formula naming an unknown quantity": (
        """
        title: x
        questions:
          - id: c1
            type: calculation
            prompt: "w = {w}?"
            parameters: {w: {min: 1, max: 2, step: 0.5}}
            answer: "2 * v"
        """,
        "question 'c1' (#1), field 'answer': formula '2 * v'",
    ),
    "prompt naming an unknown quantity": (
        """
        title: x
        questions:
          - id: c1
            type: calculation
            prompt: "w = {w}, b = {b}?"
            parameters: {w: {min: 1, max: 2, step: 0.5}}
        """,
        "question 'c1' (#1), field 'prompt': names an unknown quantity 'b'",
    ),
    "empty parameter range": (
        """
        title: x
        questions:
          - id: c1
            type: calculation
            prompt: "w = {w}?"
            parameters: {w: {min: 3, max: 2, step: 0.5}}
        """,
        "question 'c1' (#1), field 'parameters.w': min is larger than max",
    ),
    "formula in a graded bank": (
        """
        title: x
        answers_included: false
        questions:
          - id: c1
            type: calculation
            prompt: "{w}"
            parameters: {w: {min: 1, max: 2, step: 1}}
            answer: "w"
        """,
        "answers_included is false, but an answer is given",
    ),
    "answer in a graded bank": (
        """
        title: x
        answers_included: false
        questions:
          - {id: q1, type: single_choice, prompt: p, options: [{text: a, correct: true}, {text: b}]}
        """,
        "answers_included is false, but an answer is given",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_malformed_bank_gets_one_clear_line(tmp_path, case):
    text, expected = BAD[case]
    path = tmp_path / "bank.yaml"
    path.write_text(textwrap.dedent(text))
    with pytest.raises(QuestionBankError) as error:
        load_question_bank(path)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message, message


def test_a_lesson_block_with_a_broken_bank_still_opens(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("title: [oops\n")
    for block in (show_quiz(broken), show_flashcards(tmp_path / "missing.yaml")):
        assert isinstance(block, widgets.HTML)
        assert "could not be loaded" in block.value and "role='alert'" in block.value
    assert "broken.yaml" in show_quiz(broken).value
