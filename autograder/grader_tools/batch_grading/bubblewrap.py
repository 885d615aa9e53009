"""The rootless isolation of a grading kernel: the bubblewrap (``bwrap``) command line.

``kernel_launcher`` runs a kernel through this when the grader is an ordinary user. Debian's
``bubblewrap`` builds the kernel a new root from an allow-list, in its own user, mount,
PID, IPC, UTS and network namespaces, without any privilege (user namespaces):

- the system (``/usr`` and its links) and the Python installation, read-only;
- the kernel's scratch folder (a fresh folder of the grader's) as ``/tmp``, its working
  directory and the only place it can write, and the folder of the kernel's IPC sockets;
- a private ``/proc`` and a minimal ``/dev``; no network but a loopback of its own.

Nothing else of the disk exists inside: not the course, its gradebook, other submissions,
the exchange, nor the grader's home.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from autograder.grader_tools.batch_grading.sandbox_errors import SandboxError

# What any Python program needs from the system; links (Debian's merged /usr) stay links.
SYSTEM_PATHS = (
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib32",
    "/lib64",
    "/etc/ld.so.cache",
    "/etc/localtime",
    "/etc/alternatives",
)
INSTALL_HINT = "install bubblewrap (Debian: apt-get install bubblewrap)"


def bubblewrap_command(
    kept: list[Path], scratch: Path, writable: list[Path], inside_scratch: Path = Path("/tmp")
) -> list[str]:
    """``bwrap`` arguments up to ``--``: ``kept`` read-only at their own paths, ``scratch``
    (a folder of the grader's) writable as ``inside_scratch`` and the working directory,
    ``writable`` folders (the IPC sockets) read-write at their own paths."""
    # --die-with-parent: bwrap's side of dies_with_parent, for the processes bwrap starts
    # inside its namespaces (no code of ours runs there to ask for it).
    command = [_bwrap(), "--unshare-all", "--die-with-parent", *_system()]
    command += ["--bind", str(scratch), str(inside_scratch)]
    command += [*_kept(kept), *_writable(writable)]
    return [*command, "--chdir", str(inside_scratch), "--"]


def fork_server_command(kept: list[Path], writable: list[Path]) -> list[str]:
    """``bwrap`` arguments up to ``--`` for an ordinary grader's ``kernel_fork_server``: the
    same view as a kernel's but for the scratch folder (an empty read-only ``/tmp``; the
    ``writable`` folders hold the kernels' scratch and IPC folders), and in the grader's
    PID namespace, so that the pids it reports are the grader's to signal. Each kernel it
    forks gets namespaces of its own (``user_namespace``)."""
    # Not --unshare-pid (above); user namespaces stay allowed inside (no --disable-userns).
    unshare = ["--unshare-user", "--unshare-ipc", "--unshare-net", "--unshare-uts"]
    command = [_bwrap(), *unshare, "--unshare-cgroup-try", "--die-with-parent", *_system()]
    command += ["--tmpfs", "/tmp", *_kept(kept), *_writable(writable)]
    return [*command, "--remount-ro", "/", "--chdir", "/", "--"]


def _bwrap() -> str:
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxError(f"bwrap is not on PATH: {INSTALL_HINT}")
    return bwrap


def _system() -> list[str]:
    command = []
    for name in SYSTEM_PATHS:
        path = Path(name)
        if path.is_symlink():
            command += ["--symlink", str(path.readlink()), name]
        elif path.exists():
            command += ["--ro-bind", name, name]
    return [*command, "--proc", "/proc", "--dev", "/dev"]


def _kept(kept: list[Path]) -> list[str]:
    command = []
    usr = Path("/usr")
    for path in sorted(set(kept), key=lambda p: len(p.parts)):
        if path.exists() and not (path == usr or usr in path.parents):
            command += ["--ro-bind", str(path), str(path)]
    return command


def _writable(writable: list[Path]) -> list[str]:
    return [argument for path in writable for argument in ("--bind", str(path), str(path))]
