"""A warm process that forks sandboxed grading kernels: a kernel start without Python's start.

    python -m autograder.grader_tools.batch_grading.kernel_fork_server --connection FD \\
        --parent PID [--preload MODULE ...]

A grading kernel started afresh spends about 0.7 s of CPU before it runs a cell, nearly all
of it importing ipykernel, IPython, NumPy and the checks: half of what grading one a1
submission costs. This server imports them once. For each kernel it forks a child that
runs ``kernel_launcher`` exactly as the launcher process jupyter_client would start (the
same isolation, limits, unprivileged uid and copying of written files), except that the
kernel is a fork of this interpreter (``forked_kernel``) instead of a fresh
``python -m ipykernel_launcher``. ``fork_server_provisioner`` is its client in the grading
worker, which started it (``--parent``): the server ends with it (``dies_with_parent``), and
each launcher with the server.

As root, the isolation is done in the launcher itself (``mount_namespace``). A grader who is
an ordinary user runs this server inside a bubblewrap sandbox (``bubblewrap.fork_server_command``:
no course, no home, no network) and asks for ``{"kernel": ...}`` instead: the forked child
enters unprivileged namespaces of its own (``user_namespace``), and its child, PID 1 there
with no capability left, becomes the kernel (``_become_sandboxed_kernel``). The grader's
side (``fork_server_provisioner``) then reads the support files and copies back what the
kernel wrote, as the launcher does (``kernel_scratch``), since this server sees no course.

What a kernel must not inherit from this process, and why it does not:

- the server's connection: the child closes every descriptor but the standard ones first
  (a kernel holding it could ask for kernels as root); the standard ones hold nothing of
  the server's (``/dev/null``, and the grading worker's log twice);
- the launcher's descriptors, the server's environment, ``sys.argv``, ``sys.path``,
  ``__main__``, signal handlers and random state: see ``forked_kernel``;
- an earlier kernel's data: the server reads requests only (paths, arguments, a few
  environment variables); each child reads its own support and connection files.

Protocol: Python objects over a ``multiprocessing.connection.Connection`` (one end of a
socket pair; ``--connection`` is this end's descriptor). Requests: ``{"argv": [the
launcher's arguments], "cwd": ..., "environment": {...}}`` starts a kernel;
``{"release": PID}`` reaps an ended one. Answers: ``{"ready": PID}`` once, ``{"started":
PID}`` per kernel, ``{"ended": PID, "status": CODE}`` when it ends. An ended kernel stays a
zombie until released, so that its pid (which is also its process group) is never reused
while the grader may still signal it. The server ends when the connection closes.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import NoReturn

from autograder.grader_tools.batch_grading import kernel_launcher
from autograder.grader_tools.batch_grading.dies_with_parent import die_with_parent
from autograder.grader_tools.batch_grading.forked_kernel import (
    KernelEnded,
    preload,
    run_forked_kernel,
)
from autograder.grader_tools.batch_grading.kernel_scratch import SCRATCH
from autograder.grader_tools.batch_grading.user_namespace import (
    become_namespace_init,
    enter_kernel_namespaces,
)

FORK_SERVER_MODULE = "autograder.grader_tools.batch_grading.kernel_fork_server"
POLL_SECONDS = 0.05
# What every kernel imports while it starts (measured with py-spy in a forked kernel):
# imported once here instead of in each kernel.
KERNEL_START_MODULES = (
    *("ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.debugger"),
    *("IPython.core.completerlib", "IPython.core.oinspect", "psutil", "sqlite3"),
)


def _become_launcher(request: dict, server: int, connection: Connection) -> NoReturn:
    """The forked child: ``kernel_launcher`` for one kernel, in this process."""
    try:
        # Closed now, not when the kernel's interpreter ends: its number may be the kernel's.
        connection.close()
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # nothing else of the server's either
        os.setsid()  # its own process group, as jupyter_client gives a kernel it launches
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["environment"])
        # The launcher ends with this server (so with the grader): it checks the server is
        # still its parent, in case the server ended since the fork.
        kernel_launcher.main(request["argv"], fork_server=server)
    except KernelEnded:
        raise  # the kernel itself ended: the interpreter finishes as a kernel's does
    except SystemExit as ending:
        os._exit(ending.code if isinstance(ending.code, int) else 70)
    except BaseException:  # noqa: BLE001 - report and leave, whatever went wrong
        traceback.print_exc()
    os._exit(70)


def _become_sandboxed_kernel(request: dict, server: int, connection: Connection) -> NoReturn:
    """The forked child, for an ordinary grader: ``request`` is ``{"kernel": [python -m
    ipykernel_launcher ARGS], "scratch": its folder, "ipc": its sockets' folder, "hidden":
    [folders], "memory_mb": M, "environment": {...}}``. This process enters the kernel's
    namespaces and waits; its child, PID 1 there, is the kernel."""
    try:
        connection.close()
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        os.setsid()  # the kernel's process group, which the grader signals
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # an interrupt is the kernel's
        die_with_parent(server)
        hidden = [Path(path) for path in request["hidden"]]
        enter_kernel_namespaces(Path(request["scratch"]), Path(request["ipc"]), hidden)
        kernel = os.fork()
        if kernel == 0:
            _become_namespace_kernel(request)
        _, status = os.waitpid(kernel, 0)
        code = os.waitstatus_to_exitcode(status)
        os._exit(code if code >= 0 else 128 - code)
    except KernelEnded:
        raise  # in the kernel: it ended, the interpreter finishes as a kernel's does
    except BaseException:  # noqa: BLE001 - report and leave, whatever went wrong
        traceback.print_exc()
    os._exit(70)


def _become_namespace_kernel(request: dict) -> NoReturn:
    try:
        become_namespace_init()  # its own /proc; no capability left, no_new_privs
        kernel_launcher.limit_resources(int(request["memory_mb"]))
        # PID 1 of its namespace: its parent (outside) shows as 0. It ends with that parent.
        die_with_parent(0)
        os.chdir(SCRATCH)
    except BaseException as error:  # noqa: BLE001 - report and leave, whatever went wrong
        print(f"kernel_fork_server: cannot start the kernel: {error}", file=sys.stderr)
        os._exit(70)
    run_forked_kernel(request["kernel"], request["environment"])


class _Server:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.running: set[int] = set()  # kernels not yet reported ended

    def report_ended(self) -> None:
        for pid in sorted(self.running):
            # WNOWAIT: learn the status but leave the zombie until released.
            ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if ended is not None and ended.si_pid == pid:
                self.running.discard(pid)
                status = ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status
                self.connection.send({"ended": pid, "status": status})

    def serve(self) -> None:
        """Answer requests until the grading worker closes the connection."""
        server = os.getpid()
        self.connection.send({"ready": server})
        while True:
            self.report_ended()
            if not self.connection.poll(POLL_SECONDS):
                continue
            try:
                request = self.connection.recv()
            except EOFError:
                return
            if "release" in request:
                os.waitpid(int(request["release"]), 0)
                continue
            child = os.fork()
            if child == 0 and "kernel" in request:
                _become_sandboxed_kernel(request, server, self.connection)
            if child == 0:
                _become_launcher(request, server, self.connection)
            self.running.add(child)
            self.connection.send({"started": child})


def main(argv: list[str] | None = None) -> None:
    description = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="kernel_fork_server", description=description)
    parser.add_argument("--connection", type=int, required=True, help="descriptor to serve")
    parser.add_argument(
        "--parent", type=int, required=True, help="the grading worker's pid (0: bubblewrap's)"
    )
    parser.add_argument("--preload", action="append", default=[], help="module to import once")
    args = parser.parse_args(argv)
    # In a sandbox, the parent is bwrap, which ends with the grading worker (--die-with-parent).
    die_with_parent(args.parent or os.getppid())
    # As ipykernel_launcher does: this server's folder is not the kernel's (it adds its own).
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    preload((*KERNEL_START_MODULES, *args.preload))
    # The preloaded modules' objects into the collector's permanent generation: a kernel's
    # collections then never walk them (nor touch, so copy, their pages).
    gc.freeze()
    _Server(Connection(args.connection)).serve()


if __name__ == "__main__":
    main()
