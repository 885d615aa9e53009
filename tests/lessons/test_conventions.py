"""One conventions table (in the course index), and the course follows it: the lessons link
to it, the formulas agree with it, and the checks name a slip against it as such."""

import re

import nbformat
import numpy as np
import pytest

from autograder.course_checks import check_cost_gradient

from ..course_helpers import REPO, flat

LESSONS = REPO / "course_content" / "lessons"
ANCHOR = "00_course_index.ipynb#Conventions-used-throughout-the-course"
HEADING = "## Conventions used throughout the course"


def table() -> dict[str, str]:
    """The index's conventions table: first column -> the course's convention."""
    cells = {c.id: c.source for c in nbformat.read(LESSONS / "00_course_index.ipynb", 4).cells}
    text = cells["conventions"]
    assert text.startswith(HEADING)  # JupyterLab's anchor is the heading with dashes
    rows = [line.split("|")[1:-1] for line in text.splitlines() if line.startswith("| ")]
    return {row[0].strip(): row[1].strip() for row in rows[1:]}


def test_the_table_states_each_convention_once():
    conventions = table()
    assert "**mean over the $m$ examples**" in conventions["Cost of a batch"]
    assert "**no ½**" in conventions["Squared error"]
    assert "**per example**" in conventions["Gradients `dZ`, `dA`, `dŶ`"]
    assert "**exactly once**" in conventions["Where $1/m$ goes"]
    assert "never in `dA_prev`" in conventions["Where $1/m$ goes"]
    assert "$d\\hat Y = 2(\\hat Y - Y)$" in conventions["Output gradients"]
    assert "$dZ = \\hat Y - Y$" in conventions["Output gradients"]
    assert "$a^{[0]} = x$" in conventions["Layer numbers"]


@pytest.mark.parametrize("path", sorted(LESSONS.glob("0[1-9]_*.ipynb")), ids=lambda p: p.stem)
def test_every_lesson_links_to_the_table(path):
    assert (
        "(#Conventions-used-throughout-the-course)"
        in nbformat.read(LESSONS / "00_course_index.ipynb", 4).cells[0].source
    )
    assert f"]({ANCHOR})" in nbformat.read(path, 4).cells[0].source


def test_the_tables_formulas_give_the_gradients_of_its_cost():
    """Mean over examples, no ½, per-example dŶ and dZ, 1/m once in dW and db: together they
    are the exact gradients of J (finite differences), for MSE and softmax cross-entropy."""
    rng = np.random.default_rng(7)
    m, n_in, k = 5, 4, 3
    A, W, b = rng.standard_normal((m, n_in)), rng.standard_normal((k, n_in)), rng.standard_normal(k)
    Y_real, Y_class = rng.standard_normal((m, k)), np.eye(k)[rng.integers(0, k, m)]

    def softmax(Z):
        e = np.exp(Z - Z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def mse_cost(Z):
        return np.sum((Z - Y_real) ** 2) / m  # (1/m) Σ_i Σ_k, no ½

    def ce_cost(Z):
        return -np.sum(Y_class * np.log(softmax(Z))) / m

    for cost, per_example in (
        (mse_cost, lambda Z: 2 * (Z - Y_real)),
        (ce_cost, lambda Z: softmax(Z) - Y_class),
    ):
        Z = A @ W.T + b
        dZ = per_example(Z)
        dW, db = dZ.T @ A / m, dZ.sum(axis=0) / m
        h = 1e-6
        for i in range(k):
            for j in range(n_in):
                bump = np.zeros_like(W)
                bump[i, j] = h
                numeric = (cost(A @ (W + bump).T + b) - cost(A @ (W - bump).T + b)) / (2 * h)
                assert dW[i, j] == pytest.approx(numeric, rel=1e-6, abs=1e-9)
            bump = np.zeros(k)
            bump[i] = h
            numeric = (cost(A @ W.T + b + bump) - cost(A @ W.T + b - bump)) / (2 * h)
            assert db[i] == pytest.approx(numeric, rel=1e-6, abs=1e-9)


# --- the checks' messages follow the table --------------------------------------------

rng = np.random.default_rng(2026)
Y_HAT, Y = rng.standard_normal((6, 3)), rng.standard_normal((6, 3))


def mse_as_a_mean_gradient(Y_hat, Y):
    """Lesson 2's ∂MSE/∂ŷ = 2(ŷ − y)/n used as dŶ: divided by m once, where the table
    says per example."""
    m = Y.shape[0]
    return float(np.sum((Y_hat - Y) ** 2) / m), 2 * (Y_hat - Y) / m


def mse_with_np_mean(Y_hat, Y):
    """The cost averaged over every entry (1/(m k)); dŶ as the table says."""
    return float(np.mean((Y_hat - Y) ** 2)), 2 * (Y_hat - Y)


def mse_as_the_table_says(Y_hat, Y):
    m = Y.shape[0]
    return float(np.sum((Y_hat - Y) ** 2) / m), 2 * (Y_hat - Y)


def test_a_gradient_divided_by_m_once_is_not_called_divided_twice():
    message = check_cost_gradient(mse_as_a_mean_gradient, Y_HAT, Y, what="mse_cost").message
    assert "dZ is divided by the batch size (m = 6)" in message
    assert "each example's own gradient" in message and "conventions table" in message
    assert "twice" not in message


def test_a_cost_averaged_over_every_entry_is_blamed_on_the_cost_not_on_dz():
    message = check_cost_gradient(mse_with_np_mean, Y_HAT, Y, what="mse_cost").message
    assert "look at the cost" in message and "np.mean over every entry" in message
    assert "k = 3" in message
    assert "scaled copy" not in message and "stray constant" not in message


def test_the_tables_mse_passes():
    assert check_cost_gradient(mse_as_the_table_says, Y_HAT, Y, what="mse_cost").passed


def test_the_checks_sentences_name_the_table():
    source = (REPO / "autograder" / "course_checks.py").read_text()
    slips = re.search(r"def convention_slips.*?return slips", source, re.S).group(0)
    assert "conventions table in the course index" in slips


@pytest.mark.parametrize("assignment", ["a1_building_blocks", "a2_training_a_network", "a3_quiz"])
def test_every_assignment_points_to_the_table(assignment):
    """Students get assignments without the lessons' folder beside them, so the pointer is the
    table's name and the index's file name rather than a relative link."""
    for folder in ("source", "release"):
        notebook = nbformat.read(REPO / folder / assignment / f"{assignment}.ipynb", 4)
        opening = next(c.source for c in notebook.cells if c.id == "md-01")
        assert "*Conventions used throughout the course*" in flat(opening), (folder, assignment)
        assert "`00_course_index.ipynb`" in opening
