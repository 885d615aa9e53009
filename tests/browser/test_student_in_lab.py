"""As a student in JupyterLab: lessons, live widgets, the quiz, an assignment, Validate."""

from playwright.sync_api import expect

from .notebook_actions import open_lab, output_containing, run_all_cells

LESSON_1 = "course_content/lessons/01_the_training_loop.ipynb"


def test_live_network_and_flashcards(page, lab):
    with page.steps("open lesson 1"):
        open_lab(page, lab, LESSON_1)
        expect(page.locator(".jp-RenderedMarkdown h1", has_text="Lesson 1")).to_be_visible()
    with page.steps("run all cells"):
        run_all_cells(page)
        network = page.locator(
            ".jp-OutputArea-output", has=page.get_by_role("button", name="100 steps")
        )
        expect(network).to_be_visible()
    with page.steps("the network widget is rendered, not its text fallback"):
        expect(page.locator(".jp-OutputArea-output", has_text="LiveNetworkView(")).to_have_count(0)
        expect(
            page.locator(".jp-OutputArea-output", has_text="Error displaying widget")
        ).to_have_count(0)
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
        expect(output_containing(page, "Card 1 of 12 (back)")).to_be_visible()
