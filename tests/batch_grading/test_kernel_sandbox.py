"""The kernel launcher on its own: who the student's code runs as, what it sees and keeps."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from autograder.grader_tools.batch_grading import kernel_launcher

from ..course_helpers import REPO, running_processes, wait_until

# What every probe of a sandboxed process starts with: `attempt` and the memory limit.
PROBE_HELPERS = """
import numpy as np
def attempt(action):
    try:
        action()
        return "allowed"
    except Exception as error:
        return type(error).__name__
try:
    np.ones(400_000_000)  # 3.2 GB, over the 1024 MB limit
    memory = "allocated"
except MemoryError:
    memory = "MemoryError"
"""
PROBE = (
    """
import json, os, resource, socket
"""
    + PROBE_HELPERS
    + """
print(json.dumps({
    "uid": os.getuid(), "gid": os.getgid(), "groups": os.getgroups(), "cwd": os.getcwd(),
    "environment": sorted(os.environ),
    "read course": attempt(lambda: open(os.environ["COURSE_FILE"]).read()),
    "grader home": os.listdir(os.path.expanduser("~root")),
    "write scratch": attempt(lambda: open("/tmp/notes.txt", "w").write("x")),
    "write var tmp": attempt(lambda: open("/var/tmp/x", "w").write("x")),
    "write package": attempt(lambda: open(np.__file__ + ".x", "w").write("x")),
    "memory": memory,
    "grader's loopback": attempt(lambda: socket.create_connection(("127.0.0.1", PORT), 2)),
}))
"""
)


def listening_port() -> tuple[socket.socket, int]:
    """A socket listening on the grader's loopback: reachable from anything on its network."""
    listener = socket.create_server(("127.0.0.1", 0))
    return listener, listener.getsockname()[1]


def test_the_launcher_drops_privileges_hides_the_course_and_limits_memory(tmp_path):
    course_file = REPO / "nbgrader_config.py"
    command = kernel_launcher.launcher_command(1024, [REPO, tmp_path])
    command.insert(command.index("--"), "--check")
    env = {
        **os.environ,
        kernel_launcher.UID_VARIABLE: "3000017",
        "GRADER_SECRET_TOKEN": "do-not-leak",
    }
    # The probe reads COURSE_FILE from its environment only if it survives: pass it in code.
    probe = PROBE.replace('os.environ["COURSE_FILE"]', repr(str(course_file)))
    listener, port = listening_port()
    probe = probe.replace("PORT", str(port))
    result = subprocess.run(
        [*command, sys.executable, "-c", probe], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert (seen["uid"], seen["gid"], seen["groups"]) == (3000017, 3000017, [])
    assert seen["cwd"] == "/tmp"
    assert "GRADER_SECRET_TOKEN" not in seen["environment"]
    assert seen["read course"] == "FileNotFoundError"
    # Only the way to Python (bound back when it lives in the grader's home) remains.
    home, python = Path.home().resolve(), Path(sys.base_prefix).resolve()
    python_in_home = {python.relative_to(home).parts[0]} if home in python.parents else set()
    assert set(seen["grader home"]) <= python_in_home
    assert seen["write scratch"] == "allowed"
    assert seen["write var tmp"] == "OSError"  # read-only file system
    assert seen["write package"] in ("OSError", "PermissionError")
    assert seen["memory"] == "MemoryError"
    # A network namespace of its own: its loopback is down (OSError: unreachable).
    assert seen["grader's loopback"] in ("OSError", "ConnectionRefusedError")
    assert not (tmp_path / "notes.txt").exists()
    listener.close()


def test_refuses_to_run_student_code_as_root():
    command = kernel_launcher.launcher_command(1024, [])
    command.insert(command.index("--"), "--check")
    env = {**os.environ, kernel_launcher.UID_VARIABLE: "0"}
    result = subprocess.run(
        [*command, sys.executable, "-c", "print('ran')"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 70 and "ran" not in result.stdout
    assert "refusing to run student code as uid 0" in result.stderr


def test_the_probe_works_for_a_grader_started_from_a_notebook():
    """A Jupyter kernel's environment holds JPY_PARENT_PID (its server's pid); `course grade`
    run from there inherits it, and must still be able to isolate kernels."""
    with_inherited = {**os.environ, "JPY_PARENT_PID": str(os.getppid())}
    problem = subprocess.run(
        [
            sys.executable,
            "-c",
            "from autograder.grader_tools.batch_grading import grading_kernelspec as k;"
            "print(k.sandbox_problem(3000098, 1024, []))",
        ],
        capture_output=True,
        text=True,
        env=with_inherited,
        check=True,
    ).stdout.strip()
    assert problem == "None"


def _kernel_folder(folder: Path) -> list[str]:
    """A working folder with a connection file the launcher accepts (IPC sockets in
    ``folder/sockets``); the command of a "kernel" that waits to be killed."""
    (folder / "sockets").mkdir()
    connection = {"transport": "ipc", "ip": str(folder / "sockets" / "kernel")}
    (folder / "connection.json").write_text(json.dumps(connection))
    return [sys.executable, "-c", "import signal; signal.pause()", "-f", "connection.json"]


def test_a_kernel_does_not_outlive_a_grader_that_dies_while_it_is_set_up(tmp_path):
    """The grader (here a shell) is gone before the launcher has even started Python."""
    uid, marker = 3000099, tmp_path / "marker-of-this-test"
    marker.mkdir()
    kernel = _kernel_folder(tmp_path)
    launcher = kernel_launcher.launcher_command(256, [marker])
    subprocess.run(
        ["sh", "-c", 'JPY_PARENT_PID=$$ "$@" >/dev/null 2>&1 &', "sh", *launcher, *kernel],
        cwd=tmp_path,
        env={**os.environ, kernel_launcher.UID_VARIABLE: str(uid)},
        check=True,
    )

    def is_launcher(process: Path) -> bool:
        return str(marker) in (process / "cmdline").read_text()

    def runs_as_student(process: Path) -> bool:
        return process.stat().st_uid == uid

    # However slow the machine, the launcher ends: it must not wait for a kernel nobody reads.
    try:
        wait_until(lambda: not running_processes(is_launcher), 120, "the launcher has ended")
    finally:
        survivors = [*running_processes(runs_as_student), *running_processes(is_launcher)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
    assert survivors == []


# A grader as jupyter_client is one: it starts the launcher in a session of its own, with
# JPY_PARENT_PID its own pid; then it waits (until the test kills it).
GRADER = """
import os, signal, subprocess, sys
environment = {**os.environ, "JPY_PARENT_PID": str(os.getpid())}
subprocess.Popen(sys.argv[1:], env=environment, start_new_session=True)
signal.pause()
"""


def test_the_launcher_ends_its_kernel_when_the_grader_is_killed(tmp_path):
    uid, marker = 3000097, tmp_path / "marker-of-this-test"
    marker.mkdir()
    kernel = _kernel_folder(tmp_path)
    launcher = kernel_launcher.launcher_command(256, [marker])
    grader = subprocess.Popen(
        [sys.executable, "-c", GRADER, *launcher, *kernel],
        cwd=tmp_path,
        env={**os.environ, kernel_launcher.UID_VARIABLE: str(uid)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def is_launcher(process: Path) -> bool:
        return str(marker) in (process / "cmdline").read_text()

    def runs_as_student(process: Path) -> bool:
        return process.stat().st_uid == uid

    def all_ended() -> bool:
        return not running_processes(is_launcher) and not running_processes(runs_as_student)

    try:
        wait_until(lambda: running_processes(runs_as_student), 120, "the kernel runs")
        assert running_processes(is_launcher)  # and its launcher waits for it
        grader.kill()
        grader.wait()
        wait_until(all_ended, 120, "the launcher and its kernel have ended")
    finally:
        grader.kill()
        survivors = [*running_processes(runs_as_student), *running_processes(is_launcher)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
    assert survivors == []
