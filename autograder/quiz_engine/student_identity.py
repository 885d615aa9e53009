"""Who is taking the quiz: their nbgrader student id and quiz key, in their own kernel.

On the course's JupyterHub the hub's spawner sets ``COURSE_STUDENT_ID`` (the hub user
name, which is also the nbgrader student id) and ``COURSE_QUIZ_KEY`` for every student.
Elsewhere the student types both once in the quiz widget; they are saved in
``~/.course_quiz_identity.json`` (only readable by them) and used for every quiz after.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from autograder.atomic_files import write_atomically
from autograder.quiz_engine.variants import QuizKeyError, QuizVariant, normalised_key

IDENTITY_FILE_NAME = ".course_quiz_identity.json"


def identity_file() -> Path:
    return Path(os.environ.get("COURSE_QUIZ_IDENTITY_FILE") or Path.home() / IDENTITY_FILE_NAME)


@dataclass(frozen=True)
class StudentIdentity:
    student_id: str
    quiz_key: str
    source: str  # where it came from, said to the student: "JupyterHub" or the file's path

    def variant(self, assignment: str) -> QuizVariant:
        return QuizVariant.for_student(self.student_id, self.quiz_key, assignment)


def current_identity() -> StudentIdentity | None:
    """From the hub's environment, else from the saved setting; None if neither is there
    (or the saved one is unreadable, in which case the widget asks again)."""
    student_id = os.environ.get("COURSE_STUDENT_ID") or os.environ.get("JUPYTERHUB_USER")
    key = os.environ.get("COURSE_QUIZ_KEY")
    if student_id and key:
        try:
            return StudentIdentity(student_id, normalised_key(student_id, key), "JupyterHub")
        except QuizKeyError:
            pass  # a hub configured with a wrong key: the widget asks the student instead
    path = identity_file()
    try:
        saved = json.loads(path.read_text(encoding="utf-8"))
        saved_id, saved_key = str(saved["student_id"]), str(saved["quiz_key"])
        return StudentIdentity(saved_id, normalised_key(saved_id, saved_key), str(path))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def save_identity(student_id: str, quiz_key: str) -> StudentIdentity:
    """Check and save the one-time setting; QuizKeyError names what is wrong."""
    student_id = student_id.strip()
    if not student_id:
        raise QuizKeyError("enter the student id your instructor uses (your login name)")
    key = normalised_key(student_id, quiz_key)
    path = identity_file()
    write_atomically(path, json.dumps({"student_id": student_id, "quiz_key": key}), mode=0o600)
    return StudentIdentity(student_id, key, str(path))
