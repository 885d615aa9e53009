"""A simulated class for the similarity report: honest students and one copied pair.

Honest students each write a1 their own way: the instructor's solution as typed, every
everyday habit of the catalogue, and every catalogued bug (one student each). One more
student writes it in the catalogue's other style (``np.matmul``/``np.transpose``, a print
and a NumPy warning in every function); a classmate copies that notebook, renames every
argument and local variable, reformats it and adds comments.
"""

from __future__ import annotations

import ast
from pathlib import Path

import nbformat
from nbgrader.utils import is_solution

from course_simulation.builders import build_submission
from course_simulation.catalogue import A1, A1_BENIGN, A1_VARIANTS

ORIGINAL = "original_author"
COPIER = "copier"


class _RenameLocals(ast.NodeTransformer):
    """Every function's arguments and local variables get other names."""

    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        names = {arg.arg for arg in node.args.args}
        names |= {
            target.id
            for statement in ast.walk(node)
            for target in getattr(statement, "targets", [])
            if isinstance(target, ast.Name)
        }
        renamed = {name: f"my_{name.lower()}_value" for name in names}
        for arg in node.args.args:
            arg.arg = renamed.get(arg.arg, arg.arg)
        for inner in ast.walk(node):
            if isinstance(inner, ast.Name) and inner.id in renamed:
                inner.id = renamed[inner.id]
        return node


def renamed_copy(source: str) -> str:
    """``source`` with renamed locals, reformatted (ast.unparse) and a comment per line
    that starts a function."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a cell with magics: copied as it is
        return source
    code = ast.unparse(_RenameLocals().visit(tree))
    lines = []
    for line in code.splitlines():
        if line.startswith("def "):
            lines += ["", "# my version, checked it works"]
        lines.append(line)
    return "\n".join(lines) + "\n"


def write_similarity_class(course: Path) -> list[str]:
    """Write ``submitted/<student>/a1_building_blocks/`` for the class; the honest students."""
    release = course / "release" / A1 / f"{A1}.ipynb"
    source = course / "source" / A1 / f"{A1}.ipynb"
    honest = [A1_VARIANTS[0], *A1_BENIGN, *A1_VARIANTS[2:]]
    other_style = A1_VARIANTS[1]
    for variant in [*honest, other_style]:
        student = ORIGINAL if variant is other_style else variant.name
        build_submission(
            release, source, variant, course / "submitted" / student / A1 / release.name
        )
    original = course / "submitted" / ORIGINAL / A1 / release.name
    copy = nbformat.read(original, 4)
    for cell in copy.cells:
        if is_solution(cell):
            cell.source = renamed_copy(cell.source)
    (course / "submitted" / COPIER / A1).mkdir(parents=True)
    nbformat.write(copy, course / "submitted" / COPIER / A1 / release.name)
    return [variant.name for variant in honest]
