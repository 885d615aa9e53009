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
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise SandboxError(f"bwrap is not on PATH: {INSTALL_HINT}")
    # --die-with-parent: bwrap's side of dies_with_parent, for the processes bwrap starts
    # inside its namespaces (no code of ours runs there to ask for it).
    command = [bwrap, "--unshare-all", "--die-with-parent"]
    for name in SYSTEM_PATHS:
        path = Path(name)
        if path.is_symlink():
            command += ["--symlink", str(path.readlink()), name]
        elif path.exists():
            command += ["--ro-bind", name, name]
    command += ["--proc", "/proc", "--dev", "/dev"]
    command += ["--bind", str(scratch), str(inside_scratch)]
    usr = Path("/usr")
    for path in sorted(set(kept), key=lambda p: len(p.parts)):
        if path.exists() and not (path == usr or usr in path.parents):
            command += ["--ro-bind", str(path), str(path)]
    for path in writable:
        command += ["--bind", str(path), str(path)]
    return [*command, "--chdir", str(inside_scratch), "--"]
