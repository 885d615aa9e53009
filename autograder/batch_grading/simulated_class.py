"""Write a simulated class into ``submitted/``: deterministic for a seed.

Kinds of student: ``correct`` (the instructor's solution cells, as a student would type
them), ``blank`` (the release copy untouched), ``not_json`` (a corrupted file),
``infinite_loop``, ``huge_print`` (5 MB of output) and ``tampering`` (replaces
``np.allclose``). The solutions are read from the course's ``source/`` at run time;
nothing here contains an answer.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import nbformat

KINDS = ("correct", "blank", "not_json", "infinite_loop", "huge_print", "tampering")
_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\n", re.M)
_PREFIX = {
    "infinite_loop": "while True:\n    pass\n\n",
    "huge_print": "print('x' * 5_000_000)\n\n",
    "tampering": "np.allclose = lambda *args, **kwargs: True\n\n",
}


def solution_sources(source_notebook: Path, keep_markers: bool = False) -> dict[str, str]:
    """grade_id -> the instructor's solution cell, as a student would type it.

    Reads the instructor's notebook at run time (so this module holds no answer). The
    ``### BEGIN/END SOLUTION`` lines are dropped unless ``keep_markers``.
    """
    return {
        cell.metadata["nbgrader"]["grade_id"]: (
            cell.source if keep_markers else _MARKERS.sub("", cell.source)
        )
        for cell in nbformat.read(source_notebook, 4).cells
        if cell.metadata.get("nbgrader", {}).get("solution")
    }


def _student_notebook(course: Path, assignment: str, name: str, kind: str) -> str:
    release = nbformat.read(course / "release" / assignment / name, 4)
    if kind == "blank":
        return nbformat.writes(release)
    if kind == "not_json":
        return nbformat.writes(release)[:200] + "\n<<< the file ends here >>>"
    solutions = solution_sources(course / "source" / assignment / name)
    first = True
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in solutions and cell.cell_type == "code":
            cell.source = (_PREFIX.get(kind, "") if first else "") + solutions[grade_id]
            first = False
    return nbformat.writes(release)


def write_simulated_class(
    course: Path, assignment: str, kinds: list[str], seed: int = 0
) -> dict[str, str]:
    """One student per entry of ``kinds``; returns student id -> kind. Same seed, same class."""
    course = Path(course)
    rng = random.Random(seed)
    roster = {}
    for number, kind in enumerate(kinds, 1):
        if kind not in KINDS:
            raise ValueError(f"unknown kind of student {kind!r}; choose from {', '.join(KINDS)}")
        student = f"student{number:03d}_{kind}_{rng.randrange(1000):03d}"
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True, exist_ok=True)
        for notebook in sorted((course / "release" / assignment).glob("*.ipynb")):
            text = _student_notebook(course, assignment, notebook.name, kind)
            (folder / notebook.name).write_text(text, encoding="utf-8")
        roster[student] = kind
    return roster
