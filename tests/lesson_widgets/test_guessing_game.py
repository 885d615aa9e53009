"""The guessing game: the player drives, the game only answers, and every sentence it
shows is true for every secret, step and first guess."""

import pytest

from autograder.lesson_widgets.guessing_game import (
    FIXED_STEPS,
    HIGHEST,
    LOWEST,
    SHRINKING,
    TOLERANCE,
    GuessingGame,
    GuessingGameView,
    guesses_needed,
    secrets_found,
)

STEPS = (*FIXED_STEPS, SHRINKING)


def play_by_hand(secret, first, step, limit=60):
    """An independent player: moves the way the hint says until within 2 or a repeat."""
    guess, seen = float(first), []
    while abs(guess - secret) > TOLERANCE:
        if guess in seen or len(seen) >= limit:
            return None
        seen.append(guess)
        size = 0.5 * abs(guess - secret) if step == SHRINKING else step
        guess = guess - size if guess > secret else guess + size
    return len(seen) + 1


@pytest.mark.parametrize("step", STEPS)
def test_guesses_needed_for_every_secret_and_first_guess(step):
    for first in range(LOWEST, HIGHEST + 1, 7):
        for secret in range(LOWEST, HIGHEST + 1):
            assert guesses_needed(secret, first, step) == play_by_hand(secret, first, step)


@pytest.mark.parametrize("step", STEPS)
def test_the_status_text_is_true_for_every_secret(step):
    for secret in range(LOWEST, HIGHEST + 1):
        game = GuessingGame(secret, step)
        game.first_guess(50)
        while not game.found and not game.bouncing and len(game.guesses) < 60:
            text = game.status()
            assert ("Too high" in text) == (game.guess > secret)
            assert ("Too low" in text) == (game.guess < secret)
            game.move("down" if game.guess > secret else "up")
        text = game.status()
        if game.found:
            count = len(game.guesses)
            assert f"You needed {count} guess{'' if count == 1 else 'es'}." in text
            assert len(game.guesses) == guesses_needed(secret, 50, step)
        else:
            assert step != SHRINKING  # shrinking steps always arrive
            assert guesses_needed(secret, 50, step) is None
            assert "can never land within 2" in text and f"a fixed step of {step}" in text


def test_the_lessons_numbers():
    """Lesson 4: from a first guess of 50, step 2 finds all 100 secrets (at most 25
    guesses), step 10 finds 50, step 50 finds 10; shrinking steps find all 100 in at most 6."""
    found = {step: secrets_found(50, step) for step in STEPS}
    assert {step: len(secrets) for step, secrets in found.items()} == {
        2: 100,
        10: 50,
        50: 10,
        SHRINKING: 100,
    }
    assert max(guesses_needed(s, 50, 2) for s in found[2]) == 25
    assert max(guesses_needed(s, 50, SHRINKING) for s in found[SHRINKING]) == 6


def test_the_game_only_answers_and_the_player_moves():
    game = GuessingGame(secret=37, step=10)
    assert game.first_guess(50) == "Too high"
    assert game.move("up") == "Too high" and game.guess == 60  # the player's choice, even a bad one
    assert game.move("down") == "Too high" and game.move("down") == "Too high"
    assert game.move("down") == "Too low" and game.guesses == [50, 60, 50, 40, 30]
    assert game.move("up") == "Too high" and game.bouncing == (30, 40)
    with pytest.raises(ValueError, match="first guess is made"):
        game.first_guess(20)
    shrinking = GuessingGame(secret=37, step=SHRINKING)
    shrinking.first_guess(90)
    sizes = []
    while not shrinking.found:
        sizes.append(shrinking.next_step_size())
        shrinking.move("down" if shrinking.guess > 37 else "up")
    assert sizes == sorted(sizes, reverse=True) and sizes[0] == 26.5  # half of 53, then shrinking


def test_the_view_replays_the_same_secret_at_another_step():
    view = GuessingGameView(seed=3)
    secret = view.game.secret
    view.first.value = 50
    view.guess_button.click()
    assert view.game.guesses == [50] and view.guess_button.disabled
    assert view.down_button.description == "Lower by 10"
    assert view.up_button.description == "Higher by 10"
    for _ in range(8):
        if view.game.found:
            break
        (view.down_button if view.game.guess > secret else view.up_button).click()
    first_result = guesses_needed(secret, 50, 10)
    view.step.value = SHRINKING
    assert "Replay this secret to play it with steps that shrink" in view.status.value
    view.replay_button.click()
    assert view.game.secret == secret and view.game.step == SHRINKING and not view.game.started
    earlier = "found in" if first_result else "never landed within 2"
    assert f"step 10: {earlier}" in view.notes.value
    view.guess_button.click()
    while not view.game.found:
        (view.down_button if view.game.guess > secret else view.up_button).click()
    assert f"You needed {guesses_needed(secret, 50, SHRINKING)} guesses" in view.status.value
    view.new_button.click()
    assert not view.game.started and view.session.results == []
