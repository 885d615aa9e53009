"""An nbgrader export plugin: one row per student, the columns an LMS gradebook imports.

    nbgrader export \\
        --exporter=autograder.grader_tools.batch_grading.lms_export.LmsCsvExportPlugin \\
        --to grades_lms.csv

Columns: ``student_id, last_name, first_name, email``, then for every assignment its
score and ``<assignment> max``; a student who did not submit gets an empty score (not 0), so
an LMS shows "missing" rather than a zero the grader did not give.
"""

from __future__ import annotations

import csv

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import ExportPlugin

from autograder.grader_tools.deadlines import holds_only_an_extension


class LmsCsvExportPlugin(ExportPlugin):
    """One row per student with every assignment in columns (nbgrader's CSV export has one row
    per student and assignment)."""

    def export(self, gradebook: Gradebook) -> None:
        destination = self.to or "grades_lms.csv"
        assignments = [
            a for a in gradebook.assignments if not self.assignment or a.name in self.assignment
        ]
        students = [s for s in gradebook.students if not self.student or s.id in self.student]
        header = ["student_id", "last_name", "first_name", "email"]
        for assignment in assignments:
            header += [assignment.name, f"{assignment.name} max"]
        with open(destination, "w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file)
            writer.writerow(header)
            for student in sorted(students, key=lambda s: s.id):
                row = [
                    student.id,
                    student.last_name or "",
                    student.first_name or "",
                    student.email or "",
                ]
                for assignment in assignments:
                    try:
                        submission = gradebook.find_submission(assignment.name, student.id)
                        score = f"{submission.score:g}"
                    except MissingEntry:
                        score = ""
                    else:
                        if holds_only_an_extension(submission):
                            score = ""  # an extension, nothing handed in yet
                    row += [score, f"{assignment.max_score:g}"]
                writer.writerow(row)
        self.log.info("Wrote %d students to %s", len(students), destination)
