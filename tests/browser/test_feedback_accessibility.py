"""WCAG 2.1 AA on the students' feedback pages: axe-core over every page, all of it.

A small simulated class (course_simulation) hands in a1, a2 and a3: a student with a
bug (a1: the 1/m forgotten, a2: the wrong sign; a3: random quiz answers, wrong ones among
them) and a blank student. The instructor autogrades and runs ``nbgrader
generate_feedback`` with the course's configuration (nbgrader_config.py: the course's
preprocessors, its template, its code colours), once for the module. Each of the six
pages is opened from disk (``file://``), as a student opens the file they fetched.

What is counted: the whole document. The course's template extends nbgrader's feedback
template (which extends nbconvert's classic one), and whatever those write (the
``<html>`` element, the score list, the cell headings, the code colours) reaches the
student as the course's page; the course's template overrides what does not meet AA.
So nothing on the page is left out (``course_content_only=False``). Besides WCAG 2.1
A/AA, axe's best practices are checked too: all content in landmarks (axe ``region``)
and headings that skip no level (``heading-order``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from autograder.grader_tools.nbgrader_course import nbgrader_environment
from course_simulation import write_simulated_class
from course_simulation.course_copies import copy_course
from course_simulation.course_runs import nbgrader

from .accessibility import axe_violations
from .conftest import ARTIFACTS

A1, A2, A3 = "a1_building_blocks", "a2_training_a_network", "a3_quiz"
#: Per assignment: the kind of student with a bug, then the blank student.
CLASSES = {A1: ["forgot_1_over_m", "blank"], A2: ["wrong_sign", "blank"], A3: ["correct", "blank"]}
PAGES = [(assignment, kind) for assignment, kinds in CLASSES.items() for kind in kinds]
#: Per page: axe's counts (for the note; the assertion is in the test).
FEEDBACK_AXE_SUMMARY = ARTIFACTS / "feedback-axe-summary.json"
BEST_PRACTICE = ("best-practice",)


@pytest.fixture(scope="module")
def feedback_pages(tmp_path_factory) -> dict[tuple[str, str], Path]:
    """(assignment, kind) -> the feedback page nbgrader wrote for that student."""
    course = copy_course(tmp_path_factory.mktemp("feedback-axe") / "course")
    env = nbgrader_environment(NBGRADER_EXCHANGE=str(course.parent / "exchange"))
    pages = {}
    for assignment, kinds in CLASSES.items():
        nbgrader(course, "generate_assignment", assignment, "--force", env=env)
        roster = write_simulated_class(course, assignment, kinds)
        nbgrader(course, "autograde", assignment, env=env)
        nbgrader(course, "generate_feedback", assignment, env=env)
        for student, kind in roster.items():
            pages[(assignment, kind)] = (
                course / "feedback" / student / assignment / f"{assignment}.html"
            )
    return pages


@pytest.fixture
def reader(browser):
    page = browser.new_page()
    page.set_viewport_size({"width": 1280, "height": 900})
    yield page
    page.close()


def _record(name: str, counts: dict[str, int]) -> None:
    summary = json.loads(FEEDBACK_AXE_SUMMARY.read_text()) if FEEDBACK_AXE_SUMMARY.exists() else {}
    summary[name] = counts
    FEEDBACK_AXE_SUMMARY.parent.mkdir(parents=True, exist_ok=True)
    FEEDBACK_AXE_SUMMARY.write_text(json.dumps(summary, indent=2, sort_keys=True))


@pytest.mark.parametrize("assignment, kind", PAGES, ids=[f"{a[:2]}-{k}" for a, k in PAGES])
def test_axe_finds_no_wcag_21_aa_violation_on_a_feedback_page(
    reader, feedback_pages, assignment, kind
):
    path = feedback_pages[(assignment, kind)]
    reader.goto(path.as_uri())
    expect(reader.get_by_role("heading", name=f"{assignment} (Score:")).to_be_visible()
    if kind == "blank":
        unanswered = "no answer saved" if assignment == A3 else "Write your solution here."
        expect(reader.get_by_text(unanswered).first).to_be_visible()
    elif assignment == A3:
        expect(reader.get_by_text("Not quite").first).to_be_visible()  # a wrong answer
    else:
        expect(reader.locator("section.hidden-checks").first).to_be_visible()
    violations = axe_violations(reader, course_content_only=False, tags=BEST_PRACTICE)
    _record(f"{assignment}/{kind}", {v.rule: len(v.nodes) for v in violations})
    shots = ARTIFACTS / "feedback-axe"
    shots.mkdir(parents=True, exist_ok=True)
    reader.screenshot(path=str(shots / f"{assignment}-{kind}.png"), full_page=True)
    assert not violations, "\n".join(str(v) for v in violations)


def test_the_feedback_check_counts_nbgraders_parts_of_the_page_too(reader, feedback_pages):
    """What nbgrader's template wrote before the course's overrides (no page language,
    its pale '(Top)' links, links told apart by colour alone, its score panel outside a
    landmark) and the hidden checks' former h5 are found again once put back."""
    reader.goto(feedback_pages[(A1, "blank")].as_uri())
    assert axe_violations(reader, course_content_only=False, tags=BEST_PRACTICE) == []
    reader.evaluate(
        """() => {
            document.documentElement.removeAttribute('lang');
            for (const a of document.querySelectorAll('div.nbgrader_cell .panel-heading a'))
                a.style.color = '#bbbbbb';
            for (const a of document.querySelectorAll('#toc a'))
                a.style.textDecoration = 'none';
            document.querySelector('[aria-label="Your scores"]').removeAttribute('role');
            const h3 = document.querySelector('section.hidden-checks h3');
            h3.outerHTML = '<h5>' + h3.innerHTML + '</h5>';
        }"""
    )
    found = {
        violation.rule
        for violation in axe_violations(reader, course_content_only=False, tags=BEST_PRACTICE)
    }
    assert found == {
        "html-has-lang",
        "color-contrast",
        "link-in-text-block",
        "region",
        "heading-order",
    }
