"""Scratch copies of this course, for tests, benchmarks and demonstrations.

The toolkit is never installed: it lives in the course's own folder, beside ``source/``,
``release/`` and ``nbgrader_config.py``, and copies them from there.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.quiz_engine.course_secret import create_course_secret

COURSE_FOLDER = Path(__file__).resolve().parent.parent


def copy_course(destination: Path) -> Path:
    """A scratch copy of the course: source/, release/, nbgrader_config.py and a course
    secret of its own (as `course quiz-keys` makes one)."""
    destination.mkdir(parents=True, exist_ok=True)
    for folder in ("source", "release"):
        shutil.copytree(COURSE_FOLDER / folder, destination / folder)
    shutil.copy(COURSE_FOLDER / "nbgrader_config.py", destination / "nbgrader_config.py")
    create_course_secret(destination / ".quiz_secret")
    return destination
