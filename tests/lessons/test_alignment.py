"""The alignment table (course_content/alignment.yaml): lesson objectives -> the cells that
teach them -> the items that assess them. Every objective is listed and assessed by a
checkpoint or a graded item; every graded item is listed, and taught before the assignment
that grades it."""

import re

import nbformat
import pytest
import yaml
from nbgrader.utils import is_grade

from autograder.quiz_engine import load_question_bank

from ..course_helpers import REPO

CONTENT = REPO / "course_content"
LESSONS = CONTENT / "lessons"
TABLE = yaml.safe_load((CONTENT / "alignment.yaml").read_text())["objectives"]
ASSIGNMENTS = ("a1_building_blocks", "a2_training_a_network", "a3_quiz")


def lesson_cells(lesson: str) -> dict[str, str]:
    return {c.id: c.source for c in nbformat.read(LESSONS / lesson, 4).cells}


def objectives_of(lesson: str) -> list[str]:
    """The bullets of a lesson's 'By the end you should be able to say' list, one line each."""
    opening = nbformat.read(LESSONS / lesson, 4).cells[0].source
    block = opening.split("**By the end you should be able to say:**", 1)[1].split("\n\n")[0]
    bullets = re.split(r"\n(?=- )", block.strip())
    return [" ".join(bullet[2:].split()) for bullet in bullets]


def course_order() -> list[str]:
    """Lesson files and assignment names in the order of the course index's table."""
    index = nbformat.read(LESSONS / "00_course_index.ipynb", 4).cells[0].source
    order = []
    for row in re.findall(r"^\| \d+ \|(.*)$", index, re.M):
        name = re.search(r"\((0\d_[\w]+\.ipynb)\)|`(a\d_\w+)`", row)
        order.append(name.group(1) or name.group(2))
    return order


def graded_items() -> set[str]:
    """Every graded cell of a1 and a2, every question of the graded quiz, every term of its
    matching exercise."""
    items = set()
    for assignment in ASSIGNMENTS[:2]:
        notebook = nbformat.read(REPO / "source" / assignment / f"{assignment}.ipynb", 4)
        for cell in notebook.cells:
            if is_grade(cell):
                items.add(f"{assignment}:{cell.id}")
    quiz = yaml.safe_load((REPO / "source" / "a3_quiz" / "quiz_questions.yaml").read_text())
    for question in quiz["questions"]:
        if question["type"] == "matching":
            items |= {f"a3_quiz:{question['id']}/{term}" for term in question["terms"]}
        else:
            items.add(f"a3_quiz:{question['id']}")
    return items


def shown_checkpoints() -> set[str]:
    shown = set()
    for path in LESSONS.glob("0[1-9]_*.ipynb"):
        for source in lesson_cells(path.name).values():
            if "show_checkpoint(" in source:
                shown |= set(re.findall(r'"([\w-]+)"', source.split("checkpoints.yaml", 1)[1]))
    return shown


def test_every_lesson_objective_is_in_the_table():
    listed = {(row["lesson"], " ".join(row["says"].split())) for row in TABLE}
    for path in sorted(LESSONS.glob("0[1-9]_*.ipynb")):
        for objective in objectives_of(path.name):
            assert (path.name, objective) in listed, f"{path.name}: {objective!r} is not listed"
    assert len(listed) == len(TABLE), "an objective is listed twice"


@pytest.mark.parametrize("row", TABLE, ids=[row["says"][:40] for row in TABLE])
def test_each_objective_is_taught_where_the_table_says(row):
    cells = lesson_cells(row["lesson"])
    for taught in row["taught_in"]:
        assert taught["cell"] in cells, f"{row['lesson']} has no cell {taught['cell']}"
        for word in taught["words"]:
            assert word in cells[taught["cell"]], f"{row['lesson']}#{taught['cell']} lacks {word!r}"


@pytest.mark.parametrize("row", TABLE, ids=[row["says"][:40] for row in TABLE])
def test_each_objective_is_assessed_by_a_checkpoint_or_a_graded_item_that_exists(row):
    checkpoints = load_question_bank(CONTENT / "question_banks" / "checkpoints.yaml")
    graded, shown = graded_items(), shown_checkpoints()
    kinds = set()
    for item in row["assessed_by"]:
        if item.startswith("checkpoint:"):
            name = item.split(":", 1)[1]
            assert checkpoints[name], item
            assert name in shown, f"{item} is shown in no lesson"
            kinds.add("checkpoint")
        else:
            assert item in graded, f"{item} is not a graded item"
            kinds.add("graded")
    assert kinds, f"{row['says']!r} is assessed nowhere"


def test_every_graded_item_is_taught_before_the_assignment_that_grades_it():
    order = course_order()
    assert [name for name in order if name.startswith("a")] == list(ASSIGNMENTS)
    teaching: dict[str, list[str]] = {}
    for row in TABLE:
        for item in row["assessed_by"]:
            teaching.setdefault(item, []).append(row["lesson"])
    for item in sorted(graded_items()):
        assert item in teaching, f"graded item {item} is in no objective of the alignment table"
        assignment = item.split(":", 1)[0]
        for lesson in teaching[item]:
            assert order.index(lesson) < order.index(assignment), (
                f"{item} is taught in {lesson}, after {assignment}"
            )


def test_the_check_would_catch_an_untaught_term():
    """The matching term 'Underfitting' had no lesson; without its row it is caught."""
    term = "a3_quiz:match-network-parts/Underfitting"
    rows = [row for row in TABLE if term in row["assessed_by"]]
    assert rows and all(row["lesson"].startswith("06_") for row in rows)
    listed = {item for row in TABLE if row not in rows for item in row["assessed_by"]}
    assert term in graded_items() - listed
