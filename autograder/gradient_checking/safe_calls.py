"""Call untrusted student code so that nothing it prints or warns can cost points.

nbgrader gives zero to a test cell that writes to stderr, so a NumPy overflow
warning inside a correct ``sigmoid`` would lose marks. Every call into student
code from a check goes through :func:`call_student_code`, which silences
warnings, swallows stdout/stderr and turns an exception into a short message.
"""

from __future__ import annotations

import contextlib
import io
import traceback
import warnings
from collections.abc import Callable
from typing import Any

from autograder.gradient_checking.numpy_settings import student_numpy_settings
from autograder.integrity_guard import kernel_guard
from autograder.student_tracebacks import StudentFacingError


class StudentCodeError(StudentFacingError):
    """The student's function raised; ``str(err)`` is a one-line, kind message."""


def _where_it_failed(exc: BaseException) -> str:
    """The innermost frame's function name and line, e.g. ``linear_backward, line 7``."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    last = frames[-1]
    return f" (in {last.name}, line {last.lineno})"


def call_student_code(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``function`` with warnings, stdout and stderr silenced, in the student's own
    NumPy settings (``numpy_settings``: a check computes in the course's).

    Raises :class:`StudentCodeError` naming the exception and where it happened, and
    ``TamperingDetected`` if the notebook holds code the grader refuses (``kernel_guard``).
    ``KeyboardInterrupt`` and ``SystemExit`` are reported too, so that student code
    cannot end a check early and leave it unscored.
    """
    kernel_guard.verify()
    sink = io.StringIO()
    try:
        with (
            warnings.catch_warnings(),
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
            student_numpy_settings(),
        ):
            warnings.simplefilter("ignore")
            result = function(*args, **kwargs)
    except (Exception, SystemExit, KeyboardInterrupt) as exc:  # noqa: BLE001 - untrusted code
        name = getattr(function, "__name__", "your function")
        raise StudentCodeError(
            f"{name} raised {type(exc).__name__}: {exc}{_where_it_failed(exc)}"
        ) from None
    kernel_guard.verify_unchanged()  # the student's function may have changed something
    return result
