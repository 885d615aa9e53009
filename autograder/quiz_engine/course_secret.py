"""The course secret behind every student's quiz key (instructor and graders only).

Made once by ``course quiz-keys`` in the file ``nbgrader_config.py`` names
(``QuizVariantForSubmission.secret_file``, ``.quiz_secret`` in the course root), readable
by its owner only. It never goes into ``release/`` and is never committed.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from autograder.quiz_engine.variants import quiz_key

MINIMUM_BYTES = 16


def read_course_secret(path: str | Path) -> bytes:
    """The secret; ValueError naming the file and the fix if it cannot be used."""
    if not str(path):
        raise ValueError("QuizVariantForSubmission.secret_file is not set in nbgrader_config.py")
    try:
        secret = Path(path).read_bytes().strip()
    except OSError as error:
        raise ValueError(
            f"{path}: the course secret cannot be read ({error.strerror}); it is made by "
            "`course quiz-keys`, and the grader needs read access to it"
        ) from None
    if len(secret) < MINIMUM_BYTES:
        raise ValueError(f"{path}: the course secret is too short ({MINIMUM_BYTES} bytes at least)")
    return secret


def read_private_course_secret(path: str | Path) -> bytes:
    """``read_course_secret``, refusing a secret other accounts may open (anyone who reads
    it can work out every student's quiz key): ValueError naming the file and the fix."""
    secret = read_course_secret(path)
    mode = stat.S_IMODE(Path(path).stat().st_mode)
    if mode & 0o007:
        raise ValueError(
            f"{path}: the course secret is open to every account (mode {mode:04o}), so anyone "
            f"could work out every student's quiz key: run `chmod o-rwx {path}`"
        )
    return secret


def create_course_secret(path: str | Path) -> bool:
    """Make the secret if there is none (owner-only); True if it was made now."""
    path = Path(path)
    if path.exists():
        return False
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(secrets.token_hex(32) + "\n")
    return True


def quiz_keys(secret: bytes, students: list[str]) -> list[tuple[str, str]]:
    """(student id, quiz key) for each student, to hand out where there is no JupyterHub."""
    return [(student, quiz_key(secret, student)) for student in students]


def spawner_environment(secret_file: str | Path, student_id: str) -> dict[str, str]:
    """What the course's JupyterHub gives each student's server (``c.Spawner.environment``):
    the student's quiz widget then knows who they are without asking."""
    key = quiz_key(read_course_secret(secret_file), student_id)
    return {"COURSE_STUDENT_ID": student_id, "COURSE_QUIZ_KEY": key}
