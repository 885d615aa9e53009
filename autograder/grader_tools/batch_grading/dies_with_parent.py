"""A process that ends when the process that started it ends: Linux's parent-death signal.

Grading runs student code in a line of processes, each the parent of the next:

    grading worker -> (root, warm kernels) kernel_fork_server -> kernel_launcher -> kernel

When ``course grade`` is killed (``kill -9``, a lost login), nothing may be left running
student code or waiting for a kernel whose results nobody reads. Each link of the launch
path calls ``die_with_parent`` once, so that Linux signals it when its parent ends; a link
whose parent is already gone learns it at once (``ParentEnded``).

What Linux does with the setting (``prctl(2)``, ``PR_SET_PDEATHSIG``):

- the signal is sent when the *thread* that started this process ends; a process whose
  parent lives on in other threads is then adopted by one of them, so a handler that wants
  to be sure asks ``parent_has_ended``;
- a change of uid (``setuid``) and the exec of a set-user-ID program clear it: call
  ``die_with_parent`` after those; an ordinary ``execve`` keeps it;
- a forked child does not inherit it: each process asks for itself.

bubblewrap's ``--die-with-parent`` (``bubblewrap.bubblewrap_command``) is the same signal,
asked by ``bwrap`` for the processes it starts inside its namespaces, which no code of ours
runs in.
"""

from __future__ import annotations

import ctypes
import os
import signal

PR_SET_PDEATHSIG = 1

_libc = ctypes.CDLL(None, use_errno=True)


class ParentEnded(RuntimeError):
    """The parent this process was started by has already ended."""


def die_with_parent(parent: int, signum: int = signal.SIGKILL) -> None:
    """Have Linux send ``signum`` to this process when its parent ends.

    ``parent`` is the pid the caller knows its parent had (read before anything that takes
    time); raises ``ParentEnded`` if this process's parent is no longer it: the parent
    ended before the request took effect, so no signal will ever come.
    """
    if _libc.prctl(PR_SET_PDEATHSIG, int(signum), 0, 0, 0) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"prctl(PR_SET_PDEATHSIG): {os.strerror(error)}")
    if parent_has_ended(parent):
        raise ParentEnded(f"the process that started this one (pid {parent}) has already ended")


def parent_has_ended(parent: int) -> bool:
    """Whether this process has lost ``parent`` (it was adopted by another process)."""
    return os.getppid() != parent
