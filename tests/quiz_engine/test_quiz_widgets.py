"""Each widget driven through its Python interface, as a student's clicks would drive it."""

import json

import ipywidgets as widgets
import pytest

from autograder.quiz_engine import (
    CheckpointState,
    FlashcardDeck,
    MatchingExercise,
    OrderingExercise,
    load_question_bank,
)
from autograder.quiz_engine.quiz_widgets import (
    CheckpointView,
    FlashcardView,
    MatchingView,
    OrderingView,
    QuizView,
)

from ..course_helpers import REPO

BANKS = REPO / "course_content" / "question_banks"
PRACTICE = load_question_bank(BANKS / "practice_quiz.yaml")
CONCEPTS = load_question_bank(BANKS / "training_concepts.yaml")


def right_answer(question):
    """As a student gives it: a choice by its letter (a practice quiz keeps the bank's order)."""
    if question.type == "single_choice":
        return next("ABCD"[i] for i, o in enumerate(question.options) if o.correct)
    if question.type == "multiple_select":
        return ["ABCDE"[i] for i, o in enumerate(question.options) if o.correct]
    return question.answer


def wrong_answer(question):
    if question.type == "single_choice":
        return next("ABCD"[i] for i, o in enumerate(question.options) if not o.correct)
    if question.type == "multiple_select":
        return [next("ABCDE"[i] for i, o in enumerate(question.options) if not o.correct)]
    return question.wrong_answers[0][0]


def test_all_eight_right_shows_8_of_8():
    view = QuizView(PRACTICE)
    assert len(view.quiz.questions) == 8
    for question in view.quiz.questions:
        view.answer(question.id, right_answer(question))
    view.submit_button.click()
    assert "Score: 8/8" in view.result.value
    assert "Great job" in view.result.value


def test_a_mix_shows_the_count_and_each_wrong_options_feedback():
    view = QuizView(PRACTICE)
    wrong_ids = ["five-moves", "iterations-per-epoch", "vanishing-remedies"]
    for question in view.quiz.questions:
        choice = wrong_answer(question) if question.id in wrong_ids else right_answer(question)
        view.answer(question.id, choice)
    report = view.submit()
    assert report.summary == "5/8"
    assert "Score: 5/8" in view.result.value
    assert "The forward pass makes the prediction" in view.result.value  # chosen option's feedback
    assert "That counts examples" in view.result.value  # numeric wrong answer's feedback
    assert "A larger rate scales every step" in view.result.value
    for question_id in wrong_ids:
        assert "Not quite" in view.feedback[question_id].value


def test_practice_check_and_retry():
    view = QuizView(PRACTICE, one_at_a_time=True)
    view.answer("update-sign", "A")
    assert not view.check("update-sign").correct
    assert "✗ Not quite" in view.feedback["update-sign"].value  # said in words, not colour
    view.retry("update-sign")
    assert view.inputs["update-sign"].value is None and view.feedback["update-sign"].value == ""
    view.answer("update-sign", "B")
    assert view.check("update-sign").correct
    assert view.question_area.children == (view.boxes[0],)
    view.next_button.click()
    assert view.position == 1 and view.question_area.children == (view.boxes[1],)


def test_multiple_select_gives_partial_credit():
    view = QuizView(PRACTICE)
    view.answer("vanishing-remedies", ["A", "B"])  # two of three right, no wrong pick
    mark = view.check("vanishing-remedies")
    assert mark.score == pytest.approx(2 / 3)
    assert "Partly right" in view.feedback["vanishing-remedies"].value


def test_graded_mode_saves_answers_and_gives_no_feedback(tmp_path):
    path = tmp_path / "quiz_answers.json"
    view = QuizView(PRACTICE, mode="graded", answers_path=path)
    view.answer("five-moves", "B")
    view.answer("iterations-per-epoch", 100)
    saved = json.loads(path.read_text())[PRACTICE.title]
    assert saved == {
        "student_id": "",
        "answers": {"five-moves": "B", "iterations-per-epoch": 100.0},
    }
    assert "Saved: 2 of 8 answered" in view.status.value
    assert view.submit_button not in view.children
    with pytest.raises(PermissionError):
        view.quiz.check("five-moves")
    reopened = QuizView(PRACTICE, mode="graded", answers_path=path)
    assert reopened.inputs["five-moves"].value == 1  # answers come back when the cell re-runs


def test_clearing_an_answer_saves_it_cleared(tmp_path):
    path = tmp_path / "quiz_answers.json"
    view = QuizView(PRACTICE, mode="graded", answers_path=path)
    view.answer("five-moves", "B")
    view.answer("iterations-per-epoch", 100)
    view.answer("vanishing-remedies", ["A", "C"])
    view.clear("five-moves")  # the "Clear answer" button
    view.inputs["iterations-per-epoch"].value = ""  # emptying the box
    view.inputs["vanishing-remedies"].choose(0)  # un-ticking both ticked options
    view.inputs["vanishing-remedies"].choose(2)
    assert json.loads(path.read_text())[PRACTICE.title]["answers"] == {}
    assert "Saved: 0 of 8 answered" in view.status.value
    assert QuizView(PRACTICE, mode="graded", answers_path=path).quiz.answers == {}


def test_a_damaged_answers_file_is_said_to_the_student(tmp_path):
    path = tmp_path / "quiz_answers.json"
    path.write_text('{"Practice quiz": {"answers": {"five-moves": "B"')  # cut short, as by a crash
    view = QuizView(PRACTICE, mode="graded", answers_path=path)
    assert "Your saved answers could not be used" in view.status.value
    assert "quiz_answers.json is damaged and could not be read" in view.status.value
    view.answer("five-moves", "C")  # answering again writes a good file
    assert json.loads(path.read_text())[PRACTICE.title]["answers"] == {"five-moves": "C"}
    assert "could not be used" not in view.status.value


def test_saving_is_atomic(tmp_path, monkeypatch):
    """A crash while writing leaves the previous file whole, and no stray temporary file."""
    import os

    path = tmp_path / "quiz_answers.json"
    view = QuizView(PRACTICE, mode="graded", answers_path=path)
    view.answer("five-moves", "B")
    before = path.read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        view.answer("five-moves", "C")
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["quiz_answers.json"]


def test_options_show_the_letters_typed_in_code():
    view = QuizView(PRACTICE)
    buttons = view.inputs["update-sign"].buttons
    assert [b.description[:4] for b in buttons[:3]] == ["○ A.", "○ B.", "○ C."]
    view.answer("update-sign", "B")
    assert buttons[1].description.startswith("◉ B. ")


def test_flashcards_flip_and_step_by_buttons():
    view = FlashcardView(FlashcardDeck.from_bank(CONCEPTS))
    first = view.deck.card
    assert first.front in view.card.value and "Term" in view.card.value
    view.buttons["Flip card"].click()
    assert first.back.split(":")[0] in view.card.value and "Answer" in view.card.value
    view.buttons["Next card"].click()
    assert view.deck.index == 1 and not view.deck.flipped
    view.buttons["Previous card"].click()
    assert view.deck.index == 0
    view.buttons["I know it"].click()
    view.buttons["Not yet"].click()
    assert view.deck.known == {first.id} and len(view.deck.unknown) == 1
    assert "Card 3 of 12" in view.progress.value and "known 1" in view.progress.value


def test_matching_by_dropdowns_scores_partial_matches():
    exercise = MatchingExercise(CONCEPTS["match-training-terms"], seed=3)
    view = MatchingView(exercise)
    pairs = dict(exercise.question.pairs)
    terms = list(pairs)
    for term in terms[:6]:
        view.dropdowns[term].value = pairs[term]
    view.dropdowns[terms[6]].value = pairs[terms[7]]  # one wrong
    view.check_button.click()
    assert exercise.result.score == pytest.approx(6 / 9)
    assert "Partly right" in view.feedback.value and terms[6] in view.feedback.value


def test_matching_by_clicks():
    exercise = MatchingExercise(CONCEPTS["match-training-terms"], seed=1)
    view = MatchingView(exercise)
    pairs = dict(exercise.question.pairs)
    view.definition_buttons[pairs["Epoch"]].click()  # no term selected yet
    assert "Select a term first" in view.status.value
    view.term_buttons["Epoch"].click()
    assert view.term_buttons["Epoch"].description.startswith("▶")  # selection shown in text
    view.definition_buttons[pairs["Epoch"]].click()
    assert exercise.matches == {"Epoch": pairs["Epoch"]}
    assert view.dropdowns["Epoch"].value == pairs["Epoch"]  # both views agree
    assert "(matched)" in view.term_buttons["Epoch"].description
    for term, definition in pairs.items():
        view.term_buttons[term].click()
        view.definition_buttons[definition].click()
    view.check_button.click()
    assert exercise.result.correct and "✓ Correct" in view.feedback.value


def test_ordering_moves_and_partial_score():
    exercise = OrderingExercise(CONCEPTS["order-training-loop"], seed=0)
    view = OrderingView(exercise)
    assert exercise.order != list(exercise.question.items)  # starts shuffled
    view.check_button.click()
    assert exercise.result.score < 1
    target = list(exercise.question.items)
    for position, item in enumerate(target):  # sort by moving items up
        while exercise.order.index(item) > position:
            row = view.rows.children[exercise.order.index(item)]
            row.children[1].click()  # "Move up"
    assert exercise.order == target
    view.check_button.click()
    assert exercise.result.correct and "✓ Correct" in view.feedback.value


def test_checkpoint_reveals_its_sketch():
    bank = load_question_bank(BANKS / "checkpoints.yaml")
    view = CheckpointView(CheckpointState(bank.questions[0]))
    view.response.value = "the gradient of each weight"
    assert view.state.response == "the gradient of each weight" and view.sketch.value == ""
    view.reveal_button.click()
    assert view.state.revealed and "Answer sketch" in view.sketch.value


def _all_controls(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _all_controls(child)


@pytest.mark.parametrize(
    "view",
    [
        QuizView(PRACTICE),
        FlashcardView(FlashcardDeck.from_bank(CONCEPTS)),
        MatchingView(MatchingExercise(CONCEPTS["match-training-terms"])),
        OrderingView(OrderingExercise(CONCEPTS["order-training-loop"])),
    ],
    ids=["quiz", "flashcards", "matching", "ordering"],
)
def test_every_control_has_a_text_label(view):
    for control in _all_controls(view):
        if isinstance(control, (widgets.Button, widgets.Checkbox)):
            assert control.description.strip(), control
        if isinstance(
            control, (widgets.RadioButtons, widgets.Dropdown, widgets.Text, widgets.Textarea)
        ):
            assert control.description.strip(), control
