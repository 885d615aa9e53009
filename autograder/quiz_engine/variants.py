"""Per-student quiz variants: option order, definition order and numbers, drawn per student.

One released notebook serves the class; each student sees their own variant, drawn from

    quiz key = HMAC(course secret, student id)        (the instructor's ``course quiz-keys``)
    variant  = HMAC(quiz key, assignment)             (in the student's kernel and at grading)

The course secret stays with the instructor. A student's kernel holds only that student's
quiz key (from JupyterHub, or typed once: see ``student_identity``), so nobody can work
out a classmate's variant from their id. At grading, ``QuizVariantForSubmission`` puts the
key of the submission's nbgrader student id into the hidden tests (read by
``graded_marking.variant_for_grading``): the variant never comes
from anything in the notebook, so copying a friend's letters gains what chance gives.

A quiz key reads ``ABCD-EFGHJ``: eight characters of the HMAC and one check character, so
a typo is caught when it is typed rather than at grading.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import string
from dataclasses import dataclass

from autograder.quiz_engine.formulas import draw_parameters
from autograder.quiz_engine.questions import Question

# No 0/O, 1/I/L: a key is read off a screen or an e-mail and typed by hand.
KEY_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LETTERS = string.ascii_uppercase
# What the hidden tests hold until nbgrader autograde puts the submission's variant there.
SUBMISSION_PLACEHOLDER = "@QUIZ_VARIANT_OF_THIS_SUBMISSION@"


class QuizKeyError(ValueError):
    """A quiz key that is malformed or does not belong to the student id given with it."""


def _hmac(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()


def _check_character(student_id: str, body: str) -> str:
    digest = hashlib.sha256(f"{student_id}\0{body}".encode()).digest()
    return KEY_ALPHABET[digest[0] % len(KEY_ALPHABET)]


def quiz_key(secret: bytes, student_id: str) -> str:
    """The student's quiz key (instructor side: needs the course secret)."""
    digest = _hmac(secret, f"quiz-key\0{student_id}")
    body = "".join(KEY_ALPHABET[byte % len(KEY_ALPHABET)] for byte in digest[:8])
    return f"{body[:4]}-{body[4:]}{_check_character(student_id, body)}"


def normalised_key(student_id: str, key: str) -> str:
    """``key`` as ``ABCD-EFGHJ``, whatever its case and spacing; QuizKeyError if it is
    malformed or its check character does not match ``student_id``."""
    characters = "".join(ch for ch in key.upper() if ch.isalnum())
    if len(characters) != 9 or any(ch not in KEY_ALPHABET for ch in characters):
        raise QuizKeyError(
            "a quiz key has nine letters and digits, like ABCD-EFGHJ (no I, L, O, 0 or 1)"
        )
    if _check_character(student_id, characters[:8]) != characters[8]:
        raise QuizKeyError(
            f"this quiz key does not belong to student id {student_id!r}: check both for typos"
        )
    return f"{characters[:4]}-{characters[4:]}"


@dataclass(frozen=True)
class QuizVariant:
    """One student's draw for one assignment. ``seed`` empty: the bank's own order and
    numbers drawn from ``practice_seed`` (practice quizzes and previews)."""

    student_id: str = ""
    assignment: str = ""
    seed: bytes = b""
    practice_seed: int = 0

    @classmethod
    def for_student(cls, student_id: str, key: str, assignment: str) -> QuizVariant:
        key = normalised_key(student_id, key)
        return cls(student_id, assignment, _hmac(key.encode(), f"variant\0{assignment}"))

    @property
    def personal(self) -> bool:
        return bool(self.seed)

    def _rng(self, question: Question, purpose: str) -> random.Random:
        if not self.personal:
            return random.Random(f"{self.practice_seed}\0{question.id}\0{purpose}")
        digest = _hmac(self.seed, f"{question.id}\0{purpose}")
        return random.Random(int.from_bytes(digest[:8], "big"))

    def option_order(self, question: Question) -> list[int]:
        """Canonical option index shown at each position (position 0 is letter A)."""
        order = list(range(len(question.options)))
        if self.personal:
            self._rng(question, "options").shuffle(order)
        return order

    def definition_order(self, definitions: list[str], question: Question) -> list[str]:
        shuffled = list(definitions)
        self._rng(question, "definitions").shuffle(shuffled)
        return shuffled

    def parameters(self, question: Question) -> dict[str, float]:
        return draw_parameters(question, self._rng(question, "parameters"))

    def letter_of(self, question: Question, canonical: int) -> str:
        """The letter this student saw for canonical option ``canonical``."""
        return LETTERS[self.option_order(question).index(canonical)]

    def canonical_of(self, question: Question, letter: str) -> int | None:
        """The canonical option behind the letter this student saw (None if no such letter)."""
        position = LETTERS.find(letter.strip().upper()) if len(letter.strip()) == 1 else -1
        order = self.option_order(question)
        return order[position] if 0 <= position < len(order) else None
