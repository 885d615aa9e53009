"""Gradient descent as a ball rolling down a loss curve L(w) = (w - 3)^2 + 1.

The curvature is 2, so any learning rate below 1 converges, exactly 1 bounces
forever, and above 1 each step lands further up the other side: divergence.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from .figures import image_widget, new_figure, png_bytes

MINIMUM = 3.0


def loss(w: float) -> float:
    return (w - MINIMUM) ** 2 + 1.0


def slope(w: float) -> float:
    return 2.0 * (w - MINIMUM)


@dataclass(frozen=True)
class Descent:
    learning_rate: float
    path: tuple[float, ...]

    @property
    def outcome(self) -> str:
        """'converged' (within 0.01 of the minimum), 'diverged' (moving away), or 'crawling'."""
        last, first = abs(self.path[-1] - MINIMUM), abs(self.path[0] - MINIMUM)
        if last < 0.01:
            return "converged"
        if last > first:
            return "diverged"
        return "crawling"


def roll(learning_rate: float, start: float = -1.0, steps: int = 25) -> Descent:
    """Positions of the ball after each update w <- w - learning_rate * dL/dw."""
    path = [start]
    for _ in range(steps):
        w = path[-1]
        path.append(w - learning_rate * slope(w))
        if abs(path[-1]) > 1e6:
            break
    return Descent(learning_rate, tuple(path))


#: Three rates that show the three behaviours side by side.
EXAMPLES = {"too low (0.01)": 0.01, "just right (0.3)": 0.3, "too high (1.1)": 1.1}


class ErrorSurfaceView(widgets.VBox):
    """The ball on L(w) = (w − 3)² + 1 for three rates side by side, and one you choose."""

    def __init__(self):
        super().__init__()
        self.rate = widgets.FloatLogSlider(
            value=0.3, base=10, min=-2.5, max=0.2, step=0.05, description="Learning rate"
        )
        self.picture = image_widget()
        self.summary = widgets.HTML()
        self.rate.observe(lambda _: self.render(), names="value")
        self.children = [self.rate, self.picture, self.summary]
        self.render()

    def render(self) -> None:
        runs = {**EXAMPLES, f"yours ({self.rate.value:.3g})": self.rate.value}
        figure = new_figure(10, 2.8)
        axes = figure.subplots(1, len(runs), sharey=True)
        grid = np.linspace(-2, 8, 200)
        lines = []
        for ax, (title, rate) in zip(axes, runs.items(), strict=True):
            descent = roll(rate)
            path = np.array([w for w in descent.path if abs(w - MINIMUM) < 6])
            ax.plot(grid, [loss(w) for w in grid], color="gray")
            ax.plot(path, [loss(w) for w in path], "o-", color="tab:orange", markersize=3)
            ax.set_title(f"{title}: {descent.outcome}", fontsize=9)
            ax.set_ylim(0, 30)
            lines.append(
                f"<li>{html.escape(title)}: <b>{descent.outcome}</b> after "
                f"{len(descent.path) - 1} steps (w = {descent.path[-1]:.3g})</li>"
            )
        self.picture.value = png_bytes(figure)
        self.summary.value = f"<ul role='status'>{''.join(lines)}</ul>"
