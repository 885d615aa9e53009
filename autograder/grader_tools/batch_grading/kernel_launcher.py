"""Start a grading kernel that cannot see the course: the launcher nbgrader's kernels go through.

    python -m autograder.grader_tools.batch_grading.kernel_launcher --memory-mb M \\
        --hide /course -- python -m ipykernel_launcher -f conn.json

``course grade`` does not call this directly: it writes a kernelspec whose command is this
launcher (``grading_kernelspec``; as root, ``kernel_fork_server`` forks the launcher),
points ``nbgrader autograde --Execute.kernel_name`` at it, and has jupyter_client connect
to kernels through IPC sockets in a folder of each worker (``KernelManager.transport =
"ipc"``): the kernel has no network, not even the grader's loopback. The launcher:

1. reads the kernel's connection file and the assignment's support files (everything in
   the working directory but notebooks) while it still can;
2. gives the kernel a view of the disk with only the system, the Python installation and
   the ``autograder`` package (read-only), its scratch folder as ``/tmp`` (its working
   directory, the only place it can write, holding the support files) and its IPC folder;
   no course, gradebook, exchange, other submissions or grader's home (``--hide`` names
   the folders that must stay hidden: a kept folder that holds one is refused);
3. runs the kernel with resource limits (address space, processes, file size, no core
   dumps) and a small clean environment;
4. when the kernel ends, copies the files the notebook wrote into the working directory
   (nbgrader's ``autograded/<student>/<assignment>``), as they would be there had nbgrader
   run the kernel in that folder; links are never followed (steps 1 and 4, and the
   scratch folder between them: ``kernel_scratch``).

The kernel is a child of this launcher, and each ends with its parent (``dies_with_parent``):
the kernel is killed when the launcher ends, and the launcher, told that the grader ended,
kills the kernel and leaves (nobody would read what it writes).

Step 2 has two engines, chosen by who runs the grader:

- an ordinary user (a grader account on a shared server): bubblewrap (``bubblewrap``),
  unprivileged through user namespaces; the kernel runs as the grader's uid in its own
  user, mount, PID and network namespaces. Where the system refuses user namespaces (or
  ``bwrap`` is missing), the launcher fails and ``course grade`` refuses to grade;
- root: private mount and network namespaces set up by hand (``mount_namespace``), the
  kernel as an unprivileged uid of its own (``--uid``, one per parallel job).

Then the launcher's child becomes the kernel: ``execve`` of the kernel's command, or, in a
launcher forked from the warm ``kernel_fork_server``, ``forked_kernel`` in this interpreter.

Linux only. ``--check`` runs the same steps and then a trivial command instead of a
kernel: ``course grade`` uses it to fail early with a clear message.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import resource
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import NoReturn

import autograder
from autograder.grader_tools.batch_grading.bubblewrap import bubblewrap_command
from autograder.grader_tools.batch_grading.dies_with_parent import (
    ParentEnded,
    die_with_parent,
    parent_has_ended,
)
from autograder.grader_tools.batch_grading.forked_kernel import run_forked_kernel
from autograder.grader_tools.batch_grading.kernel_scratch import (
    CONNECTION_NAME,
    PRIVATE_FOLDERS,
    SCRATCH,
    copy_new_files,
    read_support_files,
    write_scratch,
)
from autograder.grader_tools.batch_grading.mount_namespace import isolate
from autograder.grader_tools.batch_grading.sandbox_errors import SandboxError

LAUNCHER_MODULE = "autograder.grader_tools.batch_grading.kernel_launcher"

SCRATCH_SIZE_MB = 256
MAX_PROCESSES = 256
MAX_FILE_SIZE_MB = 128
# Nothing of the grader's environment reaches the kernel but these (no tokens, no paths).
# Not JPY_PARENT_PID: the kernel ends with this launcher (dies_with_parent), which ipykernel's
# own watch of its parent would only repeat.
KEPT_ENVIRONMENT = (
    *("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONHASHSEED"),
    "NBGRADER_EXECUTION",  # "autograde" or "validate": the checks publish diagnoses when grading
)
# What tells the launcher that the grader ended (blocked, then awaited with SIGCHLD).
GRADER_ENDED = signal.SIGHUP
UID_VARIABLE = "COURSE_SANDBOX_UID"


def connection_file_argument(command: list[str]) -> int:
    for index, argument in enumerate(command[:-1]):
        if argument in ("-f", "--f"):
            return index + 1
    for index, argument in enumerate(command):
        if argument.startswith(("-f=", "--f=")):
            return index
    raise SandboxError("the kernel command has no connection file (-f FILE)")


def limit_resources(memory_mb: int) -> None:
    """Step 3's limits; a student's runaway allocation fails in their own kernel only."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    file_size = MAX_FILE_SIZE_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def kernel_environment(given: Mapping[str, str] | None = None) -> dict[str, str]:
    """The kernel's whole environment: ``KEPT_ENVIRONMENT`` of ``given`` (default: this
    process's), its private home and temporary folders, one BLAS thread."""
    given = os.environ if given is None else given
    environment = {name: given[name] for name in KEPT_ENVIRONMENT if name in given}
    home, temporary = str(SCRATCH / PRIVATE_FOLDERS[0]), str(SCRATCH / PRIVATE_FOLDERS[1])
    environment.update(
        HOME=home,
        TMPDIR=temporary,
        MPLCONFIGDIR=f"{home}/.matplotlib",
        IPYTHONDIR=f"{home}/.ipython",
        JUPYTER_RUNTIME_DIR=f"{home}/.jupyter",
        # One BLAS thread per kernel: the grader already runs one kernel per core.
        OPENBLAS_NUM_THREADS="1",
        OMP_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
    )
    return environment


def drop_privileges(uid: int) -> None:
    os.setgroups([])
    os.setgid(uid)
    os.setuid(uid)
    if os.getuid() != uid or os.geteuid() != uid:
        raise SandboxError(f"could not become uid {uid}")


def launch(
    command: list[str],
    uid: int,
    memory_mb: int,
    hidden: list[Path],
    kernel: bool = True,
    fork_server: int | None = None,
) -> NoReturn:
    """Steps 1-4, then exit with the kernel's status (``command`` has ``-f FILE`` if
    ``kernel``; without it, ``command`` runs isolated and nothing is copied back).
    ``fork_server``: the pid of the ``kernel_fork_server`` this process was forked from
    (root only); the kernel is then forked from this process too."""
    as_root = os.geteuid() == 0
    warm = fork_server is not None
    if as_root and uid <= 0:
        raise SandboxError(f"refusing to run student code as uid {uid}")
    if warm and not as_root:
        raise SandboxError("kernels are forked from a warm process only when grading as root")
    # From now on, a grader that ends (even during the set-up) is noticed: the signal waits,
    # blocked, for _wait_for_kernel. The kernel's child starts with the mask it had before.
    grader = _grader(kernel, fork_server)
    unblocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD, GRADER_ENDED})
    die_with_parent(grader, GRADER_ENDED)
    files, ipc_folders, index = {}, [], None
    if kernel:
        index = connection_file_argument(command)
        argument = command[index]
        connection = Path(argument.split("=", 1)[1] if argument.startswith("-") else argument)
        files = read_support_files(Path.cwd())
        files[Path(CONNECTION_NAME)] = connection.read_bytes()
        ipc_folders = [ipc_folder(files[Path(CONNECTION_NAME)])]
        command[index] = str(SCRATCH / CONNECTION_NAME)
    hidden = hidden_paths(hidden)
    kept = kept_paths(Path(command[0]), hidden)
    # The autograded folder, kept open: as root, the course is hidden once isolated.
    results = os.open(Path.cwd(), os.O_RDONLY | os.O_DIRECTORY) if kernel else None
    if as_root:
        isolate(uid, hidden, kept, ipc_folders, SCRATCH, SCRATCH_SIZE_MB)
        write_scratch(SCRATCH, files, owner=uid)
        os.chdir(SCRATCH)
        become_student = functools.partial(_become_unprivileged, uid, memory_mb)
        status = _run_kernel(command, become_student, grader, unblocked, warm)
        scratch = SCRATCH
    else:
        scratch = Path(tempfile.mkdtemp(prefix="kernel-scratch-"))
        write_scratch(scratch, files, owner=None)
        sandbox = bubblewrap_command(kept, scratch, ipc_folders, inside_scratch=SCRATCH)
        limits = functools.partial(_limit_bubblewrap, memory_mb)
        status = _run_kernel([*sandbox, *command], limits, grader, unblocked)
    if results is not None and status is not None:
        copy_new_files(scratch, results, files)
    if scratch != SCRATCH:
        shutil.rmtree(scratch, ignore_errors=True)
    os._exit(os.waitstatus_to_exitcode(status) if status is not None else 1)


def hidden_paths(hidden: list[Path]) -> list[Path]:
    """``hidden`` resolved, and the grader's home: it is always hidden (keys, tokens; and it
    may hold Python itself, which is then bound back like the other kept paths)."""
    home = Path.home().resolve()
    return [path.resolve() for path in hidden] + ([home] if home != Path("/") else [])


def _grader(kernel: bool, fork_server: int | None) -> int:
    """The pid this launcher's parent must have: the fork server it was forked from, or the
    grader that asked for the kernel. jupyter_client sets JPY_PARENT_PID to its own pid for
    every kernel it starts, so a grader that ended before this launcher even started Python
    is noticed; in --check mode it is only inherited (``course grade`` run from a notebook),
    so the parent at start-up is taken."""
    if fork_server is not None:
        return fork_server
    given = os.environ.get("JPY_PARENT_PID", "")
    if kernel and given:
        return int(given) if given.isdigit() else -1
    return os.getppid()


def ipc_folder(connection: bytes) -> Path:
    """The folder of the kernel's sockets: the kernel has no network to reach the grader."""
    info = json.loads(connection)
    if info.get("transport") != "ipc":
        raise SandboxError(
            "the kernel has no network: start it with KernelManager.transport = 'ipc' "
            f"(its connection file asks for {info.get('transport')!r})"
        )
    return Path(info["ip"]).parent


def kept_paths(executable: Path, hidden: list[Path]) -> list[Path]:
    """What the kernel needs to run, read-only: Python, its environment, this package."""
    kept = [
        Path(sys.base_prefix).resolve(),
        Path(sys.prefix),
        executable.parent,
        executable.resolve().parent,
        # The autograder package, wherever it is (an editable install: in the course's repo).
        Path(autograder.__file__).resolve().parent,
    ]
    for path in kept:
        for secret in hidden:
            if secret == path or path in secret.parents:
                raise SandboxError(
                    f"{path} (the Python installation the kernel needs) holds {secret}, "
                    "which student code must not see: install the course's Python "
                    "environment outside it"
                )
    return kept


def _limit_bubblewrap(memory_mb: int) -> None:
    limit_resources(memory_mb)
    # An interrupt (nbgrader signals the kernel's whole process group) is for the kernel,
    # which handles it; bwrap would die of it and take the kernel along.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _become_unprivileged(uid: int, memory_mb: int) -> None:
    limit_resources(memory_mb)
    drop_privileges(uid)


def _run_kernel(
    command: list[str],
    prepare: Callable[[], None],
    grader: int,
    unblocked: set[signal.Signals | int],
    warm: bool = False,
) -> int | None:
    """Run ``command`` after ``prepare`` (in the child) with the kernel's environment and
    the signal mask ``unblocked`` (the launcher's own before it blocked what it waits for);
    the kernel's wait status, or None if ``grader`` ended first (the kernel is then killed).
    ``warm``: the child runs the kernel in this interpreter (``forked_kernel``)."""
    environment = kernel_environment()
    launcher = os.getpid()
    child = os.fork()
    if child == 0:
        _become_kernel(command, environment, prepare, launcher, unblocked, warm)
    return _wait_for_kernel(child, grader)


def _become_kernel(
    command: list[str],
    environment: dict[str, str],
    prepare: Callable[[], None],
    launcher: int,
    unblocked: set[signal.Signals | int],
    warm: bool,
) -> NoReturn:
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, unblocked)
        prepare()
        # After any uid change (which clears it): the kernel ends with this launcher.
        die_with_parent(launcher)
        if not warm:
            os.execve(command[0], command, environment)
    except BaseException as error:  # noqa: BLE001 - report and leave, whatever went wrong
        print(f"kernel_launcher: cannot start the kernel: {error}", file=sys.stderr)
        os._exit(70)
    run_forked_kernel(command, environment)


def _wait_for_kernel(child: int, grader: int) -> int | None:
    """Wait for the kernel to end; None if ``grader`` ended first (the kernel is killed).

    SIGCHLD and GRADER_ENDED are blocked (``launch``): either ends the wait, even if it came
    before. SIGINT and SIGTERM, which jupyter_client sends to the whole process group (an
    interrupt; a kernel slow to shut down, after half its wait), are the kernel's: the
    launcher lives on to copy back what the notebook wrote.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    while True:
        finished, status = os.waitpid(child, os.WNOHANG)
        if finished:
            return status
        received = signal.sigwaitinfo({signal.SIGCHLD, GRADER_ENDED})
        # The signal also comes when the grader's thread that started us ends, but then
        # another of its threads adopts us: only a new parent means the grader is gone.
        if received.si_signo == GRADER_ENDED and parent_has_ended(grader):
            os.kill(child, signal.SIGKILL)  # nobody will read what the kernel writes
            os.waitpid(child, 0)
            return None


def launcher_command(memory_mb: int, hidden: list[Path]) -> list[str]:
    """This launcher's command line, up to and including ``--``."""
    command = [sys.executable, "-m", LAUNCHER_MODULE, "--memory-mb", str(memory_mb)]
    for path in hidden:
        command += ["--hide", str(path)]
    return [*command, "--"]


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (module doc): uid, memory_mb, hide, check, command (after ``--``)."""
    parser = argparse.ArgumentParser(prog="kernel_launcher", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--uid",
        type=int,
        default=int(os.environ.get(UID_VARIABLE, "0")),
        help=f"unprivileged user id to run as (default: ${UID_VARIABLE})",
    )
    parser.add_argument("--memory-mb", type=int, required=True, help="address-space limit")
    parser.add_argument("--hide", action="append", default=[], help="folder to hide (repeat)")
    parser.add_argument("--check", action="store_true", help="run COMMAND with no kernel file")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the kernel command")
    args = parser.parse_args(argv)
    if args.command[:1] == ["--"]:
        args.command = args.command[1:]
    if not args.command:
        parser.error("no command to run after --")
    return args


def main(argv: list[str] | None = None, fork_server: int | None = None) -> None:
    """The command line (module doc); ``fork_server``: see ``launch``."""
    args = parse_arguments(argv)
    command = args.command
    try:
        hidden = [Path(p) for p in args.hide]
        launch(command, args.uid, args.memory_mb, hidden, not args.check, fork_server)
    except (SandboxError, ParentEnded, OSError) as error:
        print(f"kernel_launcher: cannot isolate the kernel: {error}", file=sys.stderr)
        sys.exit(70)


if __name__ == "__main__":
    main()
