"""How big the gradient is at each layer of a deep network, by activation and init scale.

A batch flows forward through ``depth`` layers of width 32; an upstream gradient of
ones flows back. The chain rule multiplies one factor per layer (the weights and the
activation's slope), so the norms shrink (vanish) or grow (explode) geometrically.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import ipywidgets as widgets
import numpy as np

from .figures import image_widget, new_figure, png_bytes

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


class VanishingGradientsView(widgets.VBox):
    """Gradient size per layer for a deep network, by activation and initial weight scale."""

    def __init__(self):
        super().__init__()
        self.activation = widgets.Dropdown(
            options=list(ACTIVATIONS), value="sigmoid", description="Activation"
        )
        self.scale = widgets.FloatSlider(
            value=1.0, min=0.5, max=3.0, step=0.1, description="Init scale"
        )
        self.depth = widgets.IntSlider(value=12, min=4, max=30, description="Layers")
        self.picture = image_widget()
        self.summary = widgets.HTML()
        for control in (self.activation, self.scale, self.depth):
            control.observe(lambda _: self.render(), names="value")
        self.children = [
            widgets.HBox([self.activation, self.scale, self.depth]),
            self.picture,
            self.summary,
        ]
        self.render()

    def render(self) -> None:
        norms = gradient_norms(self.activation.value, self.scale.value, self.depth.value)
        figure = new_figure(7, 2.8)
        ax = figure.subplots()
        ax.bar(range(1, len(norms) + 1), [max(n, 1e-30) for n in norms], color="tab:blue")
        ax.set_yscale("log")
        ax.set_xlabel("layer (1 = closest to the input)")
        ax.set_ylabel("gradient size")
        self.picture.value = png_bytes(figure)
        ratio = norms[0] / norms[-1] if norms[-1] else math.inf
        if ratio < 1e-2:
            word = "vanishing: the first layers barely learn"
        elif ratio > 1e2 or norms[0] > 1e3:
            word = "exploding: updates will be unstable"
        else:
            word = "healthy: every layer gets a useful gradient"
        self.summary.value = (
            f"<p role='status'>First layer's gradient is {ratio:.2g} × the last "
            f"layer's — <b>{word}</b>.</p>"
        )
