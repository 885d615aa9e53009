"""Each grading process's nbgrader overrides and environment: the sandbox's settings.

``worker_settings`` gives a run's settings for every grading process: the course's
overrides, the cell timeout and, sandboxed, the grading kernelspec (``grading_kernelspec``,
checked to work on this machine first) with IPC transport. ``slot_settings`` gives one
process's own: a folder for its kernels' sockets and, when the grader is root, a uid of
its own for its kernels (``SANDBOX_FIRST_UID`` + slot). Both engines use them: locally one
slot per job, on a Dask worker one per grading process.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from autograder.grader_tools.batch_grading import grading_kernelspec
from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from autograder.grader_tools.batch_grading.kernel_launcher import UID_VARIABLE
from autograder.grader_tools.nbgrader_course import NbgraderCourse, sqlite_path

# Student kernels run as uid SANDBOX_FIRST_UID + slot: ids no account on the machine uses.
SANDBOX_FIRST_UID = 3_000_000


class SandboxUnavailable(RuntimeError):
    """Student kernels cannot be isolated on this machine; the message says why and what to do."""


@dataclass(frozen=True)
class WorkerOptions:
    """The settings of ``CourseGrade`` a grading process depends on (shipped to Dask workers)."""

    cell_timeout: int | None  # seconds per cell; None keeps the course's Execute.timeout
    sandbox: bool
    memory_limit_mb: int
    warm_kernels: bool  # fork kernels from a warm process where the grader can (kernel_fork_server)

    @classmethod
    def of(cls, settings: CourseGrade) -> WorkerOptions:
        return cls(
            settings.cell_timeout, settings.sandbox, settings.memory_limit, settings.warm_kernels
        )


def hidden_from_students(course: NbgraderCourse) -> list[Path]:
    """Folders a student's kernel must not see: the course, the exchange, the gradebook's
    folder (the kernel launcher hides the grader's home itself)."""
    hidden = [course.root, course.exchange_root.resolve()]
    database = sqlite_path(course.db_url)
    if database is not None:
        hidden.append(database.resolve().parent)
    return [path for path in dict.fromkeys(hidden) if path != Path("/")]  # "/" would hide Python


def worker_settings(
    course: NbgraderCourse, options: WorkerOptions, scratch: Path, also_hidden: tuple = ()
) -> tuple[dict, dict[str, str]]:
    """The grading processes' nbgrader overrides and environment; with the sandbox, its
    kernelspec (written into ``scratch``) selected for every kernel. SandboxUnavailable
    when kernels cannot be isolated here."""
    overrides = json.loads(json.dumps(course.overrides))  # plain dicts, for the workers
    if options.cell_timeout:
        overrides.setdefault("Execute", {})["timeout"] = options.cell_timeout
    env = course.environment()
    if options.sandbox:
        hidden = [*hidden_from_students(course), *(p for p in also_hidden if p.exists())]
        memory = options.memory_limit_mb
        problem = grading_kernelspec.sandbox_problem(SANDBOX_FIRST_UID, memory, hidden)
        if problem:
            raise SandboxUnavailable(
                f"cannot isolate student kernels on this machine ({problem}); grading needs "
                "Linux with bubblewrap and user namespaces (or root). Student code was not "
                "run. Pass --no-sandbox to grade without isolation, only for code you trust"
            )
        # Kernels forked from a warm process (kernel_fork_server) where this grader can.
        warm = options.warm_kernels and grading_kernelspec.can_fork_kernels(hidden)
        name = grading_kernelspec.write_kernelspec(scratch, memory, hidden, warm=warm)
        overrides.setdefault("Execute", {})["kernel_name"] = name
        # Sandboxed kernels have no network: they talk to their worker through sockets in
        # a folder of the worker's (see slot_settings).
        overrides.setdefault("KernelManager", {})["transport"] = "ipc"
        env["JUPYTER_PATH"] = os.pathsep.join(filter(None, [str(scratch), env.get("JUPYTER_PATH")]))
    return overrides, env


def slot_settings(
    overrides: dict, env: dict[str, str], scratch: Path, slot: int, sandbox: bool
) -> tuple[dict, dict[str, str]]:
    """One grading process's nbgrader overrides and environment. Sandboxed, its kernels' IPC
    sockets live in a folder of its own, which the sandbox lets them reach; when the grader
    is root, they run as a uid of their own (see kernel_launcher)."""
    if not sandbox:
        return overrides, env
    uid = SANDBOX_FIRST_UID + slot
    sockets = scratch / f"kernels-{slot + 1}"
    sockets.mkdir(mode=0o700)
    if os.geteuid() == 0:
        os.chown(sockets, uid, uid)
    # jupyter_client names the sockets <ip>-<n>, within Linux's 107 bytes for a socket path.
    if len(os.fsencode(sockets / "kernel-65535")) > 107:
        raise SandboxUnavailable(
            f"the grader's temporary folder {scratch.parent} has too long a path for the "
            "kernels' sockets: set TMPDIR to a short one such as /tmp"
        )
    kernel_manager = {**overrides.get("KernelManager", {}), "ip": str(sockets / "kernel")}
    slot_env = {**env, UID_VARIABLE: str(uid)}
    return {**overrides, "KernelManager": kernel_manager}, slot_env
