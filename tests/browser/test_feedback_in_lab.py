"""As a student in JupyterLab: fetch feedback from the Assignment List and read it.

The student (this machine's user, as nbgrader's exchange sees them) handed in a1 with a
bug (the 1/m forgotten in linear_backward) and a3 with one wrong quiz answer; the
instructor autograded, generated and released feedback with the course's configuration.
In the Assignment List the student presses Fetch Feedback, follows "view feedback" and
reads their score, each check's sentence and the quiz in their own letters. A JupyterLab
server of its own (its own exchange), so the shared server's Assignment List is unchanged.
"""

from __future__ import annotations

import getpass
import json
import shutil

import pytest
from playwright.sync_api import expect

from autograder.grader_tools.nbgrader_course import nbgrader_environment
from autograder.quiz_engine import load_question_bank
from autograder.quiz_engine.answer_files import save_answers
from autograder.quiz_engine.course_secret import create_course_secret, read_course_secret
from autograder.quiz_engine.formulas import worked_values
from course_simulation import BUGS, Variant, build_submission
from course_simulation.catalogue import EVERY_CELL
from course_simulation.course_runs import nbgrader

from ..course_helpers import answer_keys, student_variant
from .conftest import TIMEOUT_MS, Steps
from .lab_server import LabServer
from .notebook_actions import menu, open_lab

A1, A3 = "a1_building_blocks", "a3_quiz"
STUDENT = getpass.getuser()


def _quiz_key(course):
    """The key the graded cells define (instructor side: read from source/)."""
    banks = answer_keys(course / "source" / A3 / f"{A3}.ipynb").values()
    return [question for bank in banks for question in bank.questions]


def _answers_with_one_wrong(course) -> dict:
    """Every answer right in the student's own variant, except question 2's."""
    secret = read_course_secret(course / ".quiz_secret")
    variant = student_variant(secret, STUDENT, A3)
    answers: dict = {}
    choices = 0
    for question in _quiz_key(course):
        if question.type == "single_choice":
            right = next(i for i, o in enumerate(question.options) if o.correct)
            choices += 1
            pick = right if choices != 2 else (right + 1) % len(question.options)
            answers[question.id] = variant.letter_of(question, pick)
        elif question.type == "calculation":
            values = worked_values(question, variant.parameters(question))
            answers[question.id] = round(values["answer"], 3)
        elif question.type == "matching":
            answers[question.id] = dict(question.pairs)
    return answers


@pytest.fixture(scope="module")
def feedback_lab(tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("feedback-lab"))
    course = server.course
    create_course_secret(course / ".quiz_secret")
    server.start()  # generates and releases a1
    try:
        env = nbgrader_environment(
            JUPYTER_DATA_DIR=str(server.root / "jupyter" / "data"),
            NBGRADER_EXCHANGE=str(server.root / "exchange"),
        )
        nbgrader(course, "generate_assignment", A3, "--force", env=env)
        nbgrader(course, "release_assignment", A3, env=env)
        bug = Variant("forgot_1_over_m", rewrites={EVERY_CELL: BUGS["forgot_1_over_m"]})
        build_submission(
            course / "release" / A1 / f"{A1}.ipynb",
            course / "source" / A1 / f"{A1}.ipynb",
            bug,
            course / A1 / f"{A1}.ipynb",
        )
        shutil.copytree(course / "release" / A3, course / A3)
        bank = load_question_bank(course / A3 / "quiz_questions.yaml")
        save_answers(
            course / A3 / "quiz_answers.json", bank.title, STUDENT, _answers_with_one_wrong(course)
        )
        for assignment in (A1, A3):
            nbgrader(course, "submit", assignment, env=env)
            nbgrader(course, "collect", assignment, env=env)
            nbgrader(course, "autograde", assignment, env=env)
            nbgrader(course, "generate_feedback", assignment, env=env)
            nbgrader(course, "release_feedback", assignment, env=env)
        yield server
    finally:
        server.stop()


@pytest.fixture
def student_page(browser, feedback_lab, request):
    expect.set_options(timeout=TIMEOUT_MS)
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    page.steps = Steps(page, feedback_lab, request.node.name)
    yield page
    page.close()


def _fetch_and_open(page, lab, assignment: str, row: int):
    """Fetch Feedback in the Assignment List (``row``: the submission's place in the
    list), follow 'view feedback' to the file browser, and open the page it shows."""
    listing = page.locator(".jp-MainAreaWidget", has_text="Submitted assignments").last
    listing.get_by_role("button", name="Fetch Feedback").nth(row).click()
    expect(listing.get_by_text("(view feedback)")).to_have_count(row + 1)
    listing.get_by_text("(view feedback)").nth(row).click()
    expect(page.locator(".jp-DirListing-item", has_text=f"{assignment}.html")).to_be_visible()
    fetched = sorted((lab.course / assignment / "feedback").glob(f"*/{assignment}.html"))
    assert fetched, "Fetch Feedback wrote no feedback into the student's folder"
    reader = page.context.new_page()
    reader.set_viewport_size({"width": 1280, "height": 900})
    relative = fetched[-1].relative_to(lab.course).as_posix()
    reader.goto(f"{lab.url}/files/{relative}?token={lab.token}")
    return reader


def test_a_student_fetches_and_reads_their_feedback(student_page, feedback_lab):
    page, lab = student_page, feedback_lab
    with page.steps("the Assignment List offers the feedback of both submissions"):
        open_lab(page, lab, workspace="student-feedback")
        menu(page, "Nbgrader", "Assignment List")
        listing = page.locator(".jp-MainAreaWidget", has_text="Submitted assignments").last
        expect(listing).to_contain_text(A1)
        expect(listing).to_contain_text(A3)
        expect(listing.get_by_role("button", name="Fetch Feedback")).to_have_count(2)

    with page.steps("a1: the score, the bug in one sentence, the hidden checks in words"):
        reader = _fetch_and_open(page, lab, A1, 0)
        expect(reader.get_by_role("heading", name=f"{A1} (Score: 11.0 / 14.0)")).to_be_visible()
        expect(reader.get_by_text("did you forget to divide by m?").first).to_be_visible()
        checks = reader.locator("section.hidden-checks", has_text="test_activations")
        expect(checks).to_contain_text("sigmoid_backward against finite differences")
        expect(checks.locator(".hidden-check").first).to_contain_text("Passed")
        backward = reader.locator("section.hidden-checks", has_text="test_linear_backward")
        expect(backward).to_contain_text("Not run:")
        expect(backward).to_contain_text("A visible check above failed first.")
        page_text = reader.content()
        assert "BEGIN HIDDEN TESTS" not in page_text and "_reference_" not in page_text
        reader.screenshot(path=str(page.steps.folder / "a1_feedback.png"), full_page=True)
        reader.close()

    with page.steps("a3: the score, each answer in the student's own letters, one wrong"):
        reader = _fetch_and_open(page, lab, A3, 1)
        expect(reader.get_by_role("heading", name=f"{A3} (Score: 15.0 / 16.0)")).to_be_visible()
        expect(reader.get_by_text("Question 2: you chose").first).to_contain_text("Not quite")
        expect(reader.get_by_text("Question 1: you chose").first).to_contain_text("Correct")
        expect(reader.get_by_text("Question 13 (matching): 100% right.").first).to_be_visible()
        expect(reader.get_by_text("Your saved answer:").first).to_be_visible()  # the widget
        page_text = reader.content()
        assert "The answer:" not in page_text and "var element" not in page_text
        assert "widget-view+json" not in page_text
        reader.screenshot(path=str(page.steps.folder / "a3_feedback.png"), full_page=True)
        reader.close()
    saved = json.loads((lab.course / A3 / "quiz_answers.json").read_text())
    assert saved  # the student's own file is untouched by fetching feedback
