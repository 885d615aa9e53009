"""Each lesson widget's behaviour through its Python interface: press a button, read the state."""

import math

import numpy as np
import pytest

from autograder.gradient_checking.finite_differences import finite_difference_gradient
from autograder.lesson_widgets.digit_trainer import DigitTrainer, DigitTrainerView
from autograder.lesson_widgets.live_network import LiveNetwork, LiveNetworkView


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
    assert "— diverging" in view.status.value


def test_live_network_gradients_match_finite_differences():
    net = LiveNetwork(seed=3)
    net.step(5)
    for name, grad in net.gradients().items():
        saved = getattr(net, name)
        scalar = np.ndim(saved) == 0  # b2 is a float

        def loss_with(value, name=name, scalar=scalar):
            setattr(net, name, float(value) if scalar else value)
            return net.loss()

        numeric = finite_difference_gradient(loss_with, np.asarray(saved, dtype=float))
        setattr(net, name, saved)
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-9, err_msg=name)


def test_live_network_progress_over_the_learning_rate_slider():
    """'learning' exactly when 100 steps lowered the loss, at every rate the slider offers."""
    slider = LiveNetworkView().rate
    exponents = np.arange(slider.min, slider.max + slider.step / 2, slider.step)
    rates = [slider.base**exponent for exponent in exponents]
    assert LiveNetwork().progress == "ready"
    seen = set()
    for rate in rates:
        net = LiveNetwork(learning_rate=float(rate))
        net.step(100)
        fell = math.isfinite(net.losses[-1]) and net.losses[-1] <= net.losses[0]
        assert net.progress == ("learning" if fell else "diverging"), rate
        seen.add(net.progress)
    assert seen == {"learning", "diverging"}  # the slider reaches both


def test_live_network_one_step_is_one_update():
    view = LiveNetworkView()
    view.one_step.click()
    assert view.network.steps == 1 and len(view.network.losses) == 2


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
