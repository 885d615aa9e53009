"""Train a small network on real handwritten digits, one epoch at a time, and watch it learn.

The network is scikit-learn's NumPy multi-layer perceptron (64 inputs, 32 ReLU units,
10 outputs, mini-batch SGD), so that this package never contains Assignment 2's
solution. The data: ``autograder.course_data.load_digits_split``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import ipywidgets as widgets
import numpy as np

from autograder.accessible_widgets import LiveRegion, wide_button
from autograder.course_data import load_digits_split
from autograder.lesson_widgets.figures import figure_html, figure_widget, new_figure


@dataclass
class EpochReport:
    epoch: int
    train_error: float
    validation_accuracy: float


@dataclass
class DigitTrainer:
    learning_rate: float = 0.1
    batch_size: int = 32
    seed: int = 0
    history: list[EpochReport] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.data = load_digits_split(seed=0)
        self.reset()

    def reset(self) -> None:
        # imported here: scikit-learn's network (a second) only once the trainer starts
        from sklearn.neural_network import MLPClassifier

        self.model = MLPClassifier(
            hidden_layer_sizes=(32,),
            solver="sgd",
            learning_rate_init=self.learning_rate,
            batch_size=self.batch_size,
            momentum=0.0,
            random_state=self.seed,
        )
        self.history = []

    @property
    def epochs(self) -> int:
        return len(self.history)

    def train(
        self, epochs: int, on_epoch: Callable[[EpochReport], None] | None = None
    ) -> EpochReport:
        """Run ``epochs`` more passes over the training images; report after each one."""
        for _ in range(epochs):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self.model.partial_fit(self.data.X_train, self.data.y_train, classes=np.arange(10))
            report = EpochReport(
                epoch=self.epochs + 1,
                train_error=1.0 - float(self.model.score(self.data.X_train, self.data.y_train)),
                validation_accuracy=float(self.model.score(self.data.X_val, self.data.y_val)),
            )
            self.history.append(report)
            if on_epoch:
                on_epoch(report)
        return self.history[-1]

    def test_accuracy(self) -> float:
        """Accuracy on the held-out test images (look at it once, at the end)."""
        return float(self.model.score(self.data.X_test, self.data.y_test))


def describe_history(history: list[EpochReport]) -> str:
    """The error curves in words: 'over 5 epochs the training error fell from 40% to 6%…'."""
    first, last = history[0], history[-1]

    def change(name: str, start: float, end: float) -> str:
        verb = "fell" if end < start else "rose" if end > start else "stayed"
        return f"the {name} {verb} from {start:.1%} to {end:.1%}"

    return (
        f"Training error (circles) and validation error (squares) by epoch, epochs "
        f"{first.epoch} to {last.epoch}: "
        + change("training error", first.train_error, last.train_error)
        + "; "
        + change("validation error", 1 - first.validation_accuracy, 1 - last.validation_accuracy)
    )


class DigitTrainerView(widgets.VBox):
    """Train on real handwritten digits and watch error and accuracy as it learns."""

    def __init__(self, trainer: DigitTrainer | None = None, epochs_per_click: int = 5):
        super().__init__()
        self.trainer = trainer or DigitTrainer()
        self.epochs_per_click = epochs_per_click
        self.train_button = wide_button(
            description=f"Train {epochs_per_click} epochs",
            tooltip="Run more epochs of mini-batch training",
        )
        self.reset_button = wide_button(
            description="Reset", tooltip="Back to the same starting weights, before any training"
        )
        self.progress = widgets.IntProgress(
            value=0, min=0, max=epochs_per_click, description="Progress"
        )
        self.status = LiveRegion("<p>Training progress: ready to train.</p>")
        self.picture = figure_widget()
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
            f"<p>Training progress: epoch {report.epoch}. "
            f"Current error: {report.train_error:.1%}. "
            f"Validation accuracy: {report.validation_accuracy:.1%}.</p>"
        )

    def reset(self) -> None:
        self.trainer.reset()
        self.progress.value = 0
        self.status.value = "<p>Training progress: ready to train.</p>"
        self.picture.value = ""

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
        self.picture.value = figure_html(figure, describe_history(history))
