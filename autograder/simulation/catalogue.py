# ruff: noqa: E501  (code snippets as students type them: long lines are data)
"""One catalogue of simulated submissions, shared by the tests, the benchmarks and the
simulated class: typical bugs, everyday habits of correct students, faults, and attacks,
each with what grading must make of it.

Nothing here holds an answer. Submissions are built from the instructor's solutions read
from ``source/`` at run time (``builders``), changed by answer-free ``rewrites``: a regex
over code, an AST transformation, or code put in front of a cell.

- ``BUGS``: named bugs, each rewriting whatever solution cells it applies to (the class
  writer uses them on every assignment);
- ``A1_VARIANTS``/``A2_VARIANTS``: the solution, another correct style, and one variant per
  plausible bug, with the score each test cell must get and phrases the feedback must hold;
- ``A1_BENIGN``/``A2_BENIGN``: correct submissions written with everyday habits (magics,
  displays, plots, progress bars, files, classes of their own): full marks;
- ``A1_ATTACKS``/``A2_ATTACKS``: tampering on an unanswered notebook: no more than its score;
- ``FAULTS``: code that breaks the run (loops, floods, memory, a dying kernel).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .rewrites import Prepend, Regex, ReturnsArgument, Rewrite, WrapsReturn, other_style

EVERY_CELL = "*"


@dataclass(frozen=True)
class Variant:
    """A submission: rewrites of solution cells, expected test scores, feedback phrases.

    ``rewrites``: grade_id (or ``EVERY_CELL``) -> changes applied in order; a variant whose
    rewrites change nothing is an error (the catalogue cannot drift from ``source/``).
    ``scores`` lists only the test cells that must lose points (grade_id -> score); every
    other autograded cell must get full marks. ``new_cells``: cells the student added, as
    (grade_id of the cell they follow, source). ``attack``: tampering on an unanswered
    notebook (the released stubs) whose first answer cell becomes this code.
    """

    name: str
    rewrites: dict[str, tuple[Rewrite, ...]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    feedback: tuple[str, ...] = ()
    new_cells: tuple[tuple[str, str], ...] = ()
    attack: str | None = None


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
    "tampering": "np.allclose = lambda *args, **kwargs: True\n",
}


def _habit(name: str, grade_id: str, code: str, **more) -> Variant:
    """A correct submission with one everyday habit at the top of an answer cell."""
    return Variant(name, rewrites={grade_id: (Prepend(code),)}, **more)


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
    Variant(
        "forgot_1_over_m",
        rewrites={"linear_layer": BUGS["forgot_1_over_m"]},
        scores={"test_linear_backward": 0.0},
        feedback=("forget to divide by m",),
    ),
    Variant(
        "sign_flipped_mse_gradient",
        rewrites={
            "losses": (Regex(r"(return cost, [\d.]+ \* )\((\w+) - (\w+)\)", r"\1(\3 - \2)"),)
        },
        scores={"test_mse": 0.0},
        feedback=("wrong sign",),
    ),
    Variant(
        "transposed_dW",
        rewrites={"linear_layer": (Regex(r"^(\s*dW = )(\w+)\.T @ (\w+)", r"\1\3.T @ \2"),)},
        scores={"test_linear_backward": 0.0},
        feedback=("looks transposed",),
    ),
    Variant(
        "missing_activation_derivative",
        rewrites={"activations": (ReturnsArgument("sigmoid_backward"),)},
        scores={"test_activations": 0.0},
        feedback=("forget to multiply by the activation",),
    ),
    Variant(
        "bias_not_summed",
        rewrites={"linear_layer": (Regex(r"^(\s*db = \w+)\.sum\(axis=0\)", r"\1"),)},
        scores={"test_linear_backward": 0.0},
        feedback=("sum it over axis 0",),
    ),
    Variant(
        "bias_summed_over_wrong_axis",
        rewrites={"linear_layer": (Regex(r"^(\s*db = \w+\.sum\(axis=)0\)", r"\g<1>1)"),)},
        scores={"test_linear_backward": 0.0},
        feedback=("wrong axis",),
    ),
    Variant(
        "relu_slope_one_at_zero",
        rewrites={"activations": BUGS["relu_at_zero"]},
        scores={"test_activations": 0.0},
        feedback=("use Z &gt; 0, not Z &gt;= 0",),
    ),
    Variant(
        "unstable_softmax",
        rewrites={
            "losses": (Regex(r"^(\s*\w+ = )(\w+) - \2\.max\(axis=1, keepdims=True\)$", r"\1\2"),)
        },
        scores={"test_softmax_cross_entropy": 0.0},
        feedback=("softmax_cross_entropy cost with huge scores",),
    ),
    Variant(  # not caught by the scan: refused by the checks themselves
        "returns_ndarray_subclass",
        rewrites={"activations": (WrapsReturn("relu", "np.asmatrix"),)},
        scores={"test_activations": 0.0},
        feedback=("expected a NumPy array",),
    ),
]

A1_BENIGN = [
    _habit("matplotlib_inline_magic", "activations", "%matplotlib inline"),
    _habit(
        "ipython_display",
        "activations",
        "from IPython.display import display, Markdown\ndisplay(Markdown('**Part 1**'))",
    ),
    _habit("time_line_magic", "activations", "%time warm_up = np.ones((100, 100)) @ np.ones(100)"),
    Variant(
        "time_cell_magic",
        rewrites={"linear_layer": (Prepend("%%time"),)},
    ),
    _habit("timeit_line_magic", "losses", "%timeit -n 2 -r 2 np.exp(np.zeros(1000))"),
    Variant(
        "timeit_cell_magic_cell",
        new_cells=(("activations", "%%timeit -n 2 -r 2\nsigmoid(np.zeros((50, 50)))"),),
    ),
    _habit(
        "prints_and_pprint",
        "losses",
        "import pprint\nprint('shapes:', np.zeros((2, 3)).shape)\npprint.pprint({'m': 2, 'k': 3})",
    ),
    _habit(
        "tqdm_progress_bar",
        "gradient_check",
        "from tqdm.auto import tqdm\nfor _ in tqdm(range(3), desc='warming up'):\n    pass",
    ),
    _habit(
        "timing_imports",
        "activations",
        "import time\nimport timeit\nstarted = time.perf_counter()\nprint(timeit.timeit('1 + 1', number=10) >= 0)",
    ),
    _habit(
        "matplotlib_figure",
        "activations",
        "import matplotlib.pyplot as plt\nplt.rcParams['figure.figsize'] = (4, 2)\n"
        "z = np.linspace(-5, 5, 50)\nplt.plot(z, 1 / (1 + np.exp(-z)))\nplt.title('sigmoid')\nplt.show()",
    ),
    _habit(
        "own_helper_function",
        "linear_layer",
        'def batch_size(A):\n    """Number of examples: rows of A."""\n    return A.shape[0]\n\nprint(batch_size(np.zeros((7, 2))))',
    ),
    _habit(
        "own_classes_with_dunders",
        "losses",
        "from dataclasses import dataclass\n\n@dataclass\nclass Shapes:\n    m: int\n    k: int\n\n"
        "class Tracker:\n    def __init__(self, **settings):\n        for key, value in settings.items():\n"
        "            setattr(self, key, value)\n    def __call__(self, x):\n        return x\n"
        "    def __repr__(self):\n        return f'Tracker({self.__dict__})'\n    def __eq__(self, other):\n"
        "        return isinstance(other, Tracker)\n    def __len__(self):\n        return 0\n\n"
        "print(Shapes(2, 3) == Shapes(2, 3), Tracker(lr=0.1))",
    ),
    _habit("np_seterr", "activations", "np.seterr(over='ignore', under='ignore')"),
    _habit(
        "random_seeds",
        "gradient_check",
        "np.random.seed(0)\nrng = np.random.default_rng(1)\nprint(rng.standard_normal(2).shape)",
    ),
    Variant(
        "type_hints_and_docstrings",
        rewrites={
            "activations": (
                Regex(r"def (relu|sigmoid)\(Z\):", r"def \1(Z: np.ndarray) -> np.ndarray:"),
            )
        },
    ),
    _habit(
        "own_asserts",
        "linear_layer",
        "_A = np.ones((3, 2))\nassert _A.shape == (3, 2), 'shape check'\nassert np.allclose(_A, 1.0)",
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
    _habit("precision_magic", "activations", "%precision 3\nnp.pi"),
    _habit("pprint_magic", "losses", "%pprint"),
    _habit(
        "inline_backend_config",
        "activations",
        "%matplotlib inline\n%config InlineBackend.figure_format = 'retina'",
    ),
    _habit("shell_command", "activations", "!echo checking the shell\nfiles = !ls"),
    _habit("autoreload", "activations", "%load_ext autoreload\n%autoreload 2"),
    _habit(
        "os_and_sys",
        "activations",
        "import os\nimport sys\nsys.path.append('.')\nprint(os.getcwd() != '', sys.version_info >= (3, 8))",
    ),
    _habit(
        "versions_and_types",
        "linear_layer",
        "print(np.__version__, type(np.zeros(1)).__name__, np.zeros(1).__class__.__name__)",
    ),
    _habit(
        "warnings_filter",
        "activations",
        "import warnings\nwarnings.filterwarnings('ignore', category=RuntimeWarning)",
    ),
    _habit("whos_magic", "gradient_check", "%whos"),
    Variant(
        "capture_cell_magic",
        new_cells=(
            (
                "losses",
                "%%capture noise\nprint('lots of output')\nmse_cost(np.zeros((2, 1)), np.ones((2, 1)))",
            ),
        ),
    ),
    _habit("future_annotations", "activations", "from __future__ import annotations"),
    _habit("reimport_numpy", "losses", "import numpy as np\nimport numpy"),
    _habit(
        "globals_lookup",
        "gradient_check",
        "print('sigmoid' in globals(), globals().get('no_such_name'))",
    ),
    _habit(
        "html_display",
        "linear_layer",
        "from IPython.display import HTML, clear_output\nclear_output()\nHTML('<b>linear layer</b>')",
    ),
    _habit(
        "logging_module",
        "losses",
        "import logging\nlogging.getLogger('me').debug('computing losses')",
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


def _attack(name: str, code: str, *feedback: str) -> Variant:
    return Variant(name, attack=code + "\n\n" + WRONG_ACTIVATIONS, feedback=feedback)


A1_ATTACKS = [
    _attack(
        "tamper_replace_numpy_comparison",
        "np.allclose = lambda *args, **kwargs: True",
        "TamperingDetected",
        "changes np.allclose",
    ),
    _attack(
        "tamper_replace_checker",
        "import autograder.gradient_checking.results as results\n"
        "results.CheckResult.assert_passed = lambda self: None",
        "changes results.CheckResult.assert_passed",
    ),
    _attack(
        "tamper_builtins",
        "import builtins\nbuiltins.AssertionError = Warning",
        "builtins holds the names",
    ),
    _attack(
        "tamper_input_transformer",
        "get_ipython().input_transformers_post.append(lambda lines: ['pass\\n'])",
        "calls get_ipython()",
    ),
    _attack(
        "tamper_exception_handler",
        "get_ipython().set_custom_exc((Exception,), lambda *args, **kwargs: None)",
        "calls get_ipython()",
    ),
    _attack("tamper_exit_kernel", "import os\nos._exit(0)"),
    _attack(
        "tamper_doctored_eq",
        "class Always(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(self.shape, bool)\n\n"
        "def relu(Z):\n    return np.maximum(Z, 0).view(Always)",
    ),
    _attack(
        "tamper_rebind_provided_check",
        "check_values = lambda *args, **kwargs: None",
        "rebinds check_values",
    ),
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
        "import autograder\nautograder.grading.kernel_guard._STATE.objects.clear()",
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
        "CheckResult.assert_passed",
    ),
    _attack(
        "tamper_main_namespace",
        "import __main__\nholder = [__main__]\nholder[0].check_values = lambda *a, **k: None",
        "__main__ is the notebook's own namespace",
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
A2_VARIANTS = [
    Variant("solution"),
    Variant(
        "missing_relu_derivative",
        rewrites={"backward_pass": (Regex(r"^(\s*dZ1 = \w+) \* \(Z1 > 0\)", r"\1"),)},
        scores={"test_backward": 3.0},
        feedback=("the ReLU derivative is missing",),
    ),
    Variant(
        "forgot_1_over_m_in_dW2",
        rewrites={"backward_pass": (Regex(r'("W2": [^,]*?)\s*/\s*m\b', r"\1"),)},
        scores={"test_backward": 4.5},
        feedback=("off by a factor of the batch size",),
    ),
    Variant(
        "relu_slope_one_at_zero",
        rewrites={"backward_pass": BUGS["relu_at_zero"]},
        # Only db1 differs: the input row that makes Z1 == 0 is all zeros, so dW1 is unaffected.
        scores={"test_backward": 4.5},
        feedback=("use (Z1 &gt; 0), not (Z1 &gt;= 0)",),
    ),
    Variant(
        "forward_without_relu",
        rewrites={"forward_pass": (Regex(r"np\.maximum\((\w+), 0(?:\.0)?\)", r"\1"),)},
        scores={"test_forward": 0.0},
    ),
    Variant(
        "update_climbs",
        rewrites={"update_rule": (Regex(r"(\w+\[\w+\]) - learning_rate", r"\1 + learning_rate"),)},
        scores={"test_update": 0.0},
    ),
    Variant(
        "no_shuffling",
        rewrites={"training_loop": (Regex(r"rng\.permutation\((\w+)\)", r"np.arange(\1)"),)},
        scores={"test_training": 0.0},
        feedback=("shuffle the examples",),
    ),
    Variant(
        "too_high_rate_that_still_trains",
        rewrites={"learning_rate_choice": (Regex(r'("too_high": )[\d.]+', r"\g<1>1.0"),)},
        scores={"test_learning_rates": 0.0},
        feedback=("still trains",),
    ),
]

A2_BENIGN = [
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
            "backward_pass": A2_VARIANTS[2].rewrites["backward_pass"],  # forgot 1/m in dW2
            **_prepend("forward_pass", "%precision 0"),
        },
        scores={"test_backward": 4.5},
    ),
]
A2_ATTACKS = [
    Variant(
        "tamper_display_hook_score",
        attack="import sys\nsys.displayhook = print\n\ndef forward(X, params):\n    return X, (X, X, X)",
        feedback=("displayhook",),
    ),
]
