"""A class on the course's JupyterHub (deploy/), each person a Unix account of their own.

The instructor releases a1 from the formgrader; two students fetch it in the Assignment
List, fill it in (one correctly, one with a bug) and submit; the grader, an ordinary user,
collects, runs `course grade` (rootless sandbox) and `course report`, and releases
feedback; each student fetches their feedback and sees their own score. On the way, the
exchange is checked the way a curious student would: as student B, list the inbound
folder, read A's submission, read the instructor's source/.

The students' answers are written into their fetched notebooks as the students (typing two
notebooks of code through the browser would test JupyterLab's editor, not the course).
Every step leaves a screenshot in test-artifacts/browser/hub/; the hub and every process
of the trial's accounts are stopped at the end, by process id.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ..browser.conftest import TIMEOUT_MS
from .trial_hubs import (
    COURSE_INDEX,
    answer_a1,
    assignment_row,
    fetch_in_assignment_list,
    log_in,
    make_fresh,
    open_assignment_list,
    remove_accounts,
    trial_hub,
)

A1 = "a1_building_blocks"
INSTRUCTOR, GRADER = "hub-instructor", "hub-grader"
STUDENT_A, STUDENT_B = "hub-student-a", "hub-student-b"


@pytest.fixture(scope="module")
def hub(course_environment):
    hub = trial_hub("hub", course_environment, INSTRUCTOR, GRADER, (STUDENT_A, STUDENT_B))
    make_fresh(hub)
    hub.prepare(install_environment=False)  # course_environment installed it
    try:
        hub.start()
        yield hub
    finally:
        hub.stop()
        left = hub.processes()
        remove_accounts(hub)
        shutil.rmtree(hub.state.parent, ignore_errors=True)
        assert left == [], f"processes of the trial's accounts still running: {left}"


def test_a_class_on_the_hub_from_release_to_feedback(hub, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    course = hub.course_root

    # 1. The instructor releases a1 from the formgrader (the grader's service).
    instructor = log_in(browser, hub, INSTRUCTOR, "1-instructor")
    with instructor.steps("opens the formgrader"):
        instructor.goto(f"{hub.url}/services/{hub.course_id}/formgrader")
        row = instructor.locator("tr", has=instructor.locator(f"td.name[data-order='{A1}']"))
        expect(row.locator("td.status")).to_have_text("draft")
    with instructor.steps("releases a1"):
        row.locator("td.release a").click()
        expect(instructor.get_by_text(f"Successfully released '{A1}'")).to_be_visible()
        instructor.get_by_role("button", name="OK").click()
        expect(row.locator("td.status")).to_have_text("released")
    instructor.close()

    # 2. Two students fetch it, fill it in and submit.
    for student, bug in ((STUDENT_A, None), (STUDENT_B, "forgot_1_over_m")):
        page = log_in(browser, hub, student, f"2-{student}", lands_on=COURSE_INDEX)
        with page.steps("fetches a1 in the Assignment List"):
            fetch_in_assignment_list(page, A1)
        home = Path(f"~{student}").expanduser()
        fetched = home / hub.course_id / A1 / f"{A1}.ipynb"
        answer_a1(fetched, student, bug)
        with page.steps("submits a1"):
            fetched_row = assignment_row(page, "fetched_assignments_list", A1)
            fetched_row.get_by_role("button", name="Submit").click()
            expect(assignment_row(page, "submitted_assignments_list", A1)).to_be_visible()
        page.close()

    # 3. What a curious student B may try on the shared exchange, refused.
    inbound = hub.exchange / hub.course_id / "inbound"
    submission_of_a = next(inbound.glob(f"{STUDENT_A}+{A1}+*")) / f"{A1}.ipynb"
    attempts = {
        "list the inbound folder": ["ls", str(inbound)],
        "read A's submission": ["cat", str(submission_of_a)],
        "read the instructor's source/": ["cat", str(course / "source" / A1 / f"{A1}.ipynb")],
        "list the grader's course folder": ["ls", str(course)],
        "read A's working copy": ["cat", str(Path(f"~{STUDENT_A}").expanduser() / hub.course_id)],
    }
    for what, command in attempts.items():
        tried = hub.run_as(STUDENT_B, *command, check=False, cwd=Path("/"))
        assert tried.returncode != 0 and "Permission denied" in tried.stderr, (what, tried)
    # A still reads their own submission (nbgrader shows it in their Assignment List).
    assert hub.run_as(STUDENT_A, "cat", str(submission_of_a), cwd=Path("/")).returncode == 0

    # 4. The grader, an ordinary user, grades and releases feedback from the command line.
    for command in (
        ["nbgrader", "collect", A1],
        ["course", "grade", A1],
        ["course", "report", A1],
        ["nbgrader", "generate_feedback", A1],
        ["nbgrader", "release_feedback", A1],
    ):
        done = hub.run_as(GRADER, *command)
        print(f"$ {' '.join(command)}\n{done.stdout}{done.stderr}")  # shown if a later step fails
    for worker_log in sorted((course / ".course_grade").glob("*.log")):
        print(f"{worker_log}:\n{worker_log.read_text()}")
    report = (course / "reports" / A1).glob("*.csv")
    assert any(report), "course report wrote no CSV"
    grader = log_in(browser, hub, GRADER, "4-grader")
    with grader.steps("sees the graded submissions in the formgrader"):
        grader.goto(f"{hub.url}/services/{hub.course_id}/formgrader/manage_submissions/{A1}")
        for student in (STUDENT_A, STUDENT_B):
            expect(grader.get_by_text(student)).to_be_visible()
    grader.close()

    # 5. Each student sees their own feedback, with their score.
    for student, score in ((STUDENT_A, "14.0 / 14.0"), (STUDENT_B, "11.0 / 14.0")):
        page = log_in(browser, hub, student, f"5-{student}", lands_on=COURSE_INDEX)
        with page.steps("fetches the feedback"):
            open_assignment_list(page)
            submitted = assignment_row(page, "submitted_assignments_list", A1)
            submitted.get_by_role("button", name="Fetch Feedback").click()
            expect(submitted.get_by_text("view feedback")).to_be_visible()
        with page.steps("opens the feedback: the score"):
            # "view feedback" shows the feedback's folder in the file browser.
            submitted.get_by_text("view feedback").click()
            feedback_file = page.locator(".jp-DirListing-item", has_text=f"{A1}.html")
            feedback_file.dblclick()
            viewer = page.frame_locator(".jp-HTMLViewer iframe")
            expect(viewer.get_by_text(re.compile(rf"Score: {re.escape(score)}"))).to_be_visible()
        page.close()
