"""What a check returns: a pass/fail per tensor, a diagnosis, figures, and a score."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

from autograder.integrity_guard import kernel_guard
from autograder.notebook_metadata import DIAGNOSES_METADATA, Diagnoses
from autograder.student_tracebacks import StudentFacingError

# Starts each failed array's line in a check's message.
DIAGNOSIS_PREFIX = "  --  "


class CheckFailed(StudentFacingError, AssertionError):
    """A check failed; the message says what is wrong and where to look."""


class Score(float):
    """A partial-credit score whose text nbgrader reads is the same whatever the notebook's
    display settings: ``%precision 0`` must not turn 4.5 into 4 (or 2.6 into 3)."""

    def __repr__(self) -> str:
        return float.__repr__(self)

    def _repr_pretty_(self, printer, cycle: bool) -> None:
        printer.text(float.__repr__(self))


@dataclass
class TensorCheck:
    """The verdict on one array (a gradient or a value).

    ``method`` says how it was judged: ``"structure"`` (type, shape, NaN: no numbers
    compared), ``"reference"`` (exact comparison with the instructor's value),
    ``"full"`` (finite differences on every coordinate) or ``"directional"``
    (finite differences along a few random directions).
    """

    name: str
    passed: bool
    method: str
    relative_error: float | None = None
    evaluations: int = 0
    diagnosis: str | None = None
    evidence: str = ""
    redraws: int = 0

    def line(self) -> str:
        if self.passed:
            return f"  ok  {self.name}"
        detail = f" ({self.evidence})" if self.evidence else ""
        return f"{DIAGNOSIS_PREFIX}{self.diagnosis}{detail}"


@dataclass
class CheckResult:
    """The outcome of one check: ``passed``, per-array verdicts, and how to replay it.

    ``problem`` is set when the check could not run at all (the student's function
    raised, or returned something that is not an array).
    """

    what: str
    tensors: list[TensorCheck] = field(default_factory=list)
    problem: str | None = None
    seed: int | None = None
    evaluations: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.problem is None and bool(self.tensors) and all(t.passed for t in self.tensors)

    @property
    def diagnosis(self) -> str | None:
        """The one sentence a student should read first (``None`` when passed)."""
        if self.problem is not None:
            return self.problem
        failed = [t for t in self.tensors if not t.passed]
        return failed[0].diagnosis if failed else None

    @property
    def message(self) -> str:
        if self.passed:
            return f"{self.what}: all correct."
        if self.problem is not None:
            return f"{self.what}: {self.problem}"
        lines = [f"{self.what}: {self.diagnosis}"]
        lines += [t.line() for t in self.tensors]
        lines += [f"  note: {n}" for n in self.notes]
        if self.seed is not None:
            lines.append(f"  (checked with seed {self.seed})")
        return "\n".join(lines)

    def fraction_passed(self) -> float:
        """Share of arrays that passed, 0.0 if the check could not run."""
        if self.problem is not None or not self.tensors:
            return 0.0
        return sum(t.passed for t in self.tensors) / len(self.tensors)

    def publish_diagnoses(self) -> None:
        """While nbgrader autogrades, record each failed array's diagnosis as output
        metadata (``notebook_metadata.DIAGNOSES_METADATA``; an empty output: nothing shows
        in the notebook or the feedback). The class report counts them from there."""
        diagnoses: Diagnoses = [t.diagnosis for t in self.tensors if not t.passed and t.diagnosis]
        if not diagnoses or os.environ.get("NBGRADER_EXECUTION") != "autograde":
            return
        from IPython.core.interactiveshell import InteractiveShell

        if InteractiveShell.initialized():
            from IPython.display import publish_display_data

            publish_display_data({"text/plain": ""}, metadata={DIAGNOSES_METADATA: diagnoses})

    def score(self, points: float) -> Score:
        """Partial credit as a finite float in ``[0, points]`` (what nbgrader needs)."""
        kernel_guard.verify()
        self.publish_diagnoses()
        value = float(points) * self.fraction_passed()
        if not math.isfinite(value):
            return Score(0.0)
        return Score(min(max(value, 0.0), float(points)))

    def assert_passed(self) -> None:
        """Raise ``CheckFailed(message)`` (an ``AssertionError``) unless the check passed.

        Returns None on purpose: a test cell ending in this call must not display a
        value, or nbgrader would read it as a partial-credit score.
        """
        kernel_guard.verify()
        if not self.passed:
            self.publish_diagnoses()
            raise CheckFailed(self.message)

    def __repr__(self) -> str:
        return f"<CheckResult {'passed' if self.passed else 'FAILED'}: {self.message}>"
