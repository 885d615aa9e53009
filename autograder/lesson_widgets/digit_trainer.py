"""Train a small network on real handwritten digits, one epoch at a time, and watch it learn.

The network is scikit-learn's NumPy multi-layer perceptron (64 inputs, 32 ReLU units,
10 outputs, mini-batch SGD), so that this package never contains Assignment 2's
solution. The data: ``autograder.course_data.load_digits_split``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..course_data import load_digits_split


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
