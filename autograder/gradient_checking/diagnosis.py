"""Name the most likely bug behind a wrong gradient, in one sentence a student understands.

Each function here compares the student's gradient with an expected one (the
instructor's reference, or a full finite-difference gradient) and returns a
:class:`Diagnosis`, or ``None`` when its bug does not explain the difference.
:func:`diagnose` tries them from the most specific to the most general.

When only random directional derivatives are known (a tensor too large for a full
gradient), :func:`diagnose_directional` names a common scale factor from their ratios,
or localises a wrong row, column or entry by group testing (:class:`GroupTesting`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from autograder.gradient_checking.finite_differences import (
    central_difference,
    coordinate_derivative,
)

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


def entry_diagnosis(name: str, index: tuple[int, ...], yours: float, expected: float) -> Diagnosis:
    return Diagnosis(
        f"{name} is wrong only at entry {index}.", f"yours {yours:.6g} vs expected {expected:.6g}"
    )


def line_diagnosis(name: str, axis: int, index: int, evidence: str = "") -> Diagnosis:
    """Wrong only in one row (axis 0) or column (axis 1)."""
    return Diagnosis(f"{name} is wrong only in {('row', 'column')[axis]} {index}.", evidence)


def known_mistake(
    name: str, student: np.ndarray, known_mistakes: Mapping[str, np.ndarray] | None
) -> Diagnosis | None:
    """The test author's sentence for a mistake whose gradient ``student`` matches."""
    for sentence, mistaken in (known_mistakes or {}).items():
        if mistaken.shape == student.shape and relative_difference(student, mistaken) <= AGREEMENT:
            return Diagnosis(sentence, f"{name} matches that mistake exactly")
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
        return entry_diagnosis(name, index, student[index], expected[index])
    if student.ndim == 2:
        for axis in (0, 1):
            lines = np.unique(positions[:, axis])
            if len(lines) == 1:
                yours, right = np.take(student, lines[0], axis), np.take(expected, lines[0], axis)
                evidence = f"yours {_short(yours)} vs expected {_short(right)}"
                return line_diagnosis(name, axis, int(lines[0]), evidence)
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
    mistake = known_mistake(name, student, known_mistakes)
    if mistake is not None:
        return mistake
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


def generic_directional_diagnosis(name: str) -> Diagnosis:
    return Diagnosis(
        f"{name} does not match finite differences: re-derive it with the chain rule, "
        "one factor at a time."
    )


@dataclass
class GroupTesting:
    """Find the wrong rows or columns of a matrix gradient by bisection, from directional
    derivatives of ``along`` at ``point`` (about 4 log2(n) evaluations per wrong line).

    ``evaluations`` counts the calls of ``along`` made so far.
    """

    student: np.ndarray
    along: Callable[[np.ndarray], float]
    point: np.ndarray
    step: float
    tolerance: float
    floor: float
    evaluations: int = 0
    rng: np.random.Generator = field(default_factory=lambda: np.random.default_rng(0))

    def group_is_wrong(self, axis: int, indices: np.ndarray, tries: int = 2) -> bool:
        """Does the group of rows/columns hold an error? Two directions, so that one
        unlucky direction (nearly orthogonal to the error) cannot hide it."""
        for _ in range(tries):
            direction = np.zeros_like(self.point)
            if axis == 0:
                direction[indices] = self.rng.standard_normal((len(indices), self.point.shape[1]))
            else:
                direction[:, indices] = self.rng.standard_normal(
                    (self.point.shape[0], len(indices))
                )
            # Unnormalised Gaussian direction, as in the main check: <error, direction>
            # has the size of the error itself, so the group's norm is the right scale.
            norm = float(np.linalg.norm(direction))
            numeric = norm * central_difference(self.along, self.point, direction / norm, self.step)
            self.evaluations += 2
            part = np.take(self.student, indices, axis=axis)
            scale = max(float(np.linalg.norm(part)), abs(numeric), self.floor)
            if abs(float(np.vdot(self.student, direction)) - numeric) > self.tolerance * scale:
                return True
        return False

    def wrong_lines(self, axis: int, limit: int = 4) -> list[int] | None:
        """Indices of wrong rows (axis 0) or columns (axis 1); None if more than ``limit``."""
        found: list[int] = []
        pending = [np.arange(self.point.shape[axis])]
        while pending:
            group = pending.pop()
            if not self.group_is_wrong(axis, group):
                continue
            if len(group) == 1:
                found.append(int(group[0]))
                if len(found) > limit:
                    return None
                continue
            half = len(group) // 2
            pending += [group[half:], group[:half]]
        return sorted(found)

    def diagnosis(self, name: str) -> Diagnosis | None:
        """A single wrong entry, row or column; None when the error is spread wider."""
        rows, cols = self.wrong_lines(0), self.wrong_lines(1)
        if rows is not None and cols is not None and len(rows) == 1 and len(cols) == 1:
            index = (rows[0], cols[0])
            expected = coordinate_derivative(self.along, self.point, index, self.step)
            self.evaluations += 2
            return entry_diagnosis(name, index, self.student[index], expected)
        for axis, lines in enumerate((rows, cols)):
            if lines is not None and len(lines) == 1:
                return line_diagnosis(name, axis, lines[0])
        return None


def diagnose_directional(
    name: str,
    student: np.ndarray,
    ratios: list[float],
    batch_size: int | None,
    localise: GroupTesting,
) -> tuple[Diagnosis, int]:
    """Explain a directional failure cheaply: a common scale factor (from the ratios of
    yours to numeric directional derivatives), else a wrong row, column or entry.
    Returns the diagnosis and the loss evaluations it cost."""
    finite = [r for r in ratios if np.isfinite(r)]
    if len(finite) == len(ratios) and max(finite) - min(finite) <= 1e-3 * max(1.0, abs(finite[0])):
        return scale_factor_diagnosis(name, float(np.mean(finite)), batch_size), 0
    if student.ndim != 2:
        return generic_directional_diagnosis(name), 0
    found = localise.diagnosis(name)
    return found or generic_directional_diagnosis(name), localise.evaluations
