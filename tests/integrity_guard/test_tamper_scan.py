"""The tamper scan flags what attacks need and nothing an honest solution uses."""

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook
from nbgrader.utils import is_solution

from autograder.grader_tools.integrity_preprocessors import BlockTampering, GuardGradeOutputs
from autograder.grader_tools.notebook_records import tampering_found
from autograder.integrity_guard.tamper_scan import find_tampering

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
    # everyday habits, each once refused by an earlier, broader scan:
    "%matplotlib inline",
    "%time y = np.ones(3)",
    "%%time\ny = np.ones(3)",
    "%timeit -n 2 np.ones(3)",
    "%precision 3",
    "%config InlineBackend.figure_format = 'retina'",
    "%load_ext autoreload\n%autoreload 2",
    "!ls\nfiles = !ls",
    "from IPython.display import display, Markdown\ndisplay(Markdown('x'))",
    "import IPython.display\nIPython.display.clear_output()",
    "import os, sys\nsys.path.append('..')\nprint(os.getcwd(), sys.version)",
    "with open('data.txt') as f:\n    text = f.read()",
    "print(np.__version__, x.__class__.__name__, type(x).__name__)",
    "class A:\n    def __eq__(self, other):\n        return True\n    def __array__(self):\n"
    "        return np.zeros(1)",
    "class B(np.ndarray):\n    pass",  # the checks refuse anything but an exact ndarray
    "class C:\n    def __init__(self, **kw):\n        for k, v in kw.items():\n"
    "            setattr(self, k, v)\n    def __repr__(self):\n        return str(self.__dict__)",
    "print('x' in globals(), globals().get('answers_in_code'), vars(self))",
    # introspection and debugging habits, refused by an earlier scan (issue 26):
    "%pdb off",
    "%pdb on",
    "%debug",
    "%debug sum(range(3))",
    # the grading kernel's get_ipython() only runs magics, each scanned as the cell is
    "get_ipython().run_line_magic('matplotlib', 'inline')",
    "import sys\nprint(sys.modules['numpy'].__name__)",
    "%prun -q -l 1 sum(range(100))",
    "%%prun -q -l 3\nsum(range(10))",
    "print(sorted(k for k in locals() if k == 'np'))",
    "p = object()\nprint(vars(p))",
    "print('x' in vars(p), vars(p).keys(), vars(p).get('x'), vars(p)['x'])",
    "for name in globals():\n    pass",
    "print(dir(), dir(np)[:2], [n for n in dir(p) if not n.startswith('_')])",
    "from IPython.display import display\nfrom pprint import pprint\npprint(vars(p))",
    # what the assignment provides may be rebound: the hidden tests never read the notebook's names
    "check_values = print",
    "def call_student_code(f, *a):\n    return f(*a)",
    "import math as np",
    "import __main__",
    "np.allclose = lambda *a, **k: True",  # refused by the guard instead: it names numpy.allclose
    "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (4, 3)",
    "from tqdm.auto import tqdm\nimport time, timeit, pprint, warnings, logging",
    "exit()",  # only loses the student's own points
    "from __future__ import annotations",
]

ATTACKS = {
    "import sys\nsys.settrace(print)": "uses settrace",
    "__import__('builtins').len = 3": "calls __import__()",
    "exec('x = 1')": "calls exec()",
    "eval('1')": "calls eval()",
    "%run helpers.py": "%run is not allowed",
    "%config PlainTextFormatter.float_precision = '%.0f'": "%config is not allowed",
    "%load_ext some_extension": "%load_ext loads code",
    "%%time\nimport inspect": "inspect reaches inside",
    "%time exec('1')": "calls exec()",
    "import IPython\nIPython.get_ipython()": "IPython controls how cells run",
    "f.__code__ = g.__code__": "uses __code__",
    "x = (1).__class__.__base__.__subclasses__()": "uses __subclasses__",
    "getattr(np, 'all' + 'close')": "getattr() with a computed name",
    "class A:\n    @property\n    def __array_interface__(self):\n        return {}": "raw memory",
    "class A:\n    def __del__(self):\n        pass": "in the middle of a check",
    "from numpy.lib.stride_tricks import as_strided": "reaches inside Python",
    "from unittest import mock": "unittest.mock",
    "import pickle": "unpickling",
    "import threading": "threads",
    "import autograder.integrity_guard.kernel_guard": "the grader's own guard",
    "import autograder\nautograder.integrity_guard.kernel_guard._STATE": "the grader's own guard",
    "getattr(module, 'kernel_guard')": "kernel_guard",
    # namespaces read beyond their names: a computed name or the values reach builtins' exec
    "globals()['check_values'] = print": "beyond reading names",
    "g = globals()": "beyond reading names",
    "vars(np)['allclose'] = print": "beyond reading names",
    "globals()[name]": "beyond reading names",
    "globals()['__builtins__']": "beyond reading names",
    "[v for v in vars(module).values()]": "beyond reading names",
    "f(vars(module))": "beyond reading names",
    "print = lambda *a: None": "rebinds print",
    "exit._ip": "uses _ip",
    "%prun -s cumulative import gc": "gc reaches every object",
    "%debug import inspect": "inspect reaches inside",
    "%debug --breakpoint helpers.py:3 import gc": "gc reaches every object",
    "%%prun\nimport inspect": "inspect reaches inside",
    "%time x = (": "does not parse",
}


@pytest.mark.parametrize("source", HONEST)
def test_honest_code_is_not_flagged(source):
    assert find_tampering(source) == []


def test_the_instructors_own_solutions_are_not_flagged():
    scanned = 0
    for path in (REPO / "source").rglob("*.ipynb"):
        notebook = nbformat.read(path, 4)
        for cell in notebook.cells:
            if cell.cell_type == "code" and is_solution(cell):
                assert find_tampering(cell.source) == [], (path, cell.id)
                scanned += 1
    assert scanned >= 8


@pytest.mark.parametrize(("source", "reason"), ATTACKS.items())
def test_each_attack_is_flagged(source, reason):
    findings = find_tampering(source)
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


def test_block_tampering_replaces_only_the_flagged_cell():
    notebook = new_notebook(
        cells=[
            _solution_cell("x = 1\nimport inspect"),
            _solution_cell("y = 2"),
            _graded_cell("pass"),
        ]
    )
    notebook, _ = BlockTampering().preprocess(notebook, {})
    first = notebook.cells[0].source
    assert "import inspect" not in first.replace("`import inspect`", "")
    assert "refuse_cell(" in first and "line 2 `import inspect`" in first
    assert notebook.cells[1].source == "y = 2" and notebook.cells[2].source == "pass"
    assert tampering_found(notebook) == [
        "cell 's', line 2 `import inspect`: inspect reaches inside the checks"
    ]


def test_findings_quote_the_students_own_line():
    [finding] = find_tampering("%matplotlib inline\n%run helpers.py\nx = 1")
    assert (finding.line, finding.code) == (2, "%run helpers.py")
    assert "get_ipython" not in finding.describe()


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
