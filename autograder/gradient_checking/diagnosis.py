"""Name the most likely bug behind a wrong gradient, in one sentence a student understands.

Each function here compares the student's gradient with an expected one (the
instructor's reference, or a full finite-difference gradient) and returns a
:class:`Diagnosis`, or ``None`` when its bug does not explain the difference.
:func:`diagnose` tries them from the most specific to the most general.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

#: Two arrays "agree" when their difference is this small relative to their size.
AGREEMENT = 1e-5


@dataclass(frozen=True)
class Diagnosis:
    """``sentence``: the likely bug and its fix. ``evidence``: the short figures behind it."""

    sentence: str
    evidence: str = ""


def relative_difference(a: np.ndarray, b: np.ndarray, floor: float = 0.0) -> float:
    """``|a - b| / max(|a|, |b|, floor)`` in the 2-norm, 0 when that scale is zero."""
    scale = max(float(np.linalg.norm(a)), float(np.linalg.norm(b)), floor)
    return 0.0 if scale == 0.0 else float(np.linalg.norm(a - b)) / scale


def _short(values: np.ndarray, limit: int = 3) -> str:
    flat = np.asarray(values).reshape(-1)
    shown = ", ".join(f"{v:.4g}" for v in flat[:limit])
    return f"[{shown}{', ...' if flat.size > limit else ''}]"


def scale_factor_diagnosis(name: str, factor: float, batch_size: int | None) -> Diagnosis:
    """Explain a gradient that is ``factor`` times the expected one."""
    evidence = f"yours = {factor:.4g} x expected"
    known = [
        (
            -1.0,
            "has the wrong sign: the update would climb the loss. Check prediction - target "
            "versus target - prediction.",
        ),
        (0.0, "is all zeros: the gradient never reaches it."),
        (
            2.0,
            "is twice the expected value: check the MSE convention (the 1/2 in front, or the "
            "factor 2 from the square).",
        ),
        (0.5, "is half the expected value: the derivative of a square brings down a factor 2."),
    ]
    if batch_size and batch_size > 2:
        known += [
            (
                float(batch_size),
                f"is off by a factor of the batch size (m = {batch_size}): did you "
                "forget to divide by m?",
            ),
            (
                1.0 / batch_size,
                f"is too small by a factor of the batch size (m = {batch_size}): "
                "you divided by m twice (or averaged twice).",
            ),
            (
                -float(batch_size),
                f"has the wrong sign and is off by the batch size "
                f"(m = {batch_size}): check the sign and the 1/m.",
            ),
        ]
    for expected_factor, explanation in known:
        if abs(factor - expected_factor) <= 1e-4 * max(1.0, abs(expected_factor)):
            return Diagnosis(f"{name} {explanation}", evidence)
    return Diagnosis(
        f"{name} is a scaled copy of the right gradient: look for a stray constant.", evidence
    )


def _scale_factor(student: np.ndarray, expected: np.ndarray) -> float | None:
    """The c with student = c * expected, if one explains the difference."""
    energy = float(np.vdot(expected, expected))
    if energy == 0.0:
        return None
    factor = float(np.vdot(student, expected)) / energy
    if relative_difference(student, factor * expected) <= AGREEMENT and abs(factor - 1) > 1e-4:
        return factor
    return None


def _localised(name: str, student: np.ndarray, expected: np.ndarray) -> Diagnosis | None:
    """Wrong in a single row, column or entry of a matrix (or a few entries of a vector)."""
    scale = max(float(np.abs(expected).max()), float(np.abs(student).max()), 1e-300)
    wrong = np.abs(student - expected) > AGREEMENT * scale
    if not wrong.any() or wrong.mean() > 0.5:
        return None
    positions = np.argwhere(wrong)
    if len(positions) == 1:
        index = tuple(int(i) for i in positions[0])
        return Diagnosis(
            f"{name} is wrong only at entry {index}.",
            f"yours {student[index]:.6g} vs expected {expected[index]:.6g}",
        )
    if student.ndim == 2:
        rows, cols = np.unique(positions[:, 0]), np.unique(positions[:, 1])
        if len(rows) == 1:
            r = int(rows[0])
            return Diagnosis(
                f"{name} is wrong only in row {r}.",
                f"yours {_short(student[r])} vs expected {_short(expected[r])}",
            )
        if len(cols) == 1:
            c = int(cols[0])
            return Diagnosis(
                f"{name} is wrong only in column {c}.",
                f"yours {_short(student[:, c])} vs expected {_short(expected[:, c])}",
            )
    if len(positions) <= 3:
        places = ", ".join(str(tuple(int(i) for i in p)) for p in positions)
        return Diagnosis(f"{name} is wrong only at entries {places}.")
    return None


def diagnose(
    name: str,
    student: np.ndarray,
    expected: np.ndarray,
    *,
    batch_size: int | None = None,
    upstream: np.ndarray | None = None,
    known_mistakes: Mapping[str, np.ndarray] | None = None,
) -> Diagnosis:
    """The most likely explanation of why ``student`` differs from ``expected`` (same shape).

    ``known_mistakes`` maps a sentence to the gradient that mistake would produce
    (for bugs only the test author can compute, e.g. ``x >= 0`` in ReLU's derivative).
    ``upstream`` is the gradient flowing into a layer: returning it unchanged means an
    activation derivative was left out.
    """
    for sentence, mistaken in (known_mistakes or {}).items():
        if mistaken.shape == student.shape and relative_difference(student, mistaken) <= AGREEMENT:
            return Diagnosis(sentence, f"{name} matches that mistake exactly")
    if (
        upstream is not None
        and upstream.shape == student.shape
        and not np.allclose(upstream, expected)
        and relative_difference(student, upstream) <= AGREEMENT
    ):
        return Diagnosis(
            f"{name} equals the upstream gradient: did you forget to multiply by the "
            "activation's derivative?"
        )
    factor = _scale_factor(student, expected)
    if factor is not None:
        return scale_factor_diagnosis(name, factor, batch_size)
    square = student.ndim == 2 and student.shape[0] == student.shape[1]
    if square and relative_difference(student, expected.T) <= AGREEMENT:
        return Diagnosis(f"{name} is transposed: swap the order of the matrix product.")
    localised = _localised(name, student, expected)
    if localised is not None:
        return localised
    error = relative_difference(student, expected)
    return Diagnosis(
        f"{name} does not match the expected gradient (relative error {error:.2g}): re-derive it "
        "with the chain rule, one factor at a time.",
        f"yours {_short(student)} vs expected {_short(expected)}",
    )
