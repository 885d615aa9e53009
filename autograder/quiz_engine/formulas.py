"""Parameterised (``calculation``) questions: draw the numbers, evaluate the formulas.

A bank declares each parameter's range and step, and (with its answers) the answer and
the typical wrong answers as formulas over the parameters and ``derived`` quantities::

    parameters: {a: {min: 0.5, max: 1.5, step: 0.1}, b: {min: 1, max: 3, step: 0.5}}
    derived: {area: "a * b"}
    answer: "2 * area"

Formulas are arithmetic only (``+ - * / **``, parentheses, ``abs``, ``exp``, ``log``,
``sqrt``), evaluated by ``simpleeval`` with operators and functions given at each call.
"""

from __future__ import annotations

import ast
import math
import operator
import random
from collections.abc import Mapping

from simpleeval import SimpleEval

from autograder.quiz_engine.questions import Question

FUNCTIONS = {"abs": abs, "exp": math.exp, "log": math.log, "sqrt": math.sqrt}


class FormulaError(ValueError):
    """A formula that cannot be evaluated; the message names the formula."""


def _operators() -> dict:
    # Built at each call, so no code elsewhere in the kernel can swap an operator in.
    return {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
        ast.Div: operator.truediv,
        ast.Pow: operator.pow,
        ast.USub: operator.neg,
        ast.UAdd: operator.pos,
    }


def evaluate(formula: str, values: Mapping[str, float]) -> float:
    """The value of ``formula`` with ``values`` for its names."""
    evaluator = SimpleEval(operators=_operators(), functions=dict(FUNCTIONS), names=dict(values))
    try:
        return float(evaluator.eval(formula))
    except Exception as error:  # noqa: BLE001 - any failure is the formula's, named here
        raise FormulaError(f"formula {formula!r}: {error}") from None


def draw_parameters(question: Question, rng: random.Random) -> dict[str, float]:
    """One value per parameter, uniform over ``min, min + step, ..., max``."""
    values = {}
    for name, (low, high, step) in question.parameters:
        steps = round((high - low) / step)
        decimals = max(0, -math.floor(math.log10(step))) if step < 1 else 0
        values[name] = round(low + step * rng.randint(0, steps), decimals + 2)
    return values


def worked_values(question: Question, parameters: Mapping[str, float]) -> dict[str, float]:
    """The parameters, each derived quantity (in order) and, with a key, ``answer``."""
    values = dict(parameters)
    for name, formula in question.derived:
        values[name] = evaluate(formula, values)
    if question.formula:
        values["answer"] = evaluate(question.formula, values)
    return values


def format_number(value: float) -> str:
    """Short and exact enough to work with by hand: 1.2, -0.36, 12.96, 0.0123."""
    text = f"{value:.4g}"
    return "0" if text == "-0" else text


def fill_in(template: str, values: Mapping[str, float]) -> str:
    """``template`` with each ``{name}`` replaced by its formatted value."""
    return template.format_map({name: format_number(v) for name, v in values.items()})
