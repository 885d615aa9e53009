"""The trial hub (deploy/trial_hub.py) for a test: its own accounts, folders and ports; and
what a person does on it in Chromium (log in, open the Assignment List)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import nbformat
from playwright.sync_api import expect

from course_simulation import solution_sources
from course_simulation.builders import rewritten
from course_simulation.catalogue import BUGS, EVERY_CELL
from deploy.trial_hub import TrialHub

from ..browser.conftest import TIMEOUT_MS, Steps
from ..browser.lab_server import free_port
from ..course_helpers import REPO
from .accounts import SHARED_ROOT

# Where a student's JupyterLab opens (deploy/jupyterhub_config.py: nbgitpuller's link).
COURSE_INDEX = "lab/tree/course_content/lessons/00_course_index.ipynb"


def answer_a1(notebook: Path, owner: str, bug: str | None) -> None:
    """A student's a1 answers in their fetched copy: the instructor's solutions, or them with
    a catalogued bug; the file stays the student's."""
    a1 = "a1_building_blocks"
    solutions = solution_sources(REPO / "source" / a1 / f"{a1}.ipynb")
    if bug:
        solutions = rewritten(solutions, {EVERY_CELL: BUGS[bug]}, bug)
    student_copy = nbformat.read(notebook, 4)
    for cell in student_copy.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions:
            cell.source = solutions[grade_id]
    nbformat.write(student_copy, notebook)
    shutil.chown(notebook, owner, owner)


def trial_hub(
    name: str, environment: Path, instructor: str, grader: str, students: tuple[str, ...]
) -> TrialHub:
    """A trial hub whose files are all under SHARED_ROOT/name, on free ports."""
    top = SHARED_ROOT / name
    return TrialHub(
        state=top / "state",
        environment=environment,
        exchange=top / "exchange",
        lessons_repository=top / "lessons" / "lessons.git",
        instructor=instructor,
        grader=grader,
        students=students,
        port=free_port(),
        api_port=free_port(),
        proxy_api_port=free_port(),
        service_port=free_port(),
        lessons_port=free_port(),
    )


def make_fresh(hub: TrialHub) -> None:
    """No accounts (so fresh homes: nothing fetched or pulled by an earlier run) and an
    empty folder for the hub's files, which every account can reach."""
    remove_accounts(hub)
    top = hub.state.parent
    shutil.rmtree(top, ignore_errors=True)
    top.mkdir(parents=True)
    SHARED_ROOT.chmod(0o755)
    top.chmod(0o755)


def remove_accounts(hub: TrialHub) -> None:
    for name in hub.accounts:
        subprocess.run(["userdel", "--remove", name], capture_output=True, check=False)


def log_in(browser, hub: TrialHub, account: str, steps_name: str, lands_on: str = "lab"):
    """A new page, logged in as ``account``, once their JupyterLab shows (at ``lands_on``,
    under /user/ACCOUNT/; a notebook there is open and in front, so that what the test
    opens next is not hidden behind it); each step's screenshot in
    test-artifacts/browser/hub/steps_name."""
    page = browser.new_page()
    page.steps = Steps(page, SimpleNamespace(log_path=hub.state / "jupyterhub.log"), steps_name)
    shutil.rmtree(page.steps.folder, ignore_errors=True)
    page.steps.folder = page.steps.folder.parent / "hub" / steps_name
    shutil.rmtree(page.steps.folder, ignore_errors=True)
    page.steps.folder.mkdir(parents=True)
    with page.steps(f"{account} logs in"):
        page.goto(f"{hub.url}/hub/logout")
        page.goto(f"{hub.url}/hub/login")
        page.fill("#username_input", account)
        page.fill("#password_input", hub.password)
        page.click("#login_submit")
        page.wait_for_url(f"**/user/{account}/{lands_on}**", timeout=TIMEOUT_MS * 3)
        page.wait_for_selector("#jp-main-dock-panel")
        if lands_on.endswith(".ipynb"):
            page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-RenderedMarkdown")
    return page


def open_assignment_list(page) -> None:
    page.get_by_text("Nbgrader", exact=True).click()
    page.get_by_text("Assignment List", exact=True).click()
    page.wait_for_selector("#released_assignments_list")


def assignment_row(page, section: str, text: str):
    """The row of an assignment in one of the Assignment List's sections."""
    return page.locator(f"#{section} .list_item:not(.nested_list_item)", has_text=text)


def fetch_in_assignment_list(page, assignment: str) -> None:
    """Open the Assignment List, press the assignment's Fetch, wait until it is downloaded."""
    open_assignment_list(page)
    released = assignment_row(page, "released_assignments_list", assignment)
    released.get_by_role("button", name="Fetch").click()
    expect(assignment_row(page, "fetched_assignments_list", assignment)).to_be_visible()
