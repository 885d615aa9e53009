"""What the lessons' widgets say about themselves holds in their models."""

import numpy as np

from autograder.lesson_widgets.digit_trainer import DigitTrainer, DigitTrainerView
from autograder.lesson_widgets.live_network import LiveNetwork, LiveNetworkView


def test_live_network_reset_restores_the_same_weights_as_its_tooltip_says():
    network = LiveNetwork()
    before = (network.W1.copy(), network.W2.copy())
    network.step(50)
    network.reset()
    np.testing.assert_array_equal(network.W1, before[0])
    np.testing.assert_array_equal(network.W2, before[1])
    tooltip = LiveNetworkView().reset_button.tooltip
    assert "same starting weights" in tooltip and "new" not in tooltip


def test_digit_trainer_reset_restores_the_same_network_as_its_tooltip_says():
    trainer = DigitTrainer()
    first = trainer.train(1)
    trainer.reset()
    assert trainer.train(1) == first  # the same starting weights train to the same epoch
    tooltip = DigitTrainerView(trainer).reset_button.tooltip
    assert "same starting weights" in tooltip and "new" not in tooltip
