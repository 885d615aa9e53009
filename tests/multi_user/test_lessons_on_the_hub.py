"""A student's first steps on the course's hub, and the trial hub as a service.

The trial runs as `python3 deploy/trial_hub.py` does (``serve``, in a process of its own),
on real Unix accounts. A new student logs in and lands on the course index (the lessons
pulled by nbgitpuller from the instructor's repository), opens lesson 4, runs it and plays
its guessing game, then fetches a3 and sees their own variant without typing a key. An
instructor's change to one lesson reaches a student who has edited another, and the
student's edit stays. `kill -TERM` of the trial leaves no process of its accounts, no hub
and no proxy. Screenshots of each step in test-artifacts/browser/hub/.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import nbformat
import psutil
import pytest

from autograder.quiz_engine import QuizVariant, load_question_bank, quiz_key
from autograder.quiz_engine.course_secret import read_course_secret
from deploy.trial_hub import TrialHub

from ..browser.conftest import TIMEOUT_MS
from ..browser.notebook_actions import (
    expect_widget_rendered,
    notebook,
    output_with,
    run_all_cells,
    wait_for_kernel_idle,
)
from ..course_helpers import REPO, wait_until
from .trial_hubs import (
    COURSE_INDEX,
    fetch_in_assignment_list,
    log_in,
    make_fresh,
    remove_accounts,
    trial_hub,
)

INSTRUCTOR, GRADER = "lessons-instructor", "lessons-grader"
NEW_STUDENT, EDITING_STUDENT, LATE_STUDENT = "lessons-student-a", "lessons-student-b", "lessons-c"
A3 = "a3_quiz"


@pytest.fixture(scope="module")
def service(course_environment):
    """The trial, started as its one command starts it; stopped by the last test (SIGTERM),
    or here, by process id, if a test failed first."""
    hub = trial_hub(
        "lessons",
        course_environment,
        INSTRUCTOR,
        GRADER,
        (NEW_STUDENT, EDITING_STUDENT, LATE_STUDENT),
    )
    make_fresh(hub)
    log = hub.state.parent / "trial.log"
    code = (
        "from pathlib import PosixPath; from deploy.trial_hub import TrialHub, serve; "
        f"serve({hub!r}, install_environment=False)"  # course_environment installed it
    )
    with log.open("wb") as output:
        trial = subprocess.Popen(
            [sys.executable, "-c", code], cwd=REPO, stdout=output, stderr=subprocess.STDOUT
        )

    def started() -> bool:
        if "The course's trial hub:" in log.read_text():
            return True
        assert trial.poll() is None, f"the trial exited {trial.returncode}:\n{log.read_text()}"
        return False

    try:
        # 900 s: accounts made, a1..a3 generated, the hub started
        wait_until(started, 900, f"the trial started (its log: {log})", interval=1)
        yield hub, trial
    finally:
        if trial.poll() is None:
            trial.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                trial.wait(timeout=120)
        if trial.poll() is None:
            trial.kill()
            trial.wait()
        for pid in (_pid_in(hub.state / "jupyterhub.pid"), _pid_in(hub.state / "proxy.pid")):
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
        hub.stop()  # whatever runs as the trial's accounts, by process id
        remove_accounts(hub)
        shutil.rmtree(hub.state.parent, ignore_errors=True)


def _pid_in(pid_file: Path) -> int | None:
    try:
        return int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None


def _running(pid: int | None) -> bool:
    try:
        return pid is not None and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_new_student_starts_at_the_index_runs_a_lesson_and_gets_their_own_quiz(service, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    hub, _ = service
    page = log_in(browser, hub, NEW_STUDENT, "lessons-1-new-student", lands_on=COURSE_INDEX)
    with page.steps("lands on the course index, pulled into their home"):
        index = notebook(page)
        expect(index.locator("h1", has_text="course index")).to_be_visible()
        expect(index).to_contain_text("No courses found.")  # before the first release
    home = Path(f"~{NEW_STUDENT}").expanduser()
    lessons = home / "course_content"
    assert (lessons / "lessons" / "04_gradient_descent.ipynb").stat().st_uid == _uid(NEW_STUDENT)
    assert (lessons / "question_banks" / "checkpoints.yaml").is_file()

    with page.steps("opens lesson 4 from the index, runs its cells"):
        index.get_by_role("link", name=re.compile("Lesson 4")).click()
        lesson = notebook(page)
        expect(lesson.locator("h1", has_text="Lesson 4")).to_be_visible()
        run_all_cells(page)
        # A question bank read through the lesson's relative path ../question_banks:
        expect_widget_rendered(
            output_with(page, "button", "Reveal answer sketch"), "show_checkpoint"
        )
        game = output_with(page, "button", "Replay this secret")
        expect_widget_rendered(game, "GuessingGameView")
    with page.steps("plays the guessing game: a first guess of 60"):
        box = game.get_by_label("First guess")
        box.fill("60")
        box.press("Tab")  # the kernel gets the number as the box loses focus
        game.get_by_role("button", name="Guess 60", exact=True).click()
        status = game.locator("[role=status]")
        expect(status).to_contain_text(re.compile(r"Guess 1: 60\. (Too high|Too low|Within 2)"))

    # The instructor releases a3 (as the grader's formgrader would).
    course = hub.course_root
    hub.run_as(GRADER, "nbgrader", "release_assignment", A3, "--force")
    with page.steps("fetches a3 in the Assignment List"):
        fetch_in_assignment_list(page, A3)
    secret = course / ".quiz_secret"
    key = quiz_key(read_course_secret(secret), NEW_STUDENT)  # what the hub gave the server
    variant = QuizVariant.for_student(NEW_STUDENT, key, A3)
    bank = load_question_bank(REPO / "release" / A3 / "quiz_questions.yaml")
    numbers = variant.parameters(bank["one-weight-loss"])
    with page.steps("opens a3 and runs it: their own variant, no key typed"):
        page.goto(f"{hub.url}/user/{NEW_STUDENT}/lab/tree/{hub.course_id}/{A3}/{A3}.ipynb")
        # The workspace restores lesson 4's tab first: wait until a3 is the notebook on
        # screen, or Run All (and the check that it started) can go to lesson 4.
        expect(notebook(page).locator("h1", has_text="Assignment 3")).to_be_visible()
        wait_for_kernel_idle(page)  # Run All before the kernel is connected can be lost
        run_all_cells(page)
        quiz = output_with(page, "button", "Clear answer")
        expect(quiz).to_contain_text(
            f"Your own version of this quiz, for student {NEW_STUDENT} (from JupyterHub)"
        )
        expect(page.get_by_text("Who is taking this quiz?")).to_have_count(0)
        question = quiz.locator(".widget-vbox", has_text="Question 9 of 13").last
        expect(question).to_contain_text(f"With w = {numbers['w']:g}, input x = {numbers['x']:g}")
        quiz.get_by_text("Your own version of this quiz").scroll_into_view_if_needed()
    with page.steps("the hub's login page says what 'No courses found.' means"):
        page.goto(f"{hub.url}/hub/logout")
        page.goto(f"{hub.url}/hub/login")
        expect(page.locator(".announcement")).to_contain_text("No courses found.")
    page.close()
    # The secret behind every key stays the grader's alone.
    assert secret.stat().st_uid == _uid(GRADER) and secret.stat().st_mode & 0o077 == 0
    tried = hub.run_as(NEW_STUDENT, "cat", str(secret), check=False, cwd=Path("/"))
    assert tried.returncode != 0 and "Permission denied" in tried.stderr


def test_an_instructors_update_reaches_a_student_and_keeps_the_students_edit(service, browser):
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    hub, _ = service
    page = log_in(browser, hub, EDITING_STUDENT, "lessons-2-update", lands_on=COURSE_INDEX)
    lessons = Path(f"~{EDITING_STUDENT}").expanduser() / "course_content" / "lessons"
    student_note = "My own note: the chain rule multiplies the local slopes."
    _add_markdown_cell(lessons / "03_chain_rule_and_backprop.ipynb", student_note, EDITING_STUDENT)

    # The instructor changes lesson 2 in their clone of the lessons and pushes it.
    update = "Update from your instructor: a worked example of cross-entropy."
    clone = Path(f"~{INSTRUCTOR}").expanduser() / "lessons"
    repository = str(hub.lessons_repository)
    hub.run_as(INSTRUCTOR, "git", "clone", "--quiet", repository, str(clone), cwd=Path("/"))
    _add_markdown_cell(clone / "lessons" / "02_loss_functions.ipynb", update, INSTRUCTOR)
    author = ["-c", "user.name=Instructor", "-c", "user.email=instructor@localhost"]
    hub.run_as(
        INSTRUCTOR, "git", *author, "commit", "--quiet", "-am", "Lesson 2: an example", cwd=clone
    )
    hub.run_as(INSTRUCTOR, "git", "push", "--quiet", cwd=clone)

    with page.steps("opens the hub again: the lessons are pulled, the index opens"):
        page.goto(f"{hub.url}/user/{EDITING_STUDENT}/")
        page.wait_for_url(f"**/user/{EDITING_STUDENT}/{COURSE_INDEX}", timeout=TIMEOUT_MS * 2)
        expect(notebook(page).locator("h1", has_text="course index")).to_be_visible()
    lesson_2 = (lessons / "02_loss_functions.ipynb").read_text()
    lesson_3 = (lessons / "03_chain_rule_and_backprop.ipynb").read_text()
    assert update in lesson_2, "the instructor's update did not reach the student"
    assert student_note in lesson_3, "the student's own edit was lost"
    with page.steps("lesson 2 shows the instructor's update"):
        page.goto(
            f"{hub.url}/user/{EDITING_STUDENT}/lab/tree/course_content/lessons/02_loss_functions.ipynb"
        )
        expect(notebook(page).locator(".jp-RenderedMarkdown", has_text=update)).to_be_visible()
    with page.steps("lesson 3 still has the student's note"):
        page.goto(
            f"{hub.url}/user/{EDITING_STUDENT}/lab/tree/course_content/lessons/"
            "03_chain_rule_and_backprop.ipynb"
        )
        expect(
            notebook(page).locator(".jp-RenderedMarkdown", has_text=student_note)
        ).to_be_visible()
    page.close()


def test_sigterm_stops_the_hub_the_proxy_and_every_users_server(service, browser):
    hub, trial = service
    page = log_in(browser, hub, LATE_STUDENT, "lessons-3-sigterm", lands_on=COURSE_INDEX)
    page.close()
    hub_pid = _pid_in(hub.state / "jupyterhub.pid")
    proxy_pid = _pid_in(hub.state / "proxy.pid")
    running = _servers(hub)
    assert _running(hub_pid) and _running(proxy_pid)
    assert LATE_STUDENT in running and GRADER in running, running  # and the formgrader

    trial.send_signal(signal.SIGTERM)
    assert trial.wait(timeout=180) == 0

    assert hub.processes() == [], f"processes of the trial's accounts left: {_servers(hub)}"
    assert not _running(hub_pid), "JupyterHub is still running"
    assert not _running(proxy_pid), "the proxy is still running"


def _servers(hub: TrialHub) -> dict[str, list[str]]:
    """What runs as each of the trial's accounts: account -> command lines."""
    found: dict[str, list[str]] = {}
    for pid in hub.processes():
        with contextlib.suppress(psutil.Error):
            process = psutil.Process(pid)
            found.setdefault(process.username(), []).append(" ".join(process.cmdline()))
    return found


def _uid(account: str) -> int:
    return pwd.getpwnam(account).pw_uid


def _add_markdown_cell(path: Path, text: str, owner: str) -> None:
    """An edit of a notebook, left owned by ``owner`` as their own save would leave it."""
    edited = nbformat.read(path, 4)
    edited.cells.append(nbformat.v4.new_markdown_cell(text))
    nbformat.write(edited, path)
    shutil.chown(path, owner, owner)
