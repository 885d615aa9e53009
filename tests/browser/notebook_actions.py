"""What a person does in JupyterLab, as Playwright actions (menus, cells, outputs)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def open_lab(page: Page, lab, path: str = "") -> None:
    target = (
        f"{lab.url}/lab/tree/{path}?token={lab.token}"
        if path
        else f"{lab.url}/lab?token={lab.token}"
    )
    page.goto(target)
    expect(page.locator("#jp-main-dock-panel")).to_be_visible()


def wait_for_kernel_idle(page: Page) -> None:
    expect(
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first
    ).to_be_attached()


def menu(page: Page, *labels: str) -> None:
    """Click through the menu bar: menu(page, "Run", "Run All Cells")."""
    page.locator("#jp-menu-panel, .lm-MenuBar").get_by_role(
        "menuitem", name=labels[0], exact=True
    ).first.click()
    for label in labels[1:]:
        page.locator(".lm-Menu").get_by_role("menuitem", name=label).first.click()


def run_all_cells(page: Page) -> None:
    wait_for_kernel_idle(page)
    menu(page, "Run", "Run All Cells")


def cell_output(page: Page, cell_index: int) -> Locator:
    """The output area of the notebook's cell ``cell_index`` (0-based), never its editor."""
    return page.locator(".jp-Notebook .jp-Cell").nth(cell_index).locator(".jp-OutputArea-output")


def output_containing(page: Page, text: str) -> Locator:
    """An output area that shows ``text`` (scoped to outputs, so the code never matches)."""
    return page.locator(".jp-OutputArea-output", has_text=text).first
