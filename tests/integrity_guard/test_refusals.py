"""Each construct the scan still refuses, with the attack it prevents: with the refusal
switched off, the attack turns a wrong answer into a passing hidden check; with it on, the
scan names the attack's line. (The threat model in ``autograder/integrity_guard/__init__.py`` lists
the refusals; the ones not here have no attack short and deterministic enough for a test:
threads, signal handlers, finalizers and ``__del__`` act at moments of their own choosing,
``as_strided`` and ``__array_interface__`` write memory at an address.)

Every attack runs in a real kernel started as the course's nbgrader starts one, after a wrong
``relu``; the check after it is written as the hidden tests are (the checks imported inside
a function, the expected values computed before the student's code runs)."""

import marshal
from pathlib import Path

import pytest

from autograder.integrity_guard.tamper_scan import find_tampering

from .test_kernel_guard import HIDDEN_STYLE_CHECK, _error, _run

# The grading kernel's refusals switched off: the guard's scan of the cells it has run, and
# its scan of the magics a cell runs (nbgrader's BlockTampering is not involved here).
SWITCH_OFF = (
    "from autograder.integrity_guard import kernel_guard as switch\n"
    "switch._STATE.grading = True\n"
    "switch._STATE.magics_scanned = False"
)
WRONG_RELU = "def relu(Z):\n    return Z"


def blind_the_guard(guard: str) -> str:
    """With the guard module in hand (``guard`` reaches it), make every check pass: its
    verifications do nothing and every comparison finds no difference. In one statement:
    the guard refuses to start each next statement of a cell once something was replaced."""
    return (
        "def blind():\n"
        f"    guard = {guard}\n"
        "    guard._refuse_to_run_after_replacement = lambda *a: None\n"
        "    guard.verify = guard.verify_unchanged = lambda *a: None\n"
        "    import autograder.gradient_checking.checks as checks\n"
        "    checks.relative_difference = lambda *a, **k: 0.0\n"
        "blind()\n"
    )


IMPORT_RESULTS = "import autograder.gradient_checking.results as results\n"
PAYLOAD = blind_the_guard("__import__('autograder.integrity_guard.kernel_guard', fromlist=['_'])")
# A frame of the hidden check reached from the student's code: its expected value changed.
EDIT_EXPECTED = "f.f_locals['expected'][...] = [[-1.0, 2.0]]"


def _escaped_for_pickle(code: str) -> bytes:
    return code.encode("raw_unicode_escape").replace(b"\n", b"\\u000a")


ATTACKS = {
    "the guard's own module (kernel_guard, autograder.integrity_guard)": blind_the_guard(
        "__import__('autograder.integrity_guard', fromlist=['_']).kernel_guard"
    ),
    "__import__ (a module by a computed name)": blind_the_guard(
        "__import__('autograder.integrity_guard.kernel_' + 'guard', fromlist=['_'])"
    ),
    "importlib": "import importlib\n"
    + blind_the_guard("importlib.import_module('autograder.integrity_guard.kernel_' + 'guard')"),
    "getattr with a computed name": IMPORT_RESULTS
    + blind_the_guard("getattr(results, 'kernel_' + 'guard')"),
    "a namespace read beyond its names": IMPORT_RESULTS
    + blind_the_guard("vars(results)['kernel_' + 'guard']"),
    "a reader rebound (print)": IMPORT_RESULTS
    + "found = []\nprint = lambda namespace: found.append(namespace['kernel_' + 'guard'])\n"
    "print(vars(results))\n" + blind_the_guard("found[0]"),
    "reflective attributes (__globals__)": "from autograder.gradient_checking import "
    "call_student_code\n" + blind_the_guard("call_student_code.__globals__['kernel_guard']"),
    "gc": "import gc\n"
    + blind_the_guard(
        "next(m for m in gc.get_objects() "
        "if getattr(m, '__name__', '') == 'autograder.integrity_guard.kernel_guard')"
    ),
    "inspect": "import inspect\nfrom autograder.gradient_checking import call_student_code\n"
    + blind_the_guard(
        "dict(inspect.getmembers(inspect.getmodule(call_student_code)))['kernel_' + 'guard']"
    ),
    "exec": f"exec({PAYLOAD!r})",
    "eval and compile": f"code = compile({PAYLOAD!r}, 'x', 'exec')\neval(code)",
    "builtins and __builtins__ (exec under another name)": f"import builtins\n"
    f"builtins.exec({PAYLOAD!r})",
    "pickle (unpickling calls any function)": "import pickle\npickle.loads(b'cbuiltins\\nexec\\n(V'"
    f" + {_escaped_for_pickle(PAYLOAD)!r} + b'\\ntR.')",
    "marshal (code objects)": "import marshal, types\n"
    f"types.FunctionType(marshal.loads({marshal.dumps(compile(PAYLOAD, 'x', 'exec'))!r}), "
    "globals())()",
    "runpy (files the grader cannot read)": f"open('payload.py', 'w').write({PAYLOAD!r})\n"
    "import runpy\nrunpy.run_path('payload.py', init_globals={'__import__': __import__})",
    "%run (magics that run unread code)": f"open('payload.py', 'w').write({PAYLOAD!r})\n"
    "%run -i payload.py",
    "unittest.mock (patches by a computed name)": "from unittest import mock\n"
    "for name in ('verify', 'verify_unchanged', '_refuse_to_run_after_replacement'):\n"
    "    mock.patch('autograder.integrity_guard.kernel_' + 'guard.' + name,\n"
    "               lambda *a: None).start()\n"
    "mock.patch('autograder.gradient_checking.checks.relative_difference', "
    "lambda *a, **k: 0.0).start()",
    "ipykernel (the kernel's own shell)": "from ipykernel.kernelapp import IPKernelApp\n"
    f"IPKernelApp.instance().shell.run_cell({PAYLOAD!r})",
    "the shell behind exit (_ip)": f"exit._ip.run_cell({PAYLOAD!r})",
    "frames (sys._getframe, f_back, f_locals)": "import sys\n\ndef relu(Z):\n"
    f"    f = sys._getframe(2)\n    {EDIT_EXPECTED}\n    return Z",
    "a traceback's frame (tb_frame)": "def relu(Z):\n    try:\n        raise ValueError\n"
    "    except ValueError as error:\n        f = error.__traceback__.tb_frame.f_back.f_back\n"
    f"        {EDIT_EXPECTED}\n    return Z",
    "a trace function (settrace)": "import sys\n\ndef tracer(frame, event, arg):\n"
    "    f = frame\n    while f is not None and f.f_code.co_name != '_hidden':\n"
    "        f = f.f_back\n    if f is not None:\n        sys.settrace(None)\n"
    f"        {EDIT_EXPECTED}\n\n"
    "def relu(Z):\n    sys.settrace(tracer)\n    return Z",
    "ctypes (the interpreter's own functions and memory)": "import ctypes\n"
    "load = ctypes.pythonapi.PyImport_ImportModule\nload.restype = ctypes.py_object\n"
    "load.argtypes = [ctypes.c_char_p]\n"
    + blind_the_guard("load(b'autograder.integrity_guard.kernel_guard')"),
}


@pytest.mark.parametrize("construct", list(ATTACKS))
def test_each_refusal_prevents_an_attack(construct, tmp_path):
    attack = ATTACKS[construct]
    assert find_tampering(attack), f"the scan lets {construct} through"
    *_, check = _run(SWITCH_OFF, WRONG_RELU, attack, HIDDEN_STYLE_CHECK, folder=tmp_path)
    # ... and with the refusal off, the wrong answer passes the hidden check.
    assert _error(check) == "", f"{construct}: {_error(check)}"


def test_without_an_attack_the_wrong_answer_fails_the_same_check(tmp_path):
    *_, check = _run(SWITCH_OFF, WRONG_RELU, HIDDEN_STYLE_CHECK, folder=tmp_path)
    assert _error(check).startswith("CheckFailed")


def test_the_threat_model_lists_every_refusal_tested_here():
    doc = (Path(__file__).parents[2] / "autograder" / "integrity_guard" / "__init__.py").read_text()
    threat_model = " ".join(doc.replace("*", "").split())
    for construct in ATTACKS:
        assert f"{construct} (t)" in threat_model, construct
