"""As a student in JupyterLab: lessons, live widgets, the quiz, an assignment, Validate."""

import json
import re

from playwright.sync_api import expect

from autograder.quiz_engine import QuizVariant, load_question_bank, quiz_key

from .notebook_actions import (
    cell,
    expect_widget_rendered,
    notebook,
    open_assignment_1,
    open_lab,
    output_containing,
    output_with,
    replace_source,
    run_all_cells,
    run_cells,
    validate,
)

LESSON_1 = "course_content/lessons/01_the_training_loop.ipynb"


def test_live_network_and_flashcards(page, lab):
    with page.steps("open lesson 1"):
        open_lab(page, lab, LESSON_1, "lesson-1")
        expect(
            notebook(page).locator(".jp-RenderedMarkdown h1", has_text="Lesson 1")
        ).to_be_visible()
    with page.steps("run all cells"):
        run_all_cells(page)
        network = page.locator(
            ".jp-OutputArea-output", has=page.get_by_role("button", name="100 steps")
        )
        expect(network).to_be_visible()
    with page.steps("the network widget is rendered, not its text fallback"):
        expect_widget_rendered(network, "LiveNetworkView")
        expect(network.locator("img")).to_be_visible()
        expect(network.get_by_text("Step 0:")).to_be_visible()
        picture = network.locator("img").get_attribute("src")
        weights = network.locator("details").inner_text()
    with page.steps("click 100 steps: loss curve and weights change"):
        network.get_by_role("button", name="100 steps").click()
        expect(network.get_by_text("Step 100:")).to_be_visible()
        expect(network.locator("img")).not_to_have_attribute("src", picture)
        network.locator("summary").click()
        assert network.locator("details").inner_text() != weights
    with page.steps("flip a flashcard"):
        cards = page.locator(
            ".jp-OutputArea-output", has=page.get_by_role("button", name="Flip card")
        )
        cards.scroll_into_view_if_needed()
        expect(cards.get_by_text("Term:")).to_be_visible()
        cards.get_by_role("button", name="Flip card").click()
        expect(cards.get_by_text("Answer:")).to_be_visible()
        expect(output_containing(page, "Card 1 of 4 (back)")).to_be_visible()  # lesson 1's words


LESSON_6 = "course_content/lessons/06_deep_networks_and_generalisation.ipynb"
ASSIGNMENT = "student/a1_building_blocks/a1_building_blocks.ipynb"


def test_matching_by_keyboard_and_clicks_and_the_quiz(page, lab):
    with page.steps("open lesson 6 and run all cells"):
        open_lab(page, lab, LESSON_6, "lesson-6")
        run_all_cells(page)
        matching = output_with(page, "button", "Check matches")
        expect(matching.get_by_text("0 of 9 terms matched")).to_be_visible()
    with page.steps("match a term from its drop-down list"):
        matching.get_by_label("Epoch", exact=True).select_option(
            "One complete pass through the training set"
        )
        expect(matching.get_by_text("1 of 9 terms matched")).to_be_visible()
    with page.steps("match by keyboard on the click tab: Enter on a term, Space on a definition"):
        matching.get_by_role("tab", name="Click term, then definition").click()
        matching.get_by_role("button", name="Gradient", exact=True).focus()
        page.keyboard.press("Enter")
        expect(matching.get_by_text("Selected: Gradient")).to_be_visible()
        matching.get_by_role("button", name="How the loss changes when a parameter").focus()
        page.keyboard.press("Space")
        expect(matching.get_by_text("2 of 9 terms matched")).to_be_visible()
    with page.steps("match by clicks"):
        matching.get_by_role("button", name="Learning rate", exact=True).click()
        matching.get_by_role("button", name="Sets the size of each update step").click()
        expect(matching.get_by_text("3 of 9 terms matched")).to_be_visible()
        matching.get_by_role("button", name="Check matches").click()
        expect(matching.get_by_text("Partly right (33%)")).to_be_visible()
    quiz = output_with(page, "button", "Submit quiz")
    with page.steps("answer the quiz, three answers wrong"):
        choices = [
            "The forward pass",  # wrong
            "Mean squared error",
            "Because the running product from the loss down to a layer is shared by every weight "
            "below that layer, so it is computed once and reused",
            "w decreases by 0.04",
            None,  # numeric: typed below, wrong
            "Each step is tiny, so reaching the minimum takes very many steps",
            None,  # multiple select: ticked below
            "99% is too low for any real use",  # wrong
        ]
        for number, label in enumerate(choices):
            if label is None:
                continue
            option = quiz.get_by_role("button", name=lettered("○", label))
            if number % 2:  # half by keyboard (Tab to it, then Enter), half by click
                option.focus()
                page.keyboard.press("Enter")
            else:
                option.click()
            expect(quiz.get_by_role("button", name=lettered("◉", label))).to_be_visible()
        numeric = quiz.locator(".widget-vbox", has_text="Question 5 of 8").get_by_label("Answer")
        numeric.fill("10000")
        for label in ("ReLU activations", "Careful weight initialisation", "Residual connections"):
            quiz.get_by_role("button", name=lettered("☐", label)).click()
        expect(
            quiz.get_by_role("button", name=lettered("☑", "Residual connections"))
        ).to_be_visible()
    with page.steps("submit: score and feedback for the wrong answers"):
        quiz.get_by_role("button", name="Submit quiz").click()
        expect(quiz.get_by_text("Quiz complete! Score: 5/8")).to_be_visible()
        result = quiz.locator("[role=status]", has_text="Quiz complete")
        expect(result).to_contain_text("The forward pass makes the prediction")
        expect(result).to_contain_text("That counts examples")
        expect(result).to_contain_text("The number matters less than where it was measured")


def lettered(mark: str, text: str) -> re.Pattern:
    """An option button's name: its mark, its letter, its text ("◉ B. The chain rule")."""
    return re.compile(rf"^{mark} [A-Z]\. {re.escape(text)}$")


GRADED_QUIZ = "student/a3_quiz/a3_quiz.ipynb"


def test_the_graded_quiz_by_keyboard_in_the_students_own_variant(page, lab):
    # The instructor's `course quiz-keys` gives ada this key (the kernel never sees the secret).
    key = quiz_key(b"the instructor's course secret", "ada")
    variant = QuizVariant.for_student("ada", key, "a3_quiz")
    bank = load_question_bank(lab.course / "student" / "a3_quiz" / "quiz_questions.yaml")
    with page.steps("open the graded quiz and run all cells: it asks who you are, once"):
        open_lab(page, lab, GRADED_QUIZ, "graded-quiz")
        run_all_cells(page)
        form = output_with(page, "button", "Save and show my quiz")
        expect(form).to_contain_text("Who is taking this quiz?")
    with page.steps("type the student id and quiz key, press Enter on Save"):
        form.get_by_label("Student id").press_sequentially("ada")
        form.get_by_label("Quiz key").press_sequentially(key.lower())
        # The form checks the key as it reaches the kernel (typos show before saving).
        expect(form.get_by_text(f"✓ {key} is the key of student id ada")).to_be_visible()
        form.get_by_role("button", name="Save and show my quiz").focus()
        page.keyboard.press("Enter")
        quiz = output_with(page, "button", "Clear answer")
        expect(quiz).to_contain_text("Your own version of this quiz, for student ada")
    chain_rule = bank["chain-rule"]
    letter = variant.letter_of(chain_rule, 1)  # "The chain rule" is the bank's option B
    with page.steps(f"question 3 shows this student's order: 'The chain rule' is {letter}"):
        shown = quiz.get_by_role("button", name=lettered("○", "The chain rule"))
        expect(shown).to_have_text(re.compile(rf"○ {letter}\. The chain rule"))
        order = [chain_rule.options[i].text for i in variant.option_order(chain_rule)]
        for position, text in enumerate(order):
            expect(quiz.get_by_role("button", name=f"○ {'ABCD'[position]}. {text}")).to_be_visible()
        shown.focus()
        page.keyboard.press("Enter")
        expect(quiz.get_by_role("button", name=f"◉ {letter}. The chain rule")).to_be_visible()
    numbers = variant.parameters(bank["one-weight-loss"])
    with page.steps("question 9 shows this student's numbers; type the answer"):
        box = quiz.locator(".widget-vbox", has_text="Question 9 of 13").last
        expect(box).to_contain_text(f"With w = {numbers['w']:g}, input x = {numbers['x']:g}")
        box.get_by_label("Answer").press_sequentially("12.5")
        expect(quiz.get_by_text("Saved: 2 of 13 answered")).to_be_visible()
    with page.steps("clear question 3 by keyboard: the file says so at once"):
        quiz.get_by_role("button", name="Clear answer").nth(2).focus()
        page.keyboard.press("Enter")
        expect(quiz.get_by_text("Saved: 1 of 13 answered")).to_be_visible()
        expect(quiz.get_by_role("button", name=f"○ {letter}. The chain rule")).to_be_visible()
    saved = json.loads((lab.course / "student" / "a3_quiz" / "quiz_answers.json").read_text())
    assert saved[bank.title] == {"student_id": "ada", "answers": {"one-weight-loss": 12.5}}


def _open_linear_forward(page, lab, workspace):
    """Assignment 1 open; its setup cell, linear_forward's answer cell and its checks."""
    with page.steps("open the released assignment 1"):
        open_assignment_1(page, lab, workspace)
    return (
        cell(page, "from autograder.course_checks import"),
        cell(page, "def linear_forward(A_prev, W, b)"),
        cell(page, "Checks: shape and values of linear_forward"),
    )


def test_assignment_instant_feedback_and_validate(page, lab):
    setup, solution, check = _open_linear_forward(page, lab, "assignment")
    backward_check = cell(page, "Checks: linear_backward against")
    with page.steps("fill in linear_forward"):
        replace_source(
            page,
            solution,
            "def linear_forward(A_prev, W, b):\n    return A_prev @ W.T + b\n\n\n"
            "def linear_backward(dZ, cache):\n    raise NotImplementedError('later')\n",
        )
    with page.steps("run setup, the solution and the visible checks"):
        run_cells(page, setup, solution, check, backward_check)
        expect(check.locator(".jp-OutputArea")).to_contain_text(
            "linear_forward: visible checks passed."
        )
        expect(backward_check.locator(".jp-OutputArea")).to_contain_text(
            "linear_backward raised NotImplementedError"
        )
    with page.steps("Validate reports the result"):
        dialog = validate(page)
        expect(dialog).to_contain_text("failed")
        expect(dialog).to_contain_text("NotImplementedError")


def test_a_refused_line_is_reported_before_submission(page, lab):
    setup, solution, check = _open_linear_forward(page, lab, "refused")
    with page.steps("a correct linear_forward, with a line the grader refuses"):
        replace_source(
            page,
            solution,
            "%matplotlib inline\nimport inspect\n\n\ndef linear_forward(A_prev, W, b):\n"
            "    return A_prev @ W.T + b\n",
        )
    with page.steps("the visible check names the student's own line"):
        run_cells(page, setup, solution, check)
        output = check.locator(".jp-OutputArea")
        expect(output).to_contain_text("line 2 `import inspect`", timeout=60_000)
        expect(output).to_contain_text("Remove that code")
        expect(output).not_to_contain_text("matplotlib")  # the magic is fine
    with page.steps("Validate names it too"):
        page.keyboard.press("Control+s")
        # Validate saves too: a second save while the first is still being written finds
        # the file "changed on disk" (seen under load), so wait for this one to finish.
        dirty_tab = page.locator(".lm-TabBar-tab.jp-mod-current.jp-mod-dirty")
        expect(dirty_tab).to_have_count(0, timeout=60_000)
        dialog = validate(page)
        expect(dialog).to_contain_text("import inspect")
        expect(dialog).to_contain_text("inspect reaches inside the checks")
