"""The in-kernel guard, in a real kernel started the way the course's nbgrader starts one:
everyday habits pass, a replaced function or refused line fails the next check by name."""

import collections
import ctypes
import importlib
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_notebook

from autograder.grader_tools.nbgrader_course import NbgraderCourse
from autograder.integrity_guard import kernel_guard
from autograder.integrity_guard.kernel_guard import DictionaryVersions

from ..course_helpers import REPO

SETUP = (
    "import numpy as np\n"
    "from autograder.gradient_checking import call_student_code, check_values, Score"
)
CHECK = "check_values('x', call_student_code(lambda: np.ones(2)), [1.0, 1.0]).assert_passed()"


def _run(*cells: str, folder: Path | None = None) -> list[nbformat.NotebookNode]:
    """Execute SETUP and ``cells`` in a fresh kernel with the course's kernel arguments (in
    ``folder`` if given); return the executed cells (errors are kept as outputs)."""
    extra = list(NbgraderCourse.load(REPO).config.Execute.extra_arguments)
    assert any("kernel_guard" in argument for argument in extra)
    notebook = new_notebook(cells=[new_code_cell(SETUP), *(new_code_cell(c) for c in cells)])
    NotebookClient(
        notebook,
        kernel_name="python3",
        extra_arguments=extra,
        allow_errors=True,
        timeout=60,
        resources={"metadata": {"path": str(folder)}} if folder else {},
    ).execute()
    return notebook.cells


def _error(cell: nbformat.NotebookNode) -> str:
    errors = [o for o in cell.outputs if o.output_type == "error"]
    return f"{errors[0].ename}: {errors[0].evalue}" if errors else ""


def test_everyday_habits_leave_every_check_working():
    cells = _run(
        "%matplotlib inline\n%precision 2\n%config InlineBackend.figure_format = 'retina'",
        "from IPython.display import display, Markdown\ndisplay(Markdown('*hi*'))",
        "%time _ = np.ones(3)",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
        "from tqdm.auto import tqdm\nfor _ in tqdm(range(2)):\n    pass",
        "import warnings\nwarnings.simplefilter('ignore')\nnp.seterr(all='ignore')",
        "np.random.seed(1)\nrng = np.random.default_rng(2)",
        "%load_ext autoreload\n%autoreload 2",
        CHECK,
    )
    assert [_error(c) for c in cells] == [""] * len(cells)


@pytest.mark.parametrize(
    ("attack", "named"),
    [
        ("alias = [np][0]\nalias.allclose = print", "numpy.allclose"),
        (
            "import autograder.gradient_checking.results as r\n"
            "[r.CheckResult][0].assert_passed = lambda self: None",
            "CheckResult.assert_passed",
        ),
        ("import math\n[math][0].sqrt = abs", "math.sqrt"),
        ("import numpy.linalg as la\n[la][0].norm = abs", "numpy.linalg.norm"),
        ("del [np][0].allclose", "numpy.allclose"),  # a deleted name, not only a replaced one
        (
            "import autograder.gradient_checking.results as r\n"
            "del [r.CheckResult][0].assert_passed",
            "CheckResult.assert_passed",
        ),
    ],
)
def test_a_replaced_function_fails_the_next_check_by_name(attack, named):
    # A check first, so that the attacked check starts from one that passed (the guard
    # then reads only the namespaces' version tags, not every name).
    *_, first, _, check = _run(CHECK, attack, CHECK)
    assert _error(first) == ""
    assert _error(check).startswith("TamperingDetected")
    assert named in _error(check)


# Changes made from a module the notebook imports (a file the scan does not read), so that
# only the guard's own comparison can catch them: a course function's parts, and hooks.
ATTACKS_FROM_A_MODULE = {
    "__code__": (
        "results.CheckResult.assert_passed.__code__ = (lambda self: None).__code__",
        "CheckResult.assert_passed",
    ),
    "__defaults__": (
        "gradient_checking.relative_difference.__defaults__ = (1e9,)",
        "gradient_checking.relative_difference",
    ),
    "__kwdefaults__": (
        "checks.check_values.__kwdefaults__ = {**checks.check_values.__kwdefaults__, "
        "'tolerance': 1e9}",
        "checks.check_values",
    ),
    "trace": ("sys.settrace(lambda *event: None)", "sys.gettrace()"),
    "transformer": (
        "IPython.get_ipython().input_transformers_post.append(lambda lines: lines)",
        "IPython's input_transformers_post",
    ),
    "shell method": (
        "IPython.get_ipython().run_cell = IPython.get_ipython().run_cell",
        "IPython's run_cell",
    ),
}


@pytest.mark.parametrize("attack", sorted(ATTACKS_FROM_A_MODULE))
def test_a_change_made_where_the_scan_cannot_see_fails_the_next_check(attack, tmp_path):
    statement, named = ATTACKS_FROM_A_MODULE[attack]
    (tmp_path / "helpers.py").write_text(
        "import sys\nimport IPython\n"
        "import autograder.gradient_checking as gradient_checking\n"
        "import autograder.gradient_checking.checks as checks\n"
        "import autograder.gradient_checking.results as results\n"
        f"def tidy():\n    {statement}\n"
    )
    # After a passing check, a check that compares no function (none was assigned) ...
    *_, first, second, _, check = _run(
        CHECK, CHECK, "import helpers\nhelpers.tidy()", CHECK, folder=tmp_path
    )
    assert [_error(first), _error(second)] == ["", ""]
    # ... and after the change, the check that compares them all again.
    assert _error(check).startswith("TamperingDetected")
    assert named in _error(check)


def test_the_course_python_counts_assignments_to_functions():
    # The guard's fast path: else every check compares every function's parts.
    *_, probe = _run(
        "from autograder.integrity_guard import kernel_guard\n"
        "print(kernel_guard._FUNCTION_CHANGES.count)"
    )
    assert probe.outputs[0].text.strip().isdigit()  # None where assignments go unseen


def test_numpy_types_need_no_record_because_python_refuses_to_change_them():
    (cell,) = _run("[np][0].ndarray.__eq__ = lambda self, other: True")[1:]
    assert _error(cell).startswith("TypeError: cannot set '__eq__' attribute of immutable type")


def test_a_change_made_inside_student_code_is_caught_when_it_returns():
    *_, check = _run(
        "import autograder.gradient_checking.results as r\nholder = [r.CheckResult]\n"
        "def sneaky():\n    holder[0].assert_passed = lambda self: None\n    return np.zeros(2)",
        "check_values('x', call_student_code(sneaky), [1.0, 1.0]).assert_passed()",
    )
    assert "CheckResult.assert_passed" in _error(check)


def test_a_refused_line_is_named_by_the_next_check_before_grading():
    # A check first: the history the guard scanned then had no refused line.
    *_, first, refused, check = _run(CHECK, "x = 1\nimport inspect", CHECK)
    assert _error(first) == ""
    assert _error(refused) == ""  # outside grading it runs; the checks say what will happen
    message = _error(check)
    assert "cell [3], line 2 `import inspect`: inspect reaches inside the checks" in message
    assert "Remove that code" in message


def test_partial_credit_text_ignores_display_settings():
    *_, shown = _run("%precision 0", "Score(4.5)")
    [result] = [o for o in shown.outputs if o.output_type == "execute_result"]
    assert result.data["text/plain"] == "4.5"


PR_GET_DUMPABLE = 3


def test_grading_kernels_are_not_dumpable():
    # The guard sets PR_SET_DUMPABLE to 0 (no ptrace, no /proc/self/mem writes by the
    # kernel's own uid); an ordinary process is dumpable (1).
    *_, probe = _run(
        f"import ctypes\nprint(ctypes.CDLL(None).prctl({PR_GET_DUMPABLE}, 0, 0, 0, 0))"
    )
    assert probe.outputs[0].text == "0\n"


def test_a_course_module_first_imported_by_the_setup_cell_is_guarded_too():
    *_, check = _run(
        "from autograder.quiz_engine import grade_answers",  # not loaded at kernel start
        "import autograder.quiz_engine.exercises as exercises\n"
        "[exercises][0].mark_answer = lambda question, answer: None",
        CHECK,
    )
    assert "autograder.quiz_engine.exercises.mark_answer" in _error(check)


def test_the_formula_library_is_guarded_once_the_quiz_engine_is_loaded():
    *_, check = _run(
        "from autograder.quiz_engine import mark_graded_quiz",  # imports simpleeval
        "import simpleeval\n[simpleeval][0].SimpleEval.eval = lambda self, expr: 1.0",
        CHECK,
    )
    assert "simpleeval.SimpleEval.eval" in _error(check)


def test_version_tags_see_every_change_to_a_module_or_a_class():
    # The course's Python must take the fast path (else every check reads every name).
    assert DictionaryVersions.works_here()

    class Checker:
        def verdict(self):
            return False

    class Header(ctypes.Structure):  # its class namespace is a dict subclass (StgDict)
        _fields_ = [("pid", ctypes.c_int)]

    module = type(pytest)("probe")
    module.allclose = print
    namespaces = [vars(module), vars(Checker), vars(Header)]
    dictionaries = [kernel_guard._underlying_dict(namespace) for namespace in namespaces]
    assert all(dictionary is not None for dictionary in dictionaries)
    versions = DictionaryVersions(dictionaries)
    seen = versions.read()
    assert versions.read() == seen  # reading changes nothing
    changes = [
        lambda: setattr(module, "allclose", abs),
        lambda: delattr(module, "allclose"),
        lambda: setattr(Checker, "verdict", lambda self: True),
        lambda: delattr(Checker, "verdict"),
        lambda: setattr(Checker, "extra", 1),
        lambda: setattr(Header, "extra", 1),
    ]
    for change in changes:
        change()
        assert versions.read() != seen
        seen = versions.read()


def test_a_namespace_without_a_version_tag_is_read_at_every_check_and_only_it():
    class Checker:
        def verdict(self):
            return False

    untagged = collections.UserDict(allclose=print)  # no dict header to read a tag from
    records = [
        kernel_guard._NamespaceRecord("Checker", vars(Checker), dict(vars(Checker))),
        kernel_guard._NamespaceRecord("untagged", untagged, dict(untagged)),
    ]
    flat = kernel_guard._AllRecords(records)
    assert len(flat.versioned.readers) == 1 and len(flat.always_read.readers) == 1
    assert flat.unchanged() and flat.unchanged()
    untagged["allclose"] = abs  # no tag moves: caught because it is read every time
    assert not flat.unchanged()
    untagged["allclose"] = print
    assert flat.unchanged()
    Checker.verdict = lambda self: True
    assert not flat.unchanged()


def test_every_namespace_a_warm_grading_kernel_guards_has_a_version_tag():
    # A forked kernel holds the fork server's modules too (ctypes structures among them):
    # one namespace without a tag once made every check read every name, 3x slower cells.
    from autograder.grader_tools.batch_grading import fork_server_provisioner, kernel_fork_server

    preloaded = (
        *kernel_fork_server.KERNEL_START_MODULES,
        *fork_server_provisioner.GUARDED_KERNEL_PRELOAD,
    )
    for name in preloaded:  # the server's own modules came with its import
        importlib.import_module(name)
    records = [
        r for name in kernel_guard._guarded_modules() for r in kernel_guard._module_records(name)
    ]
    flat = kernel_guard._AllRecords(records)
    untagged = [
        record.label
        for record in records
        if record.names and kernel_guard._underlying_dict(record.namespace) is None
    ]
    assert untagged == [] and flat.always_read.readers == ()
    assert len(flat.versioned.readers) > 100


def test_checks_compute_in_the_course_numpy_settings_and_leave_the_students():
    cells = _run(
        "np.seterr(all='raise')\nnp.set_printoptions(precision=2)",
        # a reference that underflows, as a2's hidden reference run does, and a comparison
        # that overflows: neither may raise under the student's settings
        "from autograder.gradient_checking import course_numpy_settings\n"
        "with course_numpy_settings():\n"
        "    expected = np.exp(-np.array([1000.0, 0.0]))\n"
        "got = call_student_code(lambda: np.array([0.0, 1.0]))\n"
        "check_values('x', got, expected).assert_passed()\n"
        "print(check_values('y', np.array([1e308]), [-1e308]).passed)",
        # the student's own code still runs in the student's settings ...
        "call_student_code(lambda: np.exp(-np.array([1000.0])))",
        # ... and their settings are theirs again after every check
        "print(np.geterr()['under'], np.get_printoptions()['precision'])",
    )
    checked, own_code, after = cells[-3:]
    assert _error(checked) == "" and checked.outputs[0].text == "False\n"
    assert "FloatingPointError: underflow" in _error(own_code)
    assert after.outputs[0].text == "raise 2\n"


def test_get_ipython_runs_only_scanned_magics_in_a_graded_kernel():
    *_, magic, refused, shell = _run(
        "get_ipython().run_line_magic('time', 'x = 1')",
        "get_ipython().run_line_magic('run', 'helpers.py')",
        "alias = [get_ipython][0]\nalias().run_cell('import gc')",
    )
    assert _error(magic) == ""
    assert _error(refused).startswith("TamperingDetected") and "%run is not allowed" in _error(
        refused
    )
    assert "'_CellMagics' object has no attribute 'run_cell'" in _error(shell)


def test_a_module_replaced_in_sys_modules_stops_the_next_cell():
    *_, replaced, after = _run(
        "import sys, types\nholder = [sys][0]\n"
        "holder.modules['autograder.gradient_checking'] = types.ModuleType('fake')",
        "print('this cell never runs')",
    )
    assert _error(replaced) == ""
    assert _error(after).startswith("TamperingDetected")
    assert "sys.modules.autograder.gradient_checking" in _error(after)
    assert not [o for o in after.outputs if o.output_type == "stream"]


HIDDEN_STYLE_CHECK = (
    "def _hidden(relu):\n"
    "    import numpy as np\n"
    "    from autograder.gradient_checking import call_student_code, check_values\n"
    "    Z = np.array([[-1.0, 2.0]])\n"
    "    expected = np.maximum(Z, 0)\n"
    "    check_values('relu(Z)', call_student_code(relu, Z.copy()), expected).assert_passed()\n"
    "_hidden(relu)"
)


def test_the_notebooks_names_do_not_reach_a_hidden_check():
    # Rebinding or reading what the assignment provides is not refused: the hidden tests
    # import the checks themselves.
    *_, check = _run(
        "class Passes:\n    def assert_passed(self):\n        pass\n"
        "check_values = lambda *a, **k: Passes()\n"
        "print(sorted(k for k in locals() if k == 'check_values'), 'np' in globals())",
        "def relu(Z):\n    return Z",
        HIDDEN_STYLE_CHECK,
    )
    assert _error(check).startswith("CheckFailed")
