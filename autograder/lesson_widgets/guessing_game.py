"""The guessing game: find a secret number from "too high" / "too low" alone.

You make a first guess; after that you may only move up or down, by the step the game
sets, and the game only ever answers "too high", "too low" or "within 2: found".

- **Fixed step** (the source material's game): every move is exactly ``step``, like a
  learning rate that never changes. From a given first guess a fixed step only lands
  within 2 of the secret if the distance is close to a multiple of the step; otherwise
  the guesses end up jumping back and forth across the secret for ever.
- **Shrinking step** (how gradient descent moves): the step is ``learning_rate × slope``
  of the loss ``(guess − secret)²``, that is ``2 × learning_rate × distance``. Far away
  the steps are big; near the secret they shrink, so every secret is found.

The model holds all the state and every sentence the view shows.
"""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field

import ipywidgets as widgets

from autograder.accessible_widgets import LiveRegion, ToggleGroup, wide_button

LOWEST, HIGHEST = 1, 100
TOLERANCE = 2
FIXED_STEPS = (2, 10, 50)
#: Shrinking mode's learning rate: each step is half the distance (2 × 0.25 × distance).
SHRINKING_RATE = 0.25
SHRINKING = "shrinking"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def step_label(step: int | str) -> str:
    if step == SHRINKING:
        return "steps that shrink (each move is half the distance)"
    return f"a fixed step of {step}"


def _guesses(count: int) -> str:
    return f"{count} guess" if count == 1 else f"{count} guesses"


@dataclass
class GuessingGame:
    """One secret, one step setting, the guesses made so far (first guess first)."""

    secret: int
    step: int | str = 10  # a fixed step size, or SHRINKING
    guesses: list[float] = field(default_factory=list)

    @property
    def started(self) -> bool:
        return bool(self.guesses)

    @property
    def guess(self) -> float:
        return self.guesses[-1]

    @property
    def found(self) -> bool:
        return self.started and abs(self.guess - self.secret) <= TOLERANCE

    @property
    def hint(self) -> str:
        """What the game answers: the only thing a player learns."""
        if not self.started:
            return f"Make a first guess between {LOWEST} and {HIGHEST}"
        if self.found:
            return f"Within {TOLERANCE}: found"
        return "Too high" if self.guess > self.secret else "Too low"

    @property
    def step_label(self) -> str:
        return step_label(self.step)

    def next_step_size(self) -> float:
        """How far the next move goes: fixed, or the learning rate times the slope."""
        if self.step == SHRINKING:
            return SHRINKING_RATE * 2 * abs(self.guess - self.secret)
        return float(self.step)

    def first_guess(self, number: int) -> str:
        if self.started:
            raise ValueError("the first guess is made; now move up or down")
        if not LOWEST <= number <= HIGHEST:
            raise ValueError(f"guess a number from {LOWEST} to {HIGHEST}")
        self.guesses.append(float(number))
        return self.hint

    def move(self, direction: str) -> str:
        """Move "up" or "down" by the current step; returns the game's answer."""
        if not self.started:
            raise ValueError("make a first guess before moving")
        if direction not in ("up", "down"):
            raise ValueError("direction must be 'up' or 'down'")
        if not self.found:
            size = self.next_step_size()
            self.guesses.append(self.guess + size if direction == "up" else self.guess - size)
        return self.hint

    @property
    def bouncing(self) -> tuple[float, float] | None:
        """The two guesses the player keeps jumping between, if the last moves went
        back and forth across the secret without getting closer."""
        if self.found or self.step == SHRINKING or len(self.guesses) < 3:
            return None
        a, b, c = self.guesses[-3:]
        across = (a - self.secret) * (b - self.secret) < 0
        if across and a == c:
            low, high = sorted((a, b))
            return low, high
        return None

    def status(self) -> str:
        """The sentence the view shows under the buttons."""
        count = len(self.guesses)
        if not self.started:
            return self.hint + "."
        said = f"Guess {count}: {_number(self.guess)}. <b>{self.hint}</b>."
        if self.found:
            return f"{said} You needed {_guesses(count)}."
        if self.bouncing:
            low, high = self.bouncing
            return (
                f"{said} You are jumping back and forth between {_number(low)} and "
                f"{_number(high)}: a fixed step of {self.step} can never land within "
                f"{TOLERANCE} of this secret from here. Replay with a smaller step, or with "
                "steps that shrink."
            )
        return said


def guesses_needed(secret: int, first: int, step: int | str, limit: int = 60) -> int | None:
    """Guesses (the first included) a player needs who always moves the way the hint says;
    None if they never get within the tolerance."""
    game = GuessingGame(secret, step)
    game.first_guess(first)
    while not game.found and len(game.guesses) < limit:
        game.move("down" if game.guess > game.secret else "up")
    return len(game.guesses) if game.found else None


def secrets_found(first: int, step: int | str) -> list[int]:
    """The secrets from LOWEST to HIGHEST that this first guess and step ever find."""
    numbers = range(LOWEST, HIGHEST + 1)
    return [s for s in numbers if guesses_needed(s, first, step) is not None]


@dataclass
class GuessingSession:
    """A secret played several times at different steps; the games' results side by side."""

    secret: int
    game: GuessingGame
    results: list[tuple[int | str, int | None]] = field(default_factory=list)

    @classmethod
    def new(cls, secret: int, step: int | str) -> GuessingSession:
        return cls(secret, GuessingGame(secret, step))

    def replay(self, step: int | str) -> None:
        """The same secret again, with another step; the finished game is remembered."""
        if self.game.started:
            steps = len(self.game.guesses) if self.game.found else None
            self.results.append((self.game.step, steps))
        self.game = GuessingGame(self.secret, step)

    def summary(self) -> str:
        lines = [
            f"step {step}: " + (f"found in {_guesses(n)}" if n else "never landed within 2")
            for step, n in self.results
        ]
        return "; ".join(lines)


class GuessingGameView(widgets.VBox):
    """Guess a secret between 1 and 100 from "too high" / "too low", with a step you pick."""

    def __init__(self, seed: int | None = None):
        super().__init__()
        self.random = random.Random(seed)
        self.step = ToggleGroup(
            options=[(f"step {s}", s) for s in FIXED_STEPS] + [("shrinking", SHRINKING)],
            value=10,
            description="Step",
            tooltips=[f"every move is exactly {s}" for s in FIXED_STEPS]
            + ["each move is half the distance: learning rate × slope"],
        )
        self.first = widgets.BoundedIntText(
            value=50, min=LOWEST, max=HIGHEST, description="First guess"
        )
        self.guess_button = wide_button(description="Guess", tooltip="Make your first guess")
        self.down_button = wide_button(description="Lower", tooltip="Move down by the step")
        self.up_button = wide_button(description="Higher", tooltip="Move up by the step")
        self.replay_button = wide_button(
            description="Replay this secret", tooltip="Same secret, the step chosen above"
        )
        self.new_button = wide_button(description="New secret", tooltip="A new secret number")
        self.status = LiveRegion()  # the game's answer, read out at each move
        # the guesses so far and earlier games: shown, not read out at every move
        self.notes = widgets.HTML()
        # The button names the number it will send, so what you see is what is guessed.
        self.first.observe(lambda _: self.render(), names="value")
        self.guess_button.on_click(lambda _: self.first_guess())
        self.down_button.on_click(lambda _: self.move("down"))
        self.up_button.on_click(lambda _: self.move("up"))
        self.replay_button.on_click(lambda _: self.replay())
        self.new_button.on_click(lambda _: self.new_secret())
        self.step.observe(lambda _: self.choose_step(), names="value")
        self.children = [
            self.step,
            widgets.HBox([self.first, self.guess_button]),
            widgets.HBox([self.down_button, self.up_button]),
            widgets.HBox([self.replay_button, self.new_button]),
            self.status,
            self.notes,
        ]
        self.new_secret()

    @property
    def game(self) -> GuessingGame:
        return self.session.game

    def new_secret(self) -> None:
        self.session = GuessingSession.new(self.random.randint(LOWEST, HIGHEST), self.step.value)
        self.render()

    def choose_step(self) -> None:
        """A new step applies at once before the first guess, otherwise on Replay."""
        if not self.game.started:
            self.game.step = self.step.value
        self.render()

    def replay(self) -> None:
        self.session.replay(self.step.value)
        self.render()

    def first_guess(self) -> None:
        if not self.game.started:
            self.game.first_guess(self.first.value)
        self.render()

    def move(self, direction: str) -> None:
        if self.game.started:
            self.game.move(direction)
        self.render()

    def render(self) -> None:
        game = self.game
        self.guess_button.disabled = game.started
        self.guess_button.description = f"Guess {self.first.value}"
        self.first.disabled = game.started
        self.down_button.disabled = self.up_button.disabled = not game.started or game.found
        if game.started and not game.found:
            size = _number(game.next_step_size())
            self.down_button.description = f"Lower by {size}"
            self.up_button.description = f"Higher by {size}"
        trail = " → ".join(_number(g) for g in game.guesses[-12:])
        earlier = self.session.summary()
        chosen = self.step.value
        self.notes.value = (f"<p>Trail: {trail}</p>" if trail else "") + (
            f"<p>Earlier games with this secret: {html.escape(earlier)}.</p>" if earlier else ""
        )
        self.status.value = f"<p>Playing with {game.step_label}. {game.status()}</p>" + (
            f"<p>Replay this secret to play it with {step_label(chosen)}.</p>"
            if game.started and chosen != game.step
            else ""
        )
