"""The kernelspec ``course grade`` points nbgrader at: the first step of the launch path.

Every grading kernel starts the same one-way path, each module importing only those after it:

1. ``grading_kernelspec`` (this module): a kernelspec whose command is the launcher's;
   as root, it names the fork server's provisioner too;
2. ``fork_server_provisioner``: jupyter_client's side (a kernel provisioner), which asks
3. ``kernel_fork_server``, a warm process, to fork each launcher (root), or each kernel
   into namespaces of its own (``user_namespace``; an ordinary grader, the server inside
   bubblewrap); with fresh kernels, jupyter_client starts the launcher's command itself;
4. ``kernel_launcher``: reads what the kernel needs (``kernel_scratch``), isolates it through
5. ``bubblewrap`` (a grader who is an ordinary user) or ``mount_namespace`` (root), then
6. becomes the kernel: ``execve`` of a fresh Python, or ``forked_kernel`` (warm), and
   copies back what it wrote (``kernel_scratch``).

``dies_with_parent`` (each process ends with the one that started it) and
``sandbox_errors`` (the error of a refused isolation step) serve the whole path.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from autograder.grader_tools.batch_grading.fork_server_provisioner import (
    PROVISIONER_NAME,
    sandboxed_fork_problem,
)
from autograder.grader_tools.batch_grading.kernel_launcher import UID_VARIABLE, launcher_command

KERNELSPEC_NAME = "backprop-sandbox"


def write_kernelspec(data_dir: Path, memory_mb: int, hidden: list[Path], warm: bool = False) -> str:
    """A Python kernelspec in ``data_dir/kernels`` that starts kernels through the launcher
    (``warm``: forked by the grading worker's ``kernel_fork_server``; see
    ``can_fork_kernels``); its name.

    Put ``data_dir`` on ``JUPYTER_PATH`` and select it with ``--Execute.kernel_name``.
    """
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec: dict = {
        "argv": [*launcher_command(memory_mb, hidden), *kernel],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
    }
    if warm:
        spec["metadata"] = {"kernel_provisioner": {"provisioner_name": PROVISIONER_NAME}}
    folder = data_dir / "kernels" / KERNELSPEC_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return KERNELSPEC_NAME


def sandbox_problem(uid: int, memory_mb: int, hidden: list[Path]) -> str | None:
    """Why the kernelspec's kernels cannot be isolated on this machine (one line), or None
    if they can: the launcher's ``--check`` run with a trivial command instead of a kernel."""
    probe = [*launcher_command(memory_mb, hidden), sys.executable, "-c", "import numpy"]
    probe.insert(probe.index("--"), "--check")
    result = subprocess.run(
        probe, capture_output=True, text=True, env={**os.environ, UID_VARIABLE: str(uid)}
    )
    if result.returncode == 0:
        return None
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if lines else f"the sandbox probe exited with {result.returncode}"


_SAID: set[str] = set()


def can_fork_kernels(hidden: list[Path]) -> bool:
    """Whether this grader can have warm (forked) kernels: root always; an ordinary user
    where nested user namespaces work inside bubblewrap. Where they do not, says so once
    (one line on stderr) and fresh kernels are started under bubblewrap instead."""
    if os.geteuid() == 0:
        return True
    problem = sandboxed_fork_problem(hidden)
    if problem is not None and problem not in _SAID:
        _SAID.add(problem)
        print(
            f"course grade: fresh kernels under bubblewrap (no warm kernels: {problem})",
            file=sys.stderr,
        )
    return problem is None
