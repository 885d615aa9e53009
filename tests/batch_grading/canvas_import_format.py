"""What Canvas's Gradebook import accepts, as a checker: written from Canvas's guide to
importing grades (the layout of the gradebook CSV that Canvas itself exports).

- The header starts with the identity columns ``Student, ID, SIS User ID, SIS Login ID,
  Section``; every further column is an assignment, headed ``Name (canvas id)`` for an
  existing assignment or ``Name`` alone for a new one; no two alike.
- The row after the header is ``Points Possible``: identity cells empty, a non-negative
  number under each assignment.
- Each student row names the student and gives at least one of ``ID``, ``SIS User ID``,
  ``SIS Login ID``, which identify one student only; a score is a number, or empty to leave
  the grade as it is.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

IDENTITY = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
ASSIGNMENT = re.compile(r"^(?P<name>.*\S)(?: \((?P<id>\d+)\))?$")


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def canvas_import_problems(path: Path) -> list[str]:
    """Every way the file breaks the format, one sentence each (empty: Canvas accepts it)."""
    with open(path, newline="", encoding="utf-8") as file:
        rows = list(csv.reader(file))
    if len(rows) < 2:
        return ["the file needs a header and a Points Possible row"]
    header, points, students = rows[0], rows[1], rows[2:]
    problems = []
    if header[: len(IDENTITY)] != IDENTITY:
        problems.append(f"the header starts {header[:5]}, not {IDENTITY}")
    assignments = header[len(IDENTITY) :]
    if not assignments:
        problems.append("no assignment column")
    for column in assignments:
        if not ASSIGNMENT.match(column):
            problems.append(f"assignment column {column!r} is not 'Name' or 'Name (id)'")
    if len(set(assignments)) != len(assignments):
        problems.append("two assignment columns have the same heading")
    if points[0].strip() != "Points Possible" or any(points[1 : len(IDENTITY)]):
        problems.append("the second row is not 'Points Possible' with empty identity cells")
    for column, value in zip(assignments, points[len(IDENTITY) :], strict=False):
        if _number(value) is None or _number(value) < 0:  # type: ignore[operator]
            problems.append(f"Points Possible of {column!r} is {value!r}, not a number >= 0")
    seen: dict[str, int] = {}
    for line, row in enumerate(students, start=3):
        if len(row) != len(header):
            problems.append(f"row {line} has {len(row)} cells, the header {len(header)}")
            continue
        identity = dict(zip(IDENTITY, row, strict=False))
        if not identity["Student"]:
            problems.append(f"row {line} has no student name")
        ids = [f"{k}={identity[k]}" for k in ("ID", "SIS User ID", "SIS Login ID") if identity[k]]
        if not ids:
            problems.append(f"row {line} has no ID, SIS User ID or SIS Login ID")
        for key in ids:
            if key in seen:
                problems.append(f"rows {seen[key]} and {line} are both {key}")
            seen[key] = line
        for column, value in zip(assignments, row[len(IDENTITY) :], strict=False):
            if value and _number(value) is None:
                problems.append(f"row {line}, {column!r}: {value!r} is not a number")
    return problems
