"""nbgrader preprocessors that turn an autograded notebook into the student's feedback.

Configured in ``nbgrader_config.py`` as ``GenerateFeedback.preprocessors``, after
nbgrader's ``GetGrades``, so ``nbgrader generate_feedback``, the formgrader's feedback
buttons and ``course report`` write the same files. They change only the feedback: the
autograded notebook (the formgrader's and the grader's view) keeps everything. In order:

1. ``RedactHiddenTestText``: an output line that repeats a hidden test (its code, the
   names of its functions, its text) is replaced by a note;
2. ``DescribeHiddenChecks``: each test cell's hidden checks, in words, with a sentence
   each (``hidden_checks``), in the cell's metadata for the template;
3. nbgrader's ``ClearHiddenTests``: the hidden regions leave the cells' source;
4. ``QuizFeedbackForStudent``: the graded quiz's feedback written again under the
   course's answer policy (``answer_policy``);
5. ``ShortTracebacks``: a test cell's error is its type and message, not its traceback;
6. ``StaticWidgets``: a widget becomes text (the quiz: its questions and saved answers);
7. ``DropInvisibleOutputs``: outputs that show nothing (data for the class report) go.
"""

from __future__ import annotations

import ast
import datetime
import io
import re
import tokenize
from pathlib import Path
from typing import Any

from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.preprocessors import NbGraderPreprocessor
from nbgrader.utils import is_grade, is_solution
from traitlets import Enum

from autograder.grader_tools.notebook_records import record_hidden_checks
from autograder.grader_tools.student_feedback.answer_policy import (
    POLICIES,
    answers_may_be_shown,
    latest_due_date,
)
from autograder.grader_tools.student_feedback.hidden_checks import hidden_regions, judged_checks
from autograder.grader_tools.student_feedback.quiz_summary import (
    question_prompts,
    quiz_summary_lines,
)
from autograder.notebook_metadata import QUIZ_ANSWERS_METADATA, QUIZ_FEEDBACK_METADATA
from autograder.quiz_engine.course_secret import read_course_secret
from autograder.quiz_engine.quiz_feedback import quiz_feedback_lines
from autograder.quiz_engine.variants import QuizVariant, quiz_key

REDACTED = "[this line repeated the hidden tests and was removed from your feedback]"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
OLD_QUIZ_FEEDBACK = (
    "Your answers here were marked before the course's feedback could explain them; "
    "your instructor can grade them again (nbgrader autograde) to explain each one."
)
_MIN_LINE = 10
_MIN_LITERAL = 16


def _is_test_cell(cell: NotebookNode) -> bool:
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def _stream(text: str) -> NotebookNode:
    return NotebookNode(output_type="stream", name="stdout", text=text)


def _folder(resources: dict) -> Path:
    return Path(resources.get("metadata", {}).get("path") or ".")


def _variant(preprocessor: Any, resources: dict) -> QuizVariant | None:
    """The submission's quiz variant, from the course secret (``QuizVariantForSubmission``'s
    ``secret_file``, the one grading used); None without one."""
    secret_file = preprocessor.config.QuizVariantForSubmission.get("secret_file", "")
    if not secret_file or not Path(secret_file).exists():
        return None
    student = resources["nbgrader"]["student"]
    key = quiz_key(read_course_secret(secret_file), student)
    return QuizVariant.for_student(student, key, resources["nbgrader"]["assignment"])


def _hidden_text(nb: NotebookNode) -> tuple[list[str], str]:
    """(the code of every hidden region, the notebook's text outside them)."""
    hidden, public = [], []
    for cell in nb.cells:
        lines = cell.source.split("\n")
        inside = {n for first, last in hidden_regions(cell.source) for n in range(first, last + 1)}
        hidden.append("\n".join(line for n, line in enumerate(lines, 1) if n in inside))
        public.append("\n".join(line for n, line in enumerate(lines, 1) if n not in inside))
    return hidden, "\n".join(public)


def _literals(code: str) -> set[str]:
    """The string literals in ``code`` (tokenized, so code that does not parse still works)."""
    found = set()
    try:
        for token in tokenize.generate_tokens(io.StringIO(code).readline):
            if token.type == tokenize.STRING:
                try:
                    value = ast.literal_eval(token.string)
                except (ValueError, SyntaxError):
                    continue
                if isinstance(value, str):
                    found.add(value)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return found


class RedactHiddenTestText(NbGraderPreprocessor):
    """Remove from every output any line that repeats the hidden tests.

    Secret are: each line of a hidden region (at least 10 characters, and not also written
    outside the hidden regions), the names of the functions hidden tests define, and, in
    the outputs of the student's own cells, the hidden tests' string literals (their
    messages and the quiz key's texts: test cells legitimately show a check's message).
    A student's code that prints the kernel's history or a hidden variable leaks nothing.
    """

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        hidden, public = _hidden_text(nb)
        code = "\n".join(hidden)
        lines = {line.strip() for line in code.split("\n") if len(line.strip()) >= _MIN_LINE}
        self.secret_lines = {line for line in lines if line not in public}
        self.secret_names = set(re.findall(r"^\s*def\s+(\w+)", code, flags=re.M))
        self.secret_names = {n for n in self.secret_names if n not in public}
        literals = _literals(code)
        self.secret_literals = {
            s.strip() for s in literals if len(s.strip()) >= _MIN_LITERAL and s not in public
        }
        self.secret_literals -= {s for s in self.secret_literals if s in public}
        return super().preprocess(nb, resources)

    def _is_secret(self, line: str, with_literals: bool) -> bool:
        stripped = line.strip()
        if not stripped:
            return False
        if any(secret in line for secret in self.secret_lines):
            return True
        if any(re.search(rf"\b{re.escape(name)}\b", line) for name in self.secret_names):
            return True
        return with_literals and any(literal in line for literal in self.secret_literals)

    def _clean(self, text: Any, with_literals: bool) -> Any:
        if isinstance(text, list):
            return [self._clean(part, with_literals) for part in text]
        if not isinstance(text, str):
            return text
        kept = [
            REDACTED if self._is_secret(line, with_literals) else line for line in text.split("\n")
        ]
        return "\n".join(kept)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type != "code":
            return cell, resources
        with_literals = not _is_test_cell(cell)
        for output in cell.get("outputs", []):
            if "text" in output:
                output.text = self._clean(output.text, with_literals)
            if "traceback" in output:
                output.traceback = self._clean(output.traceback, with_literals)
            if "evalue" in output:
                output.evalue = self._clean(output.evalue, with_literals)
            for mime, value in output.get("data", {}).items():
                if mime.startswith("text/") or mime in ("application/javascript",):
                    output.data[mime] = self._clean(value, with_literals)
        return cell, resources


class DescribeHiddenChecks(NbGraderPreprocessor):
    """Write, into each test cell's metadata, what its hidden checks checked and the
    result of each in one sentence (``hidden_checks.judged_checks``), before nbgrader's
    ``ClearHiddenTests`` removes their code. Needs ``GetGrades`` before it (the scores).
    A graded quiz cell is left to ``QuizFeedbackForStudent``."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if not _is_test_cell(cell) or not hidden_regions(cell.source):
            return cell, resources
        outputs = cell.get("outputs", [])
        if any(QUIZ_FEEDBACK_METADATA in output.get("metadata", {}) for output in outputs):
            return cell, resources  # the quiz's own feedback says what was marked
        grades = cell.metadata.get("nbgrader", {})
        checks = judged_checks(
            cell.source, cell.get("outputs", []), grades.get("score"), grades.get("points")
        )
        record_hidden_checks(cell, [check.as_metadata() for check in checks])
        return cell, resources


class QuizFeedbackForStudent(NbGraderPreprocessor):
    """Write the graded quiz's feedback again from the data the marking published, showing
    the right answers only when ``show_answers`` allows (``answer_policy``). Each question
    comes with its text as the student read it (their own numbers)."""

    show_answers = Enum(
        POLICIES,
        default_value="never",
        help="When students' feedback shows the quiz's right answers: never, after_due "
        "(once the due date, with every extension in the gradebook, has passed) or always.",
    ).tag(config=True)

    def _answers_shown(self, resources: dict) -> bool:
        if self.show_answers != "after_due":
            return answers_may_be_shown(self.show_answers, None, datetime.datetime.now())
        with Gradebook(resources["nbgrader"]["db_url"]) as gradebook:
            latest = latest_due_date(gradebook, resources["nbgrader"]["assignment"])
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        return answers_may_be_shown("after_due", latest, now)

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        has_quiz = any(
            QUIZ_FEEDBACK_METADATA in output.get("metadata", {})
            or QUIZ_ANSWERS_METADATA in output.get("metadata", {})
            for cell in nb.cells
            for output in cell.get("outputs", [])
        )
        if not has_quiz:
            return nb, resources
        self.shown = self._answers_shown(resources)
        self.prompts = question_prompts(_folder(resources), _variant(self, resources))
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type != "code":
            return cell, resources
        published = [output.get("metadata", {}) for output in cell.get("outputs", [])]
        if any(QUIZ_ANSWERS_METADATA in m for m in published) and not any(
            QUIZ_FEEDBACK_METADATA in m for m in published
        ):  # marked by an older version, which printed every right answer: none of it
            cell.outputs = [
                _stream(f"{OLD_QUIZ_FEEDBACK}\n"),
                *(o for o in cell.outputs if o.get("output_type") in ("error", "execute_result")),
            ]
            return cell, resources
        outputs = []
        for output in cell.get("outputs", []):
            metadata = output.get("metadata", {})
            if QUIZ_FEEDBACK_METADATA in metadata:
                lines = quiz_feedback_lines(
                    metadata[QUIZ_FEEDBACK_METADATA], self.shown, self.prompts
                )
                outputs.append(_stream("\n".join(lines) + "\n"))
            elif QUIZ_ANSWERS_METADATA not in metadata:
                outputs.append(output)
        cell.outputs = outputs
        return cell, resources


class ShortTracebacks(NbGraderPreprocessor):
    """A test cell's error shows its type and message (the check's diagnosis), not its
    traceback, whose frames quote the hidden tests' code."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if not _is_test_cell(cell):
            return cell, resources
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = str(output.get("evalue", ""))
                output.traceback = [f"{output.get('ename', 'Error')}: {message}".rstrip(": ")]
        return cell, resources


class StaticWidgets(NbGraderPreprocessor):
    """Widgets as text: the graded quiz's widget becomes its questions and the answers the
    student saved (in their own letters and numbers); any other widget a short note. The
    notebook's saved widget state is dropped, so no script is written into the page."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        nb.metadata.pop("widgets", None)
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type != "code":
            return cell, resources
        outputs = []
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data and "application/javascript" not in data:
                outputs.append(output)
                continue
            summary = str(data.get("text/plain", ""))
            if summary.startswith("GradedQuizView") or "GradedQuizView(" in cell.source:
                variant = _variant(self, resources)
                lines = quiz_summary_lines(_folder(resources), variant)
            else:
                lines = ["(An interactive widget was shown here when the notebook ran.)"]
            outputs.append(_stream("\n".join(lines) + "\n"))
        cell.outputs = outputs
        return cell, resources


class DropInvisibleOutputs(NbGraderPreprocessor):
    """Drop display outputs that show nothing: the checks publish data for the class report
    (``autograder/diagnoses``, ``autograder/quiz_answers``) with an empty text, which the
    feedback page would draw as an empty box."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int):
        if cell.cell_type == "code":
            cell.outputs = [
                output
                for output in cell.get("outputs", [])
                if output.get("output_type") not in ("display_data", "execute_result")
                or any(str(value).strip() for value in output.get("data", {}).values())
            ]
        return cell, resources
