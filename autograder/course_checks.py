"""Ready-made checks for the course's functions, in the course's gradient convention.

Convention (as in the lessons): ``dZ`` and ``dA`` hold each example's own gradient
(row i is dL_i/dZ_i, not divided by m). The cost is the batch mean
``J = (1/m) * sum_i L_i``, so the 1/m appears exactly once, where a parameter's
gradient sums over the batch: ``dW = (1/m) dZ.T @ A_prev`` and ``db = (1/m) sum dZ``.

These helpers draw inputs that keep bugs visible (distinct sizes, random values,
no ReLU kink), call the student's functions safely, and return a ``CheckResult``.
They contain no solution: the numbers they compare against come from finite
differences of the student's own forward pass, or from the caller's ``reference``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograder.gradient_checking import (
    CheckResult,
    StudentCodeError,
    away_from_kink,
    call_student_code,
    check_gradient,
    check_layer_gradient,
    check_values,
    inputs_off_relu_kink,
    one_hot,
    random_labels,
)
from autograder.gradient_checking.finite_differences import finite_difference_gradient
from autograder.gradient_checking.numpy_settings import course_numpy_settings


def check_activation_backward(
    forward: Callable[[np.ndarray], np.ndarray],
    backward: Callable[[np.ndarray, np.ndarray], np.ndarray],
    *,
    shape: tuple[int, int] = (7, 5),
    seed: int = 0,
    what: str = "activation backward",
) -> CheckResult:
    """``backward(dA, Z) -> dZ`` must equal ``dA * g'(Z)`` for ``forward = g``.

    Z: (m, n) pre-activations, kept at least 0.05 away from 0 (ReLU's kink).
    """
    with course_numpy_settings():
        rng = np.random.default_rng(seed)
        Z = away_from_kink(2.0 * rng.standard_normal(shape), rng=rng)
        return check_layer_gradient(forward, backward, {"Z": Z}, seed=seed, what=what)


def check_linear_backward(
    forward: Callable[..., np.ndarray],
    backward: Callable[..., Any],
    *,
    sizes: tuple[int, int, int] = (7, 5, 3),
    seed: int = 0,
    what: str = "linear_backward",
) -> CheckResult:
    """``backward(dZ, cache) -> (dA_prev, dW, db)`` for ``Z = forward(A_prev, W, b)``.

    sizes: (m, n_in, n_out), all different so a transpose or a missing sum shows.
    A_prev: (m, n_in), W: (n_out, n_in), b: (n_out,), cache = (A_prev, W, b).
    dW and db are checked as gradients of the batch-mean cost; dA_prev, which stays
    per example, is compared after dividing by m (see the module's convention).
    """
    with course_numpy_settings():
        m, n_in, n_out = sizes
        rng = np.random.default_rng(seed)
        inputs = {
            "A_prev": rng.standard_normal((m, n_in)),
            "W": rng.standard_normal((n_out, n_in)),
            "b": rng.standard_normal(n_out),
        }

        def mean_forward(A_prev: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
            return forward(A_prev, W, b) / m

        def backward_of_mean(dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray, b: np.ndarray):
            grads = backward(dZ, (A_prev, W, b))
            if isinstance(grads, tuple) and len(grads) == 3 and type(grads[0]) is np.ndarray:
                return grads[0] / m, grads[1], grads[2]
            return grads

        backward_of_mean.__name__ = getattr(backward, "__name__", "linear_backward")
        mean_forward.__name__ = getattr(forward, "__name__", "linear_forward")
        return check_layer_gradient(
            mean_forward, backward_of_mean, inputs, seed=seed, batch_size=m, what=what
        )


def classification_batch(
    m: int = 9, classes: int = 4, seed: int = 0, scale: float = 3.0
) -> tuple[np.ndarray, np.ndarray]:
    """Scores Z: (m, classes) and one-hot labels Y: (m, classes) covering every class."""
    with course_numpy_settings():
        rng = np.random.default_rng(seed)
        return scale * rng.standard_normal((m, classes)), one_hot(
            random_labels(m, classes, rng), classes
        )


def check_cost_gradient(
    cost_function: Callable[[np.ndarray, np.ndarray], Any],
    Z: np.ndarray,
    Y: np.ndarray,
    *,
    what: str = "cost gradient",
) -> CheckResult:
    """``cost_function(Z, Y) -> (cost, dZ)``: cost is the batch mean, dZ is per example.

    Z, Y: (m, k). dZ must be m times the gradient of the mean cost (each row is
    that example's own gradient), which is what is checked.
    """
    with course_numpy_settings():
        m = Z.shape[0]
        result = CheckResult(what)
        try:
            returned = call_student_code(cost_function, Z.copy(), Y.copy())
        except StudentCodeError as error:
            result.problem = str(error)
            return result
        if not (isinstance(returned, tuple) and len(returned) == 2):
            result.problem = (
                f"{getattr(cost_function, '__name__', 'your function')} should return (cost, dZ)."
            )
            return result

        def total_cost(Z: np.ndarray) -> float:
            return m * float(cost_function(Z, Y)[0])

        return check_gradient(
            total_cost,
            {"Z": Z},
            {"Z": returned[1]},
            batch_size=m,
            known_mistakes={"Z": convention_slips(cost_function, Z, Y)},
            what=what,
        )


def convention_slips(
    cost_function: Callable[[np.ndarray, np.ndarray], Any], Z: np.ndarray, Y: np.ndarray
) -> dict[str, np.ndarray]:
    """The dZ that two slips against the course's conventions give, by sentence.

    Z, Y: (m, k). Each example's own gradient of the student's cost (m times the
    gradient of the batch mean) is what dZ should be; dividing it by m follows a text
    whose dZ is the mean cost's gradient, and a cost averaged over every entry
    (``np.mean``, 1/(m k)) makes a right dZ look k times too large. Empty when the
    cost cannot be evaluated (the main check then says why).
    """
    m, k = Z.shape

    def total_cost(Z: np.ndarray) -> float:
        return m * float(call_student_code(cost_function, Z, Y.copy())[0])

    try:
        per_example = finite_difference_gradient(total_cost, Z)
    except (StudentCodeError, TypeError, ValueError, IndexError, KeyError):
        return {}
    table = "see the conventions table in the course index"
    slips = {
        f"dZ is divided by the batch size (m = {m}): in this course dZ holds each example's "
        f"own gradient (row i is dL_i/dZ_i, no 1/m); the 1/m goes only into dW and db "
        f"({table}).": per_example / m,
    }
    if k > 1:
        slips[
            f"dZ is {k} times the gradient of your cost, so look at the cost: it is the mean "
            f"over the m examples of each example's sum over its k = {k} outputs; np.mean over "
            f"every entry divides by m*k ({table})."
        ] = k * per_example
    return slips


NETWORK_PARAMETERS = ("W1", "b1", "W2", "b2")


def network_batch(
    sizes: tuple[int, int, int, int] = (9, 6, 5, 4), seed: int = 0
) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """Inputs for a 2-layer ReLU network: X: (m, n_in), Y one-hot: (m, n_out), and params.

    sizes: (m, n_in, n_hidden, n_out), all different. W1: (n_hidden, n_in), b1: (n_hidden,),
    W2: (n_out, n_hidden), b2: (n_out,). X is nudged so no hidden pre-activation sits
    within 0.05 of ReLU's kink, and the labels cover every class.
    """
    with course_numpy_settings():
        m, n_in, n_hidden, n_out = sizes
        rng = np.random.default_rng(seed)
        params = {
            "W1": rng.standard_normal((n_hidden, n_in)),
            "b1": 0.5 * rng.standard_normal(n_hidden),
            "W2": rng.standard_normal((n_out, n_hidden)),
            "b2": 0.5 * rng.standard_normal(n_out),
        }
        X = inputs_off_relu_kink(rng.standard_normal((m, n_in)), params["W1"], params["b1"], 0.05)
        return X, one_hot(random_labels(m, n_out, rng), n_out), params


def check_network_backward(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    *,
    sizes: tuple[int, int, int, int] = (9, 6, 5, 4),
    seed: int = 0,
    reference: dict[str, np.ndarray] | None = None,
    known_mistakes: dict[str, dict[str, np.ndarray]] | None = None,
    inputs: tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]] | None = None,
    mean_of_examples: bool = False,
    what: str = "backward",
) -> CheckResult:
    """Check ``backward(scores, Y, cache, params) -> (cost, grads)`` of a 2-layer network.

    ``forward(X, params) -> (scores, cache)``. The gradients must be those of the cost
    that ``backward`` itself returns (finite differences through ``forward``), or equal
    ``reference`` when given. grads: dict with keys W1, b1, W2, b2, shaped like params.

    ``mean_of_examples``: differentiate the course's definition of the cost instead, the
    mean over the batch of each example's own cost (``backward`` on that example alone),
    so that a batch-sum cost with gradients to match (no 1/m anywhere) fails.
    """
    with course_numpy_settings():
        X, Y, params = inputs or network_batch(sizes, seed)
        m = X.shape[0]

        def cost_of(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> Any:
            p = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
            if mean_of_examples:
                return sum(_cost_of_rows(forward, backward, X, Y, p, [i]) for i in range(m)) / m
            scores, cache = forward(X, p)
            return backward(scores, Y, cache, p)[0]

        def gradients_of(W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray) -> Any:
            p = {"W1": W1, "b1": b1, "W2": W2, "b2": b2}
            scores, cache = forward(X, p)
            returned = backward(scores, Y, cache, p)
            if not (isinstance(returned, tuple) and len(returned) == 2):
                raise TypeError("backward should return (cost, grads)")
            return returned[1]

        cost_of.__name__ = gradients_of.__name__ = getattr(backward, "__name__", "backward")
        return check_gradient(
            cost_of,
            params,
            gradients_of,
            seed=seed,
            batch_size=m,
            reference=reference,
            known_mistakes=known_mistakes,
            what=what,
        )


def _cost_of_rows(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    X: np.ndarray,
    Y: np.ndarray,
    params: dict[str, np.ndarray],
    rows: list[int],
) -> float:
    """``backward``'s cost on the examples ``rows`` of the batch, as a float."""
    scores, cache = forward(X[rows], params)
    cost = np.asarray(backward(scores, Y[rows], cache, params)[0], dtype=np.float64)
    if cost.size != 1:
        raise TypeError(f"the cost should be a single number, got shape {cost.shape}")
    return float(cost.reshape(()))


def check_network_cost(
    forward: Callable[..., Any],
    backward: Callable[..., Any],
    *,
    sizes: tuple[int, int, int, int] = (9, 6, 5, 4),
    seed: int = 0,
    what: str = "cost",
) -> CheckResult:
    """The cost ``backward`` returns, against the course's definition, without a reference
    implementation: for equal scores (``W2`` and ``b2`` zero) every class has probability
    1/k, so the cost is ``log k``; and the cost of a batch is the *mean* of its examples'
    own costs (``backward`` on each example alone), not their sum.

    sizes: (m, n_in, n_hidden, n_out) of the batch (``network_batch``).
    """
    with course_numpy_settings():
        X, Y, params = network_batch(sizes, seed)
        m, n_out = Y.shape
        result = CheckResult(what)
        equal = {**params, "W2": np.zeros_like(params["W2"]), "b2": np.zeros_like(params["b2"])}
        try:
            at_equal_scores = call_student_code(
                _cost_of_rows, forward, backward, X, Y, equal, [*range(m)]
            )
            batch = call_student_code(_cost_of_rows, forward, backward, X, Y, params, [*range(m)])
            each = [
                call_student_code(_cost_of_rows, forward, backward, X, Y, params, [i])
                for i in range(m)
            ]
        except StudentCodeError as error:
            result.problem = str(error)
            return result
        for name, got, expected in [
            (f"cost for equal scores (log {n_out})", at_equal_scores, np.log(n_out)),
            ("cost of a batch (the mean of its examples' costs)", batch, float(np.mean(each))),
        ]:
            result.tensors += check_values(name, got, expected, batch_size=m).tensors
        return result


def combined(*results: CheckResult) -> CheckResult:
    """One result that passes a tensor only if every result passed it (first failure kept).

    Lets a test cell give partial credit from its visible and hidden checks together.
    """
    with course_numpy_settings():
        merged = CheckResult(results[0].what, seed=results[0].seed)
        for result in results:
            if result.problem is not None:
                merged.problem = merged.problem or result.problem
        by_name: dict[str, Any] = {}
        for result in results:
            for tensor in result.tensors:
                if tensor.name not in by_name or (
                    by_name[tensor.name].passed and not tensor.passed
                ):
                    by_name[tensor.name] = tensor
        merged.tensors = list(by_name.values())
        merged.evaluations = sum(r.evaluations for r in results)
        return merged
