"""A warm process that forks sandboxed grading kernels: a kernel start without Python's start.

    python -m autograder.grader_tools.batch_grading.kernel_fork_server [--preload MODULE ...]

A grading kernel started afresh spends about 0.7 s of CPU before it runs a cell, nearly all
of it importing ipykernel, IPython, NumPy and the checks: half of what grading one a1
submission costs. This server imports them once. For each kernel it forks a child that
runs ``kernel_sandbox`` exactly as the launcher process jupyter_client would start (the
same isolation, limits, unprivileged uid and copying of written files), except that the
kernel is a fork of this interpreter instead of a fresh ``python -m ipykernel_launcher``.
``fork_server_provisioner`` is its client in the grading worker.

Root graders only: there the isolation is done in the process itself (``mount_namespace``).
A grader who is an ordinary user isolates kernels with bubblewrap, which must start them.

What a kernel must not inherit from this process, and why it does not:

- the server's pipes: the child closes every descriptor but the standard ones first (a
  kernel holding them could ask for kernels as root);
- the launcher's descriptors (the autograded folder it copies files into): the kernel
  closes every close-on-exec descriptor, as the ``execve`` it replaces would;
- an earlier kernel's data: the server reads requests only (paths, arguments, a few
  environment variables); each child reads its own support and connection files;
- the server's environment, ``sys.argv``, ``sys.path`` and ``__main__``: the kernel gets
  those a fresh ``python -m ipykernel_launcher`` in its scratch folder would have (and
  ipykernel's one setting read from the environment at import, ``JPY_PARENT_PID``);
- random state: Python's ``random`` and NumPy's global generator are reseeded from the OS.
  String hashing keeps this server's seed (``PYTHONHASHSEED`` is fixed when Python starts).

Protocol, one JSON object per line. Requests on stdin: ``{"argv": [the launcher's arguments],
"cwd": ..., "environment": {...}}`` starts a kernel; ``{"release": PID}`` reaps an ended
one. Answers on stdout: ``{"ready": PID}`` once, ``{"started": PID}`` per kernel,
``{"ended": PID, "status": CODE}`` when it ends. An ended kernel stays a zombie until
released, so that its pid (which is also its process group) is never reused while the
grader may still signal it.
"""

from __future__ import annotations

import argparse
import ctypes
import fcntl
import importlib
import json
import os
import random
import select
import signal
import sys
import traceback
import types
from typing import NoReturn

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.05
_libc = ctypes.CDLL(None, use_errno=True)


class KernelEnded(SystemExit):
    """Raised in a forked kernel when it ends, up to the top of this program."""


def run_warm_kernel(command: list[str], environment: dict[str, str]) -> NoReturn:
    """In a forked child, already isolated and unprivileged: become what ``execve(command)``
    would have started, ``python -m ipykernel_launcher ARGS``. Raises SystemExit when the
    kernel ends, so that the interpreter finishes as a kernel process does (atexit, files
    the notebook left open flushed)."""
    import ipykernel_launcher
    from ipykernel import kernelapp

    if command[1:3] != ["-m", "ipykernel_launcher"]:
        print(f"kernel_fork_server: cannot fork the kernel {command[:3]}", file=sys.stderr)
        os._exit(70)
    close_on_exec_descriptors()
    os.environ.clear()
    os.environ.update(environment)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    sys.argv = [ipykernel_launcher.__file__, *command[3:]]
    if "JPY_PARENT_PID" in environment:
        # ipykernel read it when this server imported it, before there was one.
        sys.argv.append(f"--IPKernelApp.parent_handle={int(environment['JPY_PARENT_PID'])}")
    main_module = types.ModuleType("__main__")  # ipykernel_launcher's, not this server's
    main_module.__file__ = ipykernel_launcher.__file__
    sys.modules["__main__"] = main_module
    try:
        kernelapp.launch_new_instance()
    except SystemExit as ending:
        raise KernelEnded(ending.code) from None
    raise KernelEnded(0)


def close_on_exec_descriptors() -> None:
    """Close what ``execve`` would have closed: every descriptor marked close-on-exec (all
    that Python opens, such as the launcher's handle on the autograded folder, which would
    lead a kernel out of its sandbox)."""
    for name in os.listdir("/proc/self/fd"):
        descriptor = int(name)
        try:
            if fcntl.fcntl(descriptor, fcntl.F_GETFD) & fcntl.FD_CLOEXEC:
                os.close(descriptor)
        except OSError:
            pass  # the listing's own descriptor, already closed


def _become_launcher(request: dict, server: int) -> NoReturn:
    """The forked child: ``kernel_sandbox``'s launcher for one kernel, in this process."""
    from autograder.grader_tools.batch_grading import kernel_sandbox

    try:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # ends with the server, so with the grader
        if os.getppid() != server:
            os._exit(70)
        os.setsid()  # its own process group, as jupyter_client gives a kernel it launches
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)
        os.dup2(2, 1)  # the kernel's output goes to the grader's log, not into our answers
        os.closerange(3, os.sysconf("SC_OPEN_MAX"))
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(signum, signal.SIG_DFL)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["environment"])
        kernel_sandbox.main(request["argv"], warm=True)
    except KernelEnded:
        raise  # the kernel itself ended: the interpreter finishes as a kernel's does
    except SystemExit as ending:
        os._exit(ending.code if isinstance(ending.code, int) else 70)
    except BaseException:  # noqa: BLE001 - report and leave, whatever went wrong
        traceback.print_exc()
    os._exit(70)


class _Server:
    def __init__(self) -> None:
        # closefd=False: a forked kernel, which has closed this descriptor, must not close
        # whatever reuses its number when this object goes away.
        self.answers = os.fdopen(os.dup(1), "w", encoding="utf-8", closefd=False)
        os.dup2(2, 1)  # anything else printed goes to the grader's log
        self.pending = b""
        self.running: set[int] = set()  # kernels not yet reported ended

    def answer(self, message: dict) -> None:
        self.answers.write(json.dumps(message) + "\n")
        self.answers.flush()

    def requests(self) -> list[dict] | None:
        """Requests that arrived (waiting a little for them); None at end of input."""
        if not select.select([0], [], [], POLL_SECONDS)[0]:
            return []
        chunk = os.read(0, 65536)
        if not chunk:
            return None
        self.pending += chunk
        *lines, self.pending = self.pending.split(b"\n")
        return [json.loads(line) for line in lines if line.strip()]

    def report_ended(self) -> None:
        for pid in sorted(self.running):
            # WNOWAIT: learn the status but leave the zombie until released.
            ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if ended is not None and ended.si_pid == pid:
                self.running.discard(pid)
                status = ended.si_status if ended.si_code == os.CLD_EXITED else -ended.si_status
                self.answer({"ended": pid, "status": status})

    def serve(self) -> None:
        server = os.getpid()
        self.answer({"ready": server})
        while True:
            self.report_ended()
            requests = self.requests()
            if requests is None:
                return
            for request in requests:
                if "release" in request:
                    os.waitpid(int(request["release"]), 0)
                    continue
                child = os.fork()
                if child == 0:
                    _become_launcher(request, server)
                self.running.add(child)
                self.answer({"started": child})


def main(argv: list[str] | None = None) -> None:
    description = __doc__.split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="kernel_fork_server", description=description)
    parser.add_argument("--preload", action="append", default=[], help="module to import once")
    args = parser.parse_args(argv)
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)  # ends with the grading worker
    # As ipykernel_launcher does: this server's folder is not the kernel's (it adds its own).
    if sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    importlib.import_module("ipykernel.kernelapp")
    for name in args.preload:
        importlib.import_module(name)
    _Server().serve()


if __name__ == "__main__":
    main()
