"""A live 2-3-1 network (tanh hidden layer, linear output, mean squared error).

Deliberately not the assignments' network (ReLU and softmax), so the package never
holds an assignment's answer. State only; ``LiveNetworkView`` draws it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np
from matplotlib import cm
from matplotlib.axes import Axes

from autograder.accessible_widgets import LiveRegion, LogSlider, ToggleGroup, wide_button
from autograder.lesson_widgets.figures import figure_html, figure_widget, new_figure

#: Four examples of a smooth target: y = x1 - 0.5 * x2, a little bent by tanh.
INPUTS = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [-1.0, 0.5]])
TARGETS = np.array([-0.5, 1.0, 0.5, -1.25])


@dataclass
class LiveNetwork:
    """Two inputs, three tanh hidden units, one linear output; full-batch gradient descent."""

    learning_rate: float = 0.1
    seed: int = 0
    W1: np.ndarray = field(init=False)
    b1: np.ndarray = field(init=False)
    W2: np.ndarray = field(init=False)
    b2: float = field(init=False)
    losses: list[float] = field(init=False)
    steps: int = field(init=False)

    def __post_init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        rng = np.random.default_rng(self.seed)
        self.W1 = rng.normal(0, 0.8, (3, 2))
        self.b1 = np.zeros(3)
        self.W2 = rng.normal(0, 0.8, 3)
        self.b2 = 0.0
        self.steps = 0
        self.losses = [self.loss()]

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """x: (m, 2) -> hidden activations (m, 3) and predictions (m,)."""
        hidden = np.tanh(x @ self.W1.T + self.b1)
        return hidden, hidden @ self.W2 + self.b2

    def loss(self) -> float:
        _, predictions = self.forward(INPUTS)
        with np.errstate(over="ignore", invalid="ignore"):
            return float(np.mean((predictions - TARGETS) ** 2))

    def step(self, count: int = 1) -> float:
        """``count`` updates w <- w - learning_rate * dL/dw; returns the new loss."""
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(count):
                grads = self.gradients()
                self.W1 = self.W1 - self.learning_rate * grads["W1"]
                self.b1 = self.b1 - self.learning_rate * grads["b1"]
                self.W2 = self.W2 - self.learning_rate * grads["W2"]
                self.b2 = self.b2 - self.learning_rate * float(grads["b2"])
                self.steps += 1
                self.losses.append(self.loss())
        return self.losses[-1]

    def gradients(self) -> dict[str, np.ndarray]:
        """dL/d(each parameter) of the mean squared error over the four examples."""
        hidden, predictions = self.forward(INPUTS)
        d_pred = 2 * (predictions - TARGETS) / len(INPUTS)  # dL/d(prediction)
        d_hidden = np.outer(d_pred, self.W2) * (1 - hidden**2)  # through tanh
        return {
            "W1": d_hidden.T @ INPUTS,
            "b1": d_hidden.sum(axis=0),
            "W2": hidden.T @ d_pred,
            "b2": np.array(d_pred.sum()),
        }

    @property
    def progress(self) -> str:
        """What the loss curve shows so far: 'ready', 'learning' or 'diverging'."""
        if self.steps == 0:
            return "ready"
        if not math.isfinite(self.losses[-1]) or self.losses[-1] > self.losses[0]:
            return "diverging"
        return "learning"

    def weight_table(self) -> list[tuple[str, float]]:
        """(name, value) of every weight and bias, e.g. ('w1[h2←x1]', 0.31)."""
        rows = [
            (f"w1[h{j + 1}←x{i + 1}]", float(self.W1[j, i])) for j in range(3) for i in range(2)
        ]
        rows += [(f"b1[h{j + 1}]", float(self.b1[j])) for j in range(3)]
        rows += [(f"w2[y←h{j + 1}]", float(self.W2[j])) for j in range(3)]
        return rows + [("b2[y]", float(self.b2))]


def _steps(count: int) -> str:
    return f"{count} step" if count == 1 else f"{count} steps"


def loss_story(losses: list[float]) -> str:
    """What the loss curve shows, in words: 'the loss fell from 0.69 to 0.012 in 100 steps'."""
    start, end, steps = losses[0], losses[-1], len(losses) - 1
    if steps == 0:
        return f"no steps yet: the loss is {start:.2g}"
    if not math.isfinite(end):
        return (
            f"the loss blew up in {_steps(steps)}: it started at {start:.2g} and is no "
            "longer a finite number"
        )
    if end == start:
        return f"the loss stayed at {start:.2g} for {_steps(steps)}"
    verb = "fell" if end < start else "rose"
    return f"the loss {verb} from {start:.2g} to {end:.2g} in {_steps(steps)}"


def describe_network(net: LiveNetwork, x: np.ndarray, target: float) -> str:
    """The network diagram in words: the values its nodes show and its edges' signs."""
    hidden, prediction = net.forward(x[None, :])
    weights = np.concatenate([net.W1.ravel(), net.W2])
    positive = int(np.sum(weights >= 0))
    return (
        f"the network on the example x = ({x[0]:g}, {x[1]:g}): hidden nodes "
        + ", ".join(f"{v:.3g}" for v in hidden[0])
        + f"; output {float(prediction[0]):.3g} against the true label y = {target:.2f}; "
        f"{positive} of the {len(weights)} weights are positive (solid blue edges) and "
        f"{len(weights) - positive} negative (dashed red edges), thicker for larger"
    )


def _edge_width(weight: float, largest: float) -> float:
    """Line width for an edge: 0.5 to 4.5 by |weight|; widest for a weight that blew up."""
    if not (math.isfinite(weight) and math.isfinite(largest)):
        return 4.5
    return 0.5 + 4 * min(1.0, abs(weight) / largest)


class LiveNetworkView(widgets.VBox):
    """The 2-3-1 network drawn live: nodes coloured by activation, edges by weight."""

    def __init__(self, network: LiveNetwork | None = None):
        super().__init__()
        self.network = network or LiveNetwork()
        self.one_step = wide_button(description="1 step", tooltip="One gradient descent step")
        self.hundred_steps = wide_button(description="100 steps", tooltip="A hundred steps")
        self.reset_button = wide_button(
            description="Reset", tooltip="Back to the same starting weights, before any step"
        )
        self.rate = LogSlider(
            value=self.network.learning_rate,
            base=10,
            min=-3,
            max=0.5,
            step=0.1,
            description="Learning rate",
            style={"description_width": "initial"},
        )
        self.example = ToggleGroup(
            options=[
                (f"x = ({x[0]:g}, {x[1]:g}), y = {y:g}", i)
                for i, (x, y) in enumerate(zip(INPUTS, TARGETS, strict=True))
            ],
            value=0,
            description="Example",
        )
        self.picture = figure_widget()
        self.status = LiveRegion()
        self.weights = widgets.HTML()
        self.one_step.on_click(lambda _: self._steps(1))
        self.hundred_steps.on_click(lambda _: self._steps(100))
        self.reset_button.on_click(lambda _: self._reset())
        self.rate.observe(lambda c: setattr(self.network, "learning_rate", c["new"]), names="value")
        self.example.observe(lambda _: self.render(), names="value")
        self.children = [
            widgets.HTML(
                "<b>Live 2-layer network.</b> Each node shows its value (its colour says "
                "the same: green = high, red = low). Edges: solid blue = positive weight, "
                "dashed red = negative; thicker = larger. The dashed circle is the true "
                "label y. Click <i>100 steps</i>; the words under the picture say what it shows."
            ),
            widgets.HBox([self.one_step, self.hundred_steps, self.reset_button]),
            widgets.HBox([self.rate, self.example]),
            self.picture,
            self.status,
            self.weights,
        ]
        self.render()

    def _steps(self, count: int) -> None:
        self.network.step(count)
        self.render()

    def _reset(self) -> None:
        self.network.reset()
        self.render()

    def render(self) -> None:
        net, x = self.network, INPUTS[self.example.value]
        figure = new_figure(8.5, 3.2)
        diagram, curve = figure.subplots(1, 2, width_ratios=[1.2, 1])
        _draw_network(diagram, net, x, TARGETS[self.example.value])
        _draw_losses(curve, net.losses)
        target = TARGETS[self.example.value]
        self.picture.value = figure_html(
            figure,
            f"Left, {describe_network(net, x, target)}. Right, the loss curve (log scale): "
            f"{loss_story(net.losses)}.",
        )
        self.status.value = (
            f"<p>Step {net.steps}: loss {net.losses[-1]:.4g} "
            f"(started at {net.losses[0]:.4g}) — {net.progress}</p>"
        )
        rows = "".join(
            f"<tr><td>{name}</td><td>{value:+.3g}</td></tr>" for name, value in net.weight_table()
        )
        self.weights.value = (
            f"<details><summary>Current weight values</summary><table>{rows}</table></details>"
        )


def _draw_network(diagram: Axes, net: LiveNetwork, x: np.ndarray, target: float) -> None:
    """The 2-3-1 network on Matplotlib axes: edges by weight, nodes by value, the target."""
    hidden, prediction = net.forward(x[None, :])
    positions = {
        "x": [(0, 0.7), (0, 0.3)],
        "h": [(1, 0.85), (1, 0.5), (1, 0.15)],
        "y": [(2, 0.5)],
    }
    w_max = max(1e-9, float(np.nanmax(np.abs(np.concatenate([net.W1.ravel(), net.W2])))))
    for j, (hx, hy) in enumerate(positions["h"]):
        for i, (ix, iy) in enumerate(positions["x"]):
            _draw_edge(diagram, (ix, iy), (hx, hy), net.W1[j, i], w_max)
        _draw_edge(diagram, (hx, hy), (2, 0.5), net.W2[j], w_max)
    values = {"x": list(x), "h": list(hidden[0]), "y": [float(prediction[0])]}
    for layer, points in positions.items():
        for (px, py), value in zip(points, values[layer], strict=True):
            level = 0.5 + 0.5 * math.tanh(value) if math.isfinite(value) else 0.5
            diagram.scatter([px], [py], s=700, color=cm.RdYlGn(level), edgecolors="black", zorder=3)
            diagram.text(px, py, f"{value:.3g}", ha="center", va="center", fontsize=8, zorder=4)
    diagram.scatter(
        [2.45], [0.5], s=700, facecolors="white", edgecolors="black", linestyles="--", zorder=3
    )
    diagram.text(2.45, 0.5, f"y={target:.2f}", ha="center", va="center", fontsize=7, zorder=4)
    diagram.set_xlim(-0.3, 2.75)
    diagram.set_ylim(0, 1)
    diagram.axis("off")
    diagram.set_title("inputs → hidden (tanh) → output")


def _draw_edge(
    diagram: Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    weight: float,
    largest: float,
) -> None:
    diagram.plot(
        [start[0], end[0]],
        [start[1], end[1]],
        color="tab:blue" if weight >= 0 else "tab:red",
        linestyle="-" if weight >= 0 else "--",  # not colour alone (WCAG 1.4.1)
        linewidth=_edge_width(weight, largest),
    )


def _draw_losses(curve: Axes, losses: list[float]) -> None:
    # A diverging run reaches 1e200 and beyond; cap what is drawn so the axis stays drawable.
    shown = [min(v, 1e12) if math.isfinite(v) else 1e12 for v in losses]
    curve.plot(range(len(shown)), shown, color="tab:purple")
    curve.set_yscale("log")
    curve.set_ylim(max(min(shown) / 2, 1e-8), max(shown) * 2)
    curve.set_xlabel("step")
    curve.set_title("loss (mean squared error)")
