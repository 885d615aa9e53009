"""What a student sees when a check fails: their own lines and the check's message.

IPython hides a frame that sets ``__tracebackhide__``, but never the innermost one, and
for a failed check the innermost frame is the course's own ``raise``. So the errors the
checks raise render their own traceback through IPython's ``_render_traceback_``
protocol: IPython's usual formatting, with every frame of the ``autograder`` package
left out. What remains is the student's cell, their function if it is on the way, and
the one-line message that says what to fix.
"""

from __future__ import annotations

import os
import traceback
import types

PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def without_course_frames(tb: types.TracebackType | None) -> types.TracebackType | None:
    """The same traceback without the frames whose code lives in this package."""
    kept = []
    while tb is not None:
        if not tb.tb_frame.f_code.co_filename.startswith(PACKAGE_DIR):
            kept.append(tb)
        tb = tb.tb_next
    rebuilt = None
    for entry in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return rebuilt


class StudentFacingError(Exception):
    """Base of the errors a check raises for a student to read (see the module doc)."""

    def _render_traceback_(self) -> list[str]:
        tb = without_course_frames(self.__traceback__)
        try:  # IPython only when shown in a kernel: checks also run in plain Python
            from IPython import get_ipython

            shell = get_ipython()
            if shell is not None:
                return shell.InteractiveTB.structured_traceback(type(self), self, tb)
        except Exception:  # noqa: BLE001 - never let formatting hide the message
            pass
        return traceback.format_exception(type(self), self, tb)
