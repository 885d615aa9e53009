"""The class report for one assignment, from nbgrader's gradebook and autograded notebooks.

``write_class_report`` writes into ``reports/<assignment>/``:

- ``grades.csv``: nbgrader's own ``nbgrader export`` (one row per student and assignment);
- ``grades_lms.csv``: one row per student for an LMS (``lms_export.LmsCsvExportPlugin``);
- ``canvas_grades.csv``: Canvas's gradebook import file (``canvas_export``);
- ``histogram.png``: the grade distribution;
- ``item_analysis.csv`` and ``item_analysis.png``: every auto-graded item's proportion
  correct, discrimination, option shares and calculation bands (``item_analysis``);
- ``report.md``: statuses, per-test pass rates, the gradient checker's most frequent
  diagnoses, for a quiz the answer distribution per question, the items to look at and
  the late submissions with their penalties (``late_penalty``);

and runs ``nbgrader generate_feedback`` so every graded student has ``feedback/`` HTML.
Each part is a small function over plain data, so it is tested without a whole class.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import nbformat
from nbgrader.utils import is_grade

from autograder.grader_tools.batch_grading.grading_journal import GradingJournal
from autograder.grader_tools.batch_grading.item_analysis import write_item_analysis
from autograder.grader_tools.batch_grading.late_penalty import late_work_markdown
from autograder.grader_tools.batch_grading.submission_status import SubmissionStatus
from autograder.grader_tools.course_files import CourseError
from autograder.grader_tools.deadlines import holds_only_an_extension
from autograder.grader_tools.nbgrader_course import NbgraderCourse
from autograder.grader_tools.notebook_records import grade_id
from autograder.notebook_metadata import (
    DIAGNOSES_METADATA,
    QUIZ_ANSWERS_METADATA,
    Diagnoses,
    QuizAnswers,
    published,
)

LMS_EXPORTER = "autograder.grader_tools.batch_grading.lms_export.LmsCsvExportPlugin"
CANVAS_EXPORTER = "autograder.grader_tools.batch_grading.canvas_export.CanvasCsvExportPlugin"


@dataclass
class StudentGrades:
    """One submission's total and its autograded test cells (grade id -> (score, max))."""

    student: str
    score: float
    max_score: float
    tests: dict[str, tuple[float, float]] = field(default_factory=dict)


def gradebook_rows(course: NbgraderCourse, assignment: str) -> list[StudentGrades]:
    with course.gradebook() as gradebook:
        rows = []
        for submission in gradebook.assignment_submissions(assignment):
            if holds_only_an_extension(submission):
                continue  # an extension, nothing handed in yet
            tests = {
                grade.name: (grade.score, grade.max_score)
                for notebook in submission.notebooks
                for grade in notebook.grades
                if grade.cell.cell_type == "code"
            }
            rows.append(
                StudentGrades(submission.student.id, submission.score, submission.max_score, tests)
            )
    return sorted(rows, key=lambda row: row.student)


def pass_rates(rows: list[StudentGrades]) -> list[tuple[str, int, int, float]]:
    """(test cell, students with full marks, students, mean score) for every test cell."""
    cells = sorted({name for row in rows for name in row.tests})
    rates = []
    for name in cells:
        results = [row.tests[name] for row in rows if name in row.tests]
        full = sum(1 for score, maximum in results if score >= maximum)
        rates.append((name, full, len(results), statistics.fmean(s for s, _ in results)))
    return rates


def diagnosed_bugs(autograded: list[Path]) -> Counter:
    """(test cell, diagnosis) -> how many students' test outputs carry it (once per student),
    from the diagnoses the checks published as output metadata."""
    found: Counter = Counter()
    for path in autograded:
        seen: set[tuple[str | None, str]] = set()
        for cell in nbformat.read(path, as_version=4).cells:
            name = grade_id(cell)
            for output in cell.get("outputs", []):
                diagnoses: Diagnoses = published(output, DIAGNOSES_METADATA) or []
                seen.update((name, diagnosis) for diagnosis in diagnoses)
        found.update(seen)
    return found


def quiz_answer_distribution(autograded: list[Path]) -> dict[str, Counter]:
    """question id -> Counter of canonical answers over every autograded notebook: a
    choice's letter in the bank's own order (whatever order each student saw), "right" or
    "wrong" for other questions, "-" for no answer. Read from what the graded cells
    published (``graded_marking``), so it is exactly what was marked."""
    distribution: dict[str, Counter] = {}
    for path in autograded:
        for cell in nbformat.read(path, as_version=4).cells:
            if not is_grade(cell):
                continue
            for output in cell.get("outputs", []):
                answers: QuizAnswers = published(output, QUIZ_ANSWERS_METADATA) or {}
                for question_id, answer in answers.items():
                    distribution.setdefault(question_id, Counter())[str(answer)] += 1
    return distribution


def save_histogram(scores: list[float], max_score: float, path: Path, title: str) -> None:
    # A Figure of its own draws to a file without pyplot's global backend (no screen needed).
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3.2), dpi=100)
    axes = figure.subplots()
    bins = min(20, max(1, int(max_score))) if max_score else 10
    axes.hist(scores, bins=bins, range=(0, max_score or 1), color="#4c72b0", edgecolor="white")
    axes.set_xlabel(f"score (out of {max_score:g})")
    axes.set_ylabel("students")
    axes.set_title(title)
    figure.tight_layout()
    figure.savefig(path)


def _markdown_table(header: list[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]


def report_markdown(
    assignment: str,
    rows: list[StudentGrades],
    statuses: dict[str, SubmissionStatus],
    bugs: Counter,
    quiz: dict[str, Counter],
) -> str:
    scores = [row.score for row in rows]
    maximum = rows[0].max_score if rows else 0
    lines = [f"# Class report: {assignment}", "", f"Written {date.today().isoformat()}.", ""]
    if scores:
        lines += [
            f"{len(rows)} submissions graded, out of {maximum:g} points: mean "
            f"{statistics.fmean(scores):.2f}, median {statistics.median(scores):g}, "
            f"lowest {min(scores):g}, highest {max(scores):g}.",
            "",
            "![grade histogram](histogram.png)",
            "",
        ]
    problems = Counter(
        label
        for status in statuses.values()
        for label in dict.fromkeys(kind.label for kind in status.kinds)
    )
    if problems:
        lines += ["## Submissions that need a look", ""]
        lines += _markdown_table(["what happened", "students"], problems.most_common())
        lines += [""]
        lines += [
            f"- {student}: {status}"
            for student, status in sorted(statuses.items())
            if status.problems
        ]
        lines += [""]
    lines += ["## Tests", ""]
    lines += _markdown_table(
        ["test cell", "full marks", "mean score"],
        [
            [name, f"{full}/{total} ({full / total:.0%})", f"{mean:.2f}"]
            for name, full, total, mean in pass_rates(rows)
        ],
    )
    lines += ["", "## Most frequent mistakes found by the gradient checker", ""]
    if bugs:
        lines += _markdown_table(
            ["test cell", "diagnosis", "students"],
            [[cell, text, count] for (cell, text), count in bugs.most_common(10)],
        )
    else:
        lines += ["None: no test output carried a diagnosis."]
    if quiz:
        letters = sorted({letter for counts in quiz.values() for letter in counts})
        lines += ["", "## Quiz: answers per question (A = the bank's first option)", ""]
        lines += _markdown_table(
            ["question", *letters],
            [[qid, *(counts.get(letter, 0) for letter in letters)] for qid, counts in quiz.items()],
        )
    return "\n".join(lines) + "\n"


def write_class_report(nbgrader_course: NbgraderCourse, assignment: str) -> Path:
    """Write every part of the report (module doc); returns the report folder."""
    course = nbgrader_course.root
    # The journal and the gradebook are read first: a broken one stops the report unwritten.
    journal = GradingJournal(course, assignment)
    rows = gradebook_rows(nbgrader_course, assignment)
    folder = course / "reports" / assignment
    folder.mkdir(parents=True, exist_ok=True)
    if rows:
        save_histogram(
            [row.score for row in rows], rows[0].max_score, folder / "histogram.png", assignment
        )
    exports = {
        "grades.csv": [],
        "grades_lms.csv": [f"--exporter={LMS_EXPORTER}"],
        "canvas_grades.csv": [f"--exporter={CANVAS_EXPORTER}"],
    }
    for name, options in exports.items():
        nbgrader_course.run_nbgrader(
            "export", f"--to={folder / name}", f"--assignment=[{assignment!r}]", *options
        )
    try:
        nbgrader_course.run_nbgrader("generate_feedback", assignment, "--force")
        feedback_problem = None
    except CourseError as error:  # some students' feedback failed; the others were written
        feedback_problem = str(error)
    autograded = sorted((course / "autograded").glob(f"*/{assignment}/*.ipynb"))
    statuses = {student: journal.status(student) for student in journal.entries}
    text = report_markdown(
        assignment,
        rows,
        statuses,
        diagnosed_bugs(autograded),
        quiz_answer_distribution(autograded),
    )
    if feedback_problem:
        text += f"\n**Feedback:** {feedback_problem}\n"
    tests = {row.student: row.tests for row in rows}
    text += write_item_analysis(nbgrader_course, assignment, tests, autograded, folder)
    text += late_work_markdown(nbgrader_course, assignment)
    (folder / "report.md").write_text(text, encoding="utf-8")
    return folder
