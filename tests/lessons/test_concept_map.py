"""Every concept of the source material is taught in the lesson cell the map names."""

import re

import nbformat
import pytest
import yaml

from autograder.quiz_engine import load_question_bank

from ..course_helpers import REPO

LESSONS = REPO / "course_content" / "lessons"
CONCEPTS = yaml.safe_load((REPO / "course_content" / "concept_map.yaml").read_text())


def test_the_map_covers_the_issue_list():
    assert len(CONCEPTS) >= 12


@pytest.mark.parametrize("row", CONCEPTS, ids=[row["concept"][:40] for row in CONCEPTS])
def test_concept_is_taught_where_the_map_says(row):
    notebook = nbformat.read(LESSONS / row["lesson"], 4)
    cells = {cell.id: cell.source for cell in notebook.cells}
    assert row["cell"] in cells, f"{row['lesson']} has no cell {row['cell']}"
    for word in row["words"]:
        assert word in cells[row["cell"]], f"{row['lesson']}#{row['cell']} lacks {word!r}"


@pytest.mark.parametrize("path", sorted(LESSONS.glob("0[1-9]_*.ipynb")), ids=lambda p: p.stem)
def test_each_lesson_opens_with_goals_and_a_question_and_ends_with_a_checkpoint(path):
    cells = nbformat.read(path, 4).cells
    opening = cells[0].source
    assert "By the end you should be able to say" in opening and "Think about this first" in opening
    assert any("Easy mistake to make" in cell.source for cell in cells)
    assert "show_checkpoint" in cells[-1].source


def test_index_links_every_lesson_and_names_every_assignment():
    index = nbformat.read(LESSONS / "00_course_index.ipynb", 4).cells[0].source
    for lesson in sorted(LESSONS.glob("0[1-9]_*.ipynb")):
        assert f"]({lesson.name})" in index
    for assignment in sorted(p.name for p in (REPO / "source").iterdir() if p.is_dir()):
        assert assignment in index


def test_every_exercise_a_lesson_shows_exists_in_its_bank():
    """A typo in an id would only show a notice in the lesson, so it is checked here."""
    banks = REPO / "course_content" / "question_banks"
    show_call = re.compile(r'show_\w+\(\s*f"\{BANKS\}/([\w.]+)"((?:,\s*"[\w-]+")*)')
    checked = 0
    for path in sorted(LESSONS.glob("*.ipynb")):
        for cell in nbformat.read(path, 4).cells:
            for call in show_call.finditer(cell.source):
                bank = load_question_bank(banks / call.group(1))
                for question_id in re.findall(r'"([\w-]+)"', call.group(2)):
                    assert bank[question_id], f"{path.name}: {question_id} not in {call.group(1)}"
                    checked += 1
    assert checked >= 13  # every checkpoint and review question, ordering and matching


def test_each_lesson_tells_a_newcomer_to_run_the_cells():
    for path in sorted(LESSONS.glob("*.ipynb")):
        opening = nbformat.read(path, 4).cells[0].source
        assert "Shift+Enter" in opening and "Run All Cells" in opening, path.name
