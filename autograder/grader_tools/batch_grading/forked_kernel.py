"""The last step of a warm launch: a process forked from ``kernel_fork_server`` becomes the
kernel, as ``execve(python -m ipykernel_launcher ...)`` would have made it.

``kernel_launcher`` calls ``run_forked_kernel`` in its kernel child, once that child is
isolated, unprivileged and dies with the launcher. What the kernel must not inherit from the
warm server, and why it does not (the server's own pipes are closed earlier, by
``kernel_fork_server``):

- the launcher's descriptors (the autograded folder it copies files into): closed here, as
  every close-on-exec descriptor is by the ``execve`` this replaces;
- the server's environment, ``sys.argv``, ``sys.path`` and ``__main__``: the kernel gets
  those a fresh ``python -m ipykernel_launcher`` in its scratch folder would have (its
  environment with what the server's preloaded modules set in it as they were imported,
  as they would have in the kernel: debugpy sets ``PYDEVD_USE_FRAME_EVAL``);
- signal handlers and mask: reset to a fresh interpreter's;
- random state: Python's ``random`` and NumPy's global generator are reseeded from the OS.
  String hashing keeps the server's seed (``PYTHONHASHSEED`` is fixed when Python starts).
"""

from __future__ import annotations

import fcntl
import importlib
import os
import random
import signal
import sys
import types
from collections.abc import Iterable
from typing import NoReturn

# What the fork server's preloaded modules set in os.environ as they were imported.
_SET_BY_PRELOADS: dict[str, str] = {}


def preload(names: Iterable[str]) -> None:
    """Import ``names`` in the fork server, once for every kernel it forks."""
    before = dict(os.environ)
    for name in names:
        importlib.import_module(name)
    _SET_BY_PRELOADS.update(
        {name: value for name, value in os.environ.items() if before.get(name) != value}
    )


class KernelEnded(SystemExit):
    """Raised in a forked kernel when it ends, up to the top of ``kernel_fork_server``."""


def run_forked_kernel(command: list[str], environment: dict[str, str]) -> NoReturn:
    """Become ``python -m ipykernel_launcher ARGS`` (``command``) in this process. Raises
    ``KernelEnded`` when the kernel ends, so that the interpreter finishes as a kernel
    process does (atexit, files the notebook left open flushed)."""
    # Imported here, not with this module: a fresh launcher (which imports this module) must
    # not pay for ipykernel; the fork server has it loaded already.
    import ipykernel_launcher
    from ipykernel import kernelapp

    if command[1:3] != ["-m", "ipykernel_launcher"]:
        print(f"kernel_fork_server: cannot fork the kernel {command[:3]}", file=sys.stderr)
        os._exit(70)
    close_on_exec_descriptors()
    os.environ.clear()
    os.environ.update(environment)
    for name, value in _SET_BY_PRELOADS.items():
        os.environ.setdefault(name, value)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for signum in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    random.seed()
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed()
    sys.argv = [ipykernel_launcher.__file__, *command[3:]]
    main_module = types.ModuleType("__main__")  # ipykernel_launcher's, not the server's
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
