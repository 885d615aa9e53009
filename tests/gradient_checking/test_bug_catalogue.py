"""Every bug in the catalogue fails with the right diagnosis; correct code in any style passes."""

import numpy as np
import pytest

from autograder.gradient_checking import (
    check_gradient,
    check_layer_gradient,
    min_distance_to_kink,
)

from . import implementations as impl


def linear_check(backward, seed=0):
    X, W1, b1, *_ = impl.make_inputs(seed)
    return check_layer_gradient(
        impl.linear_forward, backward, {"A_prev": X, "W": W1, "b": b1}, batch_size=impl.M
    )


@pytest.mark.parametrize(
    "backward",
    [impl.linear_backward, impl.linear_backward_dot_style, impl.linear_backward_printing],
)
def test_correct_linear_backward_in_any_style_passes(backward, capfd):
    result = linear_check(backward)
    assert result.passed, result.message
    # A float whose text is a plain number (what nbgrader reads), never np.float64(3.0).
    assert result.score(3) == 3.0 and repr(result.score(3)) == "3.0"
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # the student's prints never reach the cell's output


@pytest.mark.parametrize("bug", sorted(impl.LINEAR_BUGS))
def test_each_linear_bug_fails_with_its_diagnosis(bug):
    backward, culprit, phrase = impl.LINEAR_BUGS[bug]
    result = linear_check(backward)
    assert not result.passed
    assert phrase in result.message, result.message
    if culprit is not None:
        failed = [t.name for t in result.tensors if not t.passed]
        assert failed == [culprit], result.message
    assert 0.0 <= result.score(3) < 3.0


@pytest.mark.parametrize("name", sorted(impl.ACTIVATIONS))
def test_activation_backward_correct_and_buggy(name):
    forward, backward = impl.ACTIVATIONS[name]
    rng = np.random.default_rng(3)
    Z = rng.standard_normal((impl.M, impl.N_OUT))
    Z[np.abs(Z) < 0.05] = 0.3  # away from ReLU's kink
    correct = check_layer_gradient(forward, backward, {"Z": Z})
    assert correct.passed, correct.message
    for buggy, phrase in impl.ACTIVATION_BUGS[name]:
        result = check_layer_gradient(forward, buggy, {"Z": Z})
        assert not result.passed
        assert phrase in result.message, result.message


@pytest.mark.parametrize("loss_name", ["mse", "cross_entropy"])
def test_loss_gradients_correct_and_buggy(loss_name):
    loss = {"mse": impl.mse, "cross_entropy": impl.cross_entropy}[loss_name]
    gradient = {"mse": impl.mse_gradient, "cross_entropy": impl.cross_entropy_gradient}[loss_name]
    X, _, _, _, _, Y = impl.make_inputs(1)
    P = np.random.default_rng(2).standard_normal(Y.shape)

    def run(grad_fn):
        return check_gradient(
            lambda P: loss(P, Y), {"P": P}, lambda P: (grad_fn(P, Y),), batch_size=impl.M
        )

    assert run(gradient).passed
    for buggy, phrase in impl.LOSS_BUGS[loss_name]:
        result = run(buggy)
        assert not result.passed
        assert phrase in result.message, result.message


def network_inputs(seed, sizes=(impl.M, impl.N_IN, impl.N_HIDDEN, impl.N_OUT)):
    m, n_in, n_hidden, n_out = sizes
    rng = np.random.default_rng(seed)
    while True:
        X = rng.standard_normal((m, n_in))
        W1 = rng.standard_normal((n_hidden, n_in)) / np.sqrt(n_in)
        b1 = rng.standard_normal(n_hidden) * 0.1
        if min_distance_to_kink(X @ W1.T + b1) > 1e-3:
            break
    W2 = rng.standard_normal((n_out, n_hidden)) / np.sqrt(n_hidden)
    b2 = rng.standard_normal(n_out) * 0.1
    Y = np.eye(n_out)[rng.permutation(np.arange(m) % n_out)]
    return X, Y, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


NETWORK_BUGS = {
    "forgot 1/m": ("W1", "forget to divide by m"),
    "sign flipped": ("W1", "wrong sign"),
    "transposed": ("W1", "transposed"),
    "bias not summed": ("b1", "sum it over axis 0"),
    "wrong row": ("W1", "only in row 3"),
    "missing relu derivative": ("W1 b1", "ReLU derivative"),
}


@pytest.mark.parametrize(
    "sizes", [(7, 5, 6, 4), (33, 60, 40, 10)], ids=["small-full", "directional"]
)
@pytest.mark.parametrize("bug", [None, *sorted(NETWORK_BUGS)])
def test_two_layer_network(bug, sizes):
    X, Y, params = network_inputs(0, sizes)

    def loss(W1, b1, W2, b2):
        return impl.two_layer_loss(X, Y, W1, b1, W2, b2)

    missing_derivative = impl.two_layer_gradients(X, Y, **params, bug="missing relu derivative")
    sentence = "you left out the ReLU derivative in the hidden layer: multiply dH by (Z1 > 0)."
    known = {name: {sentence: missing_derivative[name]} for name in ("W1", "b1")}
    result = check_gradient(
        loss,
        params,
        impl.two_layer_gradients(X, Y, **params, bug=bug),
        batch_size=sizes[0],
        known_mistakes=known,
    )
    if bug is None:
        assert result.passed, result.message
        return
    culprit, phrase = NETWORK_BUGS[bug]
    assert not result.passed
    if bug == "forgot 1/m":  # every tensor is off by m
        assert all(not t.passed for t in result.tensors)
    else:
        failed = [t.name for t in result.tensors if not t.passed]
        assert failed == ["d" + name for name in culprit.split()], result.message
    assert phrase in result.message, result.message
    if sizes[0] == 33:
        assert any(t.method == "directional" for t in result.tensors)


def test_directional_check_costs_a_handful_of_evaluations():
    X, Y, params = network_inputs(4, (33, 60, 40, 10))
    result = check_gradient(
        lambda *p: impl.two_layer_loss(X, Y, *p), params, impl.two_layer_gradients(X, Y, **params)
    )
    assert result.passed
    directional = [t for t in result.tensors if t.method == "directional"]
    assert {t.name for t in directional} == {"dW1", "dW2"}
    assert all(t.evaluations == 12 for t in directional)  # 3 directions x 4 evaluations


def test_seed_is_recorded_and_replays_identically():
    X, Y, params = network_inputs(5, (33, 60, 40, 10))
    grads = impl.two_layer_gradients(X, Y, **params, bug="wrong row")
    runs = [
        check_gradient(lambda *p: impl.two_layer_loss(X, Y, *p), params, grads, seed=11)
        for _ in range(2)
    ]
    assert runs[0].seed == 11
    assert [t.relative_error for t in runs[0].tensors] == [
        t.relative_error for t in runs[1].tensors
    ]
