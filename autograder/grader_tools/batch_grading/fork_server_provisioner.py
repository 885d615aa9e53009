"""jupyter_client's side of ``kernel_fork_server``: a kernel provisioner that asks the
grading worker's fork server for each kernel instead of starting a process.

The sandbox's kernelspec names it (``grading_kernelspec.write_kernelspec(..., warm=True)``);
jupyter_client finds it by its entry point (``jupyter_client.kernel_provisioners`` in
``pyproject.toml``). Everything else is jupyter_client's ``LocalProvisioner``: the kernel's
launcher is the leader of its own process group, which interrupts and kills are sent to.
The launcher is the fork server's child, not ours, so ``ForkedLauncher`` stands in for
the ``Popen`` object and learns from the server when it ended.

A grader who is an ordinary user gets the same warm kernels: the server then runs inside
bubblewrap (``bubblewrap.fork_server_command``) and forks each kernel into unprivileged
namespaces of its own (``user_namespace``). That server sees no course, so this side does
the launcher's file steps for it (``kernel_scratch``): it reads the support files and the
connection file into a fresh scratch folder before the kernel starts, and copies back what
the kernel wrote when it ends. ``sandboxed_fork_problem`` says where that cannot work.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from autograder.grader_tools.batch_grading.bubblewrap import fork_server_command
from autograder.grader_tools.batch_grading.kernel_fork_server import FORK_SERVER_MODULE
from autograder.grader_tools.batch_grading.kernel_launcher import (
    KEPT_ENVIRONMENT,
    LAUNCHER_MODULE,
    UID_VARIABLE,
    connection_file_argument,
    hidden_paths,
    ipc_folder,
    kept_paths,
    kernel_environment,
    parse_arguments,
)
from autograder.grader_tools.batch_grading.kernel_scratch import (
    CONNECTION_NAME,
    SCRATCH,
    copy_new_files,
    read_support_files,
    write_scratch,
)
from autograder.grader_tools.batch_grading.sandbox_errors import SandboxError
from autograder.grader_tools.batch_grading.user_namespace import MODULE as NAMESPACE_PROBE
from autograder.integrity_guard.kernel_guard import PRELOADED_MODULES

PROVISIONER_NAME = "course-fork-server"
SERVER_START_SECONDS = 120
# What a kernel with the course's guard imports before any cell (kernel_guard.install).
GUARDED_KERNEL_PRELOAD = ("numpy", "autograder.integrity_guard.kernel_guard", *PRELOADED_MODULES)


class ForkServer:
    """One ``kernel_fork_server`` process (started on first use) and what it reported."""

    def __init__(self, preload: tuple[str, ...]):
        self.preload = preload
        self.process: subprocess.Popen | None = None
        self.connection: Connection | None = None
        self.ended: dict[int, int] = {}
        # An ordinary grader's server: its bubblewrap view (read-only and writable folders).
        self.sandbox: tuple[list[Path], list[Path]] | None = None
        self.scratch_root: Path | None = None  # its kernels' scratch folders, in the sandbox

    def start_kernel(self, argv: list[str], cwd: str, environment: dict[str, str]) -> int:
        if self.process is None or self.process.poll() is not None:
            self._start()
        self._send({"argv": argv, "cwd": cwd, "environment": environment})
        return self._wait_for("started")

    def sandboxed_scratch(self, kept: list[Path], ipc_parent: Path) -> Path:
        """A fresh scratch folder for an ordinary grader's kernel; the server is started (if
        not running) inside bubblewrap, seeing ``kept`` read-only and writable only
        ``ipc_parent`` (the run's folder of its kernels' socket folders, removed with the
        run), which also holds its kernels' scratch folders."""
        if self.process is None or self.process.poll() is not None:
            self.scratch_root = Path(tempfile.mkdtemp(prefix="warm-kernels-", dir=ipc_parent))
            self.sandbox = (kept, [ipc_parent])
            self._start()
        assert self.sandbox is not None and self.scratch_root is not None
        if ipc_parent not in self.sandbox[1]:
            raise SandboxError(f"this fork server cannot reach the IPC folder {ipc_parent}")
        return Path(tempfile.mkdtemp(prefix="kernel-", dir=self.scratch_root))

    def start_sandboxed_kernel(self, request: dict) -> int:
        """``kernel_fork_server._become_sandboxed_kernel``'s ``request`` (but ``hidden``:
        all the server's writable folders)."""
        assert self.sandbox is not None
        self._send({**request, "hidden": [str(path) for path in self.sandbox[1]]})
        return self._wait_for("started")

    def exit_status(self, pid: int, timeout: float | None) -> int | None:
        """The launcher's exit status, or None if it has not ended within ``timeout``."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while pid not in self.ended:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not self._messages(left) and left is not None and left <= 0:
                return None
        return self.ended[pid]

    def release(self, pid: int) -> None:
        if self.ended.pop(pid, None) is not None:
            self._send({"release": pid})

    def _start(self) -> None:
        if self.connection is not None:
            self.connection.close()
        ours, theirs = socket.socketpair()
        command = [sys.executable, "-m", FORK_SERVER_MODULE, "--connection", str(theirs.fileno())]
        command += ["--parent", str(os.getpid())]
        if self.sandbox is not None:  # bwrap is the server's parent, and ends with us
            command = [*fork_server_command(*self.sandbox), *command[:-1], "0"]
        for name in self.preload:
            command += ["--preload", name]
        # What a kernel would be started with: the kernel environment, no secrets. Its
        # standard descriptors hold nothing of ours: what it prints goes to our log (fd 2).
        self.process = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=2,
            cwd="/",
            env=kernel_environment(),
            pass_fds=[theirs.fileno()],
        )
        theirs.close()
        self.connection = Connection(ours.detach())
        self.ended = {}
        self._wait_for("ready", SERVER_START_SECONDS)

    def _send(self, message: dict) -> None:
        assert self.connection is not None
        self.connection.send(message)

    def _wait_for(self, key: str, timeout: float = SERVER_START_SECONDS) -> int:
        deadline = time.monotonic() + timeout
        while True:
            for message in self._messages(max(0.0, deadline - time.monotonic())):
                if key in message:
                    return int(message[key])
            if time.monotonic() >= deadline:
                raise RuntimeError(f"the kernel fork server did not answer {key!r} in time")

    def _messages(self, timeout: float | None) -> list[dict]:
        """What the server reported within ``timeout`` (endings are also kept)."""
        assert self.connection is not None
        messages: list[dict] = []
        try:
            while self.connection.poll(0 if messages else timeout):
                messages.append(self.connection.recv())
        except EOFError:
            raise RuntimeError("the kernel fork server ended (see the grading log)") from None
        for message in messages:
            if "ended" in message:
                self.ended[int(message["ended"])] = int(message["status"])
        return messages


def sandboxed_fork_problem(hidden: list[Path]) -> str | None:
    """Why an ordinary grader's fork server could not fork isolated kernels here (one line:
    bubblewrap or nested namespaces refused), or None: ``user_namespace``'s probe, run in
    the server's own sandbox."""
    kept = kept_paths(Path(sys.executable), hidden_paths(hidden))
    folder = Path(tempfile.mkdtemp(prefix="warm-kernels-probe-"))
    try:
        command = [*fork_server_command(kept, [folder]), sys.executable, "-m", NAMESPACE_PROBE]
        environment = {**kernel_environment(), "TMPDIR": str(folder)}
        result = subprocess.run(command, capture_output=True, text=True, env=environment)
    except SandboxError as error:
        return str(error)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if result.returncode == 0:
        return None
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if lines else f"the namespace probe exited with {result.returncode}"


_SERVERS: dict[tuple[str, ...], ForkServer] = {}


def fork_server(preload: tuple[str, ...]) -> ForkServer:
    """This process's fork server for kernels that import ``preload``."""
    if preload not in _SERVERS:
        _SERVERS[preload] = ForkServer(preload)
    return _SERVERS[preload]


class ForkedLauncher:
    """The parts of ``subprocess.Popen`` that ``LocalProvisioner`` uses, for a launcher
    forked by the server. Its pid stays reserved (a zombie) until ``wait`` returns."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int, server: ForkServer, when_ended: Callable[[], None] | None = None):
        self.pid, self.server = pid, server
        self.returncode: int | None = None
        self.when_ended = when_ended  # once, as soon as the end is known

    def poll(self) -> int | None:
        if self.returncode is None:
            self._ended(self.server.exit_status(self.pid, timeout=0))
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            status = self.server.exit_status(self.pid, timeout)
            if status is None:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            self._ended(status)
        assert self.returncode is not None
        self.server.release(self.pid)  # once: the server reaps it, its pid may be reused
        return self.returncode

    def _ended(self, status: int | None) -> None:
        self.returncode = status
        if status is not None and self.when_ended is not None:
            when_ended, self.when_ended = self.when_ended, None
            when_ended()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class ForkServerProvisioner(LocalProvisioner):
    """``LocalProvisioner``, with kernels forked by this process's fork server."""

    async def send_signal(self, signum: int) -> None:
        # The process group is the launcher's pid, reserved only while it has not been
        # released: never signal a group that may belong to someone else by now.
        if self.process is not None and self.process.poll() is None:
            await super().send_signal(signum)

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        module = cmd.index(LAUNCHER_MODULE)
        guarded = any("kernel_guard" in argument for argument in cmd)
        preload = GUARDED_KERNEL_PRELOAD if guarded else ()
        server = fork_server(preload)
        given = kwargs.get("env") or os.environ
        kept = (*KEPT_ENVIRONMENT, UID_VARIABLE)
        environment = {name: given[name] for name in kept if name in given}
        cwd = str(kwargs.get("cwd") or os.getcwd())
        if os.geteuid() == 0:
            pid = server.start_kernel(cmd[module + 1 :], cwd, environment)
            launcher = ForkedLauncher(pid, server)
        else:
            launcher = _sandboxed_kernel(server, cmd[module + 1 :], Path(cwd), environment)
        self.process = launcher  # type: ignore[assignment] # Popen's part
        pid = launcher.pid
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info


def _sandboxed_kernel(
    server: ForkServer, launcher_argv: list[str], cwd: Path, given: dict[str, str]
) -> ForkedLauncher:
    """An ordinary grader's warm kernel: ``kernel_launcher``'s steps 1 and 4 here (the
    server sees no course), its steps 2 and 3 in the server's child (``user_namespace``)."""
    args = parse_arguments(launcher_argv)
    command = list(args.command)
    index = connection_file_argument(command)
    argument = command[index]
    connection = Path(argument.split("=", 1)[1] if argument.startswith("-") else argument)
    files = read_support_files(cwd)
    files[Path(CONNECTION_NAME)] = connection.read_bytes()
    sockets = ipc_folder(files[Path(CONNECTION_NAME)])
    kept = kept_paths(Path(command[0]), hidden_paths([Path(path) for path in args.hide]))
    command[index] = str(SCRATCH / CONNECTION_NAME)
    scratch = server.sandboxed_scratch(kept, sockets.parent)
    results = None
    try:
        write_scratch(scratch, files, owner=None)
        results = os.open(cwd, os.O_RDONLY | os.O_DIRECTORY)
        request = {
            "kernel": command,
            "scratch": str(scratch),
            "ipc": str(sockets),
            "memory_mb": args.memory_mb,
            "environment": kernel_environment(given),
        }
        pid = server.start_sandboxed_kernel(request)
    except BaseException:
        if results is not None:
            os.close(results)
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return ForkedLauncher(pid, server, functools.partial(_copy_back, scratch, results, files))


def _copy_back(scratch: Path, results: int, files: dict[Path, bytes]) -> None:
    try:
        copy_new_files(scratch, results, files)
    finally:
        os.close(results)
        shutil.rmtree(scratch, ignore_errors=True)
