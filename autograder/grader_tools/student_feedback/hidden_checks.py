"""What a test cell's hidden checks checked and how each went, without their code.

A test cell's hidden region (between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN
TESTS``) is read as Python: every statement that calls a ``check_*`` function, runs the
student's code (``call_student_code``) or ``assert``s becomes one check, described from
the call (the function it checks, the label it names) or the assertion's message. The
cell's error output says which line stopped it (``Cell In[n], line k`` in its traceback):
the checks before that line passed (the deepest line in the cell itself, for checks
written inside a hidden function), the one holding it failed with the error's first
line as its sentence (the checker's diagnosis), the rest did not run.

Pure functions over a cell's source and outputs; ``preprocessors.DescribeHiddenChecks``
calls them in nbgrader's process.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from autograder.grader_tools.notebook_records import HiddenCheckRecord

BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_LINE = re.compile(r"Cell In\[(\d+)\], line (\d+)")

PASSED, FAILED, NOT_RUN, PARTIAL = "passed", "failed", "not run", "partial"


@dataclass(frozen=True)
class HiddenCheck:
    """``checked``: what it checks, in words; ``outcome``: one of PASSED, FAILED, NOT_RUN,
    PARTIAL; ``result``: one sentence. ``first_line``/``last_line``: its lines in the cell
    (1-based), to place the error."""

    checked: str
    outcome: str = PASSED
    result: str = ""
    first_line: int = 0
    last_line: int = 0

    def as_metadata(self) -> HiddenCheckRecord:
        """The record the feedback keeps (``notebook_records.record_hidden_checks``)."""
        return HiddenCheckRecord(checked=self.checked, outcome=self.outcome, result=self.result)


def hidden_regions(source: str) -> list[tuple[int, int]]:
    """(first, last) 1-based line numbers of the code inside each hidden region."""
    regions, start = [], None
    for number, line in enumerate(source.split("\n"), 1):
        if BEGIN_HIDDEN in line:
            start = number + 1
        elif END_HIDDEN in line and start is not None:
            regions.append((start, number - 1))
            start = None
    return regions


def _words(node: ast.expr) -> str:
    """A label as text: a string literal, or an f-string's fixed parts with '…' between."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            str(part.value) if isinstance(part, ast.Constant) else "…" for part in node.values
        )
    return ""


def _subject(call: ast.Call) -> str:
    """The student's function a check is about: its last positional argument that is a
    plain public name (``check_activation_backward(np.tanh, tanh_backward)``)."""
    names = [a.id for a in call.args if isinstance(a, ast.Name) and not a.id.startswith("_")]
    return names[-1] if names else ""


def _call_name(call: ast.Call) -> str:
    func = call.func
    return (
        func.id
        if isinstance(func, ast.Name)
        else func.attr
        if isinstance(func, ast.Attribute)
        else ""
    )


def _describe_call(call: ast.Call) -> str:
    name = _call_name(call)
    subject = _subject(call)
    if name == "check_values" and call.args:
        label = _words(call.args[0])
        return f"the values of {label}" if label else "the values your code returns"
    if name == "call_student_code":
        return f"that {subject} runs on new inputs" if subject else "that your code runs"
    if name == "check_cost_gradient":
        return f"the gradient returned by {subject} against finite differences"
    if name.endswith("_backward") or "gradient" in name:
        return f"{subject or 'your gradients'} against finite differences"
    return f"{name.removeprefix('check_').replace('_', ' ')} of {subject or 'your code'}"


def _first_call(statement: ast.stmt) -> ast.Call | None:
    """The outermost ``check_*`` call in a statement, else its ``call_student_code``."""
    found: ast.Call | None = None
    for node in ast.walk(statement):
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name.startswith("check_"):
                return node
            if name == "call_student_code" and found is None:
                found = node
    return found


def _statements(body: Sequence[ast.stmt], repeated: bool) -> Iterator[tuple[ast.stmt, bool]]:
    for statement in body:
        if isinstance(statement, ast.ClassDef):
            continue
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # hidden checks written in function scope: the body holds the checks
            yield from _statements(statement.body, repeated)
        elif isinstance(statement, (ast.For, ast.While)):
            yield from _statements(statement.body, True)
        elif isinstance(statement, ast.If):
            yield from _statements(statement.body, repeated)
            yield from _statements(statement.orelse, repeated)
        elif isinstance(statement, ast.With):
            yield from _statements(statement.body, repeated)
        elif isinstance(statement, ast.Try):
            yield from _statements(statement.body, repeated)
            yield from _statements(statement.finalbody, repeated)
        else:
            yield statement, repeated


def _describe(statement: ast.stmt) -> str:
    if isinstance(statement, ast.Assert):
        message = _words(statement.msg) if statement.msg is not None else ""
        return f"the requirement: {message}" if message else "a further requirement"
    call = _first_call(statement)
    return _describe_call(call) if call is not None else ""


def listed_checks(source: str) -> list[HiddenCheck]:
    """The hidden checks of a cell's source, in order (not yet run)."""
    lines = source.split("\n")
    checks: list[HiddenCheck] = []
    for first, last in hidden_regions(source):
        code = textwrap.dedent("\n".join(lines[first - 1 : last]))
        try:
            tree = ast.parse(code)
        except SyntaxError:
            checks.append(HiddenCheck("the hidden checks of this part", "", "", first, last))
            continue
        listed = len(checks)
        for statement, repeated in _statements(tree.body, False):
            checked = _describe(statement)
            if not checked:
                continue
            if repeated:
                checked += ", on several inputs"
            end = statement.end_lineno or statement.lineno
            checks.append(
                HiddenCheck(
                    checked, first_line=first + statement.lineno - 1, last_line=first + end - 1
                )
            )
        if len(checks) == listed:  # checks inside a helper function: one for the region
            checks.append(HiddenCheck("the hidden checks of this part", "", "", first, last))
    return checks


def failing_line(outputs: Sequence[Any]) -> tuple[int | None, str] | None:
    """(line of the cell that raised, or None if unknown; the error's first line), or None
    when the cell raised nothing."""
    for output in outputs:
        if output.get("output_type") != "error":
            continue
        message = str(output.get("evalue", "")).strip().split("\n")[0].strip()
        sentence = message or f"{output.get('ename', 'Error')} was raised."
        frames = [
            (int(match.group(1)), int(match.group(2)))
            for entry in output.get("traceback", [])
            for match in _CELL_LINE.finditer(_ANSI.sub("", str(entry)))
        ]
        if not frames:
            return None, sentence
        # The deepest frame in the test cell itself (a check inside a hidden function);
        # frames of the student's own functions are in other cells.
        cell = frames[0][0]
        return [line for number, line in frames if number == cell][-1], sentence
    return None


def judged_checks(
    source: str, outputs: Sequence[Any], score: float | None, points: float | None
) -> list[HiddenCheck]:
    """Each hidden check with its outcome and one sentence."""
    checks = listed_checks(source)
    if not checks:
        return []
    error = failing_line(outputs)
    judged = []
    if error is None:
        partial = score is not None and points is not None and score < points
        for check in checks:
            if partial:
                result = f"Ran; this part earned {score:g} of {points:g} points (see above)."
                judged.append(HiddenCheck(check.checked, PARTIAL, result))
            else:
                judged.append(HiddenCheck(check.checked, PASSED))
        return judged
    line, sentence = error
    regions = hidden_regions(source)
    if line is not None and line < regions[0][0]:
        return [
            HiddenCheck(c.checked, NOT_RUN, "A visible check above failed first.") for c in checks
        ]
    failed_one = False
    for check in checks:
        if line is None:
            judged.append(HiddenCheck(check.checked, NOT_RUN, f"The cell stopped: {sentence}"))
        elif check.last_line < line:
            judged.append(HiddenCheck(check.checked, PASSED))
        elif check.first_line <= line and not failed_one:
            failed_one = True
            judged.append(HiddenCheck(check.checked, FAILED, sentence))
        else:
            judged.append(HiddenCheck(check.checked, NOT_RUN, "An earlier check failed."))
    if line is not None and not failed_one and line <= regions[-1][1]:
        judged.append(HiddenCheck("the steps between the checks", FAILED, sentence))
    return judged
