"""Gradient descent as a ball rolling down a loss curve L(w) = (w - 3)^2 + 1.

The curvature is 2, so any learning rate below 1 converges, exactly 1 bounces
forever, and above 1 each step lands further up the other side: divergence.
"""

from __future__ import annotations

from dataclasses import dataclass

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
