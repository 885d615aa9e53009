"""The error-surface widget's labels, checked against the trajectory they describe."""

import numpy as np
import pytest

from autograder.lesson_widgets.error_surface import (
    ARRIVED,
    CURVATURE,
    EXAMPLES,
    MINIMUM,
    START,
    STEPS,
    ErrorSurfaceView,
    chosen_rate,
    loss,
    roll,
    slope,
)

SLIDER = ErrorSurfaceView().rate
EVERY_SLIDER_RATE = [
    chosen_rate(float(SLIDER.base ** (SLIDER.min + notch * SLIDER.step)))
    for notch in range(round((SLIDER.max - SLIDER.min) / SLIDER.step) + 1)
]


def test_the_slider_reaches_the_rates_lesson_4_asks_for():
    """Lesson 4: 0.04 lands in one step, 0.08 bounces for ever; both are notches."""
    assert 0.04 in EVERY_SLIDER_RATE and 0.08 in EVERY_SLIDER_RATE
    assert roll(0.04).arrival_step == 1 and roll(0.08).outcome == "bouncing"
    assert min(EVERY_SLIDER_RATE) < 0.0001 and 0.1 < max(EVERY_SLIDER_RATE) < 0.25


def expected_outcome(rate: float) -> str:
    """From the contraction factor of one update, |w - 3| <- |1 - 25 rate| |w - 3|."""
    factor = 1 - CURVATURE * rate
    distances = [abs(START - MINIMUM) * abs(factor) ** n for n in range(STEPS + 1)]
    if min(distances) < ARRIVED:
        return "converged"
    if abs(factor) > 1:
        return "diverged"
    if factor == -1:
        return "bouncing"
    return "crawling"


def test_the_slope_is_the_derivative_of_the_loss():
    for w in np.linspace(-2, 8, 11):
        numeric = (loss(w + 1e-6) - loss(w - 1e-6)) / 2e-6
        assert slope(w) == pytest.approx(numeric, rel=1e-6, abs=1e-6)


@pytest.mark.parametrize("rate", EVERY_SLIDER_RATE, ids=lambda r: f"{r:.3g}")
def test_every_slider_rate_is_labelled_as_its_trajectory_behaves(rate):
    descent = roll(rate)
    assert descent.outcome == expected_outcome(rate)
    distances = descent.distances
    if descent.outcome == "converged":
        arrived = next(i for i, d in enumerate(distances) if d < ARRIVED)
        assert f"after {arrived} step" in descent.describe()
    elif descent.outcome == "diverged":
        assert distances[-1] > distances[0]
    elif descent.outcome == "crawling":
        assert ARRIVED <= distances[-1] < distances[0]
        covered = f"{1 - distances[-1] / distances[0]:.0%} of the way"
        assert covered in descent.describe()


@pytest.mark.parametrize("rate", [0.0003, 0.03, 0.08, 0.15])
def test_the_view_shows_the_models_verdict_for_the_chosen_rate(rate):
    view = ErrorSurfaceView()
    view.rate.value = rate
    expected = f"yours ({rate:.4g}): <b>{roll(rate).describe()}</b>"
    assert expected in view.summary.value


def test_the_lessons_numbers():
    """Lesson 4 states these; the widget must show them."""
    outcomes = {name: roll(rate).outcome for name, rate in EXAMPLES.items()}
    assert outcomes == {
        "too high (0.1)": "diverged",
        "just right (0.01)": "converged",
        "too low (0.0001)": "crawling",
    }
    assert roll(0.01).arrival_step == 21
    assert "only 10% of the way" in roll(0.0001).describe()
    bounce = roll(0.08)
    assert bounce.outcome == "bouncing" and set(bounce.path) == {-1.0, 7.0}
    assert "between w = -1 and w = 7" in bounce.describe()
    assert roll(0.04).arrival_step == 1
    assert roll(0.0801).outcome == "diverged" and roll(0.0799).outcome == "crawling"
    assert "zig-zagging" in roll(0.0799).describe()
    assert roll(0.07).outcome == "converged"  # below 0.08 converges, zig-zagging
