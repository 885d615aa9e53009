"""Every lesson notebook runs top to bottom in a real kernel without an error."""

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from ..course_helpers import REPO

LESSONS = sorted((REPO / "course_content" / "lessons").glob("*.ipynb"))


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_executes_without_error(path: Path):
    notebook = nbformat.read(path, 4)
    start = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert not errors, errors[0]
    widgets_shown = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if "application/vnd.jupyter.widget-view+json" in o.get("data", {})
    ]
    has_widget_cells = any("View()" in c.source or "show_" in c.source for c in notebook.cells)
    assert bool(widgets_shown) == has_widget_cells
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")
