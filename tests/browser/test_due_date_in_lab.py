"""A student sees the due date in the assignment they fetch (issue 32): the instructor sets
it with `course due-date`, generates and releases; the student fetches in the Assignment
List and opens the notebook."""

import sys

import nbformat
from playwright.sync_api import expect

from autograder.grader_tools.nbgrader_course import nbgrader_environment
from course_simulation.course_runs import nbgrader, run

from .notebook_actions import menu, notebook, open_lab

A2 = "a2_training_a_network"


def test_the_fetched_assignment_opens_with_its_due_date(page, lab):
    env = nbgrader_environment(NBGRADER_EXCHANGE=str(lab.root / "exchange"))
    run(
        lab.course,
        *(sys.executable, "-m", "autograder.grader_tools.course_commands", "due-date", A2),
        "2026-12-10 17:00 Europe/Berlin",
        env=env,
    )
    nbgrader(lab.course, "generate_assignment", A2, "--force", env=env)
    nbgrader(lab.course, "release_assignment", A2, env=env)
    with page.steps("the student fetches assignment 2 in the Assignment List"):
        open_lab(page, lab, "", "due-date")
        menu(page, "Nbgrader", "Assignment List")
        released = page.locator("#released_assignments_list .list_item", has_text=A2)
        released.get_by_role("button", name="Fetch").click()
        expect(page.locator("#fetched_assignments_list")).to_contain_text(A2)
    fetched = nbformat.read(lab.course / A2 / f"{A2}.ipynb", 4)
    assert fetched.cells[0].source.startswith("**Due: Thu 10 Dec 2026, 16:00 UTC.**")
    with page.steps("the notebook opens with the due date first"):
        open_lab(page, lab, f"{A2}/{A2}.ipynb", "due-date")
        first = notebook(page).locator(".jp-RenderedMarkdown").first
        expect(first).to_contain_text("Due: Thu 10 Dec 2026, 16:00 UTC.")
