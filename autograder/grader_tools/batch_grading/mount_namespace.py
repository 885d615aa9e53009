"""The as-root isolation of a grading kernel: private mount and network namespaces, by hand.

``kernel_launcher`` uses this when the grader is root; an ordinary grader gets the same view
from bubblewrap (``bubblewrap``). Why root does not use bubblewrap too: run as the kernel's
unprivileged uid, bubblewrap cannot bind a Python installation under a folder that uid
cannot read (pyenv under ``/root``, as on these machines: "Can't find source path"); run as
root, it maps the kernel to host uid 0, for which Linux does not enforce ``RLIMIT_NPROC``.

``isolate`` makes, in the calling process: a private copy of every mount, all read-only; an
empty tmpfs over each hidden folder; the kept folders bound back read-only and the writable
ones read-write; a fresh tmpfs owned by the student as the scratch space; no network but a
loopback of its own.
"""

from __future__ import annotations

import ctypes
import os
from pathlib import Path

from autograder.grader_tools.batch_grading.sandbox_errors import SandboxError

CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
_MOUNT_FLAG_NAMES = {"nosuid": MS_NOSUID, "nodev": MS_NODEV, "noexec": MS_NOEXEC}

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise SandboxError(f"{what}: {os.strerror(error)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    def encoded(text: str | None) -> bytes | None:
        return None if text is None else os.fsencode(text)

    result = _libc.mount(
        encoded(source), encoded(target), encoded(fstype), ctypes.c_ulong(flags), encoded(data)
    )
    _check(result, f"mount {target}")


def remount_read_only() -> None:
    """Remount every mount of this mount namespace read-only, keeping its other flags
    (/proc and /sys are left as they are; only a failure on / is fatal)."""
    for point, flags in mount_points():
        if point.startswith(("/proc", "/sys")):
            continue
        try:
            mount(None, point, None, MS_REMOUNT | MS_BIND | MS_RDONLY | flags)
        except SandboxError:
            if point == "/":
                raise


def mount_points() -> list[tuple[str, int]]:
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


def isolate(
    uid: int,
    hidden: list[Path],
    kept: list[Path],
    writable: list[Path],
    scratch: Path,
    scratch_size_mb: int,
) -> None:
    """The module doc's view, in this process; ``scratch`` becomes a tmpfs owned by ``uid``."""
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare(CLONE_NEWNS | CLONE_NEWNET)")
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    # Opened in the new namespace before anything is hidden, to bind back from /proc/self/fd.
    handles = {
        (path, path in writable): os.open(path, os.O_PATH)
        for path in [*kept, *writable]
        if path.exists()
    }
    remount_read_only()
    covers: list[Path] = []
    for path in sorted(
        {scratch, Path("/var/tmp"), Path("/dev/shm"), *hidden}, key=lambda p: len(p.parts)
    ):
        if not path.is_dir() or any(_is_under(path, cover) for cover in covers):
            continue
        if path == scratch:
            options = f"size={scratch_size_mb}m,mode=700,uid={uid},gid={uid}"
        else:
            options = "size=1m,mode=755"
        mount("tmpfs", str(path), "tmpfs", MS_NOSUID | MS_NODEV, options)
        covers.append(path)
    for (path, is_writable), handle in sorted(handles.items(), key=lambda i: len(i[0][0].parts)):
        # Skipped when still visible: nothing hid it, or a kept parent brought it back.
        visible = path.exists() and os.path.samestat(os.stat(path), os.fstat(handle))
        if is_writable or not visible:
            path.mkdir(parents=True, exist_ok=True)
            mount(f"/proc/self/fd/{handle}", str(path), None, MS_BIND | MS_REC)
            read_only = 0 if is_writable else MS_RDONLY
            mount(None, str(path), None, MS_REMOUNT | MS_BIND | read_only | MS_NOSUID | MS_NODEV)
        os.close(handle)
    for cover in covers:
        if cover != scratch:
            mount(None, str(cover), None, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV)
