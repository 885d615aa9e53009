"""An nbgrader export plugin: one Gradescope ``results.json`` per graded submission.

    nbgrader export --to gradescope \\
        --exporter=autograder.grader_tools.batch_grading.gradescope_results.GradescopeResultsExportPlugin

writes ``gradescope/<assignment>/<student>/results.json`` in the layout of Gradescope's
autograder specification (checked against ``gradescope_results_schema.json``): the
submission's ``score``, and one test per graded cell with its ``name``, ``score``,
``max_score``, ``status``, ``output`` (what the cell printed, and its one-line error, from
the autograded notebook) and ``visibility``. A Gradescope autograder whose
``run_autograder`` runs ``nbgrader autograde`` and then this function for its one
student produces the file Gradescope reads.

A student with no submission gets no file (missing stays missing); a cell still waiting
for its manual grade has no score, and says so, rather than a 0.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import nbformat
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.coursedir import CourseDirectory
from nbgrader.plugins import ExportPlugin
from traitlets import Enum

from autograder.grader_tools.deadlines import holds_only_an_extension
from autograder.grader_tools.notebook_records import grade_id

SCHEMA = Path(__file__).with_name("gradescope_results_schema.json")
VISIBILITIES = ["hidden", "after_due_date", "after_published", "visible"]
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
OUTPUT_LIMIT = 4000  # characters per test: enough for a check's message, not a flood


def cell_outputs(notebook_path: Path) -> dict[str, str]:
    """Grade-cell id -> what the cell printed and its error line, from a notebook."""
    if not notebook_path.exists():
        return {}
    texts = {}
    for cell in nbformat.read(notebook_path, 4).cells:
        name = grade_id(cell)
        if not name:
            continue
        parts = []
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                parts.append(output.text)
            elif output.output_type == "error":
                parts.append(f"{output.ename}: {output.evalue}\n")
        texts[name] = ANSI.sub("", "".join(parts)).strip()[:OUTPUT_LIMIT]
    return texts


def results_for_submission(
    gradebook: Gradebook,
    assignment: str,
    student: str,
    autograded: Path,
    visibility: str = "after_published",
) -> dict[str, Any] | None:
    """The results.json content for one student, or None if they did not submit.

    autograded: the folder holding this student's autograded notebooks.
    """
    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return None
    if holds_only_an_extension(submission):
        return None  # an extension, nothing handed in yet
    tests: list[dict[str, Any]] = []
    for notebook in submission.notebooks:
        path = autograded / f"{notebook.name}.ipynb"
        outputs = cell_outputs(path)
        for grade in sorted(notebook.grades, key=lambda g: g.name):
            test: dict[str, Any] = {
                "name": grade.name,
                "number": str(len(tests) + 1),
                "max_score": float(grade.max_score),
                "visibility": visibility,
            }
            if grade.needs_manual_grade:
                test["output"] = (
                    "Graded by your instructor: not graded yet."
                    if path.exists()
                    else "Your notebook could not be autograded (the grading report says why): "
                    "your instructor will grade it."
                )
            else:
                score = float(grade.score)
                test["score"] = score
                test["status"] = "passed" if score >= grade.max_score else "failed"
                test["output"] = outputs.get(grade.name, "")
            tests.append(test)
    return {
        "score": float(submission.score),
        "output": f"{assignment}: {submission.score:g} of {submission.max_score:g} points",
        "visibility": visibility,
        "tests": tests,
    }


class GradescopeResultsExportPlugin(ExportPlugin):
    """One Gradescope results.json per student and assignment."""

    visibility = Enum(
        VISIBILITIES,
        default_value="after_published",
        help="When students see the results on Gradescope.",
    ).tag(config=True)

    def export(self, gradebook: Gradebook) -> None:
        destination = Path(self.to or "gradescope")
        coursedir = CourseDirectory(config=self.config)
        written = 0
        for assignment in gradebook.assignments:
            if self.assignment and assignment.name not in self.assignment:
                continue
            for student in gradebook.students:
                if self.student and student.id not in self.student:
                    continue
                autograded = Path(
                    coursedir.format_path(
                        coursedir.autograded_directory, student.id, assignment.name
                    )
                )
                results = results_for_submission(
                    gradebook, assignment.name, student.id, autograded, self.visibility
                )
                if results is None:
                    continue
                path = destination / assignment.name / student.id / "results.json"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(results, indent=2), encoding="utf-8")
                written += 1
        self.log.info("Wrote %d Gradescope results files under %s", written, destination)
