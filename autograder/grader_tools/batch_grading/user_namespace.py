"""The rootless isolation of a warm (forked) grading kernel: nested, unprivileged namespaces.

An ordinary grader's ``kernel_fork_server`` runs inside a bubblewrap sandbox of its own
(``bubblewrap.fork_server_command``): the system and the course's Python read-only, no
course, no grader's home, no network; writable only the run's folder, which holds the
kernels' scratch folders and their IPC sockets' folders. Each kernel it forks then goes,
through this module, into namespaces of its own, created without privilege inside it:

1. ``enter_kernel_namespaces`` (in the forked child): new user, mount, PID, network and IPC
   namespaces; the child's uid and gid mapped to themselves (no other id exists inside);
   every mount read-only; an empty read-only tmpfs over each hidden folder (the run's
   folder, with all kernels' scratch and IPC folders) and over ``/dev/shm``; then
   this kernel's own scratch folder bound writable as ``/tmp`` and its own IPC folder bound
   writable at its path. Nothing of another kernel is left to see.
2. ``become_namespace_init`` (in the child's child, which is PID 1 of the new PID
   namespace): a ``/proc`` of that namespace only (no other kernel, no server, no grader),
   then ``drop_capabilities``: the capabilities a new user namespace gives its creator are
   all dropped (bounding set, then effective, permitted and inheritable sets to zero) and
   ``no_new_privs`` is set, before any student code runs. ``CapEff`` is then 0.

Linux refuses step 1 where user namespaces are off or nested ones are not allowed (for
example ``/proc/sys/user/max_user_namespaces`` too low, or a sandbox run with
``--disable-userns``): ``namespace_problem`` says why, and ``course grade`` then starts
fresh kernels under bubblewrap instead.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import sys
import tempfile
from pathlib import Path

from autograder.grader_tools.batch_grading.kernel_scratch import SCRATCH
from autograder.grader_tools.batch_grading.mount_namespace import (
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
    mount,
    remount_read_only,
)
from autograder.grader_tools.batch_grading.sandbox_errors import SandboxError

MODULE = "autograder.grader_tools.batch_grading.user_namespace"
CLONE_NEWNS, CLONE_NEWIPC, CLONE_NEWUSER = 0x00020000, 0x08000000, 0x10000000
CLONE_NEWPID, CLONE_NEWNET = 0x20000000, 0x40000000
MS_PRIVATE = 1 << 18
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 24, 38
_CAPABILITY_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


class _CapabilityHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapabilityData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _check(result: int, what: str) -> None:
    if result != 0:
        raise SandboxError(f"{what}: {os.strerror(ctypes.get_errno())}")


def _covered(path: Path, covers: list[Path]) -> bool:
    return any(path == cover or cover in path.parents for cover in covers)


def enter_kernel_namespaces(scratch: Path, ipc: Path | None, hidden: list[Path]) -> None:
    """Step 1 of the module doc, in this process: afterwards ``scratch`` is ``/tmp`` and
    ``ipc`` the only other writable folder; ``hidden`` folders are empty. Children this
    process forks next are in a new PID namespace (the first is its init)."""
    uid, gid = os.getuid(), os.getgid()
    flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
    _check(_libc.unshare(flags), "unshare(user, mount, PID, network, IPC namespaces)")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Opened before anything is covered, to bind back from /proc/self/fd.
    own = [(scratch, SCRATCH), *([(ipc, ipc)] if ipc is not None else [])]
    handles = [(os.open(source, os.O_PATH | os.O_DIRECTORY), target) for source, target in own]
    remount_read_only()
    covers: list[Path] = []
    for path in sorted({*hidden, Path("/dev/shm")}, key=lambda p: len(p.parts)):
        if path.is_dir() and not _covered(path, covers):
            mount("tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=64k")
            covers.append(path)
    # Mount points for the own folders a cover hides, before the covers become read-only
    # (those under /tmp are made in the scratch folder, once it is /tmp).
    for _, target in handles:
        if not _covered(target, [SCRATCH]):
            target.mkdir(parents=True, exist_ok=True)
    for cover in covers:
        mount(None, str(cover), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)
    for handle, target in handles:  # the scratch folder first
        target.mkdir(parents=True, exist_ok=True)
        mount(f"/proc/self/fd/{handle}", str(target), None, MS_BIND)
        mount(None, str(target), None, MS_REMOUNT | MS_BIND | MS_NOSUID | MS_NODEV)
        os.close(handle)


def become_namespace_init() -> None:
    """Step 2 of the module doc, in the first child after ``enter_kernel_namespaces``."""
    if os.getpid() != 1:
        raise SandboxError(f"the kernel is not alone in its PID namespace (pid {os.getpid()})")
    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    drop_capabilities()


def drop_capabilities() -> None:
    """No capability left in any set, none to regain (bounding set empty, no_new_privs)."""
    last = int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    for capability in range(last + 1):
        _check(_libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0), "prctl(PR_CAPBSET_DROP)")
    header = _CapabilityHeader(_CAPABILITY_VERSION_3, 0)
    empty = (_CapabilityData * 2)()
    _check(_libc.capset(ctypes.byref(header), ctypes.byref(empty)), "capset to zero")
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(PR_SET_NO_NEW_PRIVS)")
    if effective_capabilities() != 0:
        raise SandboxError("capabilities are left after dropping them all")


def effective_capabilities() -> int:
    """This process's ``CapEff`` (/proc/self/status)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    raise SandboxError("/proc/self/status has no CapEff")


def namespace_problem() -> str | None:
    """Why ``enter_kernel_namespaces`` and ``become_namespace_init`` fail here (one line), or
    None if a trial kernel process got through both with no capability left."""
    folder = Path(tempfile.mkdtemp(prefix="namespace-probe-"))
    try:
        (folder / "scratch").mkdir()
        (folder / "ipc").mkdir()
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(reader)
            _probe_child(folder, writer)
        os.close(writer)
        with os.fdopen(reader) as answer:
            problem = answer.read().strip()
        _, status = os.waitpid(child, 0)
        if problem or status != 0:
            return problem or f"the namespace probe exited with {status}"
        return None
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _probe_child(folder: Path, writer: int) -> None:
    try:
        enter_kernel_namespaces(folder / "scratch", folder / "ipc", [folder])
        init = os.fork()
        if init == 0:
            try:
                become_namespace_init()
                (SCRATCH / "written").write_text("")
                os._exit(0)
            except BaseException as error:  # noqa: BLE001 - told to the parent
                os.write(writer, f"{error}\n".encode())
                os._exit(70)
        _, status = os.waitpid(init, 0)
        os._exit(os.waitstatus_to_exitcode(status))
    except BaseException as error:  # noqa: BLE001 - told to the parent
        os.write(writer, f"{error}\n".encode())
        os._exit(70)


if __name__ == "__main__":
    # ``python -m ...user_namespace``: the probe, run where the fork server would run.
    found = namespace_problem()
    if found:
        print(found, file=sys.stderr)
    sys.exit(70 if found else 0)
