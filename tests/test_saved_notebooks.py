"""Every committed notebook is clean: no outputs, no widget state, a kernelspec, cell ids."""

import subprocess

import nbformat
import pytest

from autograder.grader_tools.notebook_hygiene import hygiene_problems

from .course_helpers import REPO

TRACKED = subprocess.run(
    ["git", "ls-files", "*.ipynb"], cwd=REPO, capture_output=True, text=True, check=True
).stdout.split()


def test_there_are_notebooks_to_check():
    assert any(path.startswith("source/") for path in TRACKED)
    assert any(path.startswith("release/") for path in TRACKED)


@pytest.mark.parametrize("path", TRACKED)
def test_notebook_is_clean(path):
    assert hygiene_problems(nbformat.read(REPO / path, 4)) == []


def test_hygiene_check_catches_dirty_notebooks():
    notebook = nbformat.read(REPO / "source/a1_building_blocks/a1_building_blocks.ipynb", 4)
    notebook.metadata["widgets"] = {"state": {}}
    code = next(cell for cell in notebook.cells if cell.cell_type == "code")
    code.outputs = [nbformat.v4.new_output("stream", text="hi")]
    problems = hygiene_problems(notebook)
    assert "saved widget state in metadata.widgets" in problems
    assert any("saved outputs" in problem for problem in problems)
