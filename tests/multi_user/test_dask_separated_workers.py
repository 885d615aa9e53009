"""`course grade --scheduler` the way a department runs Dask: machines that share nothing but
the network, on one machine.

`dask scheduler` and two `dask worker`s start from their command lines. The workers run as
another Unix account, from the course's environment, each in mount and PID namespaces of
its own: an empty /tmp, /root, /home, /srv and /work, so no view of the course folder, the
client's home or each other's files and processes; of the client's machine they reach the
scheduler's port and the PostgreSQL gradebook's socket (bound into their /tmp), nothing
else. A worker is killed mid-task, then the client at a journaled point; the resumed run
grades every student exactly once, with the grades of sequential `nbgrader autograde`.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cloudpickle
import psutil
import pytest

from autograder.grader_tools.batch_grading.grading_journal import GradingJournal
from autograder.grader_tools.batch_grading.submission_status import ProblemKind
from course_simulation.course_runs import nbgrader, run
from deploy.grading_clusters import DASK_SETTINGS, dask_environment

from ..batch_grading.conftest import (
    A1,
    CELL_TIMEOUT,
    DEAD_WORKER_LEASES,
    class_and_its_twin,
    gradebook_state,
    student_totals,
)
from ..batch_grading.conftest import postgres_server as postgres_server  # the fixture
from ..batch_grading.held_journal import hold_journal, remove_hold
from ..course_helpers import REPO, wait_until
from .accounts import ensure_account

ACCOUNT = "course-dask-worker"
KINDS = ["correct", "wrong_sign", "forgot_1_over_m", "relu_at_zero", "correct"]
# Covered by an empty tmpfs in each worker's mount namespace, with the top folder of this
# checkout wherever CI cloned it (/work, /check, ...; the course environment is in /opt).
_CHECKOUT_TOP = "/" + REPO.parts[1]
HIDDEN = tuple(
    dict.fromkeys(("/root", "/tmp", "/home", "/srv", "/work", "/var/tmp", _CHECKOUT_TOP))
)
WORKERS = ("worker-a", "worker-b")
# The course's Dask settings, as the README's recipe gives them; and the killed worker's
# student lease expires as in the LocalCluster tests. Through Dask's environment variables,
# which the command-line scheduler and workers read.
DASK_VARIABLES = dask_environment({**DASK_SETTINGS, **DEAD_WORKER_LEASES})
SETTINGS = " ".join(f"{name}={value}" for name, value in DASK_VARIABLES.items())


def _worker_command(address: str, name: str, sockets: Path, environment: Path) -> list[str]:
    """A `dask worker` as ACCOUNT in mount and PID namespaces of its own (made as root, then
    runuser): HIDDEN covered, only the gradebook's socket folder bound back."""
    home = f"/tmp/{name}"
    script = f"""set -e
mount -t tmpfs -o mode=700 tmpfs /root
mkdir /root/gradebook && mount --bind {sockets} /root/gradebook
for folder in {" ".join(HIDDEN[1:])}; do mount -t tmpfs -o mode=755 tmpfs "$folder"; done
chmod 1777 /tmp /var/tmp
mkdir -p {sockets} && mount --move /root/gradebook {sockets}
rmdir /root/gradebook
mkdir {home} && chown {ACCOUNT}: {home} && cd {home}
exec runuser -u {ACCOUNT} -- env -i HOME={home} USER={ACCOUNT} LOGNAME={ACCOUNT} \\
    PATH={environment / "bin"}:/usr/bin:/bin TMPDIR=/tmp LANG=C.UTF-8 {SETTINGS} \\
    {environment / "bin" / "dask"} worker {address} --name {name} --host 127.0.0.1 \\
    --nworkers 1 --nthreads 1 --no-dashboard --local-directory {home}/dask
"""
    namespaces = ["--mount", "--propagation", "private", "--pid", "--fork", "--mount-proc"]
    return ["unshare", *namespaces, "--kill-child", "sh", "-c", script]


def _listening_pid(address: str) -> int:
    """The process (in this machine's PID namespace) listening at a worker's address."""
    port = int(address.rsplit(":", 1)[1])
    for connection in psutil.net_connections(kind="tcp"):
        if connection.status == psutil.CONN_LISTEN and connection.laddr.port == port:
            return connection.pid
    raise AssertionError(f"nothing listens at {address}")


def _what_a_worker_sees(paths: list[str]) -> dict:
    """Run on a worker: its uid, which of ``paths`` exist, and the command lines of every
    process it can see."""
    import os as worker_os
    from pathlib import Path as WorkerPath

    commands = []
    for entry in WorkerPath("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                commands.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode())
    return {
        "uid": worker_os.getuid(),
        "existing": [path for path in paths if worker_os.path.exists(path)],
        "root": worker_os.listdir("/root") if worker_os.access("/root", worker_os.R_OK) else [],
        "processes": commands,
    }


@pytest.fixture
def account(course_environment):
    return ensure_account(ACCOUNT)


def test_separated_workers_killed_worker_and_client(
    tmp_path, postgres_server, course_environment, account
):
    from distributed import Client

    url = postgres_server("separated_workers")
    course, sequential, env, roster = class_and_its_twin(tmp_path, url, KINDS, seed=12)
    sockets = Path(url.split("host=", 1)[1].split("&", 1)[0])
    scheduler_file = tmp_path / "scheduler.json"
    started: list[subprocess.Popen] = []
    logs = {name: (tmp_path / f"{name}.log").open("w") for name in ("scheduler", *WORKERS)}
    background = ThreadPoolExecutor(max_workers=1)
    try:
        reference = background.submit(
            nbgrader, sequential, "autograde", A1, f"--Execute.timeout={CELL_TIMEOUT}"
        )
        dask = Path(sys.executable).with_name("dask")
        scheduler_command = [str(dask), "scheduler", "--host", "127.0.0.1", "--port", "0"]
        scheduler_command += ["--no-dashboard", "--scheduler-file", str(scheduler_file)]
        started.append(
            subprocess.Popen(
                scheduler_command,
                stdout=logs["scheduler"],
                stderr=subprocess.STDOUT,
                env={**os.environ, **DASK_VARIABLES},
            )
        )
        address = wait_until(
            lambda: scheduler_file.exists() and json.loads(scheduler_file.read_text())["address"],
            120,
            "the scheduler writes its address",
        )
        for name in WORKERS:
            command = _worker_command(address, name, sockets, course_environment)
            started.append(subprocess.Popen(command, stdout=logs[name], stderr=subprocess.STDOUT))
        with Client(address, set_as_default=False) as client:
            wait_until(
                lambda: len(client.scheduler_info()["workers"]) == len(WORKERS),
                300,
                "both workers join",
            )
            # What a worker sees: its own account, nothing of the course, the client's home
            # or the other worker (its files, its processes).
            cloudpickle.register_pickle_by_value(sys.modules[__name__])
            try:
                # This checkout's course (world-readable here, answer keys in source/) and
                # the test's course copy (in root's private tmp folder).
                courses = [str(REPO / "source"), str(course), str(tmp_path)]
                paths = [*courses, *(f"/tmp/{name}" for name in WORKERS)]
                seen = client.run(_what_a_worker_sees, paths)
            finally:
                cloudpickle.unregister_pickle_by_value(sys.modules[__name__])
            names = {a: info["name"] for a, info in client.scheduler_info()["workers"].items()}
            for worker, view in seen.items():
                name = names[worker]
                assert view["uid"] == account.pw_uid
                assert view["existing"] == [f"/tmp/{name}"], view["existing"]
                assert view["root"] == []
                others = [n for n in WORKERS if n != name]
                assert not [c for c in view["processes"] if any(o in c for o in others)]
            command = [
                *(sys.executable, "-m", "autograder.grader_tools.course_commands", "grade", A1),
                *("--scheduler", address, "--cell-timeout", CELL_TIMEOUT),
            ]
            first = subprocess.Popen(
                command, cwd=course, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            started.append(first)

            def busy_workers() -> list[str]:
                assert first.poll() is None, "the run ended before a worker could be killed"
                return [address for address, tasks in client.processing().items() if tasks]

            journal = GradingJournal(course, A1).path
            wait_until(journal.exists, 300, "the journal records a submission")
            victim = wait_until(busy_workers, 300, "a worker holds a grading")[0]
            os.kill(_listening_pid(victim), signal.SIGKILL)  # its nanny starts a new one
            try:  # then the client, while it waits to record its next submission
                hold_journal(course, A1, first)
            finally:
                first.kill()
                first.wait()
                remove_hold(course, A1)
            done = set(GradingJournal(course, A1).entries)
            assert 0 < len(done) < len(roster)
            second = run(course, *command, env=env)  # whatever the killed client left running
        reference.result()
    finally:
        for process in reversed(started):
            _stop(process)
        for log in logs.values():
            log.close()
        background.shutdown(wait=True)
    assert ProblemKind.NOT_GRADED.label not in second.stdout, second.stdout
    assert second.stdout.count("graded earlier") == len(done)
    _, rows = gradebook_state(course, url)
    assert sorted(rows) == sorted(roster) and set(rows.values()) == {1}  # once each
    assert student_totals(course, url) == student_totals(sequential)


def _stop(process: subprocess.Popen) -> None:
    """End ``process`` and everything it started (a worker's namespace ends with its init)."""
    if process.poll() is None:
        children = psutil.Process(process.pid).children(recursive=True)
        for child in [psutil.Process(process.pid), *children]:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
    process.wait()
