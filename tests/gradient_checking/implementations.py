"""Correct and buggy gradient implementations used to test the checker.

Shapes follow the course's convention: a batch of m examples in rows.
A_prev: (m, n_in), W: (n_out, n_in), b: (n_out,), Z = A_prev @ W.T + b: (m, n_out).
"""

import numpy as np

M, N_IN, N_HIDDEN, N_OUT = 7, 5, 6, 4  # all distinct, no square matrix


def make_inputs(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((M, N_IN))
    W1 = rng.standard_normal((N_HIDDEN, N_IN))
    b1 = rng.standard_normal(N_HIDDEN) * 0.1
    W2 = rng.standard_normal((N_OUT, N_HIDDEN))
    b2 = rng.standard_normal(N_OUT) * 0.1
    labels = rng.permutation(np.arange(M) % N_OUT)
    Y = np.eye(N_OUT)[labels]
    return X, W1, b1, W2, b2, Y


# --- linear layer -------------------------------------------------------------
def linear_forward(A_prev, W, b):
    return A_prev @ W.T + b


def linear_backward(dZ, A_prev, W, b):
    return dZ @ W, dZ.T @ A_prev, dZ.sum(axis=0)


def linear_backward_dot_style(dZ, A_prev, W, b):
    return np.dot(dZ, W), np.transpose(np.dot(np.transpose(A_prev), dZ)), np.sum(dZ, axis=0)


def linear_backward_printing(dZ, A_prev, W, b):
    import sys

    print("debugging dW", file=sys.stderr)
    print("shapes", dZ.shape, W.shape)
    return np.matmul(dZ, W), np.einsum("mo,mi->oi", dZ, A_prev), dZ.sum(0)


LINEAR_BUGS = {
    "forgot 1/m inverted (divided twice)": (
        lambda dZ, A, W, b: (dZ @ W, dZ.T @ A / len(A), dZ.sum(0)),
        "dW",
        "divided by m twice",
    ),
    "sign flipped": (lambda dZ, A, W, b: (dZ @ W, -(dZ.T @ A), dZ.sum(0)), "dW", "wrong sign"),
    "transposed": (lambda dZ, A, W, b: (dZ @ W, A.T @ dZ, dZ.sum(0)), "dW", "transposed"),
    "bias not summed": (lambda dZ, A, W, b: (dZ @ W, dZ.T @ A, dZ), "db", "sum it over axis 0"),
    "bias summed over wrong axis": (
        lambda dZ, A, W, b: (dZ @ W, dZ.T @ A, dZ.sum(1)),
        "db",
        "summed over the wrong axis",
    ),
    "wrong row": (
        lambda dZ, A, W, b: (dZ @ W, _with_row_doubled(dZ.T @ A, 2), dZ.sum(0)),
        "dW",
        "only in row 2",
    ),
    "wrong entry": (
        lambda dZ, A, W, b: (dZ @ W, _with_entry_changed(dZ.T @ A, (1, 3)), dZ.sum(0)),
        "dW",
        "only at entry (1, 3)",
    ),
    "NaN": (lambda dZ, A, W, b: (dZ @ W * np.nan, dZ.T @ A, dZ.sum(0)), "dA_prev", "contains NaN"),
    "returns a list": (
        lambda dZ, A, W, b: ((dZ @ W).tolist(), dZ.T @ A, dZ.sum(0)),
        "dA_prev",
        "is a list",
    ),
    "in-place mutation": (
        lambda dZ, A, W, b: (_mutate(W), dZ.T @ A, dZ.sum(0)),
        None,
        "changed one of its inputs in place",
    ),
    "raises": (lambda dZ, A, W, b: (dZ @ W.T, dZ.T @ A, dZ.sum(0)), None, "raised ValueError"),
}


def _with_row_doubled(matrix, row):
    matrix = matrix.copy()
    matrix[row] *= 2
    return matrix


def _with_entry_changed(matrix, index):
    matrix = matrix.copy()
    matrix[index] += 1.0
    return matrix


def _mutate(W):
    W *= 2
    return W


# --- activations (elementwise: backward(dA, Z) -> dZ) ---------------------------
def sigmoid(Z):
    return np.where(
        Z >= 0, 1 / (1 + np.exp(-np.abs(Z))), np.exp(-np.abs(Z)) / (1 + np.exp(-np.abs(Z)))
    )


ACTIVATIONS = {
    "sigmoid": (sigmoid, lambda dA, Z: dA * sigmoid(Z) * (1 - sigmoid(Z))),
    "tanh": (np.tanh, lambda dA, Z: dA * (1 - np.tanh(Z) ** 2)),
    "relu": (lambda Z: np.maximum(Z, 0), lambda dA, Z: dA * (Z > 0)),
}

ACTIVATION_BUGS = {
    "sigmoid": [
        (lambda dA, Z: dA, "forget to multiply by the activation"),
        (lambda dA, Z: -dA * sigmoid(Z) * (1 - sigmoid(Z)), "wrong sign"),
        (lambda dA, Z: dA * sigmoid(Z), "does not match"),
    ],
    "tanh": [
        (lambda dA, Z: dA, "forget to multiply by the activation"),
        (lambda dA, Z: dA * (1 - np.tanh(Z)), "does not match"),
    ],
    "relu": [
        (lambda dA, Z: dA, "forget to multiply by the activation"),
        (lambda dA, Z: dA * (Z < 0), "does not match"),
    ],
}


# --- losses: (predictions, targets) -> scalar; gradient w.r.t. predictions ----------
def mse(P, Y):
    return np.mean(np.sum((P - Y) ** 2, axis=1))


def mse_gradient(P, Y):
    return 2 * (P - Y) / len(P)


def softmax(Z):
    shifted = Z - Z.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def cross_entropy(Z, Y):
    shifted = Z - Z.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -np.mean(np.sum(Y * log_probs, axis=1))


def cross_entropy_gradient(Z, Y):
    return (softmax(Z) - Y) / len(Z)


LOSS_BUGS = {
    "mse": [
        (lambda P, Y: 2 * (P - Y), "batch size"),
        (lambda P, Y: (P - Y) / len(P), "half the expected"),
        (lambda P, Y: 4 * (P - Y) / len(P), "twice the expected"),
        (lambda P, Y: 2 * (Y - P) / len(P), "wrong sign"),
    ],
    "cross_entropy": [
        (lambda Z, Y: softmax(Z) - Y, "forget to divide by m"),
        (lambda Z, Y: (Y - softmax(Z)) / len(Z), "wrong sign"),
        (lambda Z, Y: (softmax(Z) - Y) / len(Z) ** 2, "divided by m twice"),
    ],
}


# --- two-layer network: ReLU hidden layer, softmax cross-entropy output -------------
def two_layer_loss(X, Y, W1, b1, W2, b2):
    H = np.maximum(X @ W1.T + b1, 0)
    return cross_entropy(H @ W2.T + b2, Y)


def two_layer_gradients(X, Y, W1, b1, W2, b2, *, bug=None):
    m = len(X)
    Z1 = X @ W1.T + b1
    H = np.maximum(Z1, 0)
    Z2 = H @ W2.T + b2
    dZ2 = (softmax(Z2) - Y) / m
    if bug == "forgot 1/m":
        dZ2 = dZ2 * m
    dW2 = dZ2.T @ H
    db2 = dZ2.sum(axis=0)
    dH = dZ2 @ W2
    dZ1 = dH if bug == "missing relu derivative" else dH * (Z1 > 0)
    dW1 = dZ1.T @ X
    db1 = dZ1.sum(axis=0)
    if bug == "sign flipped":
        dW1 = -dW1
    if bug == "transposed":
        dW1 = X.T @ dZ1
    if bug == "bias not summed":
        db1 = dZ1
    if bug == "wrong row":
        dW1 = _with_row_doubled(dW1, 3)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
