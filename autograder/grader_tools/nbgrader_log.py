"""What nbgrader says only in its log, read in one function: ``read_nbgrader_log``.

nbgrader gives most outcomes as facts, and the course reads them there: whether a run
succeeded (its exit status, ``NbGraderAPI``'s ``success``), the gradebook, the autograded
notebook (removed when grading failed: ``Converter.convert_notebooks``), the cells' error
outputs (a cell that overran its time holds an ``error`` output named by
``Execute.error_on_timeout``) and the course's own notebook metadata. A few facts reach
only the log: nbgrader catches the exception, logs its traceback
(``self.log.error(traceback.format_exc())``) and raises ``NbGraderException`` instead. The
messages recognised, as nbgrader 0.9 writes them (``tests/test_nbgrader_log.py`` feeds
each one):

- the kernel died while a cell ran: nbclient logs "Kernel died while waiting for execute
  reply." and raises ``DeadKernelError("Kernel died")``;
- the kernel died before it answered: jupyter_client's ``RuntimeError: Kernel died before
  replying to kernel_info`` (no cell ran: a failure of the machinery, not of the student's
  code; the text holds "Kernel died" too);
- the gradebook was locked: SQLite's ``database is locked`` (another writer held it past
  its busy timeout);
- the lines nbgrader logs at ERROR level (``[ERROR] ...`` from ``NbGraderAPI``,
  ``[AutogradeApp | ERROR] ...`` from the command line) and a traceback's last line
  ``SomeError: message`` (an unqualified exception name), which say why a run failed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KERNEL_DIED = ("DeadKernelError", "Kernel died")
KERNEL_DIED_AT_START = "Kernel died before replying to kernel_info"
DATABASE_LOCKED = "database is locked"
_ERROR_LINE = re.compile(r"^\[(?:\w+ \| )?ERROR\] .*$", flags=re.M)
_EXCEPTION_LINE = re.compile(r"^\s*(\w+(?:Error|Exception): .+)$", flags=re.M)


@dataclass(frozen=True)
class NbgraderLog:
    """What one nbgrader log says (module doc). ``errors``: its ERROR lines, stripped, in
    order; ``exceptions``: its ``SomeError: message`` lines, in order."""

    kernel_died: bool = False
    kernel_died_at_start: bool = False
    database_locked: bool = False
    errors: tuple[str, ...] = ()
    exceptions: tuple[str, ...] = ()

    @property
    def transient(self) -> bool:
        """A failure of the grading machinery, not of the student's code: grade it again."""
        return self.kernel_died_at_start or self.database_locked


def read_nbgrader_log(log: str) -> NbgraderLog:
    """The facts of an nbgrader log (``NbGraderAPI``'s ``log`` and ``error``, or what the
    command printed)."""
    return NbgraderLog(
        kernel_died=any(message in log for message in KERNEL_DIED),
        kernel_died_at_start=KERNEL_DIED_AT_START in log,
        database_locked=DATABASE_LOCKED in log,
        errors=tuple(match.group(0).strip() for match in _ERROR_LINE.finditer(log)),
        exceptions=tuple(match.group(1).strip() for match in _EXCEPTION_LINE.finditer(log)),
    )
