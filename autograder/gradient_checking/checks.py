"""The public checks: a loss's gradients, a layer's backward pass, values against a reference.

How a tensor is judged, in order:

1. Structure: a real NumPy array of floats, exactly the expected shape, finite.
2. Against the instructor's reference, when the test gives one (exact, no finite
   differences): this also catches a forward and backward that agree but are both wrong.
3. Otherwise by central finite differences in float64: every coordinate for tensors of
   at most ``full_check_max_size`` entries (pinpoints wrong entries), else along
   ``directions`` random Gaussian directions (4 evaluations each, whatever the size).

Why random directions are strict: for a direction ``v ~ N(0, I)`` and an error
``e = yours - true``, the directional discrepancy ``<e, v>`` is ``N(0, |e|^2)``. A
tensor fails when that discrepancy exceeds ``tolerance * S`` with
``S = max(|yours|, |numeric directional derivative|)``. For an error of relative size
``r = |e| / |true|`` one direction misses it with probability at most about
``0.8 * tolerance * (1 + 1/r)``, and ``k`` independent directions with that to the
power ``k``. With the defaults (tolerance 1e-4, 3 directions) an error of 1% of the
gradient's size (one wrong row of a 128-row matrix is about 9%) slips through with
probability below 1e-6. The tolerance is relative to the gradient's norm, not to the
directional value, so a wrong row cannot hide behind a large correct remainder.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from autograder.gradient_checking.diagnosis import (
    AGREEMENT,
    Diagnosis,
    GroupTesting,
    diagnose,
    diagnose_directional,
    known_mistake,
    relative_difference,
)
from autograder.gradient_checking.finite_differences import (
    DEFAULT_STEP,
    directional_derivative,
    finite_difference_gradient,
)
from autograder.gradient_checking.numpy_settings import course_numpy_settings
from autograder.gradient_checking.results import CheckResult, TensorCheck
from autograder.gradient_checking.revealing_inputs import random_upstream_gradient
from autograder.gradient_checking.safe_calls import StudentCodeError, call_student_code
from autograder.gradient_checking.structure import (
    as_checked_array,
    finiteness_problem,
    read_only_copies,
    shape_problem,
)

DEFAULT_TOLERANCE = 1e-4
DEFAULT_DIRECTIONS = 3
FULL_CHECK_MAX_SIZE = 64
#: A tensor that fails its directional check and has at most this many entries gets a
#: full finite-difference gradient, to diagnose the failure precisely (failures only).
FULL_DIAGNOSIS_MAX_SIZE = 256
_MAX_REDRAWS = 5

Gradients = Mapping[str, Any] | Sequence[Any] | np.ndarray  # dict, tuple, or the only one


@dataclass(frozen=True)
class CheckSettings:
    """How strictly and how a gradient is checked (see the module doc)."""

    seed: int = 0
    directions: int = DEFAULT_DIRECTIONS
    step: float = DEFAULT_STEP
    tolerance: float = DEFAULT_TOLERANCE
    full_check_max_size: int = FULL_CHECK_MAX_SIZE


@dataclass(frozen=True)
class _Clues:
    """What helps name a bug: the batch size, the upstream gradient, known mistakes."""

    batch_size: int | None = None
    upstream: np.ndarray | None = None
    known_mistakes: Mapping[str, Mapping[str, np.ndarray]] | None = None

    def for_tensor(self, name: str) -> dict[str, Any]:
        """``diagnose``'s keyword arguments for the parameter ``name``."""
        return {
            "batch_size": self.batch_size,
            "upstream": self.upstream,
            "known_mistakes": (self.known_mistakes or {}).get(name),
        }


class _Loss:
    """The scalar function under test, counting its evaluations and reporting failures."""

    def __init__(self, function: Callable[..., Any], params: Mapping[str, np.ndarray]):
        self.function, self.params, self.evaluations = function, dict(params), 0

    def __call__(self, **params: np.ndarray) -> float:
        self.evaluations += 1
        value = call_student_code(self.function, *params.values())
        array, problem = as_checked_array("the loss", value)
        if array is None:
            raise StudentCodeError(problem or "the loss is not a number.")
        if array.size != 1:
            raise StudentCodeError(f"the loss should be a single number, got shape {array.shape}.")
        value = float(array.reshape(()))
        if not np.isfinite(value):
            raise StudentCodeError(
                f"the loss is {value}: look for an overflowing exp or a log of zero."
            )
        return value

    def along(self, name: str) -> Callable[[np.ndarray], float]:
        """The loss as a function of one parameter, the others held fixed."""
        return lambda value: self(**{**self.params, name: value})


def _name_gradients(gradients: Gradients, names: Sequence[str]) -> dict[str, Any]:
    if len(names) == 1 and not isinstance(gradients, (Mapping, tuple, list)):
        return {names[0]: gradients}
    if isinstance(gradients, Mapping):
        return {name: gradients.get(name) for name in names}
    if isinstance(gradients, (tuple, list)):
        if len(gradients) != len(names):
            raise StudentCodeError(
                f"expected {len(names)} gradients ({', '.join(names)}), got {len(gradients)}."
            )
        return dict(zip(names, gradients, strict=True))
    raise StudentCodeError(
        f"gradients should be a tuple or dict of arrays, got a {type(gradients).__name__}."
    )


def _explain_read_only(error: StudentCodeError) -> str:
    text = str(error)
    if "read-only" in text:
        return f"your code changed one of its inputs in place ({text}); work on a copy instead."
    return text


def _structural_verdict(
    name: str, value: Any, shape: tuple[int, ...], batch_size: int | None = None
) -> tuple[np.ndarray | None, TensorCheck | None]:
    array, problem = as_checked_array(name, value)
    if array is not None:
        problem = shape_problem(name, array, shape, batch_size) or finiteness_problem(name, array)
    if array is None or problem is not None:
        return None, TensorCheck(name, False, "structure", diagnosis=problem)
    return array, None


def _against_expected(
    name: str,
    student: np.ndarray,
    expected: np.ndarray,
    method: str,
    tolerance: float,
    floor: float = 0.0,
    **context: Any,
) -> TensorCheck:
    error = relative_difference(student, expected, floor=floor)
    if error <= tolerance:
        return TensorCheck(name, True, method, relative_error=error)
    found: Diagnosis = diagnose(name, student, expected, **context)
    return TensorCheck(
        name, False, method, error, diagnosis=found.sentence, evidence=found.evidence
    )


def _directional_verdict(
    name: str,
    student: np.ndarray,
    along: Callable[[np.ndarray], float],
    point: np.ndarray,
    rng: np.random.Generator,
    settings: CheckSettings,
    floor: float,
    clues: dict[str, Any],
) -> TensorCheck:
    norm = float(np.linalg.norm(student))
    worst, ratios, redraws, evaluations = 0.0, [], 0, 0
    for _ in range(settings.directions):
        for _attempt in range(_MAX_REDRAWS + 1):
            direction = rng.standard_normal(point.shape)
            numeric, roughness = directional_derivative(along, point, direction, settings.step)
            evaluations += 4
            scale = max(norm, abs(numeric), floor)
            if roughness <= 0.1 * settings.tolerance * scale:
                break
            redraws += 1  # the step crossed a kink: this direction proves nothing
        analytic = float(np.vdot(student, direction))
        worst = max(worst, abs(analytic - numeric) / scale)
        ratios.append(analytic / numeric if numeric != 0 else np.inf)
    check = TensorCheck(
        name, worst <= settings.tolerance, "directional", worst, evaluations, redraws=redraws
    )
    if not check.passed:
        found, extra = _explain_directional_failure(
            name, student, along, point, ratios, settings, floor, clues
        )
        check.diagnosis, check.evidence = found.sentence, found.evidence
        check.evaluations += extra
    return check


def _explain_directional_failure(
    name: str,
    student: np.ndarray,
    along: Callable[[np.ndarray], float],
    point: np.ndarray,
    ratios: list[float],
    settings: CheckSettings,
    floor: float,
    clues: dict[str, Any],
) -> tuple[Diagnosis, int]:
    """A known mistake; else a full diagnosis when the tensor is small enough; else the
    cheap directional one. Returns the diagnosis and the evaluations it cost."""
    mistake = known_mistake(name, student, clues["known_mistakes"])
    if mistake is not None:
        return mistake, 0
    if point.size <= FULL_DIAGNOSIS_MAX_SIZE or student.ndim != 2:
        numeric = finite_difference_gradient(along, point, settings.step)
        return diagnose(name, student, numeric, **clues), 2 * point.size
    localise = GroupTesting(student, along, point, settings.step, settings.tolerance, floor)
    return diagnose_directional(name, student, ratios, clues["batch_size"], localise)


def _judge_tensor(
    label: str,
    student: np.ndarray,
    objective: _Loss,
    name: str,
    expected: np.ndarray | None,
    settings: CheckSettings,
    floor: float,
    clues: dict[str, Any],
    index: int,
) -> TensorCheck:
    """One structurally sound gradient: against the reference, else finite differences."""
    point = objective.params[name]
    if expected is not None:
        return _against_expected(label, student, expected, "reference", AGREEMENT, **clues)
    if point.size <= settings.full_check_max_size:
        before = objective.evaluations
        numeric = finite_difference_gradient(objective.along(name), point, settings.step)
        verdict = _against_expected(
            label, student, numeric, "full", settings.tolerance, floor, **clues
        )
        verdict.evaluations = objective.evaluations - before
        return verdict
    rng = np.random.default_rng([settings.seed, index])
    return _directional_verdict(
        label, student, objective.along(name), point, rng, settings, floor, clues
    )


def _check_all(
    what: str,
    loss: Callable[..., Any],
    params: Mapping[str, np.ndarray],
    gradients: Gradients | Callable[..., Gradients],
    settings: CheckSettings,
    clues: _Clues,
    reference: Mapping[str, np.ndarray] | None,
    notes: list[str],
) -> CheckResult:
    result = CheckResult(what, seed=settings.seed, notes=notes)
    frozen = read_only_copies(params)
    objective = _Loss(loss, frozen)
    try:
        returned = (
            call_student_code(gradients, *frozen.values()) if callable(gradients) else gradients
        )
        students = _name_gradients(returned, list(frozen))
        base_value = objective(**frozen)  # the loss itself must evaluate cleanly
    except StudentCodeError as error:
        result.problem = _explain_read_only(error)
        return result
    # Finite differences carry rounding noise of about 1e-16 * |loss| / step; gradients
    # smaller than this floor (a dead ReLU unit's row) are compared in absolute terms.
    floor = 1e-6 * max(1.0, abs(base_value))
    for index, (name, point) in enumerate(frozen.items()):
        label = f"d{name}"
        student, verdict = _structural_verdict(label, students[name], point.shape, clues.batch_size)
        if student is not None:
            expected = None
            if reference is not None and name in reference:
                expected = np.asarray(reference[name], dtype=np.float64)
            try:
                verdict = _judge_tensor(
                    label,
                    student,
                    objective,
                    name,
                    expected,
                    settings,
                    floor,
                    clues.for_tensor(name),
                    index,
                )
            except StudentCodeError as error:
                result.problem = _explain_read_only(error)
                return result
        assert verdict is not None
        result.tensors.append(verdict)
    result.evaluations = objective.evaluations
    return result


def _float64_notes(arrays: Mapping[str, np.ndarray]) -> list[str]:
    narrow = [n for n, a in arrays.items() if np.asarray(a).dtype != np.float64]
    if not narrow:
        return []
    return [
        f"{', '.join(narrow)} converted to float64 for the check (finite differences "
        "need double precision)."
    ]


def check_gradient(
    loss: Callable[..., Any],
    params: Mapping[str, np.ndarray],
    gradients: Gradients | Callable[..., Gradients],
    *,
    seed: int = 0,
    directions: int = DEFAULT_DIRECTIONS,
    step: float = DEFAULT_STEP,
    tolerance: float = DEFAULT_TOLERANCE,
    full_check_max_size: int = FULL_CHECK_MAX_SIZE,
    batch_size: int | None = None,
    reference: Mapping[str, np.ndarray] | None = None,
    known_mistakes: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    what: str = "gradient check",
) -> CheckResult:
    """Check the gradients of a scalar ``loss`` with respect to each array in ``params``.

    Args:
        loss: called as ``loss(*params.values())``; returns a number.
        params: name -> array, e.g. ``{"W": W, "b": b}``; checked in float64, read-only.
        gradients: your gradients, as a dict by name, a tuple in the order of ``params``,
            or a function called as ``gradients(*params.values())`` returning one of those.
        seed: seeds the random directions; recorded in the result to replay the check.
        batch_size: m, so that "off by a factor of m" can be recognised.
        reference: instructor's exact gradients by name (then no finite differences).
        known_mistakes: name -> {sentence: gradient that mistake would give}.

    Returns a :class:`CheckResult`; call ``.assert_passed()`` to use it as an assertion.
    """
    with course_numpy_settings():
        settings = CheckSettings(seed, directions, step, tolerance, full_check_max_size)
        clues = _Clues(batch_size, None, known_mistakes)
        return _check_all(
            what, loss, params, gradients, settings, clues, reference, _float64_notes(params)
        )


def check_layer_gradient(
    forward: Callable[..., Any],
    backward: Callable[..., Gradients],
    inputs: Mapping[str, np.ndarray],
    *,
    seed: int = 0,
    upstream: np.ndarray | None = None,
    batch_size: int | None = None,
    reference: Mapping[str, np.ndarray] | None = None,
    known_mistakes: Mapping[str, Mapping[str, np.ndarray]] | None = None,
    what: str = "backward pass",
    directions: int = DEFAULT_DIRECTIONS,
    step: float = DEFAULT_STEP,
    tolerance: float = DEFAULT_TOLERANCE,
    full_check_max_size: int = FULL_CHECK_MAX_SIZE,
) -> CheckResult:
    """Check a layer's backward pass against its forward pass.

    Args:
        forward: called as ``forward(*inputs.values())``; returns the layer output.
        backward: called as ``backward(upstream, *inputs.values())``; returns the gradient
            for each input (dict by name, a tuple in the order of ``inputs``, or a single
            array when there is one input).
        inputs: name -> array, e.g. ``{"A_prev": A, "W": W, "b": b}``.
        upstream: dL/d(output); by default random (never all ones, which hides bugs).

    The scalar checked is ``L = sum(forward(*inputs) * upstream)``, whose gradient
    with respect to each input is exactly what ``backward(upstream, ...)`` must return.
    """
    with course_numpy_settings():
        frozen = read_only_copies(inputs)
        what_result = CheckResult(what, seed=seed)
        try:
            output = call_student_code(forward, *frozen.values())
        except StudentCodeError as error:
            what_result.problem = _explain_read_only(error)
            return what_result
        array, problem = as_checked_array("the forward output", output)
        if array is None:
            what_result.problem = problem
            return what_result
        if upstream is None:
            upstream = random_upstream_gradient(array.shape, np.random.default_rng([seed, 7]))
        upstream = np.array(upstream, dtype=np.float64)
        upstream.setflags(write=False)

        def weighted_output(*values: np.ndarray) -> float:
            return float(np.sum(np.asarray(forward(*values), dtype=np.float64) * upstream))

        def gradients_for_upstream(*values: np.ndarray) -> Gradients:
            return backward(upstream, *values)

        weighted_output.__name__ = getattr(forward, "__name__", "forward")
        gradients_for_upstream.__name__ = getattr(backward, "__name__", "backward")
        settings = CheckSettings(seed, directions, step, tolerance, full_check_max_size)
        clues = _Clues(batch_size, upstream, known_mistakes)
        notes = _float64_notes(inputs)
        return _check_all(
            what, weighted_output, frozen, gradients_for_upstream, settings, clues, reference, notes
        )


def check_values(
    name: str,
    got: Any,
    expected: np.ndarray | float,
    *,
    tolerance: float = AGREEMENT,
    batch_size: int | None = None,
    known_mistakes: Mapping[str, np.ndarray] | None = None,
    what: str | None = None,
) -> CheckResult:
    """Compare a value the student computed (an output, a loss) with the expected one.

    Structural checks first, then the relative difference, then a diagnosis.
    """
    with course_numpy_settings():
        expected = np.asarray(expected, dtype=np.float64)
        result = CheckResult(what or name)
        array, verdict = _structural_verdict(name, got, expected.shape)
        if array is not None:
            verdict = _against_expected(
                name,
                array,
                expected,
                "reference",
                tolerance,
                batch_size=batch_size,
                known_mistakes=known_mistakes,
            )
        assert verdict is not None
        result.tensors.append(verdict)
        return result
