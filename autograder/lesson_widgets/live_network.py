"""A live 2-3-1 network (tanh hidden layer, linear output, mean squared error).

Deliberately not the assignments' network (ReLU and softmax), so the package never
holds an assignment's answer. State only; ``LiveNetworkView`` draws it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

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
        m = len(INPUTS)
        with np.errstate(over="ignore", invalid="ignore"):
            for _ in range(count):
                hidden, predictions = self.forward(INPUTS)
                d_pred = 2 * (predictions - TARGETS) / m  # dL/d(prediction)
                d_hidden = np.outer(d_pred, self.W2) * (1 - hidden**2)  # through tanh
                self.W2 = self.W2 - self.learning_rate * hidden.T @ d_pred
                self.b2 = self.b2 - self.learning_rate * d_pred.sum()
                self.W1 = self.W1 - self.learning_rate * d_hidden.T @ INPUTS
                self.b1 = self.b1 - self.learning_rate * d_hidden.sum(axis=0)
                self.steps += 1
                self.losses.append(self.loss())
        return self.losses[-1]

    def weight_table(self) -> list[tuple[str, float]]:
        """(name, value) of every weight and bias, e.g. ('w1[h2←x1]', 0.31)."""
        rows = [
            (f"w1[h{j + 1}←x{i + 1}]", float(self.W1[j, i])) for j in range(3) for i in range(2)
        ]
        rows += [(f"b1[h{j + 1}]", float(self.b1[j])) for j in range(3)]
        rows += [(f"w2[y←h{j + 1}]", float(self.W2[j])) for j in range(3)]
        return rows + [("b2[y]", float(self.b2))]
