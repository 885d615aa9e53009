"""The course by keyboard alone: every lesson widget and the graded quiz (identity form
included). Each control is reached with Tab (in order, from the widget's first control),
operated with Enter, Space, arrows or typing, and announced: its accessible name, and the
text of the live region that says what happened. The focused control must show a focus
ring; screenshots of it go to $A11Y_SCREENSHOTS (default test-artifacts/browser/a11y)."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from autograder.quiz_engine import quiz_key

from .accessibility import axe_violations
from .conftest import ARTIFACTS
from .notebook_actions import notebook, open_lab, output_with, run_all_and_wait

SCREENSHOTS = Path(os.environ.get("A11Y_SCREENSHOTS") or ARTIFACTS / "a11y")
LESSONS = "course_content/lessons"


def focused(page: Page) -> Locator:
    return page.locator("*:focus")


def has_visible_focus(page: Page) -> bool:
    """The focused element draws an outline or a focus shadow (WCAG 2.4.7)."""
    return page.evaluate(
        """() => { const s = getComputedStyle(document.activeElement);
                   return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0)
                          || s.boxShadow !== 'none'; }"""
    )


def reached(page: Page, control: Locator, name: str | re.Pattern) -> None:
    """``control`` has the focus, is announced as ``name`` and shows that it has focus."""
    expect(control).to_be_focused()
    expect(control).to_have_accessible_name(name)
    assert has_visible_focus(page), f"no visible focus on {name!r}"


def tab(page: Page, control: Locator, name: str | re.Pattern) -> None:
    """One Tab reaches ``control`` (the next control in the page's order)."""
    page.keyboard.press("Tab")
    reached(page, control, name)


def tab_until(page: Page, control: Locator, name: str | re.Pattern, most: int) -> None:
    """At most ``most`` Tabs reach ``control`` (past controls the walk does not name)."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if control.evaluate("e => e === document.activeElement"):
            break
    reached(page, control, name)


def start_at(page: Page, control: Locator, name: str | re.Pattern) -> None:
    """The walk through a widget starts at its first control."""
    expect(control).to_be_enabled()
    control.focus()
    reached(page, control, name)


def announced(region_holder: Locator, text: str | re.Pattern) -> None:
    """A live region (role=status, polite) in the widget says ``text``."""
    region = region_holder.locator("[role=status][aria-live=polite]").filter(has_text=text)
    expect(region.first).to_be_visible()


def no_axe_violation_after_use(page: Page) -> None:
    """axe over the course content again, now that its controls have been used (chosen
    options, answers, moved items are styled differently from the fresh page's)."""
    violations = axe_violations(page)
    assert not violations, "\n".join(str(v) for v in violations)


def shot(output: Locator, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    output.screenshot(path=str(SCREENSHOTS / f"a11y-{name}.png"))


def test_lesson_1_by_keyboard(page, lab):
    with page.steps("open lesson 1 and run all cells"):
        open_lab(page, lab, f"{LESSONS}/01_the_training_loop.ipynb", "keys-1")
        run_all_and_wait(page)
        network = output_with(page, "button", "100 steps")
    with page.steps("live network: the step buttons, announced in its live region"):
        start_at(page, network.get_by_role("button", name="1 step"), "1 step")
        page.keyboard.press("Enter")
        announced(network, "Step 1:")
        tab(page, network.get_by_role("button", name="100 steps"), "100 steps")
        shot(network, "live-network-button-focus")
        page.keyboard.press("Enter")
        announced(network, re.compile(r"Step 101: loss .* — (learning|diverging)"))
        expect(network.locator("img")).to_have_attribute("alt", re.compile(r"in 101 steps"))
        tab(page, network.get_by_role("button", name="Reset"), "Reset")
    with page.steps("the learning-rate slider by arrow key, and its exact-value box by typing"):
        slider = network.get_by_role("slider", name="Learning rate")
        tab(page, slider, "Learning rate")
        expect(slider).to_have_attribute("aria-valuetext", "0.1")
        page.keyboard.press("ArrowRight")
        expect(slider).to_have_attribute("aria-valuetext", "0.126")  # 10^-0.9, from the kernel
        shot(network, "live-network-slider-focus")
        box = network.get_by_role("spinbutton", name="Learning rate, exact value")
        tab(page, box, "Learning rate, exact value")
        page.keyboard.press("Control+a")
        page.keyboard.type("0.5")
    with page.steps("the example: buttons that say which one is chosen"):
        first = network.get_by_role("button", name="x = (0, 1), y = -0.5")
        tab(page, first, "x = (0, 1), y = -0.5")  # leaving the box sends 0.5
        expect(slider).to_have_attribute("aria-valuetext", "0.5")
        expect(first).to_have_attribute("aria-pressed", "true")
        second = network.get_by_role("button", name="x = (1, 0), y = 1")
        tab(page, second, "x = (1, 0), y = 1")
        page.keyboard.press("Space")
        expect(second).to_have_attribute("aria-pressed", "true")
        expect(first).to_have_attribute("aria-pressed", "false")
        expect(network.locator("img")).to_have_attribute("alt", re.compile(r"x = \(1, 0\)"))
        shot(network, "live-network-example-focus")
    cards = output_with(page, "button", "Flip card")
    with page.steps("flashcards: Flip reads the answer out"):
        start_at(page, cards.get_by_role("button", name="Flip card"), "Flip card")
        page.keyboard.press("Enter")
        announced(cards, "Answer:")
        tab(page, cards.get_by_role("button", name="Previous card"), "Previous card")
        tab(page, cards.get_by_role("button", name="Next card"), "Next card")
    ordering = output_with(page, "button", "Check order")
    with page.steps("ordering: each Move button names its item; focus follows the item"):
        downs = ordering.get_by_role("button", name=re.compile(r"^Move down: "))
        first_item = downs.first.get_attribute("aria-label").removeprefix("Move down: ")
        start_at(page, downs.first, f"Move down: {first_item}")
        second_up = ordering.get_by_role("button", name=re.compile(r"^Move up: ")).nth(1)
        second_item = second_up.get_attribute("aria-label").removeprefix("Move up: ")
        tab(page, second_up, f"Move up: {second_item}")
        shot(ordering, "ordering-focus")
        page.keyboard.press("Enter")
        announced(ordering, f"“{second_item}” moved up: now 1 of")
        # now first, where Move up is disabled: the focus is on its row's Move down
        reached(page, focused(page), f"Move down: {second_item}")
    checkpoint = output_with(page, "button", "Reveal answer sketch")
    with page.steps("checkpoint: type an answer, Tab to Reveal, Enter"):
        start_at(page, checkpoint.get_by_label("Your answer"), "Your answer")
        page.keyboard.type("Which way each weight pushes the prediction: its gradient.")
        tab(
            page,
            checkpoint.get_by_role("button", name="Reveal answer sketch"),
            "Reveal answer sketch",
        )
        shot(checkpoint, "checkpoint-focus")
        page.keyboard.press("Enter")
        announced(checkpoint, "Answer sketch:")
    with page.steps("axe over the lesson as used"):
        no_axe_violation_after_use(page)


def test_lesson_4_by_keyboard(page, lab):
    with page.steps("open lesson 4 and run all cells"):
        open_lab(page, lab, f"{LESSONS}/04_gradient_descent.ipynb", "keys-4")
        run_all_and_wait(page)
    surface = output_with(page, "slider", "Learning rate")
    with page.steps("error surface: the slider by arrow key; the list says what the ball did"):
        slider = surface.get_by_role("slider", name="Learning rate")
        start_at(page, slider, "Learning rate")
        page.keyboard.press("ArrowLeft")
        # the handle sits on the slider's grid (0.03 lies between -1.5 and -1.55 in log10)
        announced(surface, re.compile(r"yours \(0\.028\d*\):"))
        box = surface.get_by_role("spinbutton", name="Learning rate, exact value")
        tab(page, box, "Learning rate, exact value")
        page.keyboard.press("Control+a")
        page.keyboard.type("0.08")
        page.keyboard.press("Enter")
        announced(surface, "yours (0.08): bouncing for ever between w = -1 and w = 7")
        expect(surface.locator("img")).to_have_attribute("alt", re.compile("bouncing for ever"))
        shot(surface, "error-surface-focus")
    game = output_with(page, "button", "Replay this secret")
    with page.steps("guessing game: the step group, the first guess, the answer announced"):
        two = game.get_by_role("button", name="step 2", exact=True)
        start_at(page, two, "step 2")
        page.keyboard.press("Space")
        expect(two).to_have_attribute("aria-pressed", "true")
        announced(game, "Playing with a fixed step of 2")
        expect(game.get_by_role("group", name="Step")).to_be_visible()
        for name in ("step 10", "step 50", "shrinking"):
            tab(page, game.get_by_role("button", name=name, exact=True), name)
        tab(page, game.get_by_label("First guess"), "First guess")
        page.keyboard.press("Control+a")
        page.keyboard.type("60")
        tab(page, game.get_by_role("button", name="Guess 60"), "Guess 60")
        shot(game, "guessing-game-focus")
        page.keyboard.press("Enter")
        announced(game, re.compile(r"Guess 1: 60\. (Too high|Too low|Within 2: found)"))
    with page.steps("axe over the lesson as used"):
        no_axe_violation_after_use(page)


def test_lessons_5_and_6_by_keyboard(page, lab):
    with page.steps("open lesson 6 and run all cells"):
        open_lab(page, lab, f"{LESSONS}/06_deep_networks_and_generalisation.ipynb", "keys-6")
        run_all_and_wait(page)
    layers = output_with(page, "slider", "Layers")
    with page.steps("vanishing gradients: activation buttons, two sliders, the verdict"):
        sigmoid = layers.get_by_role("button", name="sigmoid")
        start_at(page, sigmoid, "sigmoid")
        expect(sigmoid).to_have_attribute("aria-pressed", "true")
        announced(layers, "vanishing")
        tanh = layers.get_by_role("button", name="tanh")
        tab(page, tanh, "tanh")
        page.keyboard.press("Space")
        expect(tanh).to_have_attribute("aria-pressed", "true")
        tab(page, layers.get_by_role("button", name="relu"), "relu")
        scale = layers.get_by_role("slider", name="Init scale")
        tab(page, scale, "Init scale")
        page.keyboard.press("ArrowRight")
        expect(scale).to_have_attribute("aria-valuetext", "1.1")
        depth = layers.get_by_role("slider", name="Layers")
        tab(page, depth, "Layers")
        page.keyboard.press("ArrowLeft")
        expect(depth).to_have_attribute("aria-valuetext", "11")
        announced(layers, re.compile(r"(vanishing|healthy|exploding)"))
        expect(layers.locator("img")).to_have_attribute("alt", re.compile(r"each of the 11 layers"))
        shot(layers, "vanishing-gradients-focus")
    quiz = output_with(page, "button", "Submit quiz")
    with page.steps("practice quiz: choose by Enter, Tab on to Check answer, the verdict read"):
        first = quiz.get_by_role("button", name=re.compile(r"^○ A\. ")).first
        start_at(page, first, re.compile(r"^○ A\. "))
        page.keyboard.press("Enter")
        reached(page, focused(page), re.compile(r"^◉ A\. "))  # the same button, marked
        check = quiz.get_by_role("button", name="Check answer").first
        tab_until(page, check, "Check answer", most=6)
        page.keyboard.press("Enter")
        announced(quiz, re.compile(r"(✓ Correct|✗ Not quite|Partly right)"))
        shot(quiz, "practice-quiz-focus")
        no_axe_violation_after_use(page)
    with page.steps("open lesson 5 and run all cells"):
        open_lab(page, lab, f"{LESSONS}/05_mini_batches_and_epochs.ipynb", "keys-5")
        run_all_and_wait(page)
    trainer = output_with(page, "button", "Train 5 epochs")
    with page.steps("digit trainer: Enter trains; progress announced; the figure described"):
        start_at(page, trainer.get_by_role("button", name="Train 5 epochs"), "Train 5 epochs")
        page.keyboard.press("Enter")
        announced(trainer, re.compile(r"epoch 5\. Current error: .*Validation accuracy"))
        expect(trainer.locator("img")).to_have_attribute("alt", re.compile(r"epochs 1 to 5"))
        tab(page, trainer.get_by_role("button", name="Reset"), "Reset")
        shot(trainer, "digit-trainer-focus")
        no_axe_violation_after_use(page)


def test_the_graded_quiz_and_identity_form_by_keyboard(page, lab):
    identity = lab.root / "quiz_identity.json"
    identity.unlink(missing_ok=True)  # this computer has not been told who the student is
    key = quiz_key(b"a course secret", "bea")
    try:
        with page.steps("open the released quiz and run all cells: the identity form"):
            open_lab(page, lab, "release/a3_quiz/a3_quiz.ipynb", "keys-quiz")
            run_all_and_wait(page)
            form = notebook(page).locator(
                ".jp-OutputArea-output",
                has=page.get_by_role(
                    "button", name=re.compile(r"^(Save and show my quiz|Not you\? Change)$")
                ),
            )
        with page.steps("type the id, Tab, type the key: the check is announced"):
            start_at(page, form.get_by_label("Student id"), "Student id")
            page.keyboard.type("bea")
            tab(page, form.get_by_label("Quiz key"), "Quiz key")
            page.keyboard.type(key.lower())
            announced(form, f"✓ {key} is the key of student id bea")
            save = form.get_by_role("button", name="Save and show my quiz")
            tab(page, save, "Save and show my quiz")
            shot(form, "identity-form-focus")
        with page.steps("Enter: the quiz appears; the focus stays on the same button"):
            page.keyboard.press("Enter")
            reached(page, focused(page), "Not you? Change")
            announced(form, "Your own version of this quiz, for student bea")
            announced(form, "Saved. Your quiz follows")
        with page.steps("Tab on to question 1's first option; Enter chooses it, saved"):
            option = form.get_by_role("button", name=re.compile(r"^○ A\. ")).first
            tab(page, option, re.compile(r"^○ A\. "))
            page.keyboard.press("Enter")
            reached(page, focused(page), re.compile(r"^◉ A\. "))
            announced(form, "Saved: 1 of 13 answered")
            shot(form, "graded-quiz-focus")
        with page.steps("axe over the quiz as used"):
            no_axe_violation_after_use(page)
    finally:
        identity.unlink(missing_ok=True)  # the other browser tests meet the form as new
