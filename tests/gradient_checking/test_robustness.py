"""The checker stays calm when student code misbehaves, and never lets noise cost points."""

import math
import warnings

import numpy as np
import pytest

from autograder.gradient_checking import (
    check_gradient,
    check_layer_gradient,
    check_values,
    inputs_off_relu_kink,
    min_distance_to_kink,
)

from . import implementations as impl

X, W, b, *_ = impl.make_inputs(0)
INPUTS = {"A_prev": X, "W": W, "b": b}


def test_float32_inputs_are_checked_in_float64_and_say_so():
    inputs32 = {name: value.astype(np.float32) for name, value in INPUTS.items()}
    result = check_layer_gradient(impl.linear_forward, impl.linear_backward, inputs32)
    assert result.passed
    assert any("float64" in note for note in result.notes)


def test_float32_gradient_is_accepted_when_accurate_enough():
    def backward32(dZ, A, W, b):
        return tuple(g.astype(np.float32) for g in impl.linear_backward(dZ, A, W, b))

    result = check_layer_gradient(impl.linear_forward, backward32, INPUTS, tolerance=1e-4)
    assert result.passed, result.message


def test_backward_that_raises_gets_a_one_line_message():
    def broken(dZ, A, W, b):
        return dZ @ W.T, None, None

    result = check_layer_gradient(impl.linear_forward, broken, INPUTS)
    assert not result.passed
    assert result.problem.startswith("broken raised ValueError")
    assert "Traceback" not in result.message and "\n" not in result.problem
    assert result.score(2) == 0.0


def test_forward_that_returns_nan_is_named():
    result = check_gradient(lambda W: float("nan"), {"W": W}, {"W": W})
    assert not result.passed
    assert result.problem.startswith("the loss is nan: ")


def test_nan_in_a_gradient_is_named_with_where_it_is():
    gradient = 2 * W
    gradient[1, 2] = np.nan
    result = check_gradient(lambda W: float(np.sum(W**2)), {"W": W}, {"W": gradient})
    assert not result.passed
    assert f"dW contains NaN (1 of {W.size} entries, first at index (1, 2))" in result.message


def test_loss_with_wrong_shape_is_named():
    result = check_gradient(lambda W: W, {"W": W}, {"W": W})
    assert "single number" in result.problem


def test_missing_return_is_named():
    result = check_layer_gradient(impl.linear_forward, lambda dZ, A, W, b: None, INPUTS)
    assert "tuple or dict" in result.problem or "None" in result.message


def test_doctored_objects_are_refused():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    def backward(dZ, A, W, b):
        dA, dW, db = impl.linear_backward(dZ, A, W, b)
        return dA, np.zeros_like(dW).view(Liar), db

    result = check_layer_gradient(impl.linear_forward, backward, INPUTS)
    assert not result.passed
    assert "expected a NumPy array" in result.message


def test_warnings_and_prints_never_escape(capfd):
    def noisy_loss(P):
        print("loss called")
        np.exp(np.array([1000.0]))  # overflow warning
        return float(np.sum(P**2))

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any escaping warning would raise here
        result = check_gradient(noisy_loss, {"P": W}, {"P": 2 * W})
    assert result.passed
    assert capfd.readouterr() == ("", "")


def test_partial_credit_is_a_finite_python_float_in_range():
    def half_right(dZ, A, W, b):
        dA, dW, db = impl.linear_backward(dZ, A, W, b)
        return dA, -dW, db

    result = check_layer_gradient(impl.linear_forward, half_right, INPUTS)
    score = result.score(3)
    assert isinstance(score, float) and math.isfinite(score) and repr(score) == repr(float(score))
    assert score == pytest.approx(2.0)
    with pytest.raises(AssertionError, match="wrong sign"):
        result.assert_passed()


def test_zero_gradient_rows_do_not_fail_a_correct_gradient():
    # A dead ReLU unit has an all-zero gradient row: finite-difference noise must not fail it.
    X, Y, params = _network_with_dead_unit()
    result = check_gradient(
        lambda *p: impl.two_layer_loss(X, Y, *p), params, impl.two_layer_gradients(X, Y, **params)
    )
    assert result.passed, result.message


def _network_with_dead_unit():
    rng = np.random.default_rng(8)
    X = rng.standard_normal((9, 5))
    params = {
        "W1": rng.standard_normal((6, 5)),
        "b1": rng.standard_normal(6),
        "W2": rng.standard_normal((4, 6)),
        "b2": rng.standard_normal(4),
    }
    params["b1"][2] = -100.0  # unit 2 never fires
    X = inputs_off_relu_kink(X, params["W1"], params["b1"], margin=0.05)
    Y = np.eye(4)[np.arange(9) % 4]
    return X, Y, params


def test_inputs_off_relu_kink_moves_every_preactivation_away_from_zero():
    rng = np.random.default_rng(2)
    X, W, b = rng.standard_normal((64, 30)), rng.standard_normal((20, 30)), rng.standard_normal(20)
    moved = inputs_off_relu_kink(X, W, b, margin=0.02)
    assert min_distance_to_kink(moved @ W.T + b) >= 0.02 - 1e-12
    assert np.linalg.norm(moved - X) < 0.1 * np.linalg.norm(X)


def test_check_values_diagnoses_a_scaled_answer():
    result = check_values("cost", 2 * 3.5, 3.5)
    assert "twice" in result.message


def test_input_helpers_keep_bugs_visible():
    from autograder.gradient_checking import distinct_dimensions, random_matrix

    sizes = distinct_dimensions(4, low=3, rng=np.random.default_rng(1))
    assert len(set(sizes)) == 4 and min(sizes) >= 3  # no square matrix, m != any width
    square = random_matrix((5, 5), np.random.default_rng(2))
    assert not np.allclose(square, square.T) and len(np.unique(square)) == 25
