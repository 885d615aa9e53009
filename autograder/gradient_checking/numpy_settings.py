"""The checks compute in the course's NumPy settings; student code runs in the student's.

A student may set ``np.seterr(all="raise")`` or ``np.set_printoptions(precision=2)`` for
their own work. That must not change how a check compares arrays or computes a
reference (an underflow in the course's own softmax must not raise), and the check must
not change the student's settings either:

- ``course_numpy_settings()``: a context in which NumPy ignores floating-point errors
  (every check judges NaN and infinity explicitly) and prints with NumPy's default print
  options. The settings in force when the outermost one was entered are the student's;
  they are back when it exits.
- ``student_numpy_settings()``: inside a check, the student's own settings again, for the
  call into their code (``call_student_code`` uses it).

A check enters ``course_numpy_settings`` in its own body rather than through a decorator:
a wrapper would hold the check in a closure, where the guard (``kernel_guard``), which
compares functions' code and defaults, would not see it replaced.

NumPy keeps both settings in context variables (NumPy 2), so these contexts nest and
restore exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

# Floating-point errors: ignored; the checks look for NaN and infinity themselves.
COURSE_ERRORS: dict[str, Any] = {"all": "ignore"}
# NumPy's own defaults (numpy.set_printoptions), so messages read the same for everyone.
COURSE_PRINT_OPTIONS: dict[str, Any] = {
    "precision": 8,
    "threshold": 1000,
    "edgeitems": 3,
    "linewidth": 75,
    "suppress": False,
    "nanstr": "nan",
    "infstr": "inf",
    "formatter": None,
    "sign": "-",
    "floatmode": "maxprec",
    "legacy": False,
}

_Settings = tuple[dict[str, Any], Any, dict[str, Any]]  # errors, error callback, printing
_STUDENT: ContextVar[_Settings | None] = ContextVar("student_numpy_settings", default=None)


def _current() -> _Settings:
    return dict(np.geterr()), np.geterrcall(), dict(np.get_printoptions())


@contextmanager
def _numpy_settings(errors: dict[str, Any], call: Any, printing: dict[str, Any]) -> Iterator[None]:
    with np.errstate(**errors, call=call), np.printoptions(**printing):
        yield


@contextmanager
def course_numpy_settings() -> Iterator[None]:
    """Run the block in the course's NumPy settings; the student's are back afterwards."""
    outermost = _STUDENT.get() is None
    token = _STUDENT.set(_current()) if outermost else None
    try:
        with np.errstate(**COURSE_ERRORS), np.printoptions(**COURSE_PRINT_OPTIONS):
            yield
    finally:
        if token is not None:
            _STUDENT.reset(token)


@contextmanager
def student_numpy_settings() -> Iterator[None]:
    """Inside ``course_numpy_settings``: the student's settings again (else no change)."""
    saved = _STUDENT.get()
    if saved is None:
        yield
        return
    errors, call, printing = saved
    with _numpy_settings(errors, call, printing):
        yield
