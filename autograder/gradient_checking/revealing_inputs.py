"""Inputs that make gradient bugs visible.

A transposed gradient hides when a matrix is square; a missing 1/m hides when
m = 1; a missing sum hides when the batch size equals a layer width; an upstream
gradient of all ones hides a missing factor; ReLU's kink at 0 breaks finite
differences. These helpers draw inputs that avoid every one of those.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def distinct_dimensions(
    count: int, low: int = 3, rng: np.random.Generator | None = None
) -> list[int]:
    """``count`` different sizes, each at least ``low`` (batch size and layer widths)."""
    rng = rng or np.random.default_rng(0)
    sizes = rng.permutation(np.arange(low, low + 3 * count))[:count]
    return [int(s) for s in sizes]


def random_matrix(shape: Sequence[int], rng: np.random.Generator, scale: float = 1.0) -> np.ndarray:
    """Gaussian values: never symmetric, never constant, never all ones."""
    return scale * rng.standard_normal(tuple(shape))


def random_upstream_gradient(shape: Sequence[int], rng: np.random.Generator) -> np.ndarray:
    """An upstream gradient dL/d(output) with distinct, mixed-sign entries (never all ones)."""
    return rng.standard_normal(tuple(shape)) + 0.1


def random_labels(batch_size: int, classes: int, rng: np.random.Generator) -> np.ndarray:
    """Integer labels in ``[0, classes)`` covering every class when the batch allows it."""
    labels = np.arange(batch_size) % classes
    return rng.permutation(labels)


def one_hot(labels: np.ndarray, classes: int) -> np.ndarray:
    """(m,) integer labels -> (m, classes) one-hot rows."""
    encoded = np.zeros((labels.size, classes))
    encoded[np.arange(labels.size), labels] = 1.0
    return encoded


def away_from_kink(
    values: np.ndarray, margin: float = 0.05, rng: np.random.Generator | None = None
) -> np.ndarray:
    """A copy of ``values`` with every entry at least ``margin`` from 0.

    Entries closer than ``margin`` are pushed out to ``+-(margin + a random amount)``
    keeping their sign, so a ReLU never sits at its kink during finite differences.
    """
    rng = rng or np.random.default_rng(0)
    values = np.array(values, dtype=np.float64, copy=True)
    close = np.abs(values) < margin
    signs = np.where(values[close] >= 0, 1.0, -1.0)
    values[close] = signs * (margin + rng.uniform(0, margin, size=int(close.sum())))
    return values


def min_distance_to_kink(preactivations: np.ndarray) -> float:
    """How far the closest ReLU pre-activation is from 0 (redraw inputs if it is tiny)."""
    return float(np.min(np.abs(preactivations)))


def inputs_off_relu_kink(
    X: np.ndarray, W: np.ndarray, b: np.ndarray, margin: float = 0.01
) -> np.ndarray:
    """Nudge the rows of X so that every pre-activation ``X @ W.T + b`` is ``margin`` from 0.

    X: (m, n_in), W: (n_out, n_in) with n_out <= n_in, b: (n_out,). Each row moves by
    the least-norm change that puts its pre-activations where ``away_from_kink`` wants
    them, so the data barely changes while finite differences never cross ReLU's kink.
    """
    Z = X @ W.T + b
    target = away_from_kink(Z, margin)
    return X + (target - Z) @ np.linalg.pinv(W).T
