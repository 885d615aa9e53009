"""Dask clusters on a batch system for ``course grade --scheduler``: Slurm or PBS, through
dask-jobqueue, with the course's settings.

    python -m deploy.grading_clusters slurm --partition teaching   # print the job script
    python -m deploy.grading_clusters pbs --queue teaching --walltime 02:00:00

In the admin's Python (the course environment with ``pip install .[dask]``)::

    import dask
    from deploy.grading_clusters import DASK_SETTINGS, slurm_grading_cluster

    dask.config.set(DASK_SETTINGS)  # for the scheduler, which runs in this process
    cluster = slurm_grading_cluster(partition="teaching")
    print(cluster.job_script())  # read it before submitting anything
    cluster.scale(jobs=5)  # 5 jobs of WORKERS_PER_JOB workers, submitted with sbatch
    print(cluster.scheduler_address)  # course grade ASSIGNMENT --scheduler <this>

Building a cluster starts its Dask scheduler in this process (``cluster.close()`` stops it
and cancels the jobs); nothing is submitted before ``scale``. Each job is one node's share:
``WORKERS_PER_JOB`` Dask worker processes of one thread each (a thread runs a grading
process of its own, which runs one student's kernel at a time), so as many cores as workers,
and per worker the memory of one kernel at ``course grade``'s limit plus ``HEADROOM_MB`` for
the worker and its grading process. The workers run the course environment's Python, which
needs ``distributed`` (``pip install .[dask]``) and get ``DASK_SETTINGS`` from the job's
environment; before they start, the job checks that
bubblewrap can sandbox student code on its node and fails with a one-line message otherwise
(workers on a batch system run as the submitting user, never root).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from dask_jobqueue import PBSCluster, SLURMCluster

from autograder.grader_tools.batch_grading.grading_settings import DEFAULT_MEMORY_LIMIT_MB

# Where deploy/install_course_environment.sh installs the course environment by default.
COURSE_ENVIRONMENT = "/opt/backprop-course/env"
COURSE_PYTHON = f"{COURSE_ENVIRONMENT}/bin/python"
WORKERS_PER_JOB = 4
# Besides its student's kernel, a worker holds its Dask worker and nanny processes (about
# 60 MB each idle) and its grading process (nbgrader's autograde, about 90 MB and growing a
# little until it is replaced); the kernel's limit is on its address space, more than it
# keeps resident. The job's memory (Slurm's --mem, PBS's mem) bounds all of these; Dask's
# --memory-limit watches the worker process alone, not the grading processes it starts.
HEADROOM_MB = 1024
# Dask settings for a grading cluster's scheduler and workers, measured with
# benchmarks/dask_scaling_benchmark.py (1,000 submissions, two workers):
DASK_SETTINGS = {
    # The statistical profiler samples every task every 10 ms and keeps 1000 one-second
    # profiles: a grading task only waits for its grading process, and each worker grew by
    # about 24 kB a second for its first 17 minutes.
    "distributed.worker.profile.enabled": False,
    # Each connection keeps its last messages for debugging (and the scheduler its last
    # transitions); a grading task's message carries its submission (tens of kB), so 1000
    # of them grew the scheduler by about 25 MB before the logs were full.
    "distributed.admin.low-level-log-length": 100,
}


def dask_environment(settings: dict[str, Any] = DASK_SETTINGS) -> dict[str, str]:
    """``settings`` as the environment variables Dask reads them from (a `dask worker` or
    `dask scheduler` started from its command line, a batch job)."""
    return {
        "DASK_" + key.upper().replace(".", "__").replace("-", "_"): str(value)
        for key, value in settings.items()
    }


WALLTIME = "01:00:00"
JOB_NAME = "course-grading"
# Fails the job before any worker starts where bubblewrap cannot make a user namespace.
BUBBLEWRAP_CHECK = (
    "command -v bwrap >/dev/null && bwrap --unshare-all --ro-bind / / true || "
    '{ echo "course grading: bubblewrap (bwrap) cannot sandbox student code on $HOSTNAME;'
    ' install it, or allow unprivileged user namespaces" >&2; exit 1; }'
)


def worker_memory_mb(kernel_memory_mb: int | None = None) -> int:
    """MB for one Dask worker: a kernel at ``kernel_memory_mb`` (default: ``course grade``'s
    ``--memory-limit`` default) plus ``HEADROOM_MB``."""
    if kernel_memory_mb is None:
        kernel_memory_mb = DEFAULT_MEMORY_LIMIT_MB
    return kernel_memory_mb + HEADROOM_MB


def _course_settings(
    workers_per_job: int,
    walltime: str,
    kernel_memory_mb: int | None,
    python: str,
    prologue: Sequence[str],
    scheduler_options: dict[str, Any] | None,
) -> dict[str, Any]:
    """dask-jobqueue's arguments common to Slurm and PBS (one thread per worker process)."""
    if workers_per_job < 1:
        raise ValueError(f"workers_per_job must be at least 1, not {workers_per_job}")
    return {
        "cores": workers_per_job,
        "processes": workers_per_job,
        "memory": f"{workers_per_job * worker_memory_mb(kernel_memory_mb)}MiB",
        "walltime": walltime,
        "python": python,
        "job_name": JOB_NAME,
        "job_script_prologue": [
            *prologue,
            BUBBLEWRAP_CHECK,
            *(f"export {name}={value}" for name, value in dask_environment().items()),
        ],
        "scheduler_options": scheduler_options or {},
    }


def slurm_grading_cluster(
    *,
    partition: str | None = None,
    account: str | None = None,
    workers_per_job: int = WORKERS_PER_JOB,
    walltime: str = WALLTIME,
    kernel_memory_mb: int | None = None,
    python: str = COURSE_PYTHON,
    prologue: Sequence[str] = (),
    scheduler_options: dict[str, Any] | None = None,
) -> SLURMCluster:
    """A dask-jobqueue ``SLURMCluster`` for grading: jobs of ``workers_per_job`` one-thread
    workers in ``partition`` (None: the site's default), charged to ``account``.
    ``prologue``: shell lines run first in each job (``module load bubblewrap``);
    ``scheduler_options``: the local scheduler's (``{"host": ...}``, ``{"dashboard": False}``).
    """
    settings = _course_settings(
        workers_per_job, walltime, kernel_memory_mb, python, prologue, scheduler_options
    )
    return SLURMCluster(queue=partition, account=account, **settings)


def pbs_grading_cluster(
    *,
    queue: str | None = None,
    account: str | None = None,
    workers_per_job: int = WORKERS_PER_JOB,
    walltime: str = WALLTIME,
    kernel_memory_mb: int | None = None,
    python: str = COURSE_PYTHON,
    prologue: Sequence[str] = (),
    scheduler_options: dict[str, Any] | None = None,
) -> PBSCluster:
    """A dask-jobqueue ``PBSCluster`` for grading: as ``slurm_grading_cluster``, in PBS's
    ``queue`` (None: the site's default)."""
    settings = _course_settings(
        workers_per_job, walltime, kernel_memory_mb, python, prologue, scheduler_options
    )
    return PBSCluster(queue=queue, account=account, **settings)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the job script of a grading cluster (nothing is submitted)."""
    parser = argparse.ArgumentParser(
        prog="python -m deploy.grading_clusters",
        description="Print the job script that a Slurm or PBS grading cluster would submit.",
    )
    parser.add_argument("system", choices=["slurm", "pbs"])
    parser.add_argument("--partition", "--queue", dest="queue", help="the site's default")
    parser.add_argument("--account", help="the site's default")
    parser.add_argument("--workers-per-job", type=int, default=WORKERS_PER_JOB)
    parser.add_argument("--walltime", default=WALLTIME, help="HH:MM:SS")
    parser.add_argument(
        "--memory-limit", type=int, metavar="MB", help="per kernel, as course grade's"
    )
    parser.add_argument("--python", default=COURSE_PYTHON, help="the workers' Python")
    parser.add_argument(
        "--prologue", action="append", default=[], help="a shell line run first in each job"
    )
    args = parser.parse_args(argv)
    build = slurm_grading_cluster if args.system == "slurm" else pbs_grading_cluster
    options = {"queue": args.queue} if args.system == "pbs" else {"partition": args.queue}
    cluster = build(
        **options,
        account=args.account,
        workers_per_job=args.workers_per_job,
        walltime=args.walltime,
        kernel_memory_mb=args.memory_limit,
        python=args.python,
        prologue=args.prologue,
        # No dashboard; the scheduler's HTTP server on a free port of this machine.
        scheduler_options={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
    )
    try:
        print(cluster.job_script())
        print("# the scheduler address above is this command's; each cluster has its own")
    finally:
        cluster.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
