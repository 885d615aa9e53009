"""Every formula and number the lessons state, checked: symbolically where it is a chain
of derivatives, numerically against finite differences, or against the widget's model.

A lesson that states a wrong formula, or a number its widget does not show, fails here.
"""

import contextlib
import io
import re

import nbformat
import numpy as np
import pytest
import yaml

from autograder.gradient_checking.finite_differences import finite_difference_gradient
from autograder.lesson_widgets import error_surface, guessing_game, vanishing_gradients

from ..course_helpers import REPO

LESSONS = REPO / "course_content" / "lessons"
BANKS = REPO / "course_content" / "question_banks"


def cell(lesson: str, cell_id: str) -> str:
    cells = {c.id: c.source for c in nbformat.read(LESSONS / lesson, 4).cells}
    return cells[cell_id]


def central_difference(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


# --- the chain rule ------------------------------------------------------------------

SUPERSCRIPTS = str.maketrans("¹²³", "123")
X, Y = 0.8, 1.0


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


#: A three-layer network with one unit per layer: what each quantity is computed from.
NETWORK = {
    "z1": (("w1",), lambda v: v["w1"] * X),
    "a1": (("z1",), lambda v: sigmoid(v["z1"])),
    "z2": (("w2", "a1"), lambda v: v["w2"] * v["a1"]),
    "a2": (("z2",), lambda v: sigmoid(v["z2"])),
    "z3": (("w3", "a2"), lambda v: v["w3"] * v["a2"]),
    "a3": (("z3",), lambda v: sigmoid(v["z3"])),
    "L": (("a3",), lambda v: (v["a3"] - Y) ** 2),
}
WEIGHTS = {"w1": 0.5, "w2": -1.2, "w3": 2.0}


def forward(weights):
    values = dict(weights)
    for name, (_, formula) in NETWORK.items():
        values[name] = formula(values)
    return values


def chain_factors(text: str) -> list[tuple[str, str]]:
    """The (numerator, denominator) pairs right of '=', in LaTeX or in ∂a³/∂z³ form."""
    right = text.split("=", 1)[1] if "=" in text else text
    latex = re.findall(
        r"\\frac\{\\partial (L|[azw]\^\{\[\d\]\})\}\{\\partial (L|[azw]\^\{\[\d\]\})\}", right
    )
    plain = re.findall(r"∂(L|[azw][¹²³])/∂(L|[azw][¹²³])", right)
    normal = [
        (re.sub(r"\^\{\[(\d)\]\}", r"\1", top), re.sub(r"\^\{\[(\d)\]\}", r"\1", bottom))
        for top, bottom in latex
    ] or [(top.translate(SUPERSCRIPTS), bottom.translate(SUPERSCRIPTS)) for top, bottom in plain]
    return normal


def check_chain_for_first_weight(factors: list[tuple[str, str]]) -> None:
    """The factors link L to w1 with local derivatives only, and their product equals
    the loss's change when w1 is nudged."""
    assert factors, "no chain found"
    assert factors[0][0] == "L" and factors[-1][1] == "w1"
    for (_, below), (above, _) in zip(factors, factors[1:], strict=False):
        assert below == above, f"the chain breaks between ∂{below} and ∂{above}"
    values = forward(WEIGHTS)
    product = 1.0
    for top, bottom in factors:
        inputs, formula = NETWORK[top]
        assert bottom in inputs, f"∂{top}/∂{bottom} is not a local derivative"

        def local(t, top=top, bottom=bottom, formula=formula):
            return formula({**values, bottom: t})

        product *= central_difference(local, values[bottom])
    total = central_difference(lambda w: forward({**WEIGHTS, "w1": w})["L"], WEIGHTS["w1"])
    assert product == pytest.approx(total, rel=1e-6)


def test_the_checker_catches_the_seeds_chain():
    seed = "∂L/∂w¹ = ∂L/∂a³ · ∂a³/∂z³ · ∂z³/∂a² · ∂a²/∂z² · ∂z²/∂w¹"
    with pytest.raises(AssertionError, match="not a local derivative"):
        check_chain_for_first_weight(chain_factors(seed))


def test_lesson_3_states_the_whole_chain():
    text = cell("03_chain_rule_and_backprop.ipynb", "chain-rule")
    (display,) = re.findall(r"\$\$(.*?)\$\$", text, re.S)  # the one displayed formula
    check_chain_for_first_weight(chain_factors(display))


def test_the_checkpoint_sketch_and_the_practice_feedback_state_the_whole_chain():
    checkpoints = yaml.safe_load((BANKS / "checkpoints.yaml").read_text())["questions"]
    sketch = next(q for q in checkpoints if q["id"] == "checkpoint-chain-rule")["sketch"]
    check_chain_for_first_weight(chain_factors(sketch))
    quiz = yaml.safe_load((BANKS / "practice_quiz.yaml").read_text())["questions"]
    question = next(q for q in quiz if q["id"] == "chain-rule-direction")
    right = next(o for o in question["options"] if o.get("correct"))
    check_chain_for_first_weight(chain_factors(right["feedback"]))


def test_lesson_3s_worked_numbers_match_the_formula_and_the_nudge():
    source = cell("03_chain_rule_and_backprop.ipynb", "chain-rule-numbers")
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(compile(source, "chain-rule-numbers", "exec"), namespace)
    names = list(namespace["local_derivatives"])
    check_chain_for_first_weight(chain_factors(" = " + " · ".join(names)))
    assert namespace["chain"] == pytest.approx(namespace["measured"], rel=1e-7)
    assert f"{namespace['chain']:+.8f}" in printed.getvalue()


# --- the backpropagation equations ---------------------------------------------------

NOTATION = [("ᵀ", ".T"), ("(1/m) ·", "(1/m) *"), (" · ", " @ "),
            ("sum of dZ over the batch", "dZ.sum(axis=0)")]


def equations(block: str) -> str:
    """The lesson's pseudo-code as NumPy, by the course's notation."""
    lines = [line.split("#")[0].rstrip() for line in block.strip().splitlines()]
    code = "\n".join(line for line in lines if line)
    for written, numpy in NOTATION:
        code = code.replace(written, numpy)
    return code


def test_the_backprop_equations_give_the_gradients_of_the_mean_cost():
    output_block, hidden_block = re.findall(
        r"```text\n(.*?)```", cell("03_chain_rule_and_backprop.ipynb", "backprop-equations"), re.S
    )
    rng = np.random.default_rng(3)
    m, n_in, n_hidden, n_out = 5, 3, 4, 2
    X = rng.standard_normal((m, n_in))
    Y = np.eye(n_out)[rng.integers(0, n_out, m)]
    params = {"W1": rng.standard_normal((n_hidden, n_in)), "b1": rng.standard_normal(n_hidden),
              "W2": rng.standard_normal((n_out, n_hidden)), "b2": rng.standard_normal(n_out)}

    def cost(p):
        Z1 = X @ p["W1"].T + p["b1"]
        S = np.tanh(Z1) @ p["W2"].T + p["b2"]
        P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
        return -np.sum(Y * np.log(P)) / m, Z1, P

    _, Z1, P = cost(params)
    out = {"prediction": P, "actual_value": Y, "previous_layer_output": np.tanh(Z1), "m": m}
    exec(equations(output_block), out)
    hidden = {"dZ_next": out["dZ"], "W_next": params["W2"], "Z": Z1, "m": m,
              "activation_derivative": lambda Z: 1 - np.tanh(Z) ** 2,
              "previous_layer_output": X}
    exec(equations(hidden_block), hidden)
    grads = {"W2": out["dW"], "b2": out["db"], "W1": hidden["dW"], "b1": hidden["db"]}
    for name, grad in grads.items():
        def cost_of(value, name=name):
            return cost({**params, name: value})[0]
        numeric = finite_difference_gradient(cost_of, params[name])
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9, err_msg=name)


# --- loss functions (lesson 2) ---------------------------------------------------------

def test_the_loss_gradients_lesson_2_states():
    text = cell("02_loss_functions.ipynb", "mse") + cell("02_loss_functions.ipynb", "cross-entropy")
    assert r"$2(\hat y - y)/n$" in text and r"$\hat y - y$" in text
    assert "missing by 10 costs 100, missing by 100\ncosts 10,000" in text
    rng = np.random.default_rng(0)
    y, y_hat = rng.standard_normal(6), rng.standard_normal(6)
    for i in range(6):
        def mse(t, i=i):
            return np.mean((y - np.where(np.arange(6) == i, t, y_hat)) ** 2)
        assert central_difference(mse, y_hat[i]) == pytest.approx(2 * (y_hat[i] - y[i]) / 6)
        def half_mse(t, i=i):
            return 0.5 * np.sum((y - np.where(np.arange(6) == i, t, y_hat)) ** 2)
        assert central_difference(half_mse, y_hat[i]) == pytest.approx(y_hat[i] - y[i])
    scores, label = rng.standard_normal(4), np.eye(4)[2]
    softmax = np.exp(scores) / np.exp(scores).sum()
    for k in range(4):
        def ce(t, k=k):
            s = scores.copy()
            s[k] = t
            return -np.sum(label * np.log(np.exp(s) / np.exp(s).sum()))
        assert central_difference(ce, scores[k]) == pytest.approx(softmax[k] - label[k])


def test_sigmoids_slope_is_never_more_than_a_quarter():
    assert "sigmoid's slope is never\nmore than 1/4" in cell(
        "06_deep_networks_and_generalisation.ipynb", "vanishing"
    )
    z = np.linspace(-10, 10, 20001)
    assert (sigmoid(z) * (1 - sigmoid(z))).max() == pytest.approx(0.25)


def test_counting_iterations_and_epochs():
    text = cell("05_mini_batches_and_epochs.ipynb", "mini-batches")
    assert "10,000 samples with a batch size of 100 make **100 iterations per epoch**" in text
    assert int(np.ceil(10_000 / 100)) == 100


# --- the numbers lessons quote from their widgets --------------------------------------

def flat(text: str) -> str:
    return " ".join(text.split())


def test_lesson_4_quotes_the_error_surface():
    text = flat(cell("04_gradient_descent.ipynb", "update-rule"))
    assert "$L(w) = 12.5\\,(w-3)^2 + 1$" in text
    assert error_surface.loss(3.0) == 1 and error_surface.CURVATURE == 25
    assert "($\\alpha = 0.1$)" in text and error_surface.roll(0.1).outcome == "diverged"
    assert "within 0.01 of the minimum after 21 steps" in text
    assert error_surface.roll(0.01).arrival_step == 21
    assert "after 40 steps the ball is only 10% of the way" in text
    assert "only 10% of the way" in error_surface.roll(0.0001).describe()
    surface = flat(cell("04_gradient_descent.ipynb", "surface-intro"))
    assert "multiplies the distance to the minimum by $1 - 25\\alpha$" in surface
    assert "$\\alpha = 0.04$ lands on the minimum in one step" in surface
    assert error_surface.roll(0.04).arrival_step == 1
    assert "exactly $0.08$ bounces between $w = -1$ and $w = 7$" in surface
    assert set(error_surface.roll(0.08).path) == {-1.0, 7.0}


def test_lesson_4_quotes_the_guessing_game():
    text = flat(cell("04_gradient_descent.ipynb", "guessing-intro"))
    found = {step: guessing_game.secrets_found(50, step) for step in (2, 10, 50, "shrinking")}
    assert "a step of 2 finds every secret but can need 25 guesses" in text
    assert len(found[2]) == 100
    assert max(guessing_game.guesses_needed(s, 50, 2) for s in found[2]) == 25
    assert "A step of 10 finds only 50 of the 100 secrets, and a step of 50 only 10" in text
    assert (len(found[10]), len(found[50])) == (50, 10)
    assert "every secret is found within 6 guesses" in text
    assert len(found["shrinking"]) == 100
    assert max(guessing_game.guesses_needed(s, 50, "shrinking") for s in found["shrinking"]) == 6


def test_lesson_6_quotes_the_vanishing_gradients_widget():
    text = flat(cell("06_deep_networks_and_generalisation.ipynb", "vanishing"))
    assert "1.4$) keeps every layer's gradient useful at any depth from 4 to 30" in text
    assert "scale 1.0 lets the first layers' gradients fade below 0.01 from 21 layers on" in text
    assert "a scale of 2.0 makes them explode from 7 layers on" in text
    assert "With sigmoid, the gradient vanishes from 7 layers on whatever the init scale" in text

    def word(activation, scale, depth):
        return vanishing_gradients.judge(
            vanishing_gradients.gradient_norms(activation, scale, depth)
        ).word

    depths = vanishing_gradients.DEPTHS
    assert {word("relu", 1.4, d) for d in depths} == {"healthy"}
    assert [d for d in depths if word("relu", 1.0, d) == "vanishing"] == list(range(21, 31))
    assert [d for d in depths if word("relu", 2.0, d) == "exploding"] == list(range(7, 31))
    assert all(
        word("sigmoid", s, d) == "vanishing"
        for s in vanishing_gradients.INIT_SCALES
        for d in range(7, 31)
    )


def test_the_practice_quizs_numbers():
    questions = yaml.safe_load((BANKS / "practice_quiz.yaml").read_text())["questions"]
    quiz = {q["id"]: q for q in questions}
    right = next(o["text"] for o in quiz["update-sign"]["options"] if o.get("correct"))
    step = 0.1 * 0.4  # the prompt's learning rate and gradient; the update subtracts
    assert right == f"w decreases by {step:g}"
    assert quiz["iterations-per-epoch"]["answer"] == int(np.ceil(10_000 / 100))
