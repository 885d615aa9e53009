"""The tamper scan flags what attacks need and nothing an honest solution uses."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from autograder.grading.preprocessors import BlockTampering, GuardGradeOutputs
from autograder.grading.tamper_scan import find_tampering, names_defined

from ..course_helpers import REPO

HONEST = [
    "def f(X, W):\n    return np.dot(X, np.transpose(W)) + X @ W.T",
    "import numpy as np\nimport math\nfrom collections import defaultdict",
    "for i in range(3):\n    print(f'step {i}', file=None)",
    "class Layer:\n    def __init__(self, n):\n        self.n = n\n"
    "    def __repr__(self):\n        return 'L'",
    "from autograder.gradient_checking import check_values",  # the same function again
    "x = getattr(obj, 'shape')",
    "result.__name__",
    "raise NotImplementedError('Write your solution here.')",
    "def broken(:\n    pass",  # a syntax error is not tampering
]

ATTACKS = {
    "np.allclose = lambda *a, **k: True": "changes np.allclose",
    "import numpy\nnumpy.testing.assert_allclose = print": "changes numpy.testing",
    "import os\nos._exit(0)": "imports os",
    "np.lib.format.os._exit(0)": "reaches the module os through np.lib.format",
    "np.testing._private.utils.sys.exit()": "reaches the module sys",
    "from sys import modules": "imports sys",
    "__import__('builtins').len = 3": "calls __import__()",
    "exec('x = 1')": "calls exec()",
    "eval('1')": "calls eval()",
    "get_ipython().set_custom_exc((Exception,), print)": "calls get_ipython()",
    "%load_ext autoreload": "calls get_ipython()",
    "!ls": "calls get_ipython()",
    "exit()": "calls exit()",
    "f.__code__ = g.__code__": "uses the special attribute __code__",
    "x = (1).__class__.__base__.__subclasses__()": "uses the special attribute __class__",
    "getattr(np, 'all' + 'close')": "getattr() with a computed name",
    "setattr(np, 'allclose', print)": "calls setattr()",
    "class A:\n    def __eq__(self, other):\n        return True": "defines __eq__",
    "class A:\n    def __array__(self):\n        return 0": "defines __array__",
    "class B(np.ndarray):\n    pass": "subclasses numpy.ndarray",
    "check_values = print": "rebinds check_values",
    "def call_student_code(f, *a):\n    return f(*a)": "redefines call_student_code",
    "from math import sqrt as check_values": "rebinds check_values",
    "import math as np": "rebinds np",
    "del np.linalg": "changes np.linalg",
    "globals()['check_values'] = print": "calls globals()",
}
PROTECTED = {
    "np": "numpy",
    "check_values": "autograder.gradient_checking.check_values",
    "call_student_code": "autograder.gradient_checking.call_student_code",
}


@pytest.mark.parametrize("source", HONEST)
def test_honest_code_is_not_flagged(source):
    assert find_tampering(source, PROTECTED) == []


def test_the_instructors_own_solutions_are_not_flagged():
    scanned = 0
    for path in (REPO / "source").rglob("*.ipynb"):
        notebook = nbformat.read(path, 4)
        protected = {}
        for cell in notebook.cells:
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "code" and meta.get("locked") and not meta.get("grade"):
                protected.update(names_defined(cell.source))
        for cell in notebook.cells:
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
                assert find_tampering(cell.source, protected) == [], (path, cell.id)
                scanned += 1
    assert scanned >= 8


@pytest.mark.parametrize(("source", "reason"), ATTACKS.items())
def test_each_attack_is_flagged(source, reason):
    findings = find_tampering(source, PROTECTED)
    assert any(reason in f.reason for f in findings), findings


def _nbgrader_cell(source, *, grade, solution, points=None, outputs=()):
    cell = new_code_cell(source)
    cell.metadata["nbgrader"] = {
        "grade": grade,
        "solution": solution,
        "locked": not solution,
        "grade_id": "t" if grade else "s",
        "schema_version": 3,
    }
    if points is not None:
        cell.metadata["nbgrader"]["points"] = points
    cell.outputs = list(outputs)
    return cell


def _graded_cell(source, points=2.0, outputs=()):
    return _nbgrader_cell(source, grade=True, solution=False, points=points, outputs=outputs)


def _solution_cell(source):
    return _nbgrader_cell(source, grade=False, solution=True)


def test_block_tampering_replaces_the_flagged_cell_and_fails_every_grade():
    notebook = new_notebook(cells=[_solution_cell("import os\nos._exit(0)"), _graded_cell("pass")])
    notebook, _ = BlockTampering().preprocess(notebook, {})
    assert "os._exit" not in notebook.cells[0].source.split("\n", 1)[1].split("(", 1)[0]
    assert notebook.cells[0].source.splitlines()[1].startswith("raise RuntimeError(")
    notebook, _ = GuardGradeOutputs().preprocess(notebook, {})
    errors = [o for o in notebook.cells[1].outputs if o.output_type == "error"]
    assert errors and errors[0].ename == "TamperingDetected"


@pytest.mark.parametrize(
    ("shown", "valid"),
    [
        ("1.5", True),
        ("0.0", True),
        ("2.0", True),
        ("nan", False),
        ("True", False),
        ("-1.0", False),
        ("2.5", False),
        ("np.float64(1.0)", False),
        ("inf", False),
    ],
)
def test_partial_credit_outputs_are_vetted(shown, valid):
    result = nbformat.v4.new_output("execute_result", data={"text/plain": shown}, execution_count=1)
    notebook = new_notebook(cells=[_graded_cell("score", outputs=[result])])
    notebook, _ = GuardGradeOutputs().preprocess(notebook, {})
    outputs = notebook.cells[0].outputs
    if valid:
        assert [o.output_type for o in outputs] == ["execute_result"]
    else:
        assert [o.output_type for o in outputs] == ["error"]
        assert outputs[0].ename == "InvalidScore"
