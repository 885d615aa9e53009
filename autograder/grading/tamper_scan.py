"""Find, in a student's cell, the constructs that tampering needs (see the package doc).

Pure functions over source text: ``find_tampering(source, protected_names)`` returns
``Finding`` records (line and reason), empty for ordinary NumPy code.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from IPython.core.inputtransformer2 import TransformerManager

DENIED_MODULES = frozenset(
    """os sys subprocess builtins importlib ctypes gc inspect IPython ipykernel signal threading
    multiprocessing atexit types socket shutil pathlib io sqlite3 nbgrader traitlets code codeop
    runpy marshal pickle dill tempfile glob unittest pytest jupyter_client zmq asyncio
    concurrent posix resource""".split()
)
DENIED_CALLS = frozenset(
    """exec eval compile __import__ globals vars locals setattr delattr exit quit get_ipython
    breakpoint open input memoryview""".split()
)
ALLOWED_DUNDERS = frozenset({"__name__", "__doc__", "__init__", "__repr__", "__str__", "__len__"})
PROTOCOL_METHODS = frozenset(
    """__eq__ __ne__ __lt__ __le__ __gt__ __ge__ __bool__ __float__ __int__ __index__ __array__
    __array_ufunc__ __array_function__ __array_priority__ __array_interface__ __getattr__
    __getattribute__ __setattr__ __del__ __hash__ __abs__ __sub__ __rsub__ __truediv__
    __rtruediv__ __len__ __iter__ __format__""".split()
)


@dataclass(frozen=True)
class Finding:
    """One suspicious construct: ``line`` (1-based, in the cell) and what it does."""

    line: int
    reason: str


def _python_source(source: str) -> str:
    """Cell text as plain Python: IPython magics become ``get_ipython()`` calls."""
    return TransformerManager().transform_cell(source)


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


class _Scanner(ast.NodeVisitor):
    def __init__(self, protected: Mapping[str, str]):
        self.protected = protected
        self.modules: set[str] = {"np", "numpy"}
        self.findings: list[Finding] = []

    def flag(self, node: ast.AST, reason: str) -> None:
        self.findings.append(Finding(getattr(node, "lineno", 0), reason))

    def _import(self, node: ast.AST, module: str, bound: str, origin: str) -> None:
        top = module.split(".")[0]
        if top in DENIED_MODULES:
            self.flag(node, f"imports {module}, which can change how the checks run")
        # Importing the very same thing again (``import numpy as np``) is harmless.
        if bound in self.protected and self.protected[bound] != origin:
            self.flag(node, f"rebinds {bound}, which the assignment provides")
        self.modules.add(bound)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            self._import(node, alias.name, bound, alias.name if alias.asname else bound)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = node.module or ""
        for alias in node.names:
            self._import(node, module, alias.asname or alias.name, f"{module}.{alias.name}")
            if alias.name == "*":
                self.flag(node, f"imports * from {module}")

    def visit_Call(self, node: ast.Call) -> None:
        name = node.func.id if isinstance(node.func, ast.Name) else None
        if name in DENIED_CALLS:
            self.flag(node, f"calls {name}()")
        if name == "getattr" and len(node.args) >= 2 and not isinstance(node.args[1], ast.Constant):
            self.flag(node, "calls getattr() with a computed name")
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr.startswith("__") and node.attr.endswith("__"):
            if node.attr not in ALLOWED_DUNDERS:
                self.flag(node, f"uses the special attribute {node.attr}")
        if node.attr in DENIED_MODULES:  # e.g. np.lib.format.os: a denied module by the back door
            self.flag(node, f"reaches the module {node.attr} through {ast.unparse(node.value)}")
        if node.attr in {"f_globals", "f_locals", "f_back", "gi_frame", "tb_frame"}:
            self.flag(node, f"uses the frame attribute {node.attr}")
        if isinstance(node.ctx, (ast.Store, ast.Del)):
            root = _root_name(node)
            if root in self.modules or root in self.protected:
                self.flag(node, f"changes {ast.unparse(node)}, part of a library the checks use")
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id.startswith("__") and node.id.endswith("__") and node.id != "__name__":
            self.flag(node, f"uses {node.id}")
        if isinstance(node.ctx, (ast.Store, ast.Del)) and node.id in self.protected:
            self.flag(node, f"rebinds {node.id}, which the assignment provides")

    def _define(self, node: ast.AST, name: str) -> None:
        if name in self.protected:
            self.flag(node, f"redefines {name}, which the assignment provides")

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self._define(node, node.name)
        self.generic_visit(node)

    visit_AsyncFunctionDef = visit_FunctionDef  # type: ignore[assignment]

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._define(node, node.name)
        for base in node.bases:
            if isinstance(base, ast.Attribute) and base.attr == "ndarray":
                self.flag(node, f"class {node.name} subclasses numpy.ndarray")
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Assign)):
                names = (
                    [item.name]
                    if not isinstance(item, ast.Assign)
                    else [t.id for t in item.targets if isinstance(t, ast.Name)]
                )
                for name in names:
                    if name in PROTOCOL_METHODS:
                        self.flag(item, f"class {node.name} defines {name}")
        self.generic_visit(node)

    def visit_Global(self, node: ast.Global) -> None:
        for name in node.names:
            if name in self.protected:
                self.flag(node, f"declares {name} global to replace it")


def find_tampering(
    source: str, protected_names: Mapping[str, str] | Iterable[str] = ()
) -> list[Finding]:
    """Suspicious constructs in one cell's source; ``[]`` for ordinary code.

    ``protected_names``: names the assignment's locked cells define (its imports and
    helpers), which a student cell must not rebind; as returned by ``names_defined``
    (name -> origin), so that re-importing the same thing is allowed. A cell that does
    not parse is left alone: running it raises a SyntaxError and scores nothing.
    """
    if not isinstance(protected_names, Mapping):
        protected_names = {name: "" for name in protected_names}
    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return []
    scanner = _Scanner(protected_names)
    scanner.visit(tree)
    return sorted(set(scanner.findings), key=lambda f: (f.line, f.reason))


def names_defined(source: str) -> dict[str, str]:
    """Top-level names a (trusted) cell provides, mapped to their origin.

    Imports map to what they import (``np`` -> ``numpy``, ``check_values`` ->
    ``autograder.gradient_checking.check_values``); functions and classes to ``"def"``.
    """
    try:
        tree = ast.parse(_python_source(source))
    except SyntaxError:
        return {}
    names: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Import):
            for a in node.names:
                bound = a.asname or a.name.split(".")[0]
                names[bound] = a.name if a.asname else bound
        elif isinstance(node, ast.ImportFrom):
            for a in node.names:
                names[a.asname or a.name] = f"{node.module}.{a.name}"
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names[node.name] = "def"
    return names
