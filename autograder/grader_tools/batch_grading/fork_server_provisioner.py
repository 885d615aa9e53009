"""jupyter_client's side of ``kernel_fork_server``: a kernel provisioner that asks the
grading worker's fork server for each kernel instead of starting a process.

The sandbox's kernelspec names it (``grading_kernelspec.write_kernelspec(..., warm=True)``);
jupyter_client finds it by its entry point (``jupyter_client.kernel_provisioners`` in
``pyproject.toml``). Everything else is jupyter_client's ``LocalProvisioner``: the kernel's
launcher is the leader of its own process group, which interrupts and kills are sent to.
The launcher is the fork server's child, not ours, so ``ForkedLauncher`` stands in for
the ``Popen`` object and learns from the server when it ended.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import LocalProvisioner

from autograder.grader_tools.batch_grading.kernel_fork_server import FORK_SERVER_MODULE
from autograder.grader_tools.batch_grading.kernel_launcher import (
    KEPT_ENVIRONMENT,
    LAUNCHER_MODULE,
    UID_VARIABLE,
    kernel_environment,
)
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

    def start_kernel(self, argv: list[str], cwd: str, environment: dict[str, str]) -> int:
        if self.process is None or self.process.poll() is not None:
            self._start()
        self._send({"argv": argv, "cwd": cwd, "environment": environment})
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

    def __init__(self, pid: int, server: ForkServer):
        self.pid, self.server = pid, server
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.exit_status(self.pid, timeout=0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            status = self.server.exit_status(self.pid, timeout)
            if status is None:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            self.returncode = status
        self.server.release(self.pid)  # once: the server reaps it, its pid may be reused
        return self.returncode

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
        pid = server.start_kernel(cmd[module + 1 :], cwd, environment)
        self.process = ForkedLauncher(pid, server)  # type: ignore[assignment] # Popen's part
        self.pid = self.pgid = pid
        self.cwd = cwd
        return self.connection_info
