"""What the lessons and banks say about backpropagation, the loop and their own widgets
holds: in the graded quiz's key, in the equations, and in the widgets' models."""

import re

import nbformat
import numpy as np
import pytest
import yaml

from autograder.gradient_checking.finite_differences import finite_difference_gradient
from autograder.lesson_widgets.digit_trainer import DigitTrainerView

from ..course_helpers import REPO, flat

LESSONS = REPO / "course_content" / "lessons"
BANKS = REPO / "course_content" / "question_banks"
A3 = REPO / "source" / "a3_quiz"


def cells(lesson: str) -> dict[str, str]:
    return {c.id: c.source for c in nbformat.read(LESSONS / lesson, 4).cells}


def bank_questions(name: str) -> dict[str, dict]:
    return {q["id"]: q for q in yaml.safe_load((BANKS / name).read_text())["questions"]}


def strings_in(data) -> list[str]:
    """Every string a student can see in a parsed bank (YAML comments are not data)."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for value in data.values() for s in strings_in(value)]
    if isinstance(data, list):
        return [s for value in data for s in strings_in(value)]
    return []


# --- students never see the source material, so no lesson talks about it ---------------

ABOUT_THE_SOURCES = re.compile(r"source material|\bseeds?\b|\bthe source\b|0\.0678", re.I)


def test_no_lesson_or_bank_talks_about_the_source_material():
    for path in sorted(LESSONS.glob("*.ipynb")):
        for cell_id, source in cells(path.name).items():
            assert not ABOUT_THE_SOURCES.search(source), f"{path.name}#{cell_id}"
    for bank in sorted(BANKS.glob("*.yaml")):
        for text in strings_in(yaml.safe_load(bank.read_text())):
            assert not ABOUT_THE_SOURCES.search(text), f"{bank.name}: {text[:60]}"


def test_the_wording_check_would_catch_the_old_note():
    assert ABOUT_THE_SOURCES.search("*A note on the source material:* it writes this product")


# --- what "backpropagation" means: strictly the gradients, loosely the learning step ---


def graded_purpose_key() -> str:
    """The correct option of the graded quiz's question 1, read from a3's hidden test."""
    notebook = nbformat.read(A3 / "a3_quiz.ipynb", 4)
    hidden = next(c.source for c in notebook.cells if c.id == "test_quiz")
    purpose = hidden[hidden.index('{"id": "purpose"') : hidden.index('{"id": "direction"')]
    (correct,) = re.findall(r'\{"text": "([^"]+)", "correct": True', purpose)
    return correct


def test_the_graded_quizs_first_question_keeps_the_sources_key():
    """The quiz keeps its questions, options and keys (the source material's)."""
    assert graded_purpose_key() == "To calculate gradients and update weights to reduce error"
    public = yaml.safe_load((A3 / "quiz_questions.yaml").read_text())["questions"][0]
    assert public["id"] == "purpose"
    assert graded_purpose_key() in [option["text"] for option in public["options"]]


def test_every_place_that_says_what_backprop_computes_teaches_both_senses():
    """The lessons, the checkpoint, the flashcard and the practice feedback all say: strictly
    the gradients, loosely the whole learning step (gradients plus update), so the graded
    quiz's key is what was taught."""
    places = {
        "lesson 1 easy-mistake": cells("01_the_training_loop.ipynb")["easy-mistake"],
        "lesson 3 two-senses": cells("03_chain_rule_and_backprop.ipynb")["two-senses"],
        "checkpoint review-what-backprop-computes": bank_questions("checkpoints.yaml")[
            "review-what-backprop-computes"
        ]["sketch"],
        "flashcard card-backprop": bank_questions("training_concepts.yaml")["card-backprop"][
            "back"
        ],
        "practice feedback on the backward pass": next(
            o["feedback"]
            for o in bank_questions("practice_quiz.yaml")["five-moves"]["options"]
            if o["text"] == "The backward pass"
        ),
    }
    for place, text in places.items():
        words = flat(text).lower()
        assert "strict" in words and "loosely" in words, place
        assert "gradients" in words and "update" in words, place
    senses = flat(places["lesson 3 two-senses"])
    assert "the gradients **plus** the update" in senses
    key = graded_purpose_key().lower()  # the loose sense, in the quiz's own words
    assert "to calculate gradients and update the weights to reduce the error" in senses.lower()
    assert (
        key.replace("update weights", "update the weights").replace(
            "reduce error", "reduce the error"
        )
        in senses.lower()
    )
    does_not = flat(cells("03_chain_rule_and_backprop.ipynb")["does-not-do"])
    assert "In the strict sense it does **not** change any weight by itself" in does_not


# --- lesson 3: the equations and what they cost ----------------------------------------


def test_the_output_layers_dz_for_the_courses_mse_and_for_half_mse():
    """Lesson 3: with a linear output, the course's MSE (no ½) gives dZ = 2·(prediction −
    actual), ½-MSE gives prediction − actual; with dW = (1/m) dZᵀ A both are the mean cost's
    gradient."""
    text = flat(cells("03_chain_rule_and_backprop.ipynb")["backprop-equations"])
    assert "it is `dZ = 2 · (prediction - actual_value)`" in text
    assert "put a ½ in front of the squared error get prediction − actual there too" in text
    rng = np.random.default_rng(4)
    m, n_in, k = 6, 3, 2
    A, Y = rng.standard_normal((m, n_in)), rng.standard_normal((m, k))
    W = rng.standard_normal((k, n_in))
    for half, dZ_of in ((1.0, lambda P: 2 * (P - Y)), (0.5, lambda P: P - Y)):

        def cost(weights, half=half):
            return half * np.sum((A @ weights.T - Y) ** 2) / m

        dW = dZ_of(A @ W.T).T @ A / m
        np.testing.assert_allclose(dW, finite_difference_gradient(cost, W), rtol=1e-6)


def test_a_backward_sweep_costs_about_twice_the_forward_pass():
    """Per layer: forward one matrix product (Z = A_prev Wᵀ); backward two (dW and the
    error for the layer below), each with the same m·n_in·n_out multiply-adds."""
    chain = flat(cells("03_chain_rule_and_backprop.ipynb")["chain-rule"])
    assert "costs about **twice** the forward pass" in chain
    equations = cells("03_chain_rule_and_backprop.ipynb")["backprop-equations"]
    _, hidden = re.findall(r"```text\n(.*?)```", equations, re.S)
    products = [
        line for line in hidden.splitlines() if re.search(r"\w+ᵀ? · \w+", line.split("#")[0])
    ]
    assert len(products) == 2, products  # dA = dZ_next · W_next and dW = (1/m) · dZᵀ · A
    m, n_in, n_out = 32, 64, 10
    forward, backward = m * n_in * n_out, n_out * m * n_in + m * n_out * n_in
    assert backward / forward == 2


# --- lesson 1: the loop's labels -----------------------------------------------------


def test_lesson_1s_loop_labels_only_the_five_moves():
    code = re.search(r"```python\n(.*?)```", cells("01_the_training_loop.ipynb")["loop-code"], re.S)
    labels = {}
    for line in code.group(1).splitlines():
        number = re.search(r"#\s*(\d)\. (\w+)", line)
        if number:
            labels[number.group(1)] = (number.group(2), line.split("#")[0].strip())
    assert sorted(labels) == ["1", "2", "3", "4", "5"]
    assert labels["5"][0] == "repeat" and labels["5"][1].startswith("for epoch")
    assert labels["3"][1].startswith("gradients = backward")
    assert labels["4"][1].startswith("weights = weights - learning_rate")
    validation = next(line for line in code.group(1).splitlines() if "validation" in line)
    assert not re.search(r"#\s*\d\.", validation), "validation is not one of the five moves"


# --- the practice question on the chain rule's order ----------------------------------


def test_the_chain_rule_order_question_does_not_call_a_correct_product_wrong():
    """Multiplying the factors forwards gives the same product; the question asks why
    backprop goes backwards (reuse), and says that the order does not change the result."""
    factors = np.random.default_rng(0).standard_normal(7)
    forwards, backwards = 1.0, 1.0
    for f in factors:
        forwards *= f
    for f in factors[::-1]:
        backwards *= f
    assert forwards == pytest.approx(backwards, rel=1e-12)
    question = bank_questions("practice_quiz.yaml")["chain-rule-direction"]
    assert "Multiplied in any order they give the same number" in question["prompt"]
    for option in question["options"]:
        if "forwards" in option["text"] and not option.get("correct"):
            assert "same in either order" in option["feedback"]
    (right,) = [o for o in question["options"] if o.get("correct")]
    assert "computed once and reused" in right["text"]


# --- lesson 5: when the plot appears --------------------------------------------------


def test_lesson_5_says_the_plot_appears_after_the_first_run_as_the_widget_does():
    text = flat(cells("05_mini_batches_and_epochs.ipynb")["digits-intro"])
    assert "once the five epochs are done a plot of the error per epoch appears" in text
    assert "there is nothing to plot before the first run" in text
    view = DigitTrainerView(epochs_per_click=1)
    assert not view.picture.value  # nothing before the first run
    view.train()
    assert view.picture.value


# --- flashcards: each lesson shows the cards of the words it teaches -------------------


def shown_cards() -> dict[str, list[str]]:
    shown = {}
    for path in sorted(LESSONS.glob("0[1-9]_*.ipynb")):
        for source in cells(path.name).values():
            call = re.search(r"show_flashcards\((.*?)\)\s*$", source, re.S)
            if call:
                shown[path.name] = re.findall(r'"(card-[\w-]+)"', call.group(1))
    return shown


def test_every_card_is_shown_and_lesson_1_keeps_later_words_for_later():
    cards = [
        q for q in bank_questions("training_concepts.yaml").values() if q["type"] == "flashcard"
    ]
    shown = shown_cards()
    assert {card for ids in shown.values() for card in ids} == {card["id"] for card in cards}
    later = {"card-chain-rule", "card-epoch", "card-iteration", "card-mini-batch"}
    later |= {"card-overfitting", "card-test-set", "card-vanishing", "card-exploding"}
    assert not later & set(shown["01_the_training_loop.ipynb"])
    assert set(shown["05_mini_batches_and_epochs.ipynb"]) == {
        "card-mini-batch",
        "card-iteration",
        "card-epoch",
    }
    for lesson, ids in shown.items():  # each card's word is in the lesson that shows it
        text = " ".join(cells(lesson).values()).lower()
        for card_id in ids:
            front = bank_questions("training_concepts.yaml")[card_id]["front"]
            assert front.split()[0].lower() in text, (lesson, card_id)


def test_show_flashcards_shows_only_the_cards_named():
    from autograder.quiz_engine.lesson_blocks import show_flashcards

    view = show_flashcards(BANKS / "training_concepts.yaml", "card-epoch", "card-iteration")
    assert [card.id for card in view.deck.cards] == ["card-epoch", "card-iteration"]
    notice = show_flashcards(BANKS / "training_concepts.yaml", "order-training-loop")
    assert "could not be loaded" in notice.value and "not a flashcard" in notice.value
    assert len(show_flashcards(BANKS / "training_concepts.yaml").deck.cards) == 12


# --- predict first: lesson 4 asks before it tells ---------------------------------------


@pytest.mark.parametrize(
    ("cell_id", "outcome"),
    [
        ("update-rule", "training **diverges**"),
        ("surface-intro", "lands on the minimum in one step"),
        ("guessing-intro", "for the others you end up jumping back and forth"),
    ],
)
def test_lesson_4_asks_for_a_prediction_before_it_shows_the_outcome(cell_id, outcome):
    text = cells("04_gradient_descent.ipynb")[cell_id]
    ask, rest = text.split("<details>", 1)
    answer = rest.split("</details>", 1)[0]
    assert "**Predict" in ask and "?" in ask.split("**Predict", 1)[1]
    assert outcome in answer and outcome not in ask
