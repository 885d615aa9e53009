"""Structural checks that come before any number: type, shape, dtype, finiteness, mutation.

A gradient with the wrong shape can still "sum to the right thing" through
broadcasting, so shapes are compared exactly and first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

import numpy as np


def as_checked_array(name: str, value: object) -> tuple[np.ndarray | None, str | None]:
    """Return ``(float64 copy, None)`` or ``(None, problem)`` for a value a student returned.

    Only real NumPy arrays and plain Python numbers are accepted: an object with a
    doctored ``__array__`` or ``__eq__`` is refused rather than converted.
    """
    if type(value) is np.ndarray:
        if value.dtype.kind not in "fiu":
            return None, f"{name} has dtype {value.dtype}; expected an array of floats."
        return np.array(value, dtype=np.float64, copy=True), None
    if type(value) in (float, int) or isinstance(value, np.floating):  # exact types: no impostor
        return np.array(float(cast(float, value)), dtype=np.float64), None
    if value is None:
        return None, f"{name} is None: did you forget a return statement?"
    return None, f"{name} is a {type(value).__name__}; expected a NumPy array."


def shape_problem(
    name: str, got: np.ndarray, expected_shape: tuple[int, ...], batch_size: int | None = None
) -> str | None:
    """A one-line explanation when ``got`` does not have exactly ``expected_shape``."""
    if got.shape == tuple(expected_shape):
        return None
    message = f"{name} has shape {got.shape}, expected {tuple(expected_shape)}"
    if (
        batch_size is not None
        and got.ndim == len(expected_shape) == 1
        and got.shape[0] == batch_size != expected_shape[0]
    ):
        return message + ": you summed over the wrong axis; sum over axis 0 (the batch axis)."
    if got.ndim == len(expected_shape) + 1:
        for axis in range(got.ndim):
            if got.shape[:axis] + got.shape[axis + 1 :] == tuple(expected_shape):
                return message + f": sum it over axis {axis} (the batch axis)."
    if got.ndim == len(expected_shape) and got.ndim >= 1:
        for axis, (g, e) in enumerate(zip(got.shape, expected_shape, strict=True)):
            if g != e and 1 in (g, e) and np.prod(got.shape) > np.prod(expected_shape):
                return message + f": sum it over axis {axis} (the batch axis)."
            if g != e and g == 1 and np.prod(got.shape) < np.prod(expected_shape):
                return message + f": axis {axis} was summed away; keep it."
    if got.ndim == 2 and got.shape == tuple(expected_shape)[::-1]:
        return message + ": it looks transposed."
    return message + "."


def finiteness_problem(name: str, got: np.ndarray) -> str | None:
    """Say where NaN or infinity appears, if it does."""
    bad = ~np.isfinite(got)
    if not bad.any():
        return None
    where = tuple(int(i) for i in np.argwhere(bad)[0]) if got.ndim else ()
    kind = "NaN" if np.isnan(got).any() else "infinity"
    return (
        f"{name} contains {kind} ({int(bad.sum())} of {got.size} entries, first at index "
        f"{where}): look for an overflowing exp or a log/division of zero."
    )


def read_only_copies(arrays: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Fresh float64 copies marked read-only, so in-place mutation raises instead of lying."""
    copies = {}
    for name, array in arrays.items():
        copy = np.array(array, dtype=np.float64, copy=True)
        copy.setflags(write=False)
        copies[name] = copy
    return copies


def mutation_problem(
    originals: Mapping[str, np.ndarray], used: Mapping[str, np.ndarray]
) -> str | None:
    """Name the first input that a call changed (for inputs that could not be made read-only)."""
    for name, original in originals.items():
        if not np.array_equal(original, used[name], equal_nan=True):
            return f"your code changed its input {name} in place; work on a copy instead."
    return None
