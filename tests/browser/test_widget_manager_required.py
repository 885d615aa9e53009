"""Without ipywidgets' JupyterLab manager, the widget check fails: it cannot pass by accident."""

import pytest
from playwright.sync_api import expect

from .notebook_actions import (
    cell,
    expect_widget_rendered,
    notebook,
    open_lab,
    run_all_cells,
)


def test_the_rendered_widget_check_fails_without_the_widget_manager(
    page, lab_without_widget_manager
):
    lab = lab_without_widget_manager
    page.steps.lab = lab  # a failing step keeps this server's log
    with page.steps("open lesson 1 with the widget manager disabled and run it"):
        open_lab(page, lab, "course_content/lessons/01_the_training_loop.ipynb", "no-widgets")
        expect(notebook(page).locator(".jp-RenderedMarkdown h1").first).to_be_visible()
        run_all_cells(page)
        output = cell(page, "LiveNetworkView()").locator(".jp-OutputArea-output")
        expect(output).to_contain_text("LiveNetworkView(")  # only the text fallback is shown
    with (
        page.steps("the check used by the student tests rejects it"),
        pytest.raises(AssertionError),
    ):
        # The text fallback is already on screen, so no widget can appear later: a short
        # wait cannot make this pass by accident, and saves the default minute.
        expect_widget_rendered(output.first, "LiveNetworkView", timeout=5_000)
