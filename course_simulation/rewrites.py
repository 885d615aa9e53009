"""Answer-free changes to a student's solution cells: each a function ``str -> str``.

A rewrite describes a *kind* of change (a regex over code, an AST transformation, code put
in front of a cell); the solutions it changes are read from the course's ``source/`` at run
time, so nothing here holds an answer.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

Rewrite = Callable[[str], str]


@dataclass(frozen=True)
class Regex:
    """``re.sub(pattern, replacement)`` over a cell, line by line (``re.M``)."""

    pattern: str
    replacement: str

    def __call__(self, source: str) -> str:
        return re.sub(self.pattern, self.replacement, source, flags=re.M)


@dataclass(frozen=True)
class Prepend:
    """Code a student put at the top of the cell, before their answer."""

    code: str

    def __call__(self, source: str) -> str:
        return f"{self.code}\n\n{source}"


class _FunctionReturns(ast.NodeTransformer):
    def __init__(self, function: str, change: Callable[[ast.Return, ast.FunctionDef], ast.AST]):
        self.function, self.change = function, change

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        if node.name == self.function:
            for statement in ast.walk(node):
                if isinstance(statement, ast.Return) and statement.value is not None:
                    statement.value = self.change(statement, node)  # type: ignore[assignment]
        return node


def _name(dotted: str) -> ast.expr:
    return ast.parse(dotted, mode="eval").body


def _transform(source: str, transformer: ast.NodeTransformer) -> str:
    return ast.unparse(ast.fix_missing_locations(transformer.visit(ast.parse(source))))


@dataclass(frozen=True)
class ReturnsArgument:
    """``function`` returns its argument number ``index`` unchanged (a factor left out)."""

    function: str
    index: int = 0

    def __call__(self, source: str) -> str:
        def argument(_: ast.Return, node: ast.FunctionDef) -> ast.AST:
            return ast.Name(node.args.args[self.index].arg, ast.Load())

        return _transform(source, _FunctionReturns(self.function, argument))


@dataclass(frozen=True)
class WrapsReturn:
    """``function`` returns ``wrapper(value)`` (e.g. ``np.asmatrix``: an ndarray subclass)."""

    function: str
    wrapper: str

    def __call__(self, source: str) -> str:
        def wrapped(statement: ast.Return, _: ast.FunctionDef) -> ast.AST:
            assert statement.value is not None
            return ast.Call(_name(self.wrapper), [statement.value], [])

        return _transform(source, _FunctionReturns(self.function, wrapped))


class _OtherStyle(ast.NodeTransformer):
    """``a @ b`` -> ``np.matmul(a, b)``, ``x.T`` -> ``np.transpose(x)``; every function first
    prints, and overflows ``np.exp`` (a RuntimeWarning), as untidy but correct code does."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.op, ast.MatMult):
            return ast.Call(_name("np.matmul"), [node.left, node.right], [])
        return node

    def visit_Attribute(self, node: ast.Attribute) -> ast.AST:
        self.generic_visit(node)
        if node.attr == "T" and isinstance(node.ctx, ast.Load):
            return ast.Call(_name("np.transpose"), [node.value], [])
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        self.generic_visit(node)
        noise = ast.parse(f"print('{node.name} called')\nnp.exp(np.float64(1000.0))").body
        node.body = [*noise, *node.body]
        return node


def other_style(source: str) -> str:
    """The same computation written another way, with prints and a NumPy warning."""
    return _transform(source, _OtherStyle())
