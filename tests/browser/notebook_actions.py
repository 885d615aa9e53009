"""What a person does in JupyterLab, as Playwright actions (menus, cells, outputs)."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect


def open_lab(page: Page, lab, path: str = "", workspace: str = "test") -> None:
    """Open JupyterLab in a fresh workspace (no tabs left over from other tests)."""
    workspace = re.sub(r"[^\w-]+", "-", workspace)
    tree = f"/tree/{path}" if path else ""
    page.goto(f"{lab.url}/lab/workspaces/{workspace}{tree}?reset&token={lab.token}")
    expect(page.locator("#jp-main-dock-panel")).to_be_visible()


_RAN_OR_RUNNING = re.compile(r"\[(\*|\d+)\]")


def notebook(page: Page) -> Locator:
    """The notebook panel on screen (other tabs' panels are hidden)."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")


def wait_for_kernel_idle(page: Page) -> None:
    expect(page.locator("#jp-main-statusbar").get_by_text(re.compile(r"\| Idle"))).to_be_visible()


def menu(page: Page, *labels: str) -> None:
    """Click through the menu bar: menu(page, "Run", "Run All Cells")."""
    page.get_by_role("menuitem", name=labels[0], exact=True).first.click()
    for label in labels[1:]:
        page.locator(".lm-Menu").get_by_role("menuitem", name=label).first.click()


def run_all_cells(page: Page, attempts: int = 3) -> None:
    """Run All Cells, and see it start: a code cell's prompt turns to [*] or [n].

    On a loaded machine JupyterLab can drop a Run All given just as a restored
    notebook connects to its kernel (the status bar already says Idle), so a
    Run All that shows no sign of starting is given again.
    """
    prompts = notebook(page).locator(".jp-CodeCell .jp-InputPrompt")
    started = prompts.filter(has_text=_RAN_OR_RUNNING)
    for _ in range(attempts):
        wait_for_kernel_idle(page)
        menu(page, "Run", "Run All Cells")
        if prompts.count() == 0:  # only text cells (the course index): nothing to see start
            return
        try:
            expect(started.first).to_be_visible(timeout=15_000)
            return
        except AssertionError:
            continue
    raise AssertionError(f"Run All Cells never started, given {attempts} times")


def cell(page: Page, text: str) -> Locator:
    """The cell of the notebook on screen whose text contains ``text``."""
    return notebook(page).locator(".jp-Cell", has_text=text).first


def output_with(page: Page, role: str, name: str) -> Locator:
    """The output area holding a control (scoped to outputs, so the code never matches)."""
    return notebook(page).locator(".jp-OutputArea-output", has=page.get_by_role(role, name=name))


def output_containing(page: Page, text: str) -> Locator:
    return notebook(page).locator(".jp-OutputArea-output", has_text=text).first


def expect_widget_rendered(output: Locator, view_name: str, timeout: float | None = None) -> None:
    """The widget is drawn by the widget manager, not shown as its text fallback."""
    expect(output.locator(".jupyter-widgets").first).to_be_visible(timeout=timeout)
    expect(output).not_to_contain_text(f"{view_name}(")
    expect(output).not_to_contain_text("Error displaying widget")


def open_assignment_1(page: Page, lab, workspace: str) -> None:
    """The released assignment 1, open and rendered."""
    open_lab(page, lab, "student/a1_building_blocks/a1_building_blocks.ipynb", workspace)
    expect(
        notebook(page).locator(".jp-RenderedMarkdown h1", has_text="Assignment 1")
    ).to_be_visible()


def replace_source(page: Page, code_cell: Locator, text: str) -> None:
    """Select all of a cell's text and type ``text`` in its place."""
    code_cell.locator(".cm-content").click()
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(text)


def run_cells(page: Page, *cells: Locator) -> None:
    """Run the cells one after another, as Shift+Enter on each would."""
    wait_for_kernel_idle(page)
    for code_cell in cells:
        code_cell.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Shift+Enter")


def validate(page: Page) -> Locator:
    """Press Validate; the dialog with nbgrader's verdict, once it shows."""
    page.get_by_role("button", name="Validate").first.click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_be_visible(timeout=120_000)
    return dialog


def run_all_and_wait(page: Page, timeout: float = 300_000) -> None:
    """Run All Cells, then wait until no cell is queued or running and every widget output
    is drawn (a cell that raised leaves the cells after it unrun, as in JupyterLab)."""
    run_all_cells(page)
    panel = notebook(page)
    if panel.locator(".jp-CodeCell").count() == 0:
        return  # Markdown only: nothing runs
    prompts = panel.locator(".jp-InputArea-prompt")
    expect(prompts.filter(has_text=re.compile(r"\[\d+\]")).first).to_be_visible(timeout=timeout)
    expect(prompts.filter(has_text="[*]")).to_have_count(0, timeout=timeout)
    widget_outputs = panel.locator(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.widget-view+json']"
    )
    expect(widget_outputs.filter(has_not=page.locator(".jupyter-widgets"))).to_have_count(0)
    expect(
        panel.locator(".jp-OutputArea-output", has_text="Error displaying widget")
    ).to_have_count(0)
