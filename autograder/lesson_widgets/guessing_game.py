"""The guessing game: move a guess by a fixed step toward a secret after 'too high' / 'too low'.

A small step gets there slowly; a step larger than the target's tolerance keeps
jumping past the answer, like a learning rate that is too high.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GuessingGame:
    secret: int = 37
    step: int = 10
    start: int = 0
    tolerance: int = 2
    guesses: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.guesses = [self.start]

    @property
    def guess(self) -> int:
        return self.guesses[-1]

    @property
    def hint(self) -> str:
        if self.found:
            return f"Within {self.tolerance} of the secret: well done!"
        return "Too high" if self.guess > self.secret else "Too low"

    @property
    def found(self) -> bool:
        return abs(self.guess - self.secret) <= self.tolerance

    @property
    def steps_taken(self) -> int:
        return len(self.guesses) - 1

    def move(self) -> int:
        """One step of the current size in the direction the hint gives."""
        if not self.found:
            self.guesses.append(
                self.guess - self.step if self.guess > self.secret else self.guess + self.step
            )
        return self.guess

    def restart(self) -> None:
        self.guesses = [self.start]


def steps_to_find(
    secret: int, step: int, start: int = 0, tolerance: int = 2, limit: int = 100
) -> int | None:
    """Steps until the guess is within ``tolerance``; None if it never gets there (overshoots)."""
    game = GuessingGame(secret, step, start, tolerance)
    while not game.found and game.steps_taken < limit:
        game.move()
    return game.steps_taken if game.found else None
