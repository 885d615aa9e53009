"""The vanishing/exploding widget: its gradients are right, and its verdict fits them
for every activation, init scale and depth its controls can take."""

import numpy as np
import pytest

from autograder.gradient_checking.finite_differences import finite_difference_gradient
from autograder.lesson_widgets.vanishing_gradients import (
    ACTIVATIONS,
    DEPTHS,
    INIT_SCALES,
    MAX_SPREAD,
    USEFUL,
    VanishingGradientsView,
    gradient_norms,
    judge,
    layer_gradients,
)


def loss_of_weights(activation, weights, inputs):
    """The widget's loss, written out: the batch mean of the sum of the last outputs."""
    forward, _ = ACTIVATIONS[activation]
    a = inputs
    for W in weights:
        a = forward(a @ W.T)
    return a.sum() / len(inputs)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_layer_gradients_match_finite_differences(activation):
    depth, width, scale = 3, 5, 1.3
    grads = layer_gradients(activation, scale, depth, width, seed=4)
    rng = np.random.default_rng(4)  # the same draws as layer_gradients makes
    weights = [rng.normal(0, scale / np.sqrt(width), (width, width)) for _ in range(depth)]
    inputs = rng.normal(0, 1, (16, width))
    for layer, grad in enumerate(grads):

        def loss_of_layer(W, layer=layer):
            return loss_of_weights(activation, [*weights[:layer], W, *weights[layer + 1 :]], inputs)

        numeric = finite_difference_gradient(loss_of_layer, weights[layer])
        np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


def test_every_setting_of_the_controls_gets_the_verdict_its_gradients_deserve():
    low, high = USEFUL
    seen = set()
    for activation in ACTIVATIONS:
        for scale in INIT_SCALES:
            for depth in DEPTHS:
                norms = gradient_norms(activation, scale, depth)
                verdict = judge(norms).word
                seen.add(verdict)
                where = f"{activation}, scale {scale}, {depth} layers: {verdict}"
                if verdict == "healthy":
                    assert all(low <= n <= high for n in norms), where
                    assert max(norms) <= MAX_SPREAD * min(norms), where
                elif verdict == "exploding":
                    too_big = not np.isfinite(max(norms)) or max(norms) > high
                    uneven = np.argmax(norms) < np.argmin(norms)  # the first layers are bigger
                    assert too_big or (max(norms) > MAX_SPREAD * min(norms) and uneven), where
                else:
                    assert verdict == "vanishing", where
                    assert max(norms) <= high, where
                    uneven = np.argmin(norms) < np.argmax(norms)
                    assert min(norms) < low or (max(norms) > MAX_SPREAD * min(norms) and uneven)
    assert seen == {"healthy", "vanishing", "exploding"}


def test_the_case_the_old_verdict_called_healthy():
    """ReLU, init scale 0.5, 30 layers: every gradient near 1e-13."""
    norms = gradient_norms("relu", 0.5, 30)
    assert max(norms) < 1e-11
    assert judge(norms).word == "vanishing"


def test_the_lessons_claims_about_initialisation():
    """Lesson 6: with ReLU, He's scale (1.4) is healthy at every depth; LeCun's 1.0 fades
    from 21 layers on; 2.0 explodes from 7 layers on; sigmoid vanishes from 5 layers on."""

    def verdicts(activation, scale):
        return {depth: judge(gradient_norms(activation, scale, depth)).word for depth in DEPTHS}

    assert set(verdicts("relu", 1.4).values()) == {"healthy"}
    lecun = verdicts("relu", 1.0)
    assert {d for d, v in lecun.items() if v == "vanishing"} == set(range(21, 31))
    assert all(lecun[d] == "healthy" for d in range(4, 21))
    double = verdicts("relu", 2.0)
    assert all(double[d] == "exploding" for d in range(7, 31))
    assert all(double[d] == "healthy" for d in range(4, 7))
    assert all(verdicts("sigmoid", 1.0)[d] == "vanishing" for d in range(5, 31))
    assert set(verdicts("tanh", 1.0).values()) == {"healthy"}


def test_the_view_shows_the_models_verdict():
    view = VanishingGradientsView()
    assert "<b>vanishing</b>" in view.summary.value  # sigmoid, 1.0, 12 layers
    view.activation.value = "relu"
    view.depth.value = 30
    view.scale.value = 0.5
    assert "<b>vanishing</b>" in view.summary.value and "2.1e-13" in view.summary.value
    view.scale.value = 1.4
    assert "<b>healthy</b>" in view.summary.value
    view.scale.value = 3.0
    assert "<b>exploding</b>" in view.summary.value
