"""Stop `course grade` at a journaled point, however fast or slow the machine.

The grader writes each new version of its journal to ``<journal>.json.partial`` and renames
it over the journal (``GradingJournal.record``). A FIFO at that path makes the next write
wait for a reader: the grader's main thread, the only one that records, blocks there, so
the journal stays as it is, with at least one finished grading not recorded in it.
"""

from __future__ import annotations

import contextlib
import os
import stat
import subprocess
from pathlib import Path

from autograder.grader_tools.batch_grading.grading_journal import GradingJournal, journal_path

from ..course_helpers import wait_until

# What /proc/<pid>/wchan says of a process waiting in open() for a FIFO's other end.
WAITING_FOR_FIFO = "wait_for_partner"


def _partial(course: Path, assignment: str) -> Path:
    return journal_path(course, assignment).with_suffix(".json.partial")


def _blocked_on_the_fifo(grader: subprocess.Popen) -> bool:
    assert grader.poll() is None, "the run ended before it could be stopped"
    return Path(f"/proc/{grader.pid}/wchan").read_text() == WAITING_FOR_FIFO


def hold_journal(
    course: Path, assignment: str, grader: subprocess.Popen, recorded: int = 0, timeout: float = 600
) -> int:
    """Once the journal records ``recorded`` submissions, make ``grader``'s next record
    wait, and wait until it does; return how many the journal records, fixed from then on
    and fewer than the run grades. ``release_journal`` lets it go on; once it has ended
    (killed), ``remove_hold``."""

    def enough_recorded() -> bool:
        assert grader.poll() is None, "the run ended before it could be stopped"
        return len(GradingJournal(course, assignment).entries) >= recorded

    def fifo_made() -> bool:
        try:  # the partial file exists only while the grader writes a record
            os.mkfifo(_partial(course, assignment))
        except FileExistsError:
            return False
        return True

    journal_path(course, assignment).parent.mkdir(parents=True, exist_ok=True)
    if recorded:
        wait_until(enough_recorded, timeout, f"the journal records {recorded} submissions")
    wait_until(fifo_made, timeout, "no record is being written", interval=0.01)
    wait_until(lambda: _blocked_on_the_fifo(grader), timeout, "the grader's next record waits")
    return len(GradingJournal(course, assignment).entries)


def _is_fifo(path: Path) -> bool:
    try:
        return stat.S_ISFIFO(os.lstat(path).st_mode)
    except FileNotFoundError:
        return False


def release_journal(course: Path, assignment: str) -> None:
    """Let a held grader write its record and go on: it renames the FIFO over the journal,
    which here becomes the file it wrote again (unless its next record came first)."""
    partial, journal = _partial(course, assignment), journal_path(course, assignment)
    with partial.open("rb") as fifo:  # the waiting writer writes, and closes it
        written = fifo.read()
    wait_until(lambda: not _is_fifo(partial), 600, "the grader renamed its record", 0.01)
    moved, copy = journal.with_suffix(".json.moved"), journal.with_suffix(".json.copy")
    os.rename(journal, moved)  # the FIFO, or a newer version the grader wrote since
    if _is_fifo(moved):
        copy.write_bytes(written)
        moved.unlink()
        moved = copy
    with contextlib.suppress(FileExistsError):  # never over a newer version
        os.link(moved, journal)
    moved.unlink()


def remove_hold(course: Path, assignment: str) -> None:
    """Remove the FIFO of a held grader that has ended (killed or interrupted)."""
    partial = _partial(course, assignment)
    if _is_fifo(partial):
        partial.unlink()
