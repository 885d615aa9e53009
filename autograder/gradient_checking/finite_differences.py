"""Central finite differences in float64: per coordinate and along a direction.

``scalar_function`` below is always a function of one array (the parameter being
checked) that returns a float; the checks build it from the student's loss.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ScalarFunction = Callable[[np.ndarray], float]

#: Default step. With float64 losses of order 1 this balances truncation (h**2)
#: against rounding (1e-16 / h) near 1e-10 relative, far below the tolerance.
DEFAULT_STEP = 1e-5


def finite_difference_gradient(
    scalar_function: ScalarFunction, x: np.ndarray, step: float = DEFAULT_STEP
) -> np.ndarray:
    """Numerical gradient of ``scalar_function`` at ``x``, one coordinate at a time.

    Costs ``2 * x.size`` evaluations: use it for small tensors, where it can point at
    the exact entries that are wrong.  Returns an array shaped like ``x``.
    """
    x = np.array(x, dtype=np.float64, copy=True)
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        gradient[index] = _coordinate_in_place(scalar_function, x, index, step)
    return gradient


def directional_derivative(
    scalar_function: ScalarFunction,
    x: np.ndarray,
    direction: np.ndarray,
    step: float = DEFAULT_STEP,
) -> tuple[float, float]:
    """Derivative of ``scalar_function`` at ``x`` along ``direction`` (not normalised).

    Steps along the unit vector so that the step size means the same for any
    tensor, then scales back by ``|direction|``.  Returns ``(estimate, smoothness)``:
    the central difference with step h, and its disagreement with the one at h/2.
    For a smooth function the two agree to O(h**2); a large disagreement means the
    step crossed a kink (ReLU at 0, a max) and the estimate must not be trusted.
    Costs 4 evaluations.
    """
    norm = float(np.linalg.norm(direction))
    unit = direction / norm
    full = central_difference(scalar_function, x, unit, step)
    half = central_difference(scalar_function, x, unit, step / 2)
    return norm * half, norm * abs(full - half)


def central_difference(
    scalar_function: ScalarFunction, x: np.ndarray, unit: np.ndarray, step: float = DEFAULT_STEP
) -> float:
    """``(f(x + h u) - f(x - h u)) / 2h``: the derivative along the unit vector ``u``
    (2 evaluations). Every finite difference in the package is this one."""
    plus, minus = scalar_function(x + step * unit), scalar_function(x - step * unit)
    return (plus - minus) / (2 * step)


def coordinate_derivative(
    scalar_function: ScalarFunction, x: np.ndarray, index: tuple[int, ...], step: float
) -> float:
    """The partial derivative of ``scalar_function`` with respect to ``x[index]``."""
    return _coordinate_in_place(scalar_function, np.array(x, dtype=np.float64), index, step)


def _coordinate_in_place(
    scalar_function: ScalarFunction, x: np.ndarray, index: tuple[int, ...], step: float
) -> float:
    # Moves one entry of x and puts it back: no copy per coordinate, for large tensors.
    original = x[index]
    x[index] = original + step
    plus = scalar_function(x)
    x[index] = original - step
    minus = scalar_function(x)
    x[index] = original
    return (plus - minus) / (2 * step)
