"""What assignment 2's instructions promise holds: init_params' docstring says what the code
draws, Part 4 says which settings the graded run fixes, and Part 5's 'too high' learning rate
behaves as described (trained with the same reference loop as the hidden check)."""

import re
import warnings

import nbformat
import numpy as np
import pytest

from autograder.course_data import load_digits_split, one_hot_labels

from ..course_helpers import REPO, flat

A2 = "a2_training_a_network"


def a2_cells(folder: str) -> dict[str, str]:
    notebook = nbformat.read(REPO / folder / A2 / f"{A2}.ipynb", 4)
    return {c.id: c.source for c in notebook.cells}


@pytest.mark.parametrize("folder", ["source", "release"])
def test_init_params_docstring_says_what_it_draws(folder):
    setup = a2_cells(folder)["setup"]
    function = re.search(r"def init_params.*?\n    \}\n", setup, re.S).group(0)
    namespace: dict = {"np": np}
    exec(function, namespace)
    params = namespace["init_params"](400, 300, 200, seed=1)
    assert np.std(params["W1"]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)  # He, for ReLU
    assert np.std(params["W2"]) == pytest.approx(np.sqrt(1 / 300), rel=0.02)  # LeCun
    assert not params["b1"].any() and not params["b2"].any()
    doc = flat(namespace["init_params"].__doc__)
    assert "W1 (n_hidden, n_in) He-initialised, N(0, 2/n_in)" in doc
    assert "W2 (n_out, n_hidden) N(0, 1/n_hidden), LeCun's scale" in doc
    assert "zero biases" in doc


@pytest.mark.parametrize("folder", ["source", "release"])
def test_part_4_says_which_settings_the_graded_run_fixes(folder):
    cells = a2_cells(folder)
    part_4 = flat(next(s for s in cells.values() if "## Part 4" in s))
    assert (
        "The check below fixes the settings — `learning_rate=0.5`, 30 epochs, batches of 32"
        in part_4
    )
    assert "so there is nothing to tune for it" in part_4
    check = flat(cells["test_training"])
    assert "init_params(64, 32, 10)" in check
    assert "learning_rate=0.5, epochs=30, batch_size=32" in check


def reference_run(rate: float, epochs: int = 20, batch: int = 32) -> tuple[list[float], float]:
    """The hidden check's reference loop: costs per iteration, validation accuracy."""
    digits = load_digits_split(seed=0)
    Y_train = one_hot_labels(digits.y_train)
    rng = np.random.default_rng(0)
    p = {
        "W1": rng.standard_normal((32, 64)) * np.sqrt(2.0 / 64),
        "b1": np.zeros(32),
        "W2": rng.standard_normal((10, 32)) * np.sqrt(1.0 / 32),
        "b2": np.zeros(10),
    }
    order_rng, costs = np.random.default_rng(0), []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(epochs):
            order = order_rng.permutation(len(digits.X_train))
            for s in range(0, len(order), batch):
                idx = order[s : s + batch]
                X, Y = digits.X_train[idx], Y_train[idx]
                Z1 = X @ p["W1"].T + p["b1"]
                A1 = np.maximum(Z1, 0)
                S = A1 @ p["W2"].T + p["b2"]
                S = S - S.max(1, keepdims=True)
                P = np.exp(S) / np.exp(S).sum(1, keepdims=True)
                costs.append(float(-np.sum(Y * np.log(P + 1e-300)) / len(idx)))
                dZ2 = P - Y
                dZ1 = (dZ2 @ p["W2"]) * (Z1 > 0)
                g = {"W1": dZ1.T @ X, "b1": dZ1.sum(0), "W2": dZ2.T @ A1, "b2": dZ2.sum(0)}
                p = {k: p[k] - rate * g[k] / len(idx) for k in p}
        Z = np.maximum(digits.X_val @ p["W1"].T + p["b1"], 0) @ p["W2"].T + p["b2"]
    return costs, float(np.mean(np.argmax(Z, 1) == digits.y_val))


def test_part_5s_too_high_rate_does_what_the_text_says():
    text = flat(a2_cells("source")["md-06"])
    assert "the first steps overshoot, so the cost jumps above where it started" in text
    assert "the cost stays near ln 10 ≈ 2.3" in text and "validation accuracy sits near 10%" in text
    assert "becomes `nan`" not in text  # the reference loop's cost never does
    for rate in (2.0, 3.0, 5.0, 10.0, 20.0):
        costs, accuracy = reference_run(rate)
        assert max(costs) > costs[0], rate
        assert np.mean(costs[-34:]) > 0.95 * np.log(10), rate
        assert accuracy < 0.12, rate
        assert np.all(np.isfinite(costs)), rate
        # ... and so the hidden check accepts it as too high
        assert np.mean(costs[-34:]) > 0.9 * costs[0], rate
