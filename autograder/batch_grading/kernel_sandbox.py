"""Start a grading kernel that cannot see the course: the launcher nbgrader's kernels go through.

    python -m autograder.batch_grading.kernel_sandbox --uid U --memory-mb M \\
        --hide /course --hide /root -- python -m ipykernel_launcher -f conn.json

``course grade`` does not call this directly: it writes a kernelspec whose command is this
launcher (``write_kernelspec``), points ``nbgrader autograde --Execute.kernel_name`` at it
and gives each parallel job its own uid in ``COURSE_SANDBOX_UID`` (so two students'
kernels cannot signal or inspect each other).

Run as root, it prepares what the student's code will see, then becomes the kernel:

1. It reads the kernel's connection file and the assignment's support files (everything in
   the working directory but notebooks) while it still can.
2. In a private mount namespace (nothing here changes the grader's view of the disk) it makes
   every mount read-only, puts an empty tmpfs over each ``--hide`` path (the course root:
   ``source/``, ``gradebook.db``, ``submitted/``, ``autograded/``), the grader's home, and
   ``/var/tmp`` and ``/dev/shm``, binds back read-only what the kernel needs to run (the
   Python installation, the virtual environment, the ``autograder`` package), and mounts a
   fresh tmpfs on ``/tmp`` owned by the student: the scratch space and working directory,
   the only place it can write.
3. It forks the kernel, which sets resource limits (address space, processes, file size,
   no core dumps), a small clean environment, drops to the unprivileged ``--uid`` (no
   groups) and execs ipykernel.
4. When the kernel ends, the launcher copies the files the notebook wrote into the
   working directory (nbgrader's ``autograded/<student>/<assignment>``), as they would
   be there had nbgrader run the kernel in that folder; links are never followed.

Linux only; needs root (or CAP_SYS_ADMIN + CAP_SETUID). Standard library only, so the
launch costs one interpreter start-up. ``--check`` runs the same steps and then a trivial
command instead of a kernel: ``course grade`` uses it to fail early with a clear message.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import json
import os
import resource
import signal
import stat
import subprocess
import sys
from pathlib import Path
from typing import NoReturn

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
_MOUNT_FLAG_NAMES = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC}

SCRATCH = Path("/tmp")
SCRATCH_SIZE_MB = 256
SUPPORT_FILES_MAX_MB = 64
MAX_PROCESSES = 256
MAX_FILE_SIZE_MB = 128
# Nothing of the grader's environment reaches the kernel but these (no tokens, no paths).
# JPY_PARENT_PID makes ipykernel exit when nbgrader dies: no orphaned kernel after a kill.
KEPT_ENVIRONMENT = (
    *("PATH", "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "TZ", "PYTHONHASHSEED"),
    "JPY_PARENT_PID",
    "NBGRADER_EXECUTION",  # "autograde" or "validate": the checks publish diagnoses when grading
)

# Inside the scratch folder: the kernel's home (caches) and temporary files, the connection
# file. They stay behind when the kernel ends; everything else the notebook wrote is copied
# to the autograded folder, as nbgrader does when the kernel runs there.
PRIVATE_FOLDERS = (".sandbox-home", ".sandbox-tmp")
CONNECTION_NAME = ".kernel-connection.json"
PR_SET_PDEATHSIG = 1

KERNELSPEC_NAME = "backprop-sandbox"
UID_VARIABLE = "COURSE_SANDBOX_UID"

_libc = ctypes.CDLL(None, use_errno=True)


class SandboxError(RuntimeError):
    """The operating system refused a step of the isolation; the message names it."""


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise SandboxError(f"{what}: {os.strerror(error)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    def encoded(text: str | None) -> bytes | None:
        return None if text is None else os.fsencode(text)

    result = _libc.mount(
        encoded(source), encoded(target), encoded(fstype), ctypes.c_ulong(flags), encoded(data)
    )
    _check(result, f"mount {target}")


def _mount_points() -> list[tuple[str, int]]:
    """(mount point, flags to keep) for every mount, from /proc/self/mountinfo."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        fields = line.split()
        point = fields[4].encode().decode("unicode_escape")  # "\040" is a space
        flags = 0
        for option in fields[5].split(","):
            flags |= _MOUNT_FLAG_NAMES.get(option, 0)
        points.append((point, flags))
    return points


def _is_under(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _read_support_files(folder: Path) -> dict[Path, bytes]:
    """The assignment's files the kernel may need (data, answers saved by a widget)."""
    files, total = {}, 0
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink() and path.suffix != ".ipynb":
            files[path.relative_to(folder)] = path.read_bytes()
            total += len(files[path.relative_to(folder)])
            if total > SUPPORT_FILES_MAX_MB * 1024 * 1024:
                raise SandboxError(f"{folder} holds more than {SUPPORT_FILES_MAX_MB} MB of files")
    return files


def _connection_file_argument(command: list[str]) -> int:
    for index, argument in enumerate(command[:-1]):
        if argument in ("-f", "--f"):
            return index + 1
    for index, argument in enumerate(command):
        if argument.startswith(("-f=", "--f=")):
            return index
    raise SandboxError("the kernel command has no connection file (-f FILE)")


def isolate(uid: int, hidden: list[Path], kept: list[Path]) -> None:
    """Step 2 of the module doc, in this process: private, read-only view; scratch at /tmp."""
    _check(_libc.unshare(CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Opened in the new namespace before anything is hidden, to bind back from /proc/self/fd.
    kept_handles = {path: os.open(path, os.O_PATH) for path in kept if path.exists()}
    for point, flags in _mount_points():
        if point.startswith(("/proc", "/sys")):
            continue
        try:
            _mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except SandboxError:
            if point == "/":
                raise
    covers: list[Path] = []
    for path in sorted(
        {SCRATCH, Path("/var/tmp"), Path("/dev/shm"), *hidden}, key=lambda p: len(p.parts)
    ):
        if not path.is_dir() or any(_is_under(path, cover) for cover in covers):
            continue
        if path == SCRATCH:
            options = f"size={SCRATCH_SIZE_MB}m,mode=700,uid={uid},gid={uid}"
        else:
            options = "size=1m,mode=755"
        _mount("tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV, options)
        covers.append(path)
    for path, handle in sorted(kept_handles.items(), key=lambda item: len(item[0].parts)):
        # Skipped when still visible: nothing hid it, or a kept parent brought it back.
        if not (path.exists() and os.path.samestat(os.stat(path), os.fstat(handle))):
            path.mkdir(parents=True, exist_ok=True)
            _mount(f"/proc/self/fd/{handle}", str(path), None, MS_BIND | MS_REC)
            flags = MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV
            _mount(None, str(path), None, flags)
        os.close(handle)
    for cover in covers:
        if cover != SCRATCH:
            _mount(None, str(cover), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)


def limit_resources(memory_mb: int) -> None:
    """Step 3's limits; a student's runaway allocation fails in their own kernel only."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    file_size = MAX_FILE_SIZE_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def kernel_environment() -> dict[str, str]:
    environment = {name: os.environ[name] for name in KEPT_ENVIRONMENT if name in os.environ}
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
    command: list[str], uid: int, memory_mb: int, hidden: list[Path], kernel: bool = True
) -> None:
    """Steps 1-3, then exec ``command`` (a kernel command line with ``-f FILE`` if ``kernel``)."""
    if os.geteuid() != 0:
        raise SandboxError("the grading sandbox must be started as root")
    if uid <= 0:
        raise SandboxError(f"refusing to run student code as uid {uid}")
    # Read now, not after the set-up: a grader that dies meanwhile must still be noticed.
    # jupyter_client sets JPY_PARENT_PID to its own pid for every kernel it starts; in
    # --check mode it is only inherited (course grade run from a notebook), so not compared.
    grader = os.getppid()
    if kernel and os.environ.get("JPY_PARENT_PID", str(grader)) != str(grader):
        raise SandboxError("the grader that asked for this kernel has already ended")
    index = _connection_file_argument(command) if kernel else None
    connection = None
    if index is not None:
        argument = command[index]
        connection_path = argument.split("=", 1)[1] if argument.startswith("-") else argument
        connection = Path(connection_path).read_bytes()
    support_files = _read_support_files(Path.cwd()) if kernel else {}
    # The autograded folder, kept open: the course is hidden once the namespace is set up.
    results_folder = os.open(Path.cwd(), os.O_RDONLY | os.O_DIRECTORY) if kernel else None
    executable = Path(command[0])
    kept = [
        Path(sys.base_prefix).resolve(),
        Path(sys.prefix),
        executable.parent,
        executable.resolve().parent,
        Path(__file__).resolve().parents[1],  # the autograder package (an editable install)
    ]
    # The grader's home is always hidden (keys, tokens; and it may hold Python itself,
    # which is then bound back like the other kept paths).
    home = Path.home().resolve()
    hidden = [path.resolve() for path in hidden] + ([home] if home != Path("/") else [])
    isolate(uid, hidden, kept)
    if connection is not None and index is not None:
        support_files[Path(CONNECTION_NAME)] = connection
        command[index] = str(SCRATCH / CONNECTION_NAME)
    for private in PRIVATE_FOLDERS:
        (SCRATCH / private).mkdir(mode=0o700)
        os.chown(SCRATCH / private, uid, uid)
    # Only what was written here is handed to the student (not binds kept under /tmp).
    for relative, content in support_files.items():
        (SCRATCH / relative).parent.mkdir(parents=True, exist_ok=True)
        (SCRATCH / relative).write_bytes(content)
        for part in [relative, *relative.parents[:-1]]:
            os.chown(SCRATCH / part, uid, uid, follow_symlinks=False)
    os.chdir(SCRATCH)
    if results_folder is None:
        _become_kernel(command, uid, memory_mb)
    launcher = os.getpid()
    child = os.fork()
    if child == 0:
        _become_kernel(command, uid, memory_mb, parent=launcher)
    status = _wait_for_kernel(child, grader)
    copy_new_files(SCRATCH, results_folder, support_files)
    os._exit(os.waitstatus_to_exitcode(status) if status is not None else 1)


def _become_kernel(
    command: list[str], uid: int, memory_mb: int, parent: int | None = None
) -> NoReturn:
    try:
        limit_resources(memory_mb)
        drop_privileges(uid)
        # After the uid change (which clears it): the kernel ends with this launcher.
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if parent is not None and os.getppid() != parent:
            os._exit(70)  # the launcher died before the line above could take effect
        os.execve(command[0], command, kernel_environment())
    except BaseException as error:  # noqa: BLE001 - report and leave, whatever went wrong
        print(f"kernel_sandbox: cannot start the kernel: {error}", file=sys.stderr)
        os._exit(70)


def _wait_for_kernel(child: int, grader: int) -> int | None:
    """Wait for the kernel to end; None if ``grader`` (our parent at start-up) died first.

    SIGINT (an interrupt nbgrader sends to the whole process group) is the kernel's alone.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGCHLD})
    while True:
        finished, status = os.waitpid(child, os.WNOHANG)
        if finished:
            return status
        if os.getppid() != grader:  # orphaned: nobody will read what the kernel wrote
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            return None
        signal.sigtimedwait({signal.SIGCHLD}, 0.5)


def copy_new_files(scratch: Path, results_folder: int, written: dict[Path, bytes]) -> None:
    """Copy every regular file the kernel created or changed in ``scratch`` into the folder
    open as ``results_folder`` (never following a link the student made), as root."""
    scratch_device = os.lstat(scratch).st_dev
    for folder, subfolders, files in os.walk(scratch):
        relative_folder = Path(folder).relative_to(scratch)
        # Not the kernel's home and temporary files, and nothing bound in from elsewhere (a
        # virtual environment kept under /tmp is bound back read-only into the scratch).
        subfolders[:] = [
            d
            for d in subfolders
            if not (relative_folder == Path(".") and d in PRIVATE_FOLDERS)
            and os.lstat(Path(folder) / d).st_dev == scratch_device
        ]
        for name in files:
            relative = relative_folder / name
            source = Path(folder) / name
            status = source.lstat()
            if relative == Path(CONNECTION_NAME) or not stat.S_ISREG(status.st_mode):
                continue
            if status.st_dev != scratch_device:
                continue
            content = source.read_bytes()
            if written.get(relative) == content:
                continue
            _write_below(results_folder, relative, content)


def _write_below(folder: int, relative: Path, content: bytes) -> None:
    handle = os.dup(folder)
    try:
        for part in relative.parts[:-1]:
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, mode=0o755, dir_fd=handle)
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=handle)
            os.close(handle)
            handle = inner
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW
        descriptor = os.open(relative.name, flags, 0o644, dir_fd=handle)
        with os.fdopen(descriptor, "wb") as file:
            file.write(content)
    finally:
        os.close(handle)


def launcher_command(memory_mb: int, hidden: list[Path]) -> list[str]:
    """This launcher's command line, up to and including ``--``."""
    command = [sys.executable, "-m", "autograder.batch_grading.kernel_sandbox"]
    command += ["--memory-mb", str(memory_mb)]
    for path in hidden:
        command += ["--hide", str(path)]
    return [*command, "--"]


def write_kernelspec(data_dir: Path, memory_mb: int, hidden: list[Path]) -> str:
    """A Python kernelspec in ``data_dir/kernels`` that starts kernels through this launcher.

    Put ``data_dir`` on ``JUPYTER_PATH`` and select it with ``--Execute.kernel_name``.
    """
    kernel = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {
        "argv": [*launcher_command(memory_mb, hidden), *kernel],
        "display_name": "Python 3 (grading sandbox)",
        "language": "python",
    }
    folder = data_dir / "kernels" / KERNELSPEC_NAME
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "kernel.json").write_text(json.dumps(spec, indent=1), encoding="utf-8")
    return KERNELSPEC_NAME


def sandbox_problem(uid: int, memory_mb: int, hidden: list[Path]) -> str | None:
    """Why kernels cannot be isolated on this machine (one line), or None if they can."""
    probe = [*launcher_command(memory_mb, hidden), sys.executable, "-c", "import numpy"]
    probe.insert(probe.index("--"), "--check")
    result = subprocess.run(
        probe, capture_output=True, text=True, env={**os.environ, UID_VARIABLE: str(uid)}
    )
    if result.returncode == 0:
        return None
    lines = (result.stderr or result.stdout).strip().splitlines()
    return lines[-1] if lines else f"the sandbox probe exited with {result.returncode}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="kernel_sandbox", description=__doc__.split("\n\n")[0])
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
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command to run after --")
    try:
        hidden = [Path(p) for p in args.hide]
        launch(command, args.uid, args.memory_mb, hidden, kernel=not args.check)
    except (SandboxError, OSError) as error:
        print(f"kernel_sandbox: cannot isolate the kernel: {error}", file=sys.stderr)
        sys.exit(70)


if __name__ == "__main__":
    main()
