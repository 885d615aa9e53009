"""An nbgrader export plugin: a CSV that Canvas's Gradebook imports (Gradebook → Import).

    nbgrader export \\
        --exporter=autograder.grader_tools.batch_grading.canvas_export.CanvasCsvExportPlugin \\
        --to canvas_grades.csv

The layout is Canvas's own gradebook CSV: the identity columns ``Student``, ``ID``,
``SIS User ID``, ``SIS Login ID`` and ``Section``; one column per assignment headed
``Assignment name (Canvas id)``; and under the header a ``Points Possible`` row. Canvas
matches each row to a student by ``ID`` (its own user id, nbgrader's ``lms_user_id``),
``SIS User ID`` or ``SIS Login ID``; this plugin puts the nbgrader student id in the
column set by ``student_id_column``. An assignment without a Canvas id in
``assignment_ids`` is headed by its name alone, which Canvas imports as a new assignment.

A student who did not submit gets an empty cell, which Canvas leaves ungraded: nothing
missing becomes a 0, and a submission that scored 0 is written as 0.
"""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin
from traitlets import Dict, Enum, Int, Unicode

from autograder.grader_tools.deadlines import holds_only_an_extension

IDENTITY_COLUMNS = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
POINTS_POSSIBLE = "Points Possible"


class CanvasCsvExportPlugin(ExportPlugin):
    """nbgrader's gradebook as a Canvas Gradebook import file."""

    assignment_ids = Dict(
        key_trait=Unicode(),
        value_trait=Int(),
        help="Canvas assignment id of each nbgrader assignment, e.g. {'a1_building_blocks': "
        "4321} (from the assignment's Canvas address). Without one, Canvas creates a new "
        "assignment on import.",
    ).tag(config=True)
    student_id_column = Enum(
        ["SIS Login ID", "SIS User ID"],
        default_value="SIS Login ID",
        help="The Canvas column that holds the nbgrader student id.",
    ).tag(config=True)
    section = Unicode("", help="Written in every row's Section column.").tag(config=True)

    def column_of(self, name: str) -> str:
        canvas_id = self.assignment_ids.get(name)
        return f"{name} ({canvas_id})" if canvas_id is not None else name

    def export(self, gradebook: Gradebook) -> None:
        destination = self.to or "canvas_grades.csv"
        assignments = [
            a for a in gradebook.assignments if not self.assignment or a.name in self.assignment
        ]
        students = [s for s in gradebook.students if not self.student or s.id in self.student]
        with open(destination, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(IDENTITY_COLUMNS + [self.column_of(a.name) for a in assignments])
            points = [f"{a.max_score:g}" for a in assignments]
            writer.writerow([POINTS_POSSIBLE, "", "", "", ""] + points)
            for student in sorted(students, key=lambda s: s.id):
                name = ", ".join(n for n in (student.last_name, student.first_name) if n)
                identity = {
                    "Student": name or student.id,
                    "ID": student.lms_user_id or "",
                    "SIS User ID": "",
                    "SIS Login ID": "",
                    "Section": self.section,
                }
                identity[self.student_id_column] = student.id
                row = [identity[column] for column in IDENTITY_COLUMNS]
                for assignment in assignments:
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                    except MissingEntry:
                        row.append("")  # not submitted: Canvas shows it as ungraded
                        continue
                    if holds_only_an_extension(submission):
                        row.append("")  # an extension, nothing handed in yet
                        continue
                    row.append(f"{submission.score:g}")
                writer.writerow(row)
        self.log.info("Wrote %d students to %s for Canvas", len(students), destination)
