"""The Slurm and PBS recipes (deploy/grading_clusters.py) build their dask-jobqueue cluster
and job script with the course's settings. No Slurm or PBS scheduler here: nothing is
submitted; the job script is run by bash on this machine, as the batch system would run it
on a node, against the cluster's own Dask scheduler."""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import dask
import pytest
from dask.utils import parse_bytes
from distributed import Client

from autograder.grader_tools.batch_grading.grading_settings import CourseGrade
from deploy.grading_clusters import (
    COURSE_ENVIRONMENT,
    COURSE_PYTHON,
    DASK_SETTINGS,
    HEADROOM_MB,
    main,
    pbs_grading_cluster,
    slurm_grading_cluster,
)

from ..course_helpers import REPO

MIB = 2**20
# The cluster's scheduler on loopback, no dashboard, its HTTP server on a free port (8787,
# distributed's default, may be taken).
LOCAL_SCHEDULER = {"host": "127.0.0.1", "dashboard": False, "dashboard_address": "127.0.0.1:0"}
SCHEDULER_ADDRESS = re.compile(r"tcp://127\.0\.0\.1:(\d+)")


def worker_command(script: str) -> list[str]:
    """The job script's ``dask_worker`` command line, split into words."""
    (line,) = [line for line in script.splitlines() if "distributed.cli.dask_worker" in line]
    return line.split()


def option(words: list[str], name: str) -> str:
    return words[words.index(name) + 1]


def memory_mib(amount: str) -> float:
    """Slurm's ``--mem=16G``, PBS's ``mem=16GB`` (both in units of 1024) in MiB."""
    number, unit = re.fullmatch(r"(\d+)([KMGT])B?", amount).groups()
    return int(number) * 1024 ** "KMGT".index(unit) / 1024


def assert_stopped(port: int) -> None:
    """Nothing listens on the scheduler's port, and its event loop's thread has ended."""
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    assert "IO loop" not in [thread.name for thread in threading.enumerate()]


@contextmanager
def grading_cluster(build, **settings):
    """The cluster, closed afterwards; checks that closing it stopped its scheduler."""
    cluster = build(scheduler_options=LOCAL_SCHEDULER, **settings)
    try:
        port = int(SCHEDULER_ADDRESS.fullmatch(cluster.scheduler_address).group(1))
        yield cluster
    finally:
        cluster.close()
    assert_stopped(port)


def test_the_recipes_use_the_course_environment():
    """The workers' Python is where deploy/install_course_environment.sh installs it."""
    script = (REPO / "deploy" / "install_course_environment.sh").read_text()
    (prefix,) = re.findall(r'^prefix="\$\{1:-([^}]+)\}"$', script, re.MULTILINE)
    assert prefix == COURSE_ENVIRONMENT
    assert f"{prefix}/bin/python" == COURSE_PYTHON


@pytest.mark.parametrize("system", ["slurm", "pbs"])
def test_the_job_script_has_the_course_settings(system):
    kernel_mb = CourseGrade().memory_limit  # course grade's --memory-limit default
    worker_mb = kernel_mb + HEADROOM_MB
    assert HEADROOM_MB >= 512  # the Dask worker and its grading process, beside the kernel
    if system == "slurm":
        built = grading_cluster(slurm_grading_cluster, partition="teaching", account="cs101")
    else:
        built = grading_cluster(pbs_grading_cluster, queue="teaching", account="cs101")
    with built as cluster:
        script = cluster.job_script()
        address = cluster.scheduler_address
    directives = [line.split(None, 1)[1] for line in script.splitlines() if line.startswith("#")]
    if system == "slurm":
        assert "-p teaching" in directives
        assert "-A cs101" in directives
        assert "--cpus-per-task=4" in directives
        assert "-t 01:00:00" in directives
        (memory,) = [d.removeprefix("--mem=") for d in directives if d.startswith("--mem=")]
    else:
        assert "-q teaching" in directives
        assert "-A cs101" in directives
        assert "-l walltime=01:00:00" in directives
        (select,) = [d for d in directives if d.startswith("-l select=")]
        resources = dict(part.split("=") for part in select.removeprefix("-l ").split(":"))
        assert resources["select"] == "1"
        assert resources["ncpus"] == "4"
        memory = resources["mem"]
    assert memory_mib(memory) == 4 * worker_mb  # four workers, one kernel each
    words = worker_command(script)
    assert words[:4] == [COURSE_PYTHON, "-m", "distributed.cli.dask_worker", address]
    assert option(words, "--nthreads") == "1"  # each thread runs a grading process of its own
    assert option(words, "--nworkers") == "4"
    assert parse_bytes(option(words, "--memory-limit")) == worker_mb * MIB
    lines = script.splitlines()
    bubblewrap = next(i for i, line in enumerate(lines) if "bwrap" in line)
    assert bubblewrap < next(i for i, line in enumerate(lines) if "dask_worker" in line)


@pytest.mark.parametrize(
    ("build", "walltime"),
    [
        (slurm_grading_cluster, "#SBATCH -t 00:30:00"),
        (pbs_grading_cluster, "#PBS -l walltime=00:30:00"),
    ],
)
def test_the_job_script_follows_other_settings(build, walltime):
    with grading_cluster(
        build,
        workers_per_job=2,
        walltime="00:30:00",
        kernel_memory_mb=2048,
        python="/srv/grading/env/bin/python",
        prologue=["module load bubblewrap"],
    ) as cluster:
        script = cluster.job_script()
    assert walltime in script.splitlines()
    words = worker_command(script)
    assert words[0] == "/srv/grading/env/bin/python"
    assert option(words, "--nthreads") == "1"
    assert option(words, "--nworkers") == "2"
    assert parse_bytes(option(words, "--memory-limit")) == (2048 + HEADROOM_MB) * MIB
    assert script.index("module load bubblewrap") < script.index("bwrap ")


def run_job(script: str, folder: Path, env: dict) -> subprocess.Popen:
    """The job script run by bash, in a process group of its own, its output in
    ``folder``'s job.out and job.err, as a batch system would."""
    path = folder / "job.sh"
    path.write_text(script)
    with open(folder / "job.out", "w") as out, open(folder / "job.err", "w") as err:
        return subprocess.Popen(
            ["/bin/bash", str(path)],
            cwd=folder,
            env=env,
            start_new_session=True,
            stdout=out,
            stderr=err,
        )


def stop_job(job: subprocess.Popen) -> None:
    """SIGTERM to the job's processes (what scancel and qdel send first); all of them end."""
    if job.poll() is None:
        os.killpg(job.pid, signal.SIGTERM)
    job.wait(timeout=60)
    deadline = time.monotonic() + 30
    while True:
        try:
            os.killpg(job.pid, 0)
        except ProcessLookupError:
            return
        assert time.monotonic() < deadline, "the job's worker processes outlived it"
        time.sleep(0.2)


def test_the_job_script_starts_one_thread_workers_on_the_scheduler(tmp_path):
    """Run by bash on this machine (bubblewrap installed), the Slurm job script starts its
    workers, and they join the cluster's scheduler with the course's threads and memory."""
    with grading_cluster(slurm_grading_cluster, workers_per_job=2, python=sys.executable) as (
        cluster
    ):
        job = run_job(cluster.job_script(), tmp_path, dict(os.environ))
        try:
            with Client(cluster) as client:
                client.wait_for_workers(2, timeout=60)
                workers = client.scheduler_info(n_workers=-1)["workers"].values()
                assert [w["nthreads"] for w in workers] == [1, 1]
                expected = (CourseGrade().memory_limit + HEADROOM_MB) * MIB
                assert [w["memory_limit"] for w in workers] == [expected, expected]
                # The course's Dask settings (no profiler history growing with the run,
                # short message logs), from the job's environment.
                settings = client.run(  # a lambda: pickled by value, the workers need no tests
                    lambda: {name: dask.config.get(name) for name in DASK_SETTINGS}
                )
                assert list(settings.values()) == [DASK_SETTINGS, DASK_SETTINGS]
        finally:
            stop_job(job)


def test_the_job_fails_before_any_worker_starts_without_bubblewrap(tmp_path):
    with grading_cluster(slurm_grading_cluster, python=sys.executable) as cluster:
        bin_without_bwrap = tmp_path / "bin"
        bin_without_bwrap.mkdir()
        env = {"PATH": str(bin_without_bwrap), "HOSTNAME": "node-7"}
        job = run_job(cluster.job_script(), tmp_path, env)
        try:
            job.wait(timeout=60)
        finally:
            stop_job(job)
        assert job.returncode == 1
        assert (tmp_path / "job.err").read_text().strip() == (
            "course grading: bubblewrap (bwrap) cannot sandbox student code on node-7; "
            "install it, or allow unprivileged user namespaces"
        )
        with Client(cluster) as client:
            assert client.scheduler_info()["workers"] == {}


def test_main_prints_the_job_script_and_stops_its_scheduler(capsys):
    assert main(["pbs", "--queue", "teaching", "--walltime", "02:00:00"]) == 0
    printed = capsys.readouterr().out
    assert "#PBS -q teaching" in printed
    assert "#PBS -l walltime=02:00:00" in printed
    assert f"{COURSE_PYTHON} -m distributed.cli.dask_worker" in printed
    assert "IO loop" not in [thread.name for thread in threading.enumerate()]
