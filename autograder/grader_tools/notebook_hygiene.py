"""Keep saved notebooks clean: no outputs, no widget state, a kernelspec, cell ids.

Used two ways: as an nbgrader preprocessor when generating the release, and by the
tests that check every committed notebook.
"""

from __future__ import annotations

from nbformat import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor


class StripWidgetState(NbGraderPreprocessor):
    """nbgrader preprocessor: drop saved ipywidgets state from the notebook metadata."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        nb.metadata.pop("widgets", None)
        return nb, resources


def hygiene_problems(nb: NotebookNode) -> list[str]:
    """What keeps a saved notebook from being clean, one short phrase each (empty if clean)."""
    problems = []
    if "widgets" in nb.metadata:
        problems.append("saved widget state in metadata.widgets")
    if nb.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("no python3 kernelspec")
    ids = [cell.get("id") for cell in nb.cells]
    if None in ids:
        problems.append("cells without an id")
    elif len(set(ids)) != len(ids):
        problems.append("duplicate cell ids")
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None):
            problems.append(f"cell {index} has saved outputs or an execution count")
    return problems
