# ruff: noqa: E501  (code snippets as students type them: long lines are data)
"""One catalogue of simulated submissions, shared by the tests, the benchmarks and the
simulated class: typical bugs, everyday habits of correct students, faults, and attacks,
each with what grading must make of it.

Nothing here holds an answer. Submissions are built from the instructor's solutions read
from ``source/`` at run time (``builders``), changed by answer-free ``rewrites``: a regex
over code, an AST transformation, or code put in front of a cell.

- ``BUGS``: named bugs, each rewriting whatever solution cells it applies to (the class
  writer uses them on every assignment);
- ``A1_VARIANTS``/``A2_VARIANTS``/``A3_VARIANTS``: the solution, another correct style, and
  one variant per plausible bug, with the score each test cell must get and phrases the
  feedback must hold;
- ``A1_BENIGN``/``A2_BENIGN``/``A3_BENIGN``: correct submissions written the ways students
  write (``habits.yaml``: magics, introspection, plots and files, their own helpers and
  tests, quiz answers typed either way): full marks;
- ``A1_ATTACKS``/``A2_ATTACKS``: tampering on an unanswered notebook: no more than its score;
- ``FAULTS``: code that breaks the run (loops, floods, memory, a dying kernel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from course_simulation.rewrites import (
    Prepend,
    Regex,
    ReturnsArgument,
    Rewrite,
    WrapsReturn,
    other_style,
)

EVERY_CELL = "*"


@dataclass(frozen=True)
class Variant:
    """A submission: rewrites of solution cells, expected test scores, feedback phrases.

    ``rewrites``: grade_id (or ``EVERY_CELL``) -> changes applied in order; a variant whose
    rewrites change nothing is an error (the catalogue cannot drift from ``source/``).
    ``scores`` lists only the test cells that must lose points (grade_id -> score); every
    other autograded cell must get full marks. ``new_cells``: cells the student added, as
    (grade_id of the cell they follow, source). ``attack``: tampering on an unanswered
    notebook (the released stubs) whose first answer cell becomes this code. ``quiz``: a
    graded quiz's answers, in one of ``QUIZ_STYLES`` (``builders.build_quiz_submission``),
    with ``rewrites[QUIZ_CELL]`` put before them in the ``answers_in_code`` cell.
    """

    name: str
    rewrites: dict[str, tuple[Rewrite, ...]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    feedback: tuple[str, ...] = ()
    new_cells: tuple[tuple[str, str], ...] = ()
    attack: str | None = None
    quiz: str | None = None


# --- bugs: regexes over the code, so they apply to any assignment that has that code -----
BUGS: dict[str, tuple[Rewrite, ...]] = {
    # Gradients of the weights and biases without the 1/m of the batch average.
    "forgot_1_over_m": (Regex(r'^(\s*(?:d[Wb]\w* =|"[Wb]\d+":).*?)\s*/\s*m\b', r"\1"),),
    "wrong_sign": (Regex(r"^(\s*dA\w* = )(.*)$", r"\1-(\2)"),),
    "relu_at_zero": (Regex(r"\((Z\w*) > 0\)", r"(\1 >= 0)"),),
}
FAULTS = {
    "infinite_loop": "while True:\n    pass\n",
    "huge_print": "print('x' * 5_000_000)\n",
    "memory_hog": "big = np.empty(500_000_000)  # 4 GB of address space, never touched\n",
    "kernel_killer": "import os\nos.abort()  # the kernel dies at once (SIGABRT)\n",
    # Refused before it runs (the guard's own module): the class grader reports it.
    "tampering": "from autograder.integrity_guard import kernel_guard\nkernel_guard.verify = print\n",
}


def _habit(name: str, grade_id: str, code: str, **more) -> Variant:
    """A correct submission with one everyday habit at the top of an answer cell."""
    return Variant(name, rewrites={grade_id: (Prepend(code),)}, **more)


# The test cell that grades each answer cell.
TESTED_BY = {
    "activations": "test_activations",
    "linear_layer": "test_linear_backward",
    "losses": "test_mse",
    "forward_pass": "test_forward",
    "backward_pass": "test_backward",
    "update_rule": "test_update",
    "training_loop": "test_training",
    "learning_rate_choice": "test_learning_rates",
}


def _data(name: str) -> Any:
    return yaml.safe_load(resources.files(__package__).joinpath(name).read_text())


def _rewrite(entry: dict[str, Any]) -> tuple[Rewrite, ...]:
    """The rewrite an entry of bugs.yaml names (see that file)."""
    if "bug" in entry:
        return BUGS[entry["bug"]]
    if "regexes" in entry:
        return tuple(Regex(*pair) for pair in entry["regexes"])
    if "regex" in entry:
        return (Regex(*entry["regex"]),)
    if "returns_argument" in entry:
        return (ReturnsArgument(entry["returns_argument"]),)
    return (WrapsReturn(*entry["wraps_return"]),)


def _bugs_of(assignment: str) -> list[Variant]:
    """One variant per entry of bugs.yaml: its test cell scores ``score`` (default 0)."""
    return [
        Variant(
            entry["name"],
            {entry["cell"]: _rewrite(entry)},
            {entry.get("test", TESTED_BY[entry["cell"]]): float(entry.get("score", 0.0))},
            tuple(entry.get("feedback", ())),
        )
        for entry in _data("bugs.yaml")[assignment]
    ]


def _named(variants: list[Variant], name: str) -> Variant:
    return next(variant for variant in variants if variant.name == name)


def _prepend(grade_id: str, code: str) -> dict[str, tuple[Rewrite, ...]]:
    return {grade_id: (Prepend(code),)}


A1 = "a1_building_blocks"
A1_TESTS = {
    "test_activations": 3.0,
    "test_linear_forward": 1.0,
    "test_linear_backward": 3.0,
    "test_mse": 1.0,
    "test_softmax_cross_entropy": 3.0,
    "test_gradient_check": 3.0,
}
A1_VARIANTS = [
    Variant("solution"),
    Variant("other_styles_with_prints_and_warnings", rewrites={EVERY_CELL: (other_style,)}),
    *_bugs_of(A1),
]


def _habits_of(assignment: str) -> list[Variant]:
    """One correct submission per entry of habits.yaml (see that file)."""
    variants = []
    for entry in _data("habits.yaml")[assignment]:
        if "style" in entry:
            rewrites = _prepend(QUIZ_CELL, entry["code"]) if "code" in entry else {}
            variants.append(Variant(entry["name"], rewrites=rewrites, quiz=entry["style"]))
            continue
        changes: tuple[Rewrite, ...] = ()
        if "code" in entry:
            changes += (Prepend(entry["code"]),)
        if "regex" in entry:
            changes += (Regex(*entry["regex"]),)
        after = ((entry["cell"], entry["after"]),) if "after" in entry else ()
        variants.append(
            Variant(
                entry["name"], rewrites={entry["cell"]: changes} if changes else {}, new_cells=after
            )
        )
    return variants


# The cell a graded quiz's answers are typed in (it has no nbgrader id), and how they are given.
QUIZ_CELL = "answers_in_code"
QUIZ_STYLES = ("letters", "text", "lowercase", "widget", "mixed", "wrong_letters", "blank")

A1_BENIGN = [
    *_habits_of(A1),
    Variant(
        "time_cell_magic",
        rewrites={"linear_layer": (Prepend("%%time"),)},
    ),
    Variant(
        "timeit_cell_magic_cell",
        new_cells=(("activations", "%%timeit -n 2 -r 2\nsigmoid(np.zeros((50, 50)))"),),
    ),
    Variant(
        "type_hints_and_docstrings",
        rewrites={
            "activations": (
                Regex(r"def (relu|sigmoid)\(Z\):", r"def \1(Z: np.ndarray) -> np.ndarray:"),
            )
        },
    ),
    Variant(
        "helper_redefined_later",
        rewrites=_prepend("activations", "def clip(x):\n    return x"),
        new_cells=(
            (
                "linear_layer",
                'def clip(x):\n    """Better version."""\n    return np.clip(x, -1e6, 1e6)\n\nprint(clip(np.array([1e9]))[0])',
            ),
        ),
    ),
    Variant(
        "capture_cell_magic",
        new_cells=(
            (
                "losses",
                "%%capture noise\nprint('lots of output')\nmse_cost(np.zeros((2, 1)), np.ones((2, 1)))",
            ),
        ),
    ),
    Variant(
        "all_habits_at_once",
        rewrites=_prepend(
            "activations",
            "%matplotlib inline\n%precision 2\nfrom IPython.display import display\nimport matplotlib.pyplot as plt\n"
            "%time _ = 1\nimport warnings\nwarnings.simplefilter('ignore')\nnp.seterr(all='ignore')",
        ),
    ),
]


# --- tampering on an unanswered notebook: may score no more than the released stubs -------
WRONG_ACTIVATIONS = (
    "def sigmoid(Z):\n    return Z\n\ndef sigmoid_backward(dA, Z):\n    return dA\n\n"
    "def tanh_backward(dA, Z):\n    return dA\n\ndef relu(Z):\n    return Z\n\n"
    "def relu_backward(dA, Z):\n    return dA\n"
)


def _attack(name: str, code: str, *feedback: str, last: bool = False) -> Variant:
    """The attack's code before the wrong activations, or after them when it defines one
    of them itself (``last``), so that the attacking definition is the one graded."""
    parts = (WRONG_ACTIVATIONS, code) if last else (code, WRONG_ACTIVATIONS)
    return Variant(name, attack="\n\n".join(parts), feedback=feedback)


A1_ATTACKS = [
    _attack(
        "tamper_replace_numpy_comparison",
        "np.allclose = lambda *args, **kwargs: True",
        "TamperingDetected",
        "numpy.allclose",
    ),
    _attack(
        "tamper_replace_checker",
        "import autograder.gradient_checking.results as results\n"
        "results.CheckResult.assert_passed = lambda self: None",
        "CheckResult.assert_passed",
    ),
    _attack(
        "tamper_builtins",
        "import builtins\nbuiltins.AssertionError = Warning",
        "builtins holds the names",
    ),
    _attack(
        "tamper_input_transformer",
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
        "_CellMagics",
    ),
    _attack(
        "tamper_exception_handler",
        "get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)",
        "_CellMagics",
    ),
    _attack("tamper_exit_kernel", "import os\nos._exit(0)"),
    _attack(
        "tamper_doctored_eq",
        "class Always(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(self.shape, bool)\n\n"
        "def relu(Z):\n    return np.maximum(Z, 0).view(Always)",
    ),
    # The hidden tests import the checks themselves: the notebook's names change nothing.
    _attack("tamper_rebind_provided_check", "check_values = lambda *args, **kwargs: None"),
    _attack("tamper_display_hook", "import sys\nsys.displayhook = print", "displayhook"),
    _attack(
        "tamper_mock_patch",
        "from unittest import mock\nmock.patch.object(np, 'allclose', lambda *a, **k: True).start()",
        "unittest.mock",
    ),
    _attack(
        "tamper_exec_hidden_code",
        "exec('import builtins; builtins.AssertionError = Warning')",
        "exec runs source",
    ),
    _attack("tamper_percent_run", "%run -i other_notebook_code.py", "%run is not allowed"),
    # Past the scan: a module reached through another name. The checks' own integrity check
    # (kernel_guard) finds the replaced function at test time.
    _attack(
        "tamper_aliased_numpy",
        "numpy_alias = [np][0]\nnumpy_alias.allclose = lambda *a, **k: True",
        "numpy.allclose",
    ),
    _attack(
        "tamper_aliased_checker",
        "import autograder.gradient_checking.results as results\n"
        "holder = [results.CheckResult]\nholder[0].assert_passed = lambda self: None",
        "CheckResult.assert_passed",
    ),
    # ... and what that integrity check compares against: its own records and entry point.
    _attack(
        "tamper_guard_records",
        "import autograder\nautograder.integrity_guard.kernel_guard._STATE.objects.clear()",
        "the grader's own guard",
    ),
    _attack(
        "tamper_guard_entry_point",
        "import autograder.gradient_checking.safe_calls as calls\n"
        "holder = [calls]\nholder[0].kernel_guard = type('Guard', (), {'verify': staticmethod(print)})",
        "the grader's own guard",
    ),
    _attack(
        "tamper_patch_during_call",
        "import autograder.gradient_checking.results as results\nholder = [results.CheckResult]\n\n"
        "def sigmoid(Z):\n    holder[0].assert_passed = lambda self: None\n    return Z",
        "TamperingDetected",
        "replaced",
        "CheckResult.assert_passed",
        last=True,
    ),
    _attack(
        "tamper_main_namespace",
        "import __main__\nholder = [__main__]\nholder[0].check_values = lambda *a, **k: None",
    ),
    # Attacks on how the hidden tests reach the checks (through imports, issue 26):
    # a module replaced in sys.modules (past the scan: sys reached under another name) ...
    _attack(
        "tamper_sys_modules_replacement",
        "import sys\nimport types\nimport autograder.gradient_checking\n"
        "class Passes:\n    passed = True\n    def assert_passed(self):\n        return None\n"
        "fake = types.ModuleType('autograder.gradient_checking')\n"
        "fake.check_values = lambda *a, **k: Passes()\n"
        "fake.call_student_code = lambda f, *a, **k: f(*a, **k)\n"
        "holder = [sys][0]\nholder.modules['autograder.gradient_checking'] = fake",
        "sys.modules.autograder.gradient_checking",
    ),
    # ... a checker's module written to through vars() ...
    _attack(
        "tamper_vars_of_checker_module",
        "import autograder.gradient_checking.checks as checks\n"
        "vars(checks)['relative_difference'] = lambda *a, **k: 0.0",
        "beyond reading names",
    ),
    # ... the same, by a plain assignment the scan lets through: the guard names it ...
    _attack(
        "tamper_checker_module_attribute",
        "import autograder.gradient_checking.diagnosis as diagnosis\n"
        "diagnosis.relative_difference = lambda *a, **k: 0.0",
        "relative_difference",
    ),
    # ... the checker's module reached through a frame, or a traceback's frame ...
    _attack(
        "tamper_checker_via_frame",
        "import sys\n\ndef relu(Z):\n    sys._getframe(1).f_globals['check_values'] = lambda *a, **k: None\n"
        "    return Z",
        "_getframe",
        last=True,
    ),
    _attack(
        "tamper_checker_via_traceback",
        "def relu(Z):\n    try:\n        raise ValueError\n    except ValueError as error:\n"
        "        caller = error.__traceback__.tb_frame.f_back\n"
        "        caller.f_globals['check_values'] = lambda *a, **k: None\n    return Z",
        "tb_frame",
        last=True,
    ),
    # ... and the shell behind get_ipython, reached without calling it by name.
    _attack(
        "tamper_shell_through_an_alias",
        "shell = [get_ipython][0]()\nshell.run_cell('import gc')",
        "_CellMagics",
    ),
    _attack(
        "tamper_background_thread",
        "import threading\nthreading.Timer(0.1, lambda: None).start()",
        "threads can change things",
    ),
    _attack(
        "tamper_raw_memory",
        "from numpy.lib.stride_tricks import as_strided\nview = as_strided(np.zeros(1), (2,), (8,))",
        "as_strided",
    ),
]


A2 = "a2_training_a_network"
A2_TESTS = {
    "test_forward": 3.0,
    "test_backward": 6.0,
    "test_update": 2.0,
    "test_training": 4.0,
    "test_learning_rates": 3.0,
}
A2_VARIANTS = [Variant("solution"), *_bugs_of(A2)]

A2_BENIGN = [
    *_habits_of(A2),
    _habit(
        "tqdm_in_training",
        "training_loop",
        "from tqdm.auto import tqdm\nimport time\n_start = time.perf_counter()",
    ),
    Variant(
        "training_plot_after",
        new_cells=(
            (
                "training_loop",
                "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
                "_p, _h = train(digits.X_train[:64], Y_train[:64], init_params(64, 32, 10), 0.5, 1, 32)\n"
                "plt.plot(_h)\nplt.show()",
            ),
        ),
    ),
    # %precision 0 would print 4.5 as "4": the partial-credit score must not change.
    Variant(
        "precision_zero_with_partial_credit",
        rewrites={
            "backward_pass": _named(A2_VARIANTS, "forgot_1_over_m_in_dW2").rewrites[
                "backward_pass"
            ],
            **_prepend("forward_pass", "%precision 0"),
        },
        scores={"test_backward": 4.5},
    ),
]
A3 = "a3_quiz"
A3_TESTS = {"test_quiz": 8.0, "test_calculations": 4.0, "test_matching": 4.0}
A3_VARIANTS = [
    Variant("all_right_in_code", quiz="letters"),
    Variant("every_choice_wrong", quiz="wrong_letters", scores={"test_quiz": 0.0}),
    Variant(
        "nothing_answered",
        quiz="blank",
        scores={"test_quiz": 0.0, "test_calculations": 0.0, "test_matching": 0.0},
    ),
]
A3_BENIGN = _habits_of(A3)

A2_ATTACKS = [
    Variant(
        "tamper_display_hook_score",
        attack="import sys\nsys.displayhook = print\n\ndef forward(X, params):\n    return X, (X, X, X)",
        feedback=("displayhook",),
    ),
]
