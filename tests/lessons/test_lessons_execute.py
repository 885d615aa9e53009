"""Every lesson notebook runs top to bottom in a real kernel without an error."""

from pathlib import Path

import pytest

from ..course_helpers import REPO, execute_notebook

LESSONS = sorted((REPO / "course_content" / "lessons").glob("*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_executes_without_error(path: Path):
    notebook, _ = execute_notebook(path)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert not errors, errors[0]
    widgets_shown = [
        o
        for c in code
        for o in c.outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    has_widget_cells = any("View()" in c.source or "show_" in c.source for c in code)
    assert bool(widgets_shown) == has_widget_cells
