"""The guessing game: move a guess by a fixed step toward a secret after 'too high' / 'too low'.

A small step gets there slowly; a step larger than the target's tolerance keeps
jumping past the answer, like a learning rate that is too high.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import ipywidgets as widgets


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
