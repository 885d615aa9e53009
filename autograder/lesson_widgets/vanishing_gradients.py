"""How big the gradient is at each layer of a deep network, by activation and init scale.

A batch flows forward through ``depth`` layers of width 32; an upstream gradient of
ones flows back. The chain rule multiplies one factor per layer (the weights and the
activation's slope), so the norms shrink (vanish) or grow (explode) geometrically.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ACTIVATIONS: dict[
    str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]
] = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a**2),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
}


def gradient_norms(
    activation: str, init_scale: float, depth: int = 12, width: int = 32, seed: int = 0
) -> list[float]:
    """Norm of dL/dW for each layer, first layer first.

    Weights are drawn N(0, (init_scale / sqrt(width))^2): init_scale 1 is LeCun-style,
    sqrt(2) is He initialisation (right for ReLU), larger values make gradients explode.
    """
    forward, slope = ACTIVATIONS[activation]
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, init_scale / np.sqrt(width), (width, width)) for _ in range(depth)]
    activations = [rng.normal(0, 1, (16, width))]
    with np.errstate(over="ignore", invalid="ignore"):
        for W in weights:
            activations.append(forward(activations[-1] @ W.T))
        upstream = np.ones_like(activations[-1])
        norms = []
        for layer in reversed(range(depth)):
            dz = upstream * slope(activations[layer + 1])
            norms.append(float(np.linalg.norm(dz.T @ activations[layer]) / len(dz)))
            upstream = dz @ weights[layer]
    return norms[::-1]
