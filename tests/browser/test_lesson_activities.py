"""As a student in JupyterLab, by keyboard: the guessing game (lesson 4) and human
backpropagation (lesson 3), the two role-play activities of the source material."""

import re

from playwright.sync_api import expect

from .notebook_actions import expect_widget_rendered, notebook, open_lab, output_with, run_all_cells

LESSON_3 = "course_content/lessons/03_chain_rule_and_backprop.ipynb"
LESSON_4 = "course_content/lessons/04_gradient_descent.ipynb"


def press(page, control, key="Enter"):
    """Focus a control and press a key on it, as a keyboard user would (once the kernel
    has enabled it)."""
    expect(control).to_be_enabled()
    control.focus()
    page.keyboard.press(key)


def follow_hints(page, game, limit=30):
    """Press Lower or Higher as the game's answer says, until found or bouncing."""
    status = game.locator("[role=status]")
    for _ in range(limit):
        text = status.text_content()  # what not_to_have_text compares (no layout newlines)
        if "found" in text or "back and forth" in text:
            return text
        direction = "Lower" if "Too high" in text else "Higher"
        press(page, game.get_by_role("button", name=re.compile(rf"^{direction} by ")))
        expect(status).not_to_have_text(text)  # the kernel has answered
    raise AssertionError(f"no end after {limit} moves: {status.text_content()}")


def test_the_guessing_game_by_keyboard(page, lab):
    with page.steps("open lesson 4 and run all cells"):
        open_lab(page, lab, LESSON_4, "lesson-4")
        run_all_cells(page)
        game = output_with(page, "button", "Replay this secret")
        expect_widget_rendered(game, "GuessingGameView")
        status = game.locator("[role=status]")
        expect(status).to_contain_text("Make a first guess between 1 and 100")
    with page.steps("type a first guess of 60, Tab to Guess, Enter: the game answers"):
        box = game.get_by_label("First guess")
        box.focus()
        page.keyboard.press("Control+a")
        page.keyboard.type("60")
        page.keyboard.press("Tab")
        guess = game.get_by_role("button", name="Guess 60", exact=True)
        expect(guess).to_be_focused()  # named after the number the kernel has
        page.keyboard.press("Enter")
        expect(status).to_contain_text(re.compile(r"Guess 1: 60\. (Too high|Too low|Within 2)"))
    with page.steps("follow the hints with a fixed step of 10"):
        ended = follow_hints(page, game)
        assert "You needed" in ended or "can never land within 2" in ended
    with page.steps("choose shrinking steps and replay the same secret"):
        press(page, game.get_by_role("button", name="shrinking"), "Space")
        expect(game).to_contain_text("Replay this secret to play it with steps that shrink")
        press(page, game.get_by_role("button", name="Replay this secret"))
        expect(status).to_contain_text("Playing with steps that shrink")
        expect(game).to_contain_text("Earlier games with this secret: step 10:")
    with page.steps("the same first guess; shrinking steps always arrive"):
        press(page, game.get_by_role("button", name="Guess 60", exact=True))
        expect(status).to_contain_text("Guess 1: 60.")
        ended = follow_hints(page, game)
        guesses = int(re.search(r"You needed (\d+) guess", ended).group(1))
        assert guesses <= 6


def test_human_backpropagation_by_keyboard(page, lab):
    with page.steps("open lesson 3 and run all cells: the backward-flow figure is drawn"):
        open_lab(page, lab, LESSON_3, "lesson-3")
        run_all_cells(page)
        # Located by text that stays: its buttons are hidden and shown as the rounds go.
        activity = notebook(page).locator(".jp-OutputArea-output", has_text="Your rules")
        expect_widget_rendered(activity, "HumanBackpropView")
        expect(activity).to_contain_text("Round 1 of 3")
        figure = notebook(page).locator(".jp-OutputArea-output img[src^='data:image/png']")
        expect(figure.first).to_be_visible()
    with page.steps("predict casual for a formal sentence: told it is wrong"):
        press(page, activity.get_by_role("button", name="Casual", exact=True))
        expect(activity).to_contain_text("✗ Wrong: it is formal")
    with page.steps("pick the word and adjust the rule, by keyboard"):
        press(page, activity.get_by_role("button", name="grateful", exact=True), "Space")
        # The button names the word once the kernel has it: no click races the choice.
        press(page, activity.get_by_role("button", name="I weighted “grateful” too low"))
        expect(activity).to_contain_text("raised it from +0 to +1")
        expect(activity).to_contain_text("Round 2 of 3")
        expect(activity.locator("table")).to_contain_text("grateful")
    with page.steps("two right predictions; nothing has to change"):
        press(page, activity.get_by_role("button", name="Casual", exact=True))
        expect(activity).to_contain_text("✓ Right: it is casual")
        press(page, activity.get_by_role("button", name="Next sentence"))
        press(page, activity.get_by_role("button", name="Formal", exact=True))
        expect(activity).to_contain_text("✓ Right: it is formal")
        press(page, activity.get_by_role("button", name="Next sentence"))
        expect(activity).to_contain_text("Write down one rule")
    with page.steps("write down one rule you adjusted and save it"):
        activity.get_by_label("My rule").focus()
        page.keyboard.type("grateful sounds formal")
        page.keyboard.press("Tab")
        expect(activity).to_contain_text("To save: “grateful sounds formal”")  # in the kernel
        expect(activity.get_by_role("button", name="Save my rule")).to_be_focused()
        page.keyboard.press("Enter")
        expect(activity).to_contain_text("Your rule: “grateful sounds formal”")
