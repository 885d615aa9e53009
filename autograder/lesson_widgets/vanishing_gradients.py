"""How big the gradient is at each layer of a deep network, by activation and init scale.

A batch of 16 unit-size inputs flows forward through ``depth`` layers of width 32; the
loss is the batch mean of the sum of the last layer's outputs, so the gradient arriving
at the top is 1 for every output. The chain rule multiplies one factor per layer (the
weights and the activation's slope), and the forward signal that each ``dW`` is built
from shrinks or grows too, so the gradients vanish or explode geometrically with depth.

The verdict (:func:`judge`) looks at every layer's gradient, not only at the ratio of
the first to the last: a network whose gradients are all 1e-13 does not learn either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from autograder.accessible_widgets import LiveRegion, SelectionSlider, ToggleGroup
from autograder.lesson_widgets.figures import figure_html, figure_widget, new_figure

ACTIVATIONS: dict[
    str, tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]
] = {
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda a: a * (1 - a)),
    "tanh": (np.tanh, lambda a: 1 - a**2),
    "relu": (lambda z: np.maximum(z, 0), lambda a: (a > 0).astype(float)),
}
#: The widget's controls: every value they can take.
INIT_SCALES = tuple(round(0.5 + 0.1 * i, 1) for i in range(26))  # 0.5, 0.6, ..., 3.0
DEPTHS = tuple(range(4, 31))
#: A layer's gradient is useful if its size is within a factor of 100 of the size of the
#: gradient that arrives at the top (1 per output), and the layers learn at comparable
#: speeds if their gradients are within a factor of 100 of each other.
USEFUL = (1e-2, 1e2)
MAX_SPREAD = 1e2


def layer_gradients(
    activation: str, init_scale: float, depth: int = 12, width: int = 32, seed: int = 0
) -> list[np.ndarray]:
    """dL/dW for each layer, first layer first; each (width, width).

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
        gradients = []
        for layer in reversed(range(depth)):
            dz = upstream * slope(activations[layer + 1])
            gradients.append(dz.T @ activations[layer] / len(dz))
            upstream = dz @ weights[layer]
    return gradients[::-1]


def gradient_norms(
    activation: str, init_scale: float, depth: int = 12, width: int = 32, seed: int = 0
) -> list[float]:
    """Size (Frobenius norm) of dL/dW for each layer, first layer first."""
    grads = layer_gradients(activation, init_scale, depth, width, seed)
    return [float(np.linalg.norm(g)) for g in grads]


@dataclass(frozen=True)
class Verdict:
    word: str  # "vanishing", "exploding" or "healthy"
    explanation: str


def judge(norms: list[float]) -> Verdict:
    """What the per-layer gradient sizes mean for learning, first layer first."""
    low, high = USEFUL
    smallest, largest = min(norms), max(norms)
    weakest, strongest = norms.index(smallest) + 1, norms.index(largest) + 1
    if not np.isfinite(largest) or largest > high:
        return Verdict(
            "exploding",
            f"layer {strongest}'s gradient is {largest:.2g}, over {high:g}: "
            "its updates will be huge and training unstable",
        )
    if smallest < low:
        return Verdict(
            "vanishing",
            f"layer {weakest}'s gradient is only {smallest:.2g}, under {low:g}: "
            "that layer barely learns",
        )
    if largest > MAX_SPREAD * smallest:
        word = "vanishing" if weakest < strongest else "exploding"
        return Verdict(
            word,
            f"layer {weakest}'s gradient ({smallest:.2g}) is over {MAX_SPREAD:g}× smaller "
            f"than layer {strongest}'s ({largest:.2g}): the layers learn at very different speeds",
        )
    return Verdict(
        "healthy",
        f"every layer's gradient is between {smallest:.2g} and {largest:.2g}: "
        "every layer gets a useful gradient",
    )


def describe_bars(norms: list[float]) -> str:
    """The bar chart in words: its range, and how many layers are inside the useful band."""
    low, high = USEFUL
    useful = sum(low <= n <= high for n in norms)
    return (
        f"Bar chart, log scale: the gradient size of each of the {len(norms)} layers, from "
        f"{norms[0]:.2g} at layer 1 (closest to the input) to {norms[-1]:.2g} at layer "
        f"{len(norms)}; the smallest is {min(norms):.2g}, the largest {max(norms):.2g}. "
        f"Dashed lines mark the useful band from {low:g} to {high:g}: {useful} of "
        f"{len(norms)} layers are inside it."
    )


class VanishingGradientsView(widgets.VBox):
    """Gradient size per layer for a deep network, by activation and initial weight scale."""

    def __init__(self):
        super().__init__()
        self.activation = ToggleGroup(
            options=list(ACTIVATIONS), value="sigmoid", description="Activation"
        )
        self.scale = SelectionSlider(options=INIT_SCALES, value=1.0, description="Init scale")
        self.depth = SelectionSlider(options=DEPTHS, value=12, description="Layers")
        self.picture = figure_widget()
        self.summary = LiveRegion()
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
        for bound in USEFUL:
            ax.axhline(bound, color="gray", linestyle="--", linewidth=0.8)
        ax.set_yscale("log")
        ax.set_xlabel("layer (1 = closest to the input)")
        ax.set_ylabel("gradient size")
        self.picture.value = figure_html(figure, describe_bars(norms), caption=False)
        verdict = judge(norms)
        self.summary.value = (
            f"<p>First layer's gradient: {norms[0]:.2g}; last layer's: "
            f"{norms[-1]:.2g}. <b>{verdict.word}</b>: {verdict.explanation}.</p>"
        )
