"""As an instructor in JupyterLab: nbgrader menu, Create Assignment, Assignment List, Formgrader."""

from playwright.sync_api import expect

from .notebook_actions import menu, notebook, open_lab


def test_nbgrader_tools_load(page, lab):
    with page.steps("the Nbgrader menu lists its tools"):
        open_lab(page, lab, "source/a1_building_blocks/a1_building_blocks.ipynb", "instructor")
        page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
        for item in ("Assignment List", "Course List", "Formgrader"):
            expect(page.locator(".lm-Menu").get_by_role("menuitem", name=item)).to_be_visible()
        page.keyboard.press("Escape")
    with page.steps("the Create Assignment panel opens beside the notebook"):
        expect(notebook(page).locator(".jp-RenderedMarkdown h1").first).to_be_visible()
        page.get_by_role("tab", name="Create Assignment").click()
        panel = page.locator("#nbgrader-create_assignemnt")
        expect(panel).to_be_visible()
        expect(panel).to_contain_text("Total points")
        expect(panel.locator("select").first).to_be_visible()
        grade_ids = panel.locator("input").evaluate_all("inputs => inputs.map(i => i.value)")
        assert "test_activations" in grade_ids and "linear_layer" in grade_ids
    with page.steps("the Assignment List shows the released assignment"):
        menu(page, "Nbgrader", "Assignment List")
        listing = page.locator(".jp-MainAreaWidget", has_text="Released assignments").last
        expect(listing).to_be_visible()
        expect(listing).to_contain_text("a1_building_blocks")
    with page.steps("the Formgrader loads its assignments"):
        menu(page, "Nbgrader", "Formgrader")
        frame = page.frame_locator("iframe").last
        expect(frame.get_by_text("Manage Assignments").first).to_be_visible()
        expect(frame.get_by_text("a1_building_blocks").first).to_be_visible()
