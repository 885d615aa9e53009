"""Full per-coordinate finite differences versus this package's checker, side by side.

A 784-128-10 network (ReLU hidden layer, softmax cross-entropy), batch 64, float64.
For the correct gradients and for each injected bug it prints function evaluations,
wall time, and whether each method caught the bug (with this checker's diagnosis).

    python -m benchmarks.gradient_check_benchmark            # the real full check (minutes)
    python -m benchmarks.gradient_check_benchmark --sample 2000   # extrapolate the full check

The full check's numerical gradient does not depend on the gradient under test, so it
is computed once and each bug is judged against it (as CS231n's check would: relative
error above 1e-7, or a shape that does not match).
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from autograder.gradient_checking import (
    check_gradient,
    finite_difference_gradient,
    inputs_off_relu_kink,
    relative_difference,
)

M, N_IN, N_HIDDEN, N_OUT = 64, 784, 128, 10


def make_problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((N_HIDDEN, N_IN)) * np.sqrt(2.0 / N_IN)
    b1 = rng.standard_normal(N_HIDDEN) * 0.1
    X = inputs_off_relu_kink(rng.uniform(0, 1, (M, N_IN)), W1, b1, margin=0.01)
    W2 = rng.standard_normal((N_OUT, N_HIDDEN)) * np.sqrt(1.0 / N_HIDDEN)
    b2 = rng.standard_normal(N_OUT) * 0.1
    Y = np.eye(N_OUT)[rng.permutation(np.arange(M) % N_OUT)]
    return X, Y, {"W1": W1, "b1": b1, "W2": W2, "b2": b2}


def loss(X, Y, W1, b1, W2, b2):
    H = np.maximum(X @ W1.T + b1, 0)
    Z = H @ W2.T + b2
    Z = Z - Z.max(axis=1, keepdims=True)
    log_p = Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))
    return -np.sum(Y * log_p) / len(X)


def gradients(X, Y, W1, b1, W2, b2, bug=None):
    m = len(X)
    Z1 = X @ W1.T + b1
    H = np.maximum(Z1, 0)
    Z2 = H @ W2.T + b2
    P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    dZ2 = (P - Y) / m * (m if bug == "forgot 1/m" else 1)
    dH = dZ2 @ W2
    dZ1 = dH if bug == "missing ReLU derivative" else dH * (Z1 > 0)
    grads = {"W1": dZ1.T @ X, "b1": dZ1.sum(0), "W2": dZ2.T @ H, "b2": dZ2.sum(0)}
    if bug == "sign flipped (dW1)":
        grads["W1"] = -grads["W1"]
    if bug == "transposed (dW1)":
        grads["W1"] = X.T @ dZ1
    if bug == "bias not summed (db1)":
        grads["b1"] = dZ1
    if bug == "one wrong row (dW1 row 17)":
        grads["W1"] = grads["W1"].copy()
        grads["W1"][17] *= 1.5
    if bug == "one wrong entry (dW1[5, 300])":
        grads["W1"] = grads["W1"].copy()
        grads["W1"][5, 300] += 0.05
    if bug == "MSE-style factor 2 (dW2)":
        grads["W2"] = 2 * grads["W2"]
    if bug == "NaN (db2)":
        grads["b2"] = grads["b2"] * np.nan
    return grads


BUGS = [
    None,
    "forgot 1/m",
    "sign flipped (dW1)",
    "transposed (dW1)",
    "bias not summed (db1)",
    "missing ReLU derivative",
    "one wrong row (dW1 row 17)",
    "one wrong entry (dW1[5, 300])",
    "MSE-style factor 2 (dW2)",
    "NaN (db2)",
]


def full_numeric_gradients(X, Y, params, sample: int | None):
    """The CS231n-style check's numerical gradient, its evaluation count and wall time.

    With ``sample``, tensors larger than it are timed on their first ``sample``
    coordinates and the time is scaled up; their gradient is then not computed.
    """
    numeric, evaluations, seconds = {}, 0, 0.0
    for name, value in params.items():

        def along(v, name=name):
            return loss(X, Y, **{**params, name: v})

        evaluations += 2 * value.size
        start = time.perf_counter()
        if sample is not None and value.size > sample:
            flat = value.copy().reshape(-1)
            for i in range(sample):
                saved = flat[i]
                for moved in (saved + 1e-5, saved - 1e-5):
                    flat[i] = moved
                    along(flat.reshape(value.shape))
                flat[i] = saved
            seconds += (time.perf_counter() - start) * value.size / sample
            numeric[name] = None
        else:
            numeric[name] = finite_difference_gradient(along, value)
            seconds += time.perf_counter() - start
    return numeric, evaluations, seconds


def full_check_verdict(numeric, grads) -> str:
    """'failed' when the CS231n-style check rejects the gradients, else 'passed'."""
    for name, expected in numeric.items():
        if expected is None:
            return "n/a (sampled)"
        got = grads[name]
        if got.shape != expected.shape or not np.all(np.isfinite(got)):
            return "failed"
        if relative_difference(got, expected) > 1e-7:
            return "failed"
    return "passed"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sample",
        type=int,
        default=None,
        help="time the full check on this many coordinates per tensor and "
        "extrapolate (default: run it completely)",
    )
    args = parser.parse_args()
    X, Y, params = make_problem()
    total = sum(p.size for p in params.values())
    print(f"network 784-128-10, batch {M}, {total:,} parameters, float64\n")

    numeric, full_evals, full_seconds = full_numeric_gradients(X, Y, params, args.sample)
    how = "extrapolated" if args.sample else "measured"
    print(
        f"full per-coordinate check: {full_evals:,} loss evaluations, "
        f"{full_seconds:.1f} s ({how})\n"
    )

    header = (
        f"{'gradient under test':32} {'full':>14} {'this checker':>13} {'evals':>6} {'time':>8}"
    )
    print(header + "  diagnosis")
    print("-" * len(header))
    worst_seconds, passing_evals = 0.0, 0
    for bug in BUGS:
        grads = gradients(X, Y, **params, bug=bug)
        t0 = time.perf_counter()
        result = check_gradient(lambda *p: loss(X, Y, *p), params, grads, batch_size=M)
        seconds = time.perf_counter() - t0
        worst_seconds = max(worst_seconds, seconds)
        caught = "passed" if result.passed else "failed"
        if bug is None:
            passing_evals = result.evaluations
            expected_ok = result.passed
        label = bug or "correct gradients"
        print(
            f"{label:32} {full_check_verdict(numeric, grads):>14} {caught:>13} "
            f"{result.evaluations:>6} {seconds * 1000:>6.0f}ms  {result.diagnosis or ''}"
        )
    print()
    print(f"correct gradients pass: {expected_ok}")
    print(
        f"evaluations on a passing network: {passing_evals} vs {full_evals:,} "
        f"({full_evals / passing_evals:,.0f}x fewer)"
    )
    print(f"slowest check (including diagnosis of a failure): {worst_seconds:.3f} s")


if __name__ == "__main__":
    main()
