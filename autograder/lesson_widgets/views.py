"""ipywidgets views over the lesson models (thin: state lives in the model classes).

Every control has a text label; outcomes are said in words as well as shown in colour.
Figures are PNG images (``ipywidgets.Image``) drawn by matplotlib.
"""

from __future__ import annotations

import html
import math
import random

import ipywidgets as widgets
import numpy as np
from matplotlib import cm

from .digit_trainer import DigitTrainer
from .error_surface import EXAMPLES, MINIMUM, loss, roll
from .figures import new_figure, png_bytes
from .guessing_game import GuessingGame, steps_to_find
from .human_backprop import HumanBackprop
from .live_network import INPUTS, TARGETS, LiveNetwork
from .vanishing_gradients import ACTIVATIONS, gradient_norms


def _edge_width(weight: float, largest: float) -> float:
    """Line width for an edge: 0.5 to 4.5 by |weight|; widest for a weight that blew up."""
    if not (math.isfinite(weight) and math.isfinite(largest)):
        return 4.5
    return 0.5 + 4 * min(1.0, abs(weight) / largest)


def _image() -> widgets.Image:
    return widgets.Image(format="png", layout=widgets.Layout(max_width="760px"))


class LiveNetworkView(widgets.VBox):
    """The 2-3-1 network drawn live: nodes coloured by activation, edges by weight."""

    def __init__(self, network: LiveNetwork | None = None):
        super().__init__()
        self.network = network or LiveNetwork()
        self.one_step = widgets.Button(description="1 step", tooltip="One gradient descent step")
        self.hundred_steps = widgets.Button(description="100 steps", tooltip="A hundred steps")
        self.reset_button = widgets.Button(
            description="Reset", tooltip="Start again from new weights"
        )
        self.rate = widgets.FloatLogSlider(
            value=self.network.learning_rate,
            base=10,
            min=-3,
            max=0.5,
            step=0.1,
            description="Learning rate",
            style={"description_width": "initial"},
        )
        self.example = widgets.Dropdown(
            options=[
                (f"x = ({x[0]:g}, {x[1]:g}), y = {y:g}", i)
                for i, (x, y) in enumerate(zip(INPUTS, TARGETS, strict=True))
            ],
            value=0,
            description="Example",
        )
        self.picture = _image()
        self.status = widgets.HTML()
        self.weights = widgets.HTML()
        self.one_step.on_click(lambda _: self._steps(1))
        self.hundred_steps.on_click(lambda _: self._steps(100))
        self.reset_button.on_click(lambda _: self._reset())
        self.rate.observe(lambda c: setattr(self.network, "learning_rate", c["new"]), names="value")
        self.example.observe(lambda _: self.render(), names="value")
        self.children = [
            widgets.HTML(
                "<b>Live 2-layer network.</b> Node colour: green = high activation, "
                "red = low. Edges: blue = positive weight, red = negative; thicker = "
                "larger. The dashed node is the true label y. Click <i>100 steps</i>."
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
        hidden, prediction = net.forward(x[None, :])
        figure = new_figure(8.5, 3.2)
        diagram, curve = figure.subplots(1, 2, width_ratios=[1.2, 1])
        positions = {
            "x": [(0, 0.7), (0, 0.3)],
            "h": [(1, 0.85), (1, 0.5), (1, 0.15)],
            "y": [(2, 0.5)],
        }
        shade = cm.RdYlGn
        w_max = max(1e-9, float(np.nanmax(np.abs(np.concatenate([net.W1.ravel(), net.W2])))))
        for j, (hx, hy) in enumerate(positions["h"]):
            for i, (ix, iy) in enumerate(positions["x"]):
                w = net.W1[j, i]
                diagram.plot(
                    [ix, hx],
                    [iy, hy],
                    color="tab:blue" if w >= 0 else "tab:red",
                    linewidth=_edge_width(w, w_max),
                )
            w = net.W2[j]
            diagram.plot(
                [hx, 2],
                [hy, 0.5],
                color="tab:blue" if w >= 0 else "tab:red",
                linewidth=_edge_width(w, w_max),
            )
        values = {"x": list(x), "h": list(hidden[0]), "y": [float(prediction[0])]}
        for layer, points in positions.items():
            for (px, py), value in zip(points, values[layer], strict=True):
                level = 0.5 + 0.5 * math.tanh(value) if math.isfinite(value) else 0.5
                diagram.scatter([px], [py], s=700, color=shade(level), edgecolors="black", zorder=3)
                diagram.text(px, py, f"{value:.3g}", ha="center", va="center", fontsize=8, zorder=4)
        target = TARGETS[self.example.value]
        diagram.scatter(
            [2.45], [0.5], s=700, facecolors="white", edgecolors="black", linestyles="--", zorder=3
        )
        diagram.text(2.45, 0.5, f"y={target:.2f}", ha="center", va="center", fontsize=7, zorder=4)
        diagram.set_xlim(-0.3, 2.75)
        diagram.set_ylim(0, 1)
        diagram.axis("off")
        diagram.set_title("inputs → hidden (tanh) → output")
        # A diverging run reaches 1e200 and beyond; cap what is drawn so the axis stays drawable.
        shown = [min(v, 1e12) if math.isfinite(v) else 1e12 for v in net.losses]
        curve.plot(range(len(shown)), shown, color="tab:purple")
        curve.set_yscale("log")
        curve.set_ylim(max(min(shown) / 2, 1e-8), max(shown) * 2)
        curve.set_xlabel("step")
        curve.set_title("loss (mean squared error)")
        self.picture.value = png_bytes(figure)
        state = (
            "diverging!"
            if not math.isfinite(net.losses[-1]) or net.losses[-1] > net.losses[0]
            else "learning"
        )
        self.status.value = (
            f"<p role='status'>Step {net.steps}: loss {net.losses[-1]:.4g} "
            f"(started at {net.losses[0]:.4g}) — {state}</p>"
        )
        rows = "".join(
            f"<tr><td>{name}</td><td>{value:+.3g}</td></tr>" for name, value in net.weight_table()
        )
        self.weights.value = (
            f"<details><summary>Current weight values</summary><table>{rows}</table></details>"
        )


class ErrorSurfaceView(widgets.VBox):
    """The ball on L(w) = (w − 3)² + 1 for three rates side by side, and one you choose."""

    def __init__(self):
        super().__init__()
        self.rate = widgets.FloatLogSlider(
            value=0.3, base=10, min=-2.5, max=0.2, step=0.05, description="Learning rate"
        )
        self.picture = _image()
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


class GuessingGameView(widgets.VBox):
    """Guess a secret number between 0 and 100 with a fixed step size."""

    def __init__(self, seed: int | None = None):
        super().__init__()
        self.random = random.Random(seed)
        self.step = widgets.ToggleButtons(
            options=[2, 10, 50],
            value=10,
            description="Step size",
            tooltips=["small steps", "medium steps", "large steps"],
        )
        self.guess_button = widgets.Button(description="Guess again", tooltip="Move one step")
        self.new_button = widgets.Button(description="New game", tooltip="A new secret number")
        self.status = widgets.HTML()
        self.guess_button.on_click(lambda _: self.move())
        self.new_button.on_click(lambda _: self.new_game())
        self.step.observe(lambda c: setattr(self.game, "step", c["new"]), names="value")
        self.children = [self.step, widgets.HBox([self.guess_button, self.new_button]), self.status]
        self.new_game()

    def new_game(self) -> None:
        self.game = GuessingGame(secret=self.random.randint(5, 95), step=self.step.value, start=0)
        self.render()

    def move(self) -> None:
        self.game.move()
        self.render()

    def render(self) -> None:
        game = self.game
        trail = " → ".join(map(str, game.guesses[-12:]))
        self.status.value = (
            f"<p role='status'>Guess {game.guess}: <b>{game.hint}</b>. "
            f"Steps so far: {game.steps_taken}. Trail: {trail}</p>"
        )

    def compare_steps(self) -> dict[int, int | None]:
        """Steps each size needs for this secret (None: it keeps jumping past)."""
        return {size: steps_to_find(self.game.secret, size) for size in self.step.options}


class HumanBackpropView(widgets.VBox):
    """Label each sentence; see which word weights were blamed and how they moved."""

    def __init__(self, model: HumanBackprop | None = None):
        super().__init__()
        self.model = model or HumanBackprop()
        self.sentence = widgets.HTML()
        self.formal = widgets.Button(description="Formal", tooltip="This sentence is formal")
        self.casual = widgets.Button(description="Casual", tooltip="This sentence is casual")
        self.feedback = widgets.HTML()
        self.formal.on_click(lambda _: self.answer("formal"))
        self.casual.on_click(lambda _: self.answer("casual"))
        self.children = [self.sentence, widgets.HBox([self.formal, self.casual]), self.feedback]
        self.render_sentence()

    def render_sentence(self) -> None:
        model = self.model
        self.sentence.value = (
            f"<p><b>Sentence {model.answered + 1}:</b> “{html.escape(model.sentence)}”"
            f"<br>The model says: {model.probability_formal():.0%} formal. "
            "What do you say?</p>"
        )

    def answer(self, label: str) -> None:
        before = self.model.probability_formal()
        truth = self.model.truth
        right = self.model.answer(label)
        rows = "".join(
            f"<tr><td>{html.escape(c.feature)}</td><td>{c.before:+.2f} → {c.after:+.2f}</td>"
            f"<td>{c.verdict}</td></tr>"
            for c in self.model.last_changes
        )
        verdict = "✓ Right" if right else "✗ Not this time"
        self.feedback.value = (
            f"<p role='status'>{verdict}: it was {truth}. The model had said {before:.0%} formal, "
            f"so its error was {before - (truth == 'formal'):+.2f}. "
            "Backpropagated to each word:</p>"
            f"<table><tr><th>word</th><th>weight</th><th>why</th></tr>{rows}</table>"
            f"<p>The model now labels {self.model.accuracy():.0%} of the sentences correctly.</p>"
        )
        self.render_sentence()


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
        self.picture = _image()
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


class DigitTrainerView(widgets.VBox):
    """Train on real handwritten digits and watch error and accuracy as it learns."""

    def __init__(self, trainer: DigitTrainer | None = None, epochs_per_click: int = 5):
        super().__init__()
        self.trainer = trainer or DigitTrainer()
        self.epochs_per_click = epochs_per_click
        self.train_button = widgets.Button(
            description=f"Train {epochs_per_click} epochs",
            tooltip="Run more epochs of mini-batch training",
        )
        self.reset_button = widgets.Button(description="Reset", tooltip="Start from a new network")
        self.progress = widgets.IntProgress(
            value=0, min=0, max=epochs_per_click, description="Progress"
        )
        self.status = widgets.HTML("<p role='status'>Training progress: ready to train.</p>")
        self.picture = _image()
        self.train_button.on_click(lambda _: self.train())
        self.reset_button.on_click(lambda _: self.reset())
        self.children = [
            widgets.HBox([self.train_button, self.reset_button]),
            self.progress,
            self.status,
            self.picture,
        ]

    def train(self) -> None:
        self.progress.value = 0
        self.trainer.train(self.epochs_per_click, on_epoch=self._epoch_done)
        self.render()

    def _epoch_done(self, report) -> None:
        self.progress.value += 1
        self.status.value = (
            f"<p role='status'>Training progress: epoch {report.epoch}. "
            f"Current error: {report.train_error:.1%}. "
            f"Validation accuracy: {report.validation_accuracy:.1%}.</p>"
        )

    def reset(self) -> None:
        self.trainer.reset()
        self.progress.value = 0
        self.status.value = "<p role='status'>Training progress: ready to train.</p>"
        self.picture.value = b""

    def render(self) -> None:
        history = self.trainer.history
        figure = new_figure(7, 2.6)
        ax = figure.subplots()
        epochs = [r.epoch for r in history]
        ax.plot(epochs, [r.train_error for r in history], "o-", label="training error")
        ax.plot(
            epochs, [1 - r.validation_accuracy for r in history], "s-", label="validation error"
        )
        ax.set_xlabel("epoch")
        ax.set_ylim(0, 1)
        ax.legend()
        self.picture.value = png_bytes(figure)


__all__ = [
    "DigitTrainerView",
    "ErrorSurfaceView",
    "GuessingGameView",
    "HumanBackpropView",
    "LiveNetworkView",
    "VanishingGradientsView",
]
