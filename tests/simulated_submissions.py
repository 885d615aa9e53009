"""Simulated student submissions: the solution, other correct styles, each plausible bug,
and tampering attempts, with the score each test cell must get.

Each variant edits the instructor's solution cells (by nbgrader grade_id) with exact
text replacements; a replacement whose old text is missing fails loudly, so the
catalogue cannot silently drift from source/. This lives in tests/, never in the
installed package: it contains solution lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from autograder.batch_grading.simulated_class import solution_sources


@dataclass(frozen=True)
class Variant:
    """A submission: edits to solution cells, expected test scores, phrases in the feedback.

    ``scores`` lists only the test cells that must lose points (grade_id -> score);
    every other autograded cell must get full marks (or, with ``all_zero``, none).
    """

    name: str
    edits: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    feedback: tuple[str, ...] = ()
    all_zero: bool = False


def apply_variant(release_nb: Path, source_nb: Path, variant: Variant, out: Path) -> None:
    """Write the release notebook with every solution cell filled in, then edited."""
    solutions = solution_sources(source_nb)
    for grade_id in variant.edits:
        assert grade_id in solutions, f"{variant.name}: no solution cell {grade_id}"
    notebook = nbformat.read(release_nb, 4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in solutions:
            continue
        text = solutions[grade_id]
        for old, new in variant.edits.get(grade_id, []):
            assert old in text, f"{variant.name}: {old!r} not in solution {grade_id}"
            text = text.replace(old, new)
        cell.source = text
    out.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, out)


def _prepend(grade_id: str, code: str) -> dict[str, list[tuple[str, str]]]:
    """An edit that puts ``code`` at the start of a solution cell (keeping the solution)."""
    anchor = {"activations": "def sigmoid(Z):", "forward_pass": "def forward(X, params):"}[grade_id]
    return {grade_id: [(anchor, code + "\n\n" + anchor)]}


A1 = "a1_building_blocks"
A1_TESTS = {
    "test_activations": 3.0,
    "test_linear_forward": 1.0,
    "test_linear_backward": 3.0,
    "test_mse": 1.0,
    "test_softmax_cross_entropy": 3.0,
    "test_gradient_check": 3.0,
}
A1_VARIANTS = [
    Variant("solution"),
    Variant(
        "other_styles_with_prints_and_warnings",
        edits={
            "activations": [
                (
                    "    E = np.exp(-np.abs(Z))\n"
                    "    return np.where(Z >= 0, 1.0 / (1.0 + E), E / (1.0 + E))",
                    "    print('sigmoid called')\n"
                    "    return 1.0 / (1.0 + np.exp(-Z))  # overflow warning",
                ),
                ("return dA * (Z > 0)", "return np.where(Z > 0, dA, 0.0)"),
            ],
            "linear_layer": [
                ("dW = dZ.T @ A_prev / m", "dW = np.dot(np.transpose(dZ), A_prev) * (1 / m)"),
                ("db = dZ.sum(axis=0) / m", "db = np.mean(dZ, axis=0)"),
                ("dA_prev = dZ @ W", "dA_prev = np.matmul(dZ, W)\n    print('shapes', dW.shape)"),
            ],
        },
    ),
    Variant(
        "forgot_1_over_m",
        edits={"linear_layer": [("dW = dZ.T @ A_prev / m", "dW = dZ.T @ A_prev")]},
        scores={"test_linear_backward": 0.0},
        feedback=("forget to divide by m",),
    ),
    Variant(
        "sign_flipped_mse_gradient",
        edits={"losses": [("return cost, 2.0 * (Y_hat - Y)", "return cost, 2.0 * (Y - Y_hat)")]},
        scores={"test_mse": 0.0},
        feedback=("wrong sign",),
    ),
    Variant(
        "transposed_dW",
        edits={"linear_layer": [("dW = dZ.T @ A_prev / m", "dW = A_prev.T @ dZ / m")]},
        scores={"test_linear_backward": 0.0},
        feedback=("looks transposed",),
    ),
    Variant(
        "missing_activation_derivative",
        edits={
            "activations": [("    S = sigmoid(Z)\n    return dA * S * (1.0 - S)", "    return dA")]
        },
        scores={"test_activations": 0.0},
        feedback=("forget to multiply by the activation",),
    ),
    Variant(
        "bias_not_summed",
        edits={"linear_layer": [("db = dZ.sum(axis=0) / m", "db = dZ / m")]},
        scores={"test_linear_backward": 0.0},
        feedback=("sum it over axis 0",),
    ),
    Variant(
        "bias_summed_over_wrong_axis",
        edits={"linear_layer": [("db = dZ.sum(axis=0) / m", "db = dZ.sum(axis=1) / m")]},
        scores={"test_linear_backward": 0.0},
        feedback=("wrong axis",),
    ),
    Variant(
        "relu_slope_one_at_zero",
        edits={"activations": [("return dA * (Z > 0)", "return dA * (Z >= 0)")]},
        scores={"test_activations": 0.0},
        feedback=("use Z &gt; 0, not Z &gt;= 0",),
    ),
    Variant(
        "unstable_softmax",
        edits={
            "losses": [("    shifted = Z - Z.max(axis=1, keepdims=True)\n", "    shifted = Z\n")]
        },
        scores={"test_softmax_cross_entropy": 0.0},
        feedback=("softmax_cross_entropy cost with huge scores",),
    ),
    # --- tampering: every attempt is blocked before it runs, and scores 0 everywhere ---
    Variant(
        "tamper_replace_numpy_comparison",
        edits=_prepend("activations", "np.allclose = lambda *args, **kwargs: True"),
        all_zero=True,
        feedback=("TamperingDetected", "changes np.allclose"),
    ),
    Variant(
        "tamper_replace_checker",
        edits=_prepend(
            "activations",
            "import autograder.gradient_checking.results as results\n"
            "results.CheckResult.assert_passed = lambda self: None",
        ),
        all_zero=True,
        feedback=("changes results.CheckResult.assert_passed",),
    ),
    Variant(
        "tamper_builtins",
        edits=_prepend("activations", "import builtins\nbuiltins.AssertionError = Warning"),
        all_zero=True,
        feedback=("imports builtins",),
    ),
    Variant(
        "tamper_input_transformer",
        edits=_prepend(
            "activations",
            "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
        ),
        all_zero=True,
        feedback=("calls get_ipython()",),
    ),
    Variant(
        "tamper_exit_kernel",
        edits=_prepend("activations", "import os\nos._exit(0)"),
        all_zero=True,
        feedback=("imports os",),
    ),
    Variant(
        "tamper_doctored_eq",
        edits=_prepend(
            "activations",
            "class Always(np.ndarray):\n    def __eq__(self, other):\n        return True",
        ),
        all_zero=True,
        feedback=("subclasses numpy.ndarray",),
    ),
    Variant(
        "tamper_rebind_provided_check",
        edits=_prepend("activations", "check_values = lambda *args, **kwargs: None"),
        all_zero=True,
        feedback=("rebinds check_values",),
    ),
    Variant(
        "returns_ndarray_subclass",  # not caught by the scan: refused by the checks themselves
        edits={
            "activations": [("return np.maximum(Z, 0.0)", "return np.asmatrix(np.maximum(Z, 0.0))")]
        },
        scores={"test_activations": 0.0},
        feedback=("expected a NumPy array",),
    ),
]


A2 = "a2_training_a_network"
A2_TESTS = {
    "test_forward": 3.0,
    "test_backward": 6.0,
    "test_update": 2.0,
    "test_training": 4.0,
    "test_learning_rates": 3.0,
}
A2_VARIANTS = [
    Variant("solution"),
    Variant(
        "missing_relu_derivative",
        edits={"backward_pass": [("dZ1 = dA1 * (Z1 > 0)", "dZ1 = dA1")]},
        scores={"test_backward": 3.0},
        feedback=("the ReLU derivative is missing",),
    ),
    Variant(
        "forgot_1_over_m_in_dW2",
        edits={"backward_pass": [('"W2": dZ2.T @ A1 / m', '"W2": dZ2.T @ A1')]},
        scores={"test_backward": 4.5},
        feedback=("off by a factor of the batch size",),
    ),
    Variant(
        "relu_slope_one_at_zero",
        edits={"backward_pass": [("dZ1 = dA1 * (Z1 > 0)", "dZ1 = dA1 * (Z1 >= 0)")]},
        # Only db1 differs: the input row that makes Z1 == 0 is all zeros, so dW1 is unaffected.
        scores={"test_backward": 4.5},
        feedback=("use (Z1 &gt; 0), not (Z1 &gt;= 0)",),
    ),
    Variant(
        "forward_without_relu",
        edits={"forward_pass": [("A1 = np.maximum(Z1, 0.0)", "A1 = Z1")]},
        scores={"test_forward": 0.0},
    ),
    Variant(
        "update_climbs",
        edits={"update_rule": [("params[name] - learning_rate", "params[name] + learning_rate")]},
        scores={"test_update": 0.0},
    ),
    Variant(
        "no_shuffling",
        edits={"training_loop": [("order = rng.permutation(m)", "order = np.arange(m)")]},
        scores={"test_training": 0.0},
        feedback=("shuffle the examples",),
    ),
    Variant(
        "too_high_rate_that_still_trains",
        edits={"learning_rate_choice": [('"too_high": 20.0', '"too_high": 1.0')]},
        scores={"test_learning_rates": 0.0},
        feedback=("still trains",),
    ),
    Variant(
        "tamper_display_hook_score",
        edits=_prepend("forward_pass", "import sys\nsys.displayhook = print"),
        all_zero=True,
        feedback=("imports sys",),
    ),
]
