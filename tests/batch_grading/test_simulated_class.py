"""The simulated class: deterministic for a seed, every kind present, each bug really a bug."""

import nbformat
import pytest
from nbgrader.utils import is_solution

from autograder.grader_tools.notebook_records import grade_id
from course_simulation import (
    BUGS,
    KINDS,
    solution_sources,
    typical_kinds,
    write_simulated_class,
)
from course_simulation.course_copies import copy_course

from ..course_helpers import REPO
from .conftest import submitted_digests

A1 = "a1_building_blocks"


def test_same_seed_same_class_other_seed_other_names(tmp_path):
    kinds = [k for k in typical_kinds(40, seed=3) if k != "snooping"]  # it names its course
    first, second, third = (copy_course(tmp_path / name) for name in ("a", "b", "c"))
    roster = write_simulated_class(first, A1, kinds, seed=5)
    assert write_simulated_class(second, A1, kinds, seed=5) == roster
    assert submitted_digests(first) == submitted_digests(second)
    other = write_simulated_class(third, A1, kinds, seed=6)
    assert list(other.values()) == list(roster.values()) and other.keys() != roster.keys()


def test_a_typical_class_has_every_kind_and_mostly_ordinary_students():
    kinds = typical_kinds(40, seed=1)
    assert len(kinds) == 40 and set(kinds) == set(KINDS)
    assert kinds.count("correct") + sum(kinds.count(bug) for bug in BUGS) > 20
    assert typical_kinds(40, seed=1) == kinds and typical_kinds(40, seed=2) != kinds


@pytest.mark.parametrize("assignment", [A1, "a2_training_a_network"])
@pytest.mark.parametrize("bug", sorted(BUGS))
def test_every_bug_changes_the_solutions(tmp_path, assignment, bug):
    course = copy_course(tmp_path / "course")
    [student] = write_simulated_class(course, assignment, [bug])
    notebook = nbformat.read(course / "submitted" / student / assignment / f"{assignment}.ipynb", 4)
    written = {
        grade_id(cell): cell.source
        for cell in notebook.cells
        if cell.cell_type == "code" and is_solution(cell)
    }
    solutions = solution_sources(REPO / "source" / assignment / f"{assignment}.ipynb")
    changed = [grade_id for grade_id, text in written.items() if solutions[grade_id] != text]
    assert changed, f"{bug} left every solution of {assignment} as it was"
    assert set(changed) < set(written), "a bug in one place should leave the rest correct"


def test_an_unknown_kind_is_named(tmp_path):
    course = copy_course(tmp_path / "course")
    with pytest.raises(ValueError, match="unknown kind of student 'genius'"):
        write_simulated_class(course, A1, ["genius"])
