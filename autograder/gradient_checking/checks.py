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
from typing import Any

import numpy as np

from .diagnosis import AGREEMENT, Diagnosis, diagnose, relative_difference, scale_factor_diagnosis
from .finite_differences import DEFAULT_STEP, directional_derivative, finite_difference_gradient
from .results import CheckResult, TensorCheck
from .safe_calls import StudentCodeError, call_student_code
from .structure import as_checked_array, finiteness_problem, read_only_copies, shape_problem
from .test_inputs import random_upstream_gradient

DEFAULT_TOLERANCE = 1e-4
DEFAULT_DIRECTIONS = 3
FULL_CHECK_MAX_SIZE = 64
#: A tensor that fails its directional check and has at most this many entries gets a
#: full finite-difference gradient, to diagnose the failure precisely (failures only).
FULL_DIAGNOSIS_MAX_SIZE = 256
_MAX_REDRAWS = 5

Gradients = Mapping[str, Any] | Sequence[Any]


class _Loss:
    """The scalar function under test, counting its evaluations and reporting failures."""

    def __init__(self, function: Callable[..., Any], params: Mapping[str, np.ndarray]):
        self.function, self.params, self.evaluations = function, dict(params), 0

    def __call__(self, **params: np.ndarray) -> float:
        self.evaluations += 1
        value = call_student_code(self.function, *params.values())
        array, problem = as_checked_array("the loss", value)
        if problem is not None:
            raise StudentCodeError(problem)
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
    problem = (
        problem or shape_problem(name, array, shape, batch_size) or finiteness_problem(name, array)
    )
    if problem is not None:
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
    *,
    directions: int,
    step: float,
    tolerance: float,
    floor: float,
    context: dict[str, Any],
) -> TensorCheck:
    norm = float(np.linalg.norm(student))
    worst, ratios, redraws, evaluations = 0.0, [], 0, 0
    for _ in range(directions):
        for _attempt in range(_MAX_REDRAWS + 1):
            direction = rng.standard_normal(point.shape)
            numeric, roughness = directional_derivative(along, point, direction, step)
            evaluations += 4
            scale = max(norm, abs(numeric), floor)
            if roughness <= 0.1 * tolerance * scale:
                break
            redraws += 1  # the step crossed a kink: this direction proves nothing
        analytic = float(np.vdot(student, direction))
        worst = max(worst, abs(analytic - numeric) / scale)
        ratios.append(analytic / numeric if numeric != 0 else np.inf)
    check = TensorCheck(
        name, worst <= tolerance, "directional", worst, evaluations, redraws=redraws
    )
    if check.passed:
        return check
    mistakes = [
        sentence
        for sentence, mistaken in (context["known_mistakes"] or {}).items()
        if mistaken.shape == student.shape and relative_difference(student, mistaken) <= AGREEMENT
    ]
    if mistakes:
        found, extra = Diagnosis(mistakes[0], f"{name} matches that mistake exactly"), 0
    elif point.size <= FULL_DIAGNOSIS_MAX_SIZE or student.ndim != 2:
        numeric = finite_difference_gradient(along, point, step)
        found, extra = diagnose(name, student, numeric, **context), 2 * point.size
    else:
        found, extra = _diagnose_directional(
            name, student, along, point, ratios, step, tolerance, floor, context["batch_size"]
        )
    check.diagnosis, check.evidence = found.sentence, found.evidence
    check.evaluations += extra
    return check


def _diagnose_directional(
    name: str,
    student: np.ndarray,
    along: Callable[[np.ndarray], float],
    point: np.ndarray,
    ratios: list[float],
    step: float,
    tolerance: float,
    floor: float,
    batch_size: int | None,
) -> tuple[Diagnosis, int]:
    """Explain a directional failure cheaply: a common scale factor, else a wrong row/column.

    Only runs on failure, for tensors too large for a full diagnosis. Wrong rows and
    columns are found by group testing (bisection), about 4 * log2(n) evaluations each.
    """
    finite = [r for r in ratios if np.isfinite(r)]
    if len(finite) == len(ratios) and max(finite) - min(finite) <= 1e-3 * max(1.0, abs(finite[0])):
        return scale_factor_diagnosis(name, float(np.mean(finite)), batch_size), 0
    generic = Diagnosis(
        f"{name} does not match finite differences: re-derive it with the chain rule, "
        "one factor at a time."
    )
    if student.ndim != 2:
        return generic, 0
    rng = np.random.default_rng(0)
    evaluations = 0

    def group_is_wrong(axis: int, indices: np.ndarray, tries: int = 2) -> bool:
        """Does the group of rows/columns hold an error? Two directions, so that one
        unlucky direction (nearly orthogonal to the error) cannot hide it."""
        nonlocal evaluations
        for _ in range(tries):
            direction = np.zeros_like(point)
            if axis == 0:
                direction[indices] = rng.standard_normal((len(indices), point.shape[1]))
            else:
                direction[:, indices] = rng.standard_normal((point.shape[0], len(indices)))
            # Unnormalised Gaussian direction, as in the main check: <error, direction>
            # has the size of the error itself, so the group's norm is the right scale.
            norm = float(np.linalg.norm(direction))
            unit = direction / norm
            numeric = norm * (along(point + step * unit) - along(point - step * unit)) / (2 * step)
            evaluations += 2
            part = np.take(student, indices, axis=axis)
            scale = max(float(np.linalg.norm(part)), abs(numeric), floor)
            if abs(float(np.vdot(student, direction)) - numeric) > tolerance * scale:
                return True
        return False

    def wrong_along(axis: int, limit: int = 4) -> list[int] | None:
        """Indices of wrong rows (axis 0) or columns (axis 1); None if more than ``limit``."""
        found: list[int] = []
        pending = [np.arange(point.shape[axis])]
        while pending:
            group = pending.pop()
            if not group_is_wrong(axis, group):
                continue
            if len(group) == 1:
                found.append(int(group[0]))
                if len(found) > limit:
                    return None
                continue
            half = len(group) // 2
            pending += [group[half:], group[:half]]
        return sorted(found)

    rows, cols = wrong_along(0), wrong_along(1)
    if rows is not None and cols is not None and len(rows) == 1 and len(cols) == 1:
        index = (rows[0], cols[0])
        moved = point.copy()
        moved[index] += step
        plus = along(moved)
        moved[index] -= 2 * step
        expected = (plus - along(moved)) / (2 * step)
        return Diagnosis(
            f"{name} is wrong only at entry {index}.",
            f"yours {student[index]:.6g} vs expected {expected:.6g}",
        ), evaluations + 2
    if rows is not None and len(rows) == 1:
        return Diagnosis(f"{name} is wrong only in row {rows[0]}."), evaluations
    if cols is not None and len(cols) == 1:
        return Diagnosis(f"{name} is wrong only in column {cols[0]}."), evaluations
    return generic, evaluations


def _check_all(
    what: str,
    loss: Callable[..., Any],
    params: Mapping[str, np.ndarray],
    gradients: Gradients | Callable[..., Gradients],
    *,
    seed: int,
    directions: int,
    step: float,
    tolerance: float,
    full_check_max_size: int,
    batch_size: int | None,
    reference: Mapping[str, np.ndarray] | None,
    known_mistakes: Mapping[str, Mapping[str, np.ndarray]] | None,
    upstream: np.ndarray | None,
    notes: list[str],
) -> CheckResult:
    result = CheckResult(what, seed=seed, notes=notes)
    frozen = read_only_copies(params)
    names = list(frozen)
    objective = _Loss(loss, frozen)
    try:
        if callable(gradients):
            gradients = call_student_code(gradients, *frozen.values())
        students = _name_gradients(gradients, names)
        base_value = objective(**frozen)  # the loss itself must evaluate cleanly
    except StudentCodeError as error:
        result.problem = _explain_read_only(error)
        return result
    # Finite differences carry rounding noise of about 1e-16 * |loss| / step; gradients
    # smaller than this floor (a dead ReLU unit's row) are compared in absolute terms.
    floor = 1e-6 * max(1.0, abs(base_value))
    for index, name in enumerate(names):
        point = frozen[name]
        label = f"d{name}"
        student, verdict = _structural_verdict(label, students[name], point.shape, batch_size)
        if verdict is None:
            context = {
                "batch_size": batch_size,
                "upstream": upstream,
                "known_mistakes": (known_mistakes or {}).get(name),
            }
            try:
                if reference is not None and name in reference:
                    expected = np.asarray(reference[name], dtype=np.float64)
                    verdict = _against_expected(
                        label, student, expected, "reference", AGREEMENT, **context
                    )
                elif point.size <= full_check_max_size:
                    before = objective.evaluations
                    numeric = finite_difference_gradient(objective.along(name), point, step)
                    verdict = _against_expected(
                        label, student, numeric, "full", tolerance, floor, **context
                    )
                    verdict.evaluations = objective.evaluations - before
                else:
                    rng = np.random.default_rng([seed, index])
                    verdict = _directional_verdict(
                        label,
                        student,
                        objective.along(name),
                        point,
                        rng,
                        directions=directions,
                        step=step,
                        tolerance=tolerance,
                        floor=floor,
                        context=context,
                    )
            except StudentCodeError as error:
                result.problem = _explain_read_only(error)
                return result
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
    return _check_all(
        what,
        loss,
        params,
        gradients,
        seed=seed,
        directions=directions,
        step=step,
        tolerance=tolerance,
        full_check_max_size=full_check_max_size,
        batch_size=batch_size,
        reference=reference,
        known_mistakes=known_mistakes,
        upstream=None,
        notes=_float64_notes(params),
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
    frozen = read_only_copies(inputs)
    what_result = CheckResult(what, seed=seed)
    try:
        output = call_student_code(forward, *frozen.values())
    except StudentCodeError as error:
        what_result.problem = _explain_read_only(error)
        return what_result
    array, problem = as_checked_array("the forward output", output)
    if problem is not None:
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
    return _check_all(
        what,
        weighted_output,
        frozen,
        gradients_for_upstream,
        seed=seed,
        directions=directions,
        step=step,
        tolerance=tolerance,
        full_check_max_size=full_check_max_size,
        batch_size=batch_size,
        reference=reference,
        known_mistakes=known_mistakes,
        upstream=upstream,
        notes=_float64_notes(inputs),
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
    expected = np.asarray(expected, dtype=np.float64)
    result = CheckResult(what or name)
    array, verdict = _structural_verdict(name, got, expected.shape)
    if verdict is None:
        verdict = _against_expected(
            name,
            array,
            expected,
            "reference",
            tolerance,
            batch_size=batch_size,
            known_mistakes=known_mistakes,
        )
    result.tensors.append(verdict)
    return result
