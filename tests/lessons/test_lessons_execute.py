"""Every lesson notebook runs top to bottom in a real kernel without an error."""

from pathlib import Path

import pytest

from course_simulation.course_runs import execute_notebook

from ..course_helpers import REPO

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


def test_a_lesson_with_a_broken_bank_still_runs(tmp_path):
    content = tmp_path / "course_content"
    for folder in ("lessons", "question_banks"):
        (content / folder).mkdir(parents=True)
    lesson = content / "lessons" / "02_loss_functions.ipynb"
    lesson.write_bytes((REPO / "course_content" / "lessons" / lesson.name).read_bytes())
    (content / "question_banks" / "checkpoints.yaml").write_text("title: [broken\n")
    notebook, _ = execute_notebook(lesson)
    outputs = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    notice = " ".join(str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "could not be loaded" in notice and "checkpoints.yaml" in notice
