"""Where nbgrader's autograde runs: the interface of ``course grade``'s two engines.

An engine opens slots; each slot autogrades one submission at a time, by student id, and
answers within a bound. ``class_grader`` hands each submission to an idle slot, retries
(``submission_grading``) and keeps the journal, whatever the engine:

- ``local_worker_pool.LocalWorkerPool``: ``jobs`` grading processes on this machine;
- ``dask_engine.DaskEngine``: tasks on a Dask cluster, each run by the same grading process
  on a worker's machine.

Both run ``grading_worker``: nbgrader's own ``NbGraderAPI.autograde``, kept alive.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import Protocol

from autograder.grader_tools.batch_grading.submission_status import SubmissionStatus

# What one autograde gave: (nbgrader's log, None), or (None, what went wrong with the
# grading itself: the process died, the time ran out, the cluster did not answer).
AutogradeAnswer = tuple[str, None] | tuple[None, SubmissionStatus]


class GradingSlot(Protocol):
    """Autogrades one submission at a time."""

    def autograde(self, student: str, wall_timeout: float) -> AutogradeAnswer:
        """Autograde ``student``'s submission; the answer comes within ``wall_timeout``
        seconds (the Dask engine: within its queued rounds of them, plus a margin)."""
        ...

    def stop(self) -> None:
        """End what the slot is doing now (from another thread too); it can start again."""
        ...


class GradingEngine(ABC):
    """Opens the slots of one run, and closes them with everything they hold."""

    @abstractmethod
    def open_slots(self, submissions: int) -> list[GradingSlot]:
        """The slots to grade ``submissions`` submissions on (at least one)."""

    @abstractmethod
    def close(self) -> None:
        """Stop every slot and release what the run holds (processes, folders, a client)."""

    def __enter__(self) -> GradingEngine:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
