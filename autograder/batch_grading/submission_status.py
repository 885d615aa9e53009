"""Say what happened to one submission in a few words ("timed out in cell 'x'", ...)."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat


def not_a_notebook(path: Path) -> str | None:
    """Why ``path`` cannot be graded as a notebook, or None if it can."""
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
        nbformat.validate(nbformat.reads(text, as_version=4))
    except (OSError, UnicodeDecodeError) as error:
        return f"not a notebook: cannot be read ({error})"
    except json.JSONDecodeError as error:
        return f"not a notebook: {path.name} is not valid JSON (line {error.lineno})"
    except Exception as error:  # noqa: BLE001 - nbformat raises several unrelated types
        return f"not a notebook: {str(error).splitlines()[0][:80]}"
    return None


def status_of_graded(autograded: Path, log: str) -> str:
    """'graded', or the first thing that went wrong while nbgrader ran it."""
    if "DeadKernelError" in log or "Kernel died" in log:
        return "kernel died"
    if not autograded.exists():
        errors = [line.strip() for line in log.splitlines() if "| ERROR]" in line]
        return "not graded: " + (errors[0][:100] if errors else "nbgrader failed")
    notebook = nbformat.read(autograded, as_version=4)
    if notebook.metadata.get("autograder", {}).get("tampering"):
        return "tampering blocked"
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error" and output.get("ename") == "CellTimeoutError":
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", cell.get("id"))
                return f"timed out in cell '{grade_id}'"
    return "graded"
