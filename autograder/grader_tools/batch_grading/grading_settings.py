"""How ``course grade`` grades: its settings, as traitlets on one configurable class.

``CourseGrade`` holds every option of ``course grade``, as nbgrader's own apps hold theirs:
a course sets them in its ``nbgrader_config.py`` (``c.CourseGrade.jobs = 4``), the command
line (generated from these traits, ``course_options.add_trait_options``) overrides them,
and the Python API passes them as keywords (``CourseGrade(jobs=2)``). Each number must lie
in its ``course_options`` range, wherever it comes from (ValueError naming the setting
otherwise): zero jobs would leave every submission waiting for a worker, a huge timeout
overflows the wait.

A trait's tags say how the command line shows it: ``metavar``, ``allowed`` (the range,
also argparse's ``type``), ``parse`` (another argparse type), ``default_help`` (the default
in words, ``{}`` standing for its value), ``flag_help`` (the help of a switch that turns a
True default off, ``--no-NAME``).
"""

from __future__ import annotations

import argparse
import os
from typing import Any

from traitlets import Bool, Float, Int, Unicode, default, validate
from traitlets.config import LoggingConfigurable

from autograder.grader_tools.course_options import (
    CELL_TIMEOUT,
    JOBS,
    MEMORY_LIMIT_MB,
    SUBMISSION_TIMEOUT,
    scheduler_address,
)

# The address space each sandboxed kernel may use: NumPy and the checks need about 200 MB.
DEFAULT_MEMORY_LIMIT_MB = 3072


class CourseGrade(LoggingConfigurable):
    """``course grade``'s settings (``nbgrader_config.py``: ``c.CourseGrade.<name>``)."""

    jobs = Int(help="submissions graded at once").tag(
        config=True, metavar="N", allowed=JOBS, default_help="{}, this machine's cores + 1"
    )
    force = Bool(False, help="regrade submissions graded before").tag(config=True)
    cell_timeout = Int(None, allow_none=True, help="how long one cell may run").tag(
        config=True,
        metavar="SECONDS",
        allowed=CELL_TIMEOUT,
        default_help="the course's Execute.timeout, else nbgrader's 30",
    )
    submission_timeout = Float(
        600.0, help="how long one whole submission may take (its kernels, every cell, nbgrader)"
    ).tag(config=True, metavar="SECONDS", allowed=SUBMISSION_TIMEOUT)
    memory_limit = Int(
        DEFAULT_MEMORY_LIMIT_MB, help="address space of each sandboxed kernel, in MB"
    ).tag(config=True, metavar="MB", allowed=MEMORY_LIMIT_MB)
    scheduler = Unicode(
        "",
        help="a Dask scheduler's address, [tcp|tls|ucx|ws|wss://]HOST:PORT with a port from 1 "
        "to 65535: grade on that cluster (dask_engine)",
    ).tag(config=True, metavar="ADDRESS", parse=scheduler_address, default_help="this machine")
    sandbox = Bool(
        True,
        help="isolate each student kernel (kernel_launcher): no course, no network, limits",
    ).tag(
        config=True,
        flag_help="run student kernels as yourself, seeing the whole course (not recommended)",
    )
    fresh_kernels = Bool(
        False,
        help="start every kernel as a new Python process, as nbgrader does (by default a "
        "grader forks them from a warm process: the same kernels, less CPU)",
    ).tag(config=True)
    # For the Python API and tests: the command line always shows its progress bar.
    progress = Bool(True, help="show a progress bar while grading")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # traitlets skips a validator for some values loaded from a configuration (jobs,
        # whose default is computed, set to 0): every value is checked once more here.
        for name in ("jobs", "cell_timeout", "submission_timeout", "memory_limit", "scheduler"):
            self._check(name, getattr(self, name))

    @default("jobs")
    def _one_more_than_cores(self) -> int:
        # One more than cores: the CPU works while kernels start (within JOBS' range).
        return min((os.cpu_count() or 1) + 1, int(JOBS.high))

    @validate("jobs", "cell_timeout", "submission_timeout", "memory_limit", "scheduler")
    def _allowed(self, proposal: Any) -> Any:
        self._check(proposal.trait.name, proposal.value)
        return proposal.value

    def _check(self, name: str, value: Any) -> None:
        """ValueError naming the setting if ``value`` is not allowed (None, "": not set)."""
        if value is None or value == "":
            return
        allowed = self.traits()[name].metadata.get("allowed")
        if allowed is not None:
            allowed.check(name, value)
            return
        try:
            scheduler_address(value)
        except argparse.ArgumentTypeError as error:
            raise ValueError(f"{name}: {error}") from None

    @property
    def warm_kernels(self) -> bool:
        """Whether kernels are forked from a warm process (kernel_fork_server), where this
        grader can (grading_kernelspec.can_fork_kernels)."""
        return not self.fresh_kernels
