"""The order a newcomer follows, and the rule lesson 6 teaches, hold in the course itself."""

import re

import nbformat

from ..course_helpers import REPO

INDEX = REPO / "course_content" / "lessons" / "00_course_index.ipynb"


def test_lesson_6_comes_before_assignment_2_whose_written_part_needs_it():
    rows = [line for line in nbformat.read(INDEX, 4).cells[0].source.splitlines() if "|" in line]
    order = [row for row in rows if re.match(r"\| \d+ \|", row)]
    position = {
        name: next(i for i, row in enumerate(order) if name in row)
        for name in ("06_deep_networks", "a2_training_a_network", "03_chain_rule", "a1_building")
    }
    assert position["06_deep_networks"] < position["a2_training_a_network"]
    assert position["03_chain_rule"] < position["a1_building"]
    assert [int(row.split("|")[1]) for row in order] == list(range(1, len(order) + 1))


def test_assignment_2_tunes_on_validation_and_uses_the_test_set_once():
    for folder in ("source", "release"):
        path = REPO / folder / "a2_training_a_network" / "a2_training_a_network.ipynb"
        cells = {cell.id: cell.source for cell in nbformat.read(path, 4).cells}
        check = cells["test_training"]
        assert "assert validation_accuracy >= 0.90" in check, folder
        assert check.count("X_test") == 1, folder  # measured once, printed, never asserted on
        assert not re.search(r"assert [^\n]*test_accuracy", check), folder
        instructions = next(s for s in cells.values() if "## Part 4" in s)
        assert "at least 90% validation accuracy" in instructions
        assert "test** images stay untouched until the very end" in instructions


def test_each_lessons_time_is_the_one_the_index_gives():
    index = nbformat.read(INDEX, 4).cells[0].source
    row = r"^\| \d+ \| \[Lesson \d[^|]*\]\((0\d_\w+\.ipynb)\) \| (\d+) min"
    rows = re.findall(row, index, re.M)
    assert len(rows) == 6
    for lesson, minutes in rows:
        opening = nbformat.read(INDEX.parent / lesson, 4).cells[0].source
        assert f"*About {minutes} minutes." in opening, lesson
