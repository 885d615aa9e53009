"""Gradient descent as a ball rolling down a loss curve L(w) = 12.5 (w - 3)^2 + 1.

The curvature is 25, so one update multiplies the distance to the minimum by
``1 - 25 * learning_rate``. That factor decides everything the view says:

- a rate of 0.04 lands on the minimum in one step;
- any rate below 0.08 converges (above 0.04 it zig-zags across the valley);
- exactly 0.08 bounces between w = -1 and w = 7 for ever;
- above 0.08 every step lands further up the other side: divergence.

The curve is steep enough that the three rates of the source material behave as it
says: 0.1 diverges, 0.01 converges, 0.0001 crawls.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from autograder.accessible_widgets import LiveRegion, LogSlider
from autograder.lesson_widgets.figures import figure_html, figure_widget, new_figure

MINIMUM = 3.0
CURVATURE = 25.0
START = -1.0
STEPS = 40
#: "Converged" means within this distance of the minimum.
ARRIVED = 0.01


def loss(w: float) -> float:
    return 0.5 * CURVATURE * (w - MINIMUM) ** 2 + 1.0


def slope(w: float) -> float:
    return CURVATURE * (w - MINIMUM)


@dataclass(frozen=True)
class Descent:
    """The ball's positions, start first, after each update w <- w - rate * dL/dw."""

    learning_rate: float
    path: tuple[float, ...]

    @property
    def distances(self) -> list[float]:
        return [abs(w - MINIMUM) for w in self.path]

    @property
    def overshoots_every_step(self) -> bool:
        """Each step jumps to the other side of the minimum."""
        sides = [np.sign(w - MINIMUM) for w in self.path]
        return all(a == -b != 0 for a, b in zip(sides, sides[1:], strict=False))

    @property
    def arrival_step(self) -> int | None:
        """The first update after which the ball is within ARRIVED of the minimum."""
        return next((i for i, d in enumerate(self.distances) if d < ARRIVED), None)

    @property
    def outcome(self) -> str:
        """'converged', 'diverged', 'bouncing' (no progress, jumping across) or 'crawling'.

        Judged on the whole path: where it ends compared with where it started.
        """
        first, last = self.distances[0], self.distances[-1]
        if self.arrival_step is not None:
            return "converged"
        if last > first * (1 + 1e-9):
            return "diverged"
        if last >= first * (1 - 1e-9) and self.overshoots_every_step:
            return "bouncing"
        return "crawling"

    def describe(self) -> str:
        """One sentence that says what the ball did, with the numbers that show it."""
        steps = len(self.path) - 1
        end = f"w = {self.path[-1]:.4g}"
        if self.outcome == "converged":
            return f"converged: within {ARRIVED} of the minimum after {_steps(self.arrival_step)}"
        if self.outcome == "diverged":
            return (
                f"diverged: each step lands further up the other side ({end} after {_steps(steps)})"
            )
        if self.outcome == "bouncing":
            low, high = sorted(self.path[-2:])
            return f"bouncing for ever between w = {low:.4g} and w = {high:.4g}"
        covered = 1 - self.distances[-1] / self.distances[0]
        zigzag = ", zig-zagging across the valley" if self.overshoots_every_step else ""
        return (
            f"crawling: after {_steps(steps)} only {covered:.0%} of the way to the minimum"
            f"{zigzag} ({end})"
        )


def _steps(count: int | None) -> str:
    return f"{count} step" if count == 1 else f"{count} steps"


def roll(learning_rate: float, start: float = START, steps: int = STEPS) -> Descent:
    """The ball's path for ``steps`` updates (cut short once it is absurdly far away)."""
    path = [start]
    for _ in range(steps):
        w = path[-1]
        path.append(w - learning_rate * slope(w))
        if abs(path[-1]) > 1e6:
            break
    return Descent(learning_rate, tuple(path))


#: Three rates that show the three behaviours on this curve.
EXAMPLES = {"too high (0.1)": 0.1, "just right (0.01)": 0.01, "too low (0.0001)": 0.0001}

#: The slider's notches (exponents of 10): six per doubling, placed so that 0.04 (one step
#: to the minimum) and 0.08 (bouncing for ever) are notches; from about 0.00004 to 0.2.
SLIDER_STEP = math.log10(2) / 6
SLIDER_MIN = math.log10(0.04) - 60 * SLIDER_STEP
SLIDER_MAX = math.log10(0.08) + 8 * SLIDER_STEP


def chosen_rate(value: float) -> float:
    """The slider's value without a notch's float noise (10 ** log10(0.04) is
    0.04000000000000001), so that the notches at 0.04 and 0.08 behave exactly as
    0.04 and 0.08; any other value is kept as it is."""
    rounded = float(f"{value:.3g}")
    return rounded if math.isclose(value, rounded, rel_tol=1e-9) else value


class ErrorSurfaceView(widgets.VBox):
    """The ball on L(w) = 12.5 (w − 3)² + 1 for three rates side by side, and one you choose."""

    def __init__(self):
        super().__init__()
        self.rate = LogSlider(
            value=0.03,
            base=10,
            min=SLIDER_MIN,
            max=SLIDER_MAX,
            step=SLIDER_STEP,
            readout_format=".4g",
            description="Learning rate",
            style={"description_width": "initial"},
        )
        self.picture = figure_widget()
        self.summary = LiveRegion()
        self.rate.observe(lambda _: self.render(), names="value")
        self.children = [self.rate, self.picture, self.summary]
        self.render()

    def render(self) -> None:
        rate = chosen_rate(self.rate.value)
        runs = {**EXAMPLES, f"yours ({rate:.4g})": rate}
        figure = new_figure(10, 2.8)
        axes = figure.subplots(1, len(runs), sharey=True)
        grid = np.linspace(-2, 8, 200)
        lines, words = [], []
        for ax, (title, rate) in zip(axes, runs.items(), strict=True):
            descent = roll(rate)
            path = np.array([w for w in descent.path if abs(w - MINIMUM) < 6])
            ax.plot(grid, [loss(w) for w in grid], color="gray")
            ax.plot(path, [loss(w) for w in path], "o-", color="tab:orange", markersize=3)
            ax.set_title(f"{title}: {descent.outcome}", fontsize=9)
            ax.set_ylim(0, 320)
            lines.append(f"<li>{html.escape(title)}: <b>{html.escape(descent.describe())}</b></li>")
            words.append(f"{title}: {descent.describe()}")
        # The list under the figure says the same as its alt text, so no caption as well.
        self.picture.value = figure_html(
            figure,
            f"The ball's path down L(w) = 12.5 (w − 3)² + 1 from w = {START:g}, one panel per "
            f"learning rate. {'; '.join(words)}.",
            caption=False,
        )
        self.summary.value = f"<ul>{''.join(lines)}</ul>"
