"""Each lesson widget's behaviour through its Python interface: press a button, read the state."""

import math

import pytest

from autograder.lesson_widgets.digit_trainer import DigitTrainer, DigitTrainerView
from autograder.lesson_widgets.error_surface import EXAMPLES, ErrorSurfaceView, roll
from autograder.lesson_widgets.guessing_game import GuessingGame, GuessingGameView, steps_to_find
from autograder.lesson_widgets.human_backprop import SENTENCES, HumanBackprop, HumanBackpropView
from autograder.lesson_widgets.live_network import LiveNetwork, LiveNetworkView
from autograder.lesson_widgets.vanishing_gradients import VanishingGradientsView, gradient_norms


def test_live_network_learns_at_a_sensible_rate_and_diverges_at_a_high_one():
    view = LiveNetworkView(LiveNetwork(learning_rate=0.1))
    first_picture, start = view.picture.value, view.network.loss()
    weights_before = view.weights.value
    view.hundred_steps.click()
    assert view.network.steps == 100
    assert view.network.loss() < 0.1 * start
    assert len(view.network.losses) == 101  # the loss curve grows by one point per step
    assert view.picture.value != first_picture and view.weights.value != weights_before
    assert "learning" in view.status.value

    view.rate.value = 3.0  # the slider sets the network's learning rate
    view.reset_button.click()
    assert view.network.steps == 0 and view.network.learning_rate == pytest.approx(3.0, rel=0.01)
    view.hundred_steps.click()
    final = view.network.losses[-1]
    assert not math.isfinite(final) or final > view.network.losses[0]
    assert "diverging" in view.status.value


def test_live_network_one_step_is_one_update():
    view = LiveNetworkView()
    view.one_step.click()
    assert view.network.steps == 1 and len(view.network.losses) == 2


@pytest.mark.parametrize(
    ("secret", "step", "expected"),
    [(37, 2, 18), (37, 10, None), (37, 50, None), (40, 10, 4), (12, 2, 5), (60, 50, None)],
)
def test_guessing_game_counts_steps_for_each_step_size(secret, step, expected):
    assert steps_to_find(secret, step) == expected


def test_guessing_game_hints_and_view():
    game = GuessingGame(secret=37, step=10)
    assert game.hint == "Too low"
    for _ in range(4):
        game.move()
    assert game.guesses == [0, 10, 20, 30, 40] and game.hint == "Too high"
    view = GuessingGameView(seed=1)
    view.step.value = 2
    view.guess_button.click()
    assert view.game.steps_taken == 1 and view.game.guess == 2
    assert "Steps so far: 1" in view.status.value
    assert view.compare_steps()[2] is not None


def test_error_surface_shows_crawl_convergence_and_divergence():
    outcomes = {name: roll(rate).outcome for name, rate in EXAMPLES.items()}
    assert sorted(outcomes.values()) == ["converged", "crawling", "diverged"]
    view = ErrorSurfaceView()
    view.rate.value = 1.2
    assert "yours (1.2): <b>diverged</b>" in view.summary.value


def test_human_backprop_moves_blamed_weights_against_the_error():
    model = HumanBackprop()
    assert model.truth == "formal"
    right = model.answer("casual")  # the learner gets it wrong; the model learns from the truth
    assert right is False
    assert all(change.after > change.before for change in model.last_changes)  # pushed to formal
    view = HumanBackpropView(model)
    view.casual.click()  # sentence 2 is casual
    assert "✓ Right" in view.feedback.value and "lowered" in view.feedback.value
    for _ in range(len(SENTENCES)):
        model.answer(model.truth)
    assert model.accuracy() == 1.0


def test_vanishing_and_exploding_gradients():
    sigmoid = gradient_norms("sigmoid", 1.0)
    assert sigmoid[0] < 1e-3 * sigmoid[-1]  # vanishing
    healthy, exploding = gradient_norms("relu", 2**0.5), gradient_norms("relu", 3.0)
    assert exploding[0] > 1e3 * healthy[0]  # He initialisation versus weights too large
    view = VanishingGradientsView()
    assert "vanishing" in view.summary.value
    view.activation.value = "relu"
    view.scale.value = 3.0
    assert "exploding" in view.summary.value


def test_digit_trainer_reaches_its_stated_accuracy():
    trainer = DigitTrainer()
    reports = []
    trainer.train(15, on_epoch=reports.append)
    assert [r.epoch for r in reports] == list(range(1, 16))  # progress reported as it happens
    assert reports[-1].train_error < reports[0].train_error
    assert reports[-1].validation_accuracy >= 0.90
    assert trainer.test_accuracy() >= 0.90


def test_digit_trainer_view_shows_progress():
    view = DigitTrainerView(epochs_per_click=2)
    view.train_button.click()
    assert view.progress.value == 2
    assert "epoch 2" in view.status.value and "Validation accuracy" in view.status.value
    assert view.picture.value
    view.reset_button.click()
    assert view.trainer.epochs == 0 and view.progress.value == 0
