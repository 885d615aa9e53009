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

from ..course_helpers import REPO, flat

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


#: One hidden unit between input and output, in this course's numbering (a⁰ = x, a weight
#: numbered by the layer it feeds into) ...
ONE_HIDDEN_UNIT = {
    "z1": (("w1",), lambda v: v["w1"] * X),
    "a1": (("z1",), lambda v: sigmoid(v["z1"])),
    "z2": (("w2", "a1"), lambda v: v["w2"] * v["a1"]),
    "a2": (("z2",), lambda v: sigmoid(v["z2"])),
    "L": (("a2",), lambda v: (v["a2"] - Y) ** 2),
}
#: ... and the same network in the other common numbering: the input is a¹ = x and a
#: weight is numbered by the layer it comes out of.
ONE_HIDDEN_UNIT_OTHER_NUMBERING = {
    "a1": ((), lambda v: X),
    "z2": (("w1", "a1"), lambda v: v["w1"] * v["a1"]),
    "a2": (("z2",), lambda v: sigmoid(v["z2"])),
    "z3": (("w2", "a2"), lambda v: v["w2"] * v["a2"]),
    "a3": (("z3",), lambda v: sigmoid(v["z3"])),
    "L": (("a3",), lambda v: (v["a3"] - Y) ** 2),
}
TWO_WEIGHTS = {"w1": 0.5, "w2": -1.2}


def forward(weights, network=None):
    values = dict(weights)
    for name, (_, formula) in (network or NETWORK).items():
        values[name] = formula(values)
    return values


def check_chain_for_first_weight(
    factors: list[tuple[str, str]], network=None, weights=None
) -> float:
    """The factors link L to w1 with local derivatives only, and their product equals
    the loss's change when w1 is nudged (central differences). Returns the product."""
    network, weights = network or NETWORK, weights or WEIGHTS
    assert factors, "no chain found"
    assert factors[0][0] == "L" and factors[-1][1] == "w1"
    for (_, below), (above, _) in zip(factors, factors[1:], strict=False):
        assert below == above, f"the chain breaks between ∂{below} and ∂{above}"
    values = forward(weights, network)
    product = 1.0
    for top, bottom in factors:
        inputs, formula = network[top]
        assert bottom in inputs, f"∂{top}/∂{bottom} is not a local derivative"

        def local(t, top=top, bottom=bottom, formula=formula):
            return formula({**values, bottom: t})

        product *= central_difference(local, values[bottom])
    total = central_difference(lambda w: forward({**weights, "w1": w}, network)["L"], weights["w1"])
    assert product == pytest.approx(total, rel=1e-6)
    return product


FIVE_FACTORS_OTHER_NUMBERING = "∂L/∂w¹ = ∂L/∂a³ · ∂a³/∂z³ · ∂z³/∂a² · ∂a²/∂z² · ∂z²/∂w¹"


def test_the_checker_catches_a_chain_with_missing_links():
    """Read in this course's numbering for three layers of weights, the five-factor chain
    skips a¹ and z¹, and the checker says so."""
    with pytest.raises(AssertionError, match="not a local derivative"):
        check_chain_for_first_weight(chain_factors(FIVE_FACTORS_OTHER_NUMBERING))


def test_the_five_factor_chain_is_complete_in_the_other_numbering():
    """The same five factors, with the input at a¹ and w¹ coming out of layer 1, are the
    whole chain of a one-hidden-unit network, and equal this course's five factors."""
    other = check_chain_for_first_weight(
        chain_factors(FIVE_FACTORS_OTHER_NUMBERING), ONE_HIDDEN_UNIT_OTHER_NUMBERING, TWO_WEIGHTS
    )
    course = check_chain_for_first_weight(
        chain_factors("= ∂L/∂a² · ∂a²/∂z² · ∂z²/∂a¹ · ∂a¹/∂z¹ · ∂z¹/∂w¹"),
        ONE_HIDDEN_UNIT,
        TWO_WEIGHTS,
    )
    assert other == pytest.approx(course, rel=1e-9)


def test_lesson_3_teaches_both_numberings_and_both_chains_agree_with_a_nudge():
    """The cell 'two-numberings' states the other numbering's chain, then this course's,
    for one network; the code below it computes both, and both equal finite differences."""
    text = cell("03_chain_rule_and_backprop.ipynb", "two-numberings")
    other_display, course_display = re.findall(r"\$\$(.*?)\$\$", text, re.S)
    other = check_chain_for_first_weight(
        chain_factors(other_display), ONE_HIDDEN_UNIT_OTHER_NUMBERING, TWO_WEIGHTS
    )
    course = check_chain_for_first_weight(
        chain_factors(course_display), ONE_HIDDEN_UNIT, TWO_WEIGHTS
    )
    assert "**This course uses the first numbering**" in text
    assert "$a^{[0]} = x$" in text and "$a^{[1]} = x$" in text

    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        for cell_id in ("chain-rule-numbers", "two-numberings-numbers"):
            source = cell("03_chain_rule_and_backprop.ipynb", cell_id)
            exec(compile(source, cell_id, "exec"), namespace)
    assert (namespace["u"], namespace["v"]) == (TWO_WEIGHTS["w1"], TWO_WEIGHTS["w2"])
    assert chain_factors(" = " + " · ".join(namespace["course_chain"])) == chain_factors(
        course_display
    )
    assert chain_factors(" = " + " · ".join(namespace["other_chain"])) == chain_factors(
        other_display
    )
    for computed in ("course_product", "other_product", "nudged"):
        assert namespace[computed] == pytest.approx(course, rel=1e-7), computed
    assert other == pytest.approx(course, rel=1e-9)
    for computed in ("course_product", "other_product", "nudged"):
        assert f"{namespace[computed]:+.8f}" in printed.getvalue()


def test_leaving_out_any_factor_breaks_the_agreement_lesson_3_shows():
    assert "Leave out any one factor" in cell(
        "03_chain_rule_and_backprop.ipynb", "chain-rule-numbers-after"
    )
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(cell("03_chain_rule_and_backprop.ipynb", "chain-rule-numbers"), namespace)
    factors = list(namespace["local_derivatives"].values())
    for left_out in range(len(factors)):
        rest = np.prod(factors[:left_out] + factors[left_out + 1 :])
        assert rest != pytest.approx(namespace["measured"], rel=1e-3)


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

NOTATION = [
    ("ᵀ", ".T"),
    ("(1/m) ·", "(1/m) *"),
    (" · ", " @ "),
    ("sum of dZ over the batch", "dZ.sum(axis=0)"),
]


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
    params = {
        "W1": rng.standard_normal((n_hidden, n_in)),
        "b1": rng.standard_normal(n_hidden),
        "W2": rng.standard_normal((n_out, n_hidden)),
        "b2": rng.standard_normal(n_out),
    }

    def cost(p):
        Z1 = X @ p["W1"].T + p["b1"]
        S = np.tanh(Z1) @ p["W2"].T + p["b2"]
        P = np.exp(S) / np.exp(S).sum(axis=1, keepdims=True)
        return -np.sum(Y * np.log(P)) / m, Z1, P

    _, Z1, P = cost(params)
    out = {"prediction": P, "actual_value": Y, "previous_layer_output": np.tanh(Z1), "m": m}
    exec(equations(output_block), out)
    hidden = {
        "dZ_next": out["dZ"],
        "W_next": params["W2"],
        "Z": Z1,
        "m": m,
        "activation_derivative": lambda Z: 1 - np.tanh(Z) ** 2,
        "previous_layer_output": X,
    }
    exec(equations(hidden_block), hidden)
    grads = {"W2": out["dW"], "b2": out["db"], "W1": hidden["dW"], "b1": hidden["db"]}
    for name, grad in grads.items():

        def cost_of(value, name=name):
            return cost({**params, name: value})[0]

        numeric = finite_difference_gradient(cost_of, params[name])
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9, err_msg=name)


# --- loss functions (lesson 2) ---------------------------------------------------------


def test_the_loss_gradients_lesson_2_states():
    """Each gradient lesson 2 states, with respect to what it says, by finite differences:
    MSE per example and for the mean; cross-entropy for the probabilities and the scores."""
    mse, ce = (
        cell("02_loss_functions.ipynb", "mse"),
        cell("02_loss_functions.ipynb", "cross-entropy"),
    )
    assert r"has the gradient" in mse and r"$2(\hat y_i - y_i)$" in mse
    assert r"$\partial\,\text{MSE}/\partial \hat y_i = 2(\hat y_i - y_i)/n$" in mse
    assert r"$\partial\,\text{CE}/\partial \hat y_k = -y_k/\hat y_k$" in ce
    assert r"$\partial\,\text{CE}/\partial z = \hat y - y$" in ce
    assert "missing by 10 costs 100, missing by 100\ncosts 10,000" in mse
    rng = np.random.default_rng(0)
    n = 6
    y, y_hat = rng.standard_normal(n), rng.standard_normal(n)
    for i in range(n):

        def with_prediction(t, i=i):
            return np.where(np.arange(n) == i, t, y_hat)

        def mean_squared_error(t, i=i):
            return np.mean((y - with_prediction(t)) ** 2)

        def own_loss(t, i=i):
            return (y[i] - t) ** 2

        assert central_difference(mean_squared_error, y_hat[i]) == pytest.approx(
            2 * (y_hat[i] - y[i]) / n
        )
        assert central_difference(own_loss, y_hat[i]) == pytest.approx(2 * (y_hat[i] - y[i]))
    scores, label = rng.standard_normal(4), np.eye(4)[2]
    probabilities = np.exp(scores) / np.exp(scores).sum()
    for k in range(4):

        def ce_of_scores(t, k=k):
            s = scores.copy()
            s[k] = t
            return -np.sum(label * np.log(np.exp(s) / np.exp(s).sum()))

        def ce_of_probabilities(t, k=k):
            p = probabilities.copy()
            p[k] = t
            return -np.sum(label * np.log(p))

        assert central_difference(ce_of_scores, scores[k]) == pytest.approx(
            probabilities[k] - label[k]
        )
        assert central_difference(ce_of_probabilities, probabilities[k]) == pytest.approx(
            -label[k] / probabilities[k]
        )


def test_lesson_2s_worked_losses():
    """The numbers lesson 2 quotes are what its demo cell prints and what the formulas give."""
    mse, ce = (
        cell("02_loss_functions.ipynb", "mse"),
        flat(cell("02_loss_functions.ipynb", "cross-entropy")),
    )
    assert "A prediction of 0.3 when the answer is 1.0\ncosts $(1.0 - 0.3)^2 = 0.49$" in mse
    assert f"{(1.0 - 0.3) ** 2:.2f}" == "0.49"
    assert f"$-\\log 0.95 \\approx {-np.log(0.95):.2f}$" in ce
    assert f"$-\\log 0.05 \\approx {-np.log(0.05):.1f}$" in ce
    assert f'"73% dog, 15% cat, 12% bird" costs {-np.log(0.73):.2f}' in ce
    assert f'"12% dog, 88% cat" costs {-np.log(0.12):.2f}' in ce
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        exec(cell("02_loss_functions.ipynb", "loss-demo"), {})
    for number in (f"{-np.log(0.73):.2f}", f"{-np.log(0.12):.2f}", "0.49"):
        assert number in printed.getvalue()


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
    assert "only rates from about 0.0056 to 0.0744 get within 0.01 of the minimum" in surface
    assert error_surface.roll(0.0055).outcome == "crawling"
    assert error_surface.roll(0.0745).outcome == "crawling"
    assert "zig-zagging" in error_surface.roll(0.0745).describe()
    assert all(
        error_surface.roll(r).outcome == "converged" for r in np.linspace(0.0056, 0.0744, 200)
    )
    assert "Every rate below $0.08$ converges in the end" in surface
    assert all(abs(1 - error_surface.CURVATURE * r) < 1 for r in np.linspace(1e-5, 0.0799, 200))


def test_lesson_4_quotes_the_guessing_game():
    text = flat(cell("04_gradient_descent.ipynb", "guessing-intro"))
    found = {step: guessing_game.secrets_found(50, step) for step in (2, 10, 50, "shrinking")}
    assert "A step of 2 finds every secret but can need 25 guesses" in text
    assert len(found[2]) == 100
    assert max(guessing_game.guesses_needed(s, 50, 2) for s in found[2]) == 25
    assert "A step of 10 finds only 50 of the 100 secrets, and a step of 50 only 10" in text
    assert (len(found[10]), len(found[50])) == (50, 10)
    assert "from a first guess of 50 every secret is found within 6 guesses" in text
    assert "What the game shows, from a first guess of 50" in text
    assert len(found["shrinking"]) == 100
    assert max(guessing_game.guesses_needed(s, 50, "shrinking") for s in found["shrinking"]) == 6

    def worst(first):
        return max(guessing_game.guesses_needed(s, first, "shrinking") for s in range(1, 101))

    assert "(from most other first guesses, such as 1, 25 or 100, it can take 7)" in text
    assert [worst(first) for first in (1, 25, 100)] == [7, 7, 7]
    assert sum(worst(first) == 7 for first in range(1, 101)) > 50
    assert max(worst(first) for first in range(1, 101)) == 7


def test_lesson_6_quotes_the_vanishing_gradients_widget():
    text = flat(cell("06_deep_networks_and_generalisation.ipynb", "vanishing"))
    assert "1.4$) keeps every layer's gradient useful at any depth from 4 to 30" in text
    assert "scale 1.0 lets every layer's gradient fade below 0.01 from 21 layers on" in text
    assert "a scale of 2.0 makes them explode from 7 layers on" in text
    assert "with sigmoid the gradient vanishes from 7 layers on whatever the init scale" in text

    def word(activation, scale, depth):
        return vanishing_gradients.judge(
            vanishing_gradients.gradient_norms(activation, scale, depth)
        ).word

    depths = vanishing_gradients.DEPTHS
    assert {word("relu", 1.4, d) for d in depths} == {"healthy"}
    assert [d for d in depths if word("relu", 1.0, d) == "vanishing"] == list(range(21, 31))
    for depth in range(21, 31):  # "every layer's gradient", not only the first ones
        assert max(vanishing_gradients.gradient_norms("relu", 1.0, depth)) < 0.05
    assert [d for d in depths if word("relu", 2.0, d) == "exploding"] == list(range(7, 31))
    assert all(
        word("sigmoid", s, d) == "vanishing"
        for s in vanishing_gradients.INIT_SCALES
        for d in range(7, 31)
    )


def shown(value: float) -> str:
    """A gradient size as lesson 6 writes it: two significant figures."""
    text = f"{value:.2g}"
    return text if "e" not in text else f"{float(text):.1e}".replace("e-0", "e-")


def test_lesson_6s_explanation_of_the_widget_holds_in_its_model():
    """Sigmoid: the first layers fall far behind the last (the early-layer gap). ReLU: every
    layer's gradient shrinks or grows together with the forward signal; no early-layer gap."""
    text = flat(cell("06_deep_networks_and_generalisation.ipynb", "vanishing"))
    norms = vanishing_gradients.gradient_norms

    sigmoid_12 = norms("sigmoid", 1.0, 12)
    assert (
        f"with 12 layers at init scale 1.0 the last layer's gradient is {shown(sigmoid_12[-1])} "
        f"and the first layer's {shown(sigmoid_12[0])}" in text
    )
    for scale in vanishing_gradients.INIT_SCALES:
        for depth in range(7, 31):
            gradients = norms("sigmoid", scale, depth)
            assert gradients[-1] > 100 * gradients[0]  # the gap between first and last

    relu_small, relu_large = norms("relu", 1.0, 30), norms("relu", 2.0, 7)
    assert (
        f"At init scale 1.0 and 30 layers the first layer's gradient is {shown(relu_small[0])} "
        f"and the last layer's {shown(relu_small[-1])}; at init scale 2.0 and 7 layers they are "
        f"{float(shown(relu_large[0])):g} and {float(shown(relu_large[-1])):g}" in text
    )
    assert max(relu_small) < 1e-3 and min(relu_large) > 100  # all small, or all large, together
    assert "within a factor of 7 of each other" in text
    for scale in vanishing_gradients.INIT_SCALES:
        for depth in vanishing_gradients.DEPTHS:
            gradients = norms("relu", scale, depth)
            assert max(gradients) < 7 * min(gradients), (scale, depth)


def test_the_practice_quizs_numbers():
    questions = yaml.safe_load((BANKS / "practice_quiz.yaml").read_text())["questions"]
    quiz = {q["id"]: q for q in questions}
    right = next(o["text"] for o in quiz["update-sign"]["options"] if o.get("correct"))
    step = 0.1 * 0.4  # the prompt's learning rate and gradient; the update subtracts
    assert right == f"w decreases by {step:g}"
    assert quiz["iterations-per-epoch"]["answer"] == int(np.ceil(10_000 / 100))


def test_the_layer_numbering_checkpoint_states_both_chains_right():
    checkpoints = yaml.safe_load((BANKS / "checkpoints.yaml").read_text())["questions"]
    question = next(q for q in checkpoints if q["id"] == "checkpoint-layer-numbering")
    other = check_chain_for_first_weight(
        chain_factors(question["prompt"]), ONE_HIDDEN_UNIT_OTHER_NUMBERING, TWO_WEIGHTS
    )
    course = check_chain_for_first_weight(
        chain_factors(question["sketch"].split("so the same weight")[1]),
        ONE_HIDDEN_UNIT,
        TWO_WEIGHTS,
    )
    assert other == pytest.approx(course, rel=1e-9)
    assert "a¹ = x" in question["sketch"] and "a⁰ = x" in question["sketch"]
